//! Semantic validation of a parsed [`Request`]: every problem at once, each
//! with a stable code, its JSON path, what is wrong and how to fix it.
//!
//! Parsing (`crate::parse`) already rejects malformed JSON (E1001) and values
//! of the wrong shape (E1002). Everything here is about values that parse but
//! break the contract (`shared/spec/format.md`). Codes are grouped by family
//! and listed in `docs/validation.md`:
//!
//! * E11xx ids and priorities
//! * E12xx times, windows, durations, and the extensions `after.max_gap`
//!   and `starts_with` (`starts_with.rs`)
//! * E13xx travel modes and travel settings
//! * E14xx shifts and breaks
//! * E15xx references between ids (preferred/excluded carers, `after`, gender)
//! * E16xx `travel_matrix`
//! * E17xx locations
//! * E18xx `locks` (extension, `locks.rs`)
//! * E19xx `previous_plan` (extension, `continuity.rs`) and `rota replan`
//!   (`crate::replan::validate`)
//!
//! Some codes are **warnings** ([`crate::error::WARNING_CODES`]): the request
//! has a safe reading (a preferred carer who is not on the day's rota is
//! simply not available; an exclusion wins over a preference), so it is
//! planned and the plan lists them in `warnings`. [`validate`] refuses only
//! errors, and warnings too when `settings.strict` is set; [`warnings`]
//! lists the warnings; [`findings`] gives both.
//!
//! Issues come out in a deterministic order, close to document order
//! (settings, carers, clients, travel matrix). Validation never panics, whatever
//! the values (NaN, infinities, huge numbers, empty lists).

mod carers;
mod clients;
pub mod continuity;
mod double_up;
mod locations;
pub mod locks;
mod settings;
mod starts_with;
mod travel;

use std::collections::{HashMap, HashSet};

use chrono::NaiveTime;

use crate::error::{Issue, Issues};
use crate::model::{
    Break, Carer, Client, Location, MODES, Request, Shift, TravelMatrix, minutes_of_day,
};

/// Minutes in a day.
const DAY: i64 = 1440;

/// At most this many negative entries are listed per matrix (then one summary).
const MAX_NEGATIVE_LISTED: usize = 20;

/// A request that passed validation, with its warnings: only this module
/// makes one ([`valid`]), so whatever takes a `ValidRequest` knows the
/// request was validated, once, as it stands. It reads as the [`Request`]
/// (`Deref`) and is not edited after validation: the preparation step
/// ([`crate::prepare`]) applies every override before validating.
#[derive(Debug, Clone)]
pub struct ValidRequest {
    request: Request,
    warnings: Vec<Issue>,
}

impl ValidRequest {
    /// What is planned around rather than refused, in document order.
    pub fn warnings(&self) -> &[Issue] {
        &self.warnings
    }

    /// The request, to amend it (which calls for validating it again).
    pub fn into_inner(self) -> Request {
        self.request
    }

    /// A request this crate validated and stored with its warnings (the
    /// service's job store): read back without validating it again.
    pub(crate) fn from_store(request: Request, warnings: Vec<Issue>) -> ValidRequest {
        ValidRequest { request, warnings }
    }

    /// The request with a travel matrix this crate computed (road travel
    /// times, `crate::roads`) in place of the formula: the matrix is built
    /// for this request's locations and modes.
    pub(crate) fn with_travel_matrix(mut self, m: crate::model::TravelMatrix) -> ValidRequest {
        self.request.travel_matrix = Some(m);
        self
    }
}

impl std::ops::Deref for ValidRequest {
    type Target = Request;
    fn deref(&self) -> &Request {
        &self.request
    }
}

/// Validate `request` once: a [`ValidRequest`] with its warnings, or every
/// error (and, when `settings.strict` is set, every warning too).
pub fn valid(request: Request) -> Result<ValidRequest, Issues> {
    let all = findings(&request);
    let strict = request.settings.strict;
    let (warnings, errors): (Vec<Issue>, Vec<Issue>) =
        all.iter().cloned().partition(Issue::is_warning);
    if strict && !all.is_empty() {
        return Err(Issues(all));
    }
    if !errors.is_empty() {
        return Err(Issues(errors));
    }
    Ok(ValidRequest { request, warnings })
}

/// Check `request` against the contract. `Ok(())` when it can be planned,
/// else every error found. Warnings do not refuse it, unless
/// `settings.strict` is set: then they are listed with the errors.
pub fn validate(request: &Request) -> Result<(), Issues> {
    let strict = request.settings.strict;
    let refused: Vec<Issue> = findings(request)
        .into_iter()
        .filter(|i| strict || !i.is_warning())
        .collect();
    if refused.is_empty() {
        Ok(())
    } else {
        Err(Issues(refused))
    }
}

/// The warnings about `request`: what is planned around rather than
/// refused (codes in [`crate::error::WARNING_CODES`]), in document order.
pub fn warnings(request: &Request) -> Vec<Issue> {
    findings(request)
        .into_iter()
        .filter(Issue::is_warning)
        .collect()
}

/// Every error and warning about `request`, in document order.
pub fn findings(request: &Request) -> Vec<Issue> {
    let mut v = Validator { issues: Vec::new() };
    v.settings(request);
    v.carers(request);
    v.clients(request);
    if let Some(m) = &request.travel_matrix {
        v.matrix(request, m);
    }
    v.far_locations(request);
    v.service_area(request);
    // Extensions: locks (E18xx, docs/locks.md), previous plan (E19xx,
    // docs/continuity.md).
    v.issues.extend(locks::validate(request));
    v.issues.extend(continuity::validate(request));
    v.issues
}

struct Validator {
    issues: Vec<Issue>,
}

fn hhmm(t: NaiveTime) -> String {
    crate::clock::time(t)
}

fn mins(t: NaiveTime) -> i64 {
    i64::from(minutes_of_day(t))
}

fn allowed_modes() -> String {
    MODES
        .iter()
        .map(|m| format!("'{m}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Validator {
    fn push(
        &mut self,
        code: &'static str,
        path: impl Into<String>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        self.issues.push(Issue::new(code, path, message, hint));
    }
}

#[cfg(test)]
mod tests;
