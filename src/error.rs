//! Library errors (`thiserror`); the binary wraps them with `anyhow`.

use std::fmt;

use serde::Serialize;

/// One problem found in a request: a stable code, where it is, what is wrong
/// and how to fix it. Codes are listed in `docs/validation.md`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    /// Stable code, `E1xxx`.
    pub code: &'static str,
    /// JSON path of the offending value, e.g. `clients[3].visits[1].window`.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: String,
}

impl Issue {
    pub fn new(
        code: &'static str,
        path: impl Into<String>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        Issue {
            code,
            path: path.into(),
            message: message.into(),
            hint: hint.into(),
        }
    }
}

/// The codes that are **warnings**: a safe reading of the request exists, so
/// it is planned and the plan lists them in `warnings` (docs/validation.md,
/// "Warnings"). With `settings.strict` (or `--strict`) they refuse the
/// request like every other code.
pub const WARNING_CODES: [&str; 7] = [
    // No carers at all: every client unserved (said once, first).
    "E1109",
    // A preferred carer not in `carers`: not working that day, so simply not
    // available.
    "E1501", // An excluded carer not in `carers`: nothing to exclude that day.
    "E1502", // A carer both preferred and excluded: the exclusion wins.
    "E1503",
    // `carer_gender` that no carer's gender matches exactly, though one
    // matches ignoring case ("F" and "f").
    "E1509", // A location far from the request's other locations (swapped lat/lon?).
    "E1704", // A location outside `settings.service_area` (swapped lat/lon?).
    "E1706",
];

impl Issue {
    /// Whether this is a warning (see [`WARNING_CODES`]), not an error.
    pub fn is_warning(&self) -> bool {
        WARNING_CODES.contains(&self.code)
    }
}

impl Issue {
    /// The warning a plan lists, as an issue again (`None` for a code that
    /// is not a warning of this version).
    pub fn from_warning(w: &crate::model::Warning) -> Option<Issue> {
        let code = WARNING_CODES.iter().find(|c| **c == w.code)?;
        Some(Issue::new(code, &w.path, &w.message, &w.hint))
    }
}

impl From<&Issue> for crate::model::Warning {
    fn from(i: &Issue) -> Self {
        crate::model::Warning {
            code: i.code.to_string(),
            path: i.path.clone(),
            message: i.message.clone(),
            hint: i.hint.clone(),
        }
    }
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() {
            "(document)"
        } else {
            &self.path
        };
        write!(f, "{} at {}: {}", self.code, path, self.message)?;
        if !self.hint.is_empty() {
            write!(f, " (hint: {})", self.hint)?;
        }
        Ok(())
    }
}

/// Everything wrong with an input, found at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issues(pub Vec<Issue>);

impl fmt::Display for Issues {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} problem(s) found:", self.0.len())?;
        for i in &self.0 {
            writeln!(f, "  {i}")?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RotaError {
    /// The input is not a request of the contract (bad JSON, wrong types,
    /// unknown fields) or breaks a validation rule. Exit code 2.
    #[error("{0}")]
    Invalid(Issues),
    /// Reading or writing a file failed.
    #[error("cannot read or write {path}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// A bug or a solver failure, not the user's input. Exit code 1.
    #[error("internal error: {0}")]
    Internal(String),
}

impl RotaError {
    pub fn invalid(issue: Issue) -> Self {
        RotaError::Invalid(Issues(vec![issue]))
    }
    /// The issues, when this is bad input.
    pub fn issues(&self) -> Option<&[Issue]> {
        match self {
            RotaError::Invalid(i) => Some(&i.0),
            _ => None,
        }
    }
}

pub type Result<T, E = RotaError> = std::result::Result<T, E>;
