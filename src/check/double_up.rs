//! Double-ups (`carers_required: 2`): the rules `carers-required` (a served
//! visit is in as many rounds as it needs carers, of distinct carers) and
//! `double-up` (all carers of a visit start and end it at the same minute,
//! and each lists exactly the others in `with`). `assign.rs` calls them for
//! each served visit, in their place among its other rules.

use std::collections::BTreeSet;

use super::rounds::Assign;
use super::{Out, hm};
use crate::model::Visit;

/// The rounds of a visit's assignments, for messages.
fn round_list(labels: &[String], asg: &[&Assign]) -> String {
    asg.iter()
        .map(|a| labels[a.round].as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `carers-required`: as many rounds as the visit needs, of distinct carers.
pub(super) fn carers_required(
    vname: &str,
    visit: &Visit,
    asg: &[&Assign],
    labels: &[String],
    out: &mut Out,
) {
    let n = asg.len();
    if n != visit.carers_required as usize {
        out.push(
            "carers-required",
            format!(
                "{vname} needs {} carer(s) but is in {n} round(s): {}",
                visit.carers_required,
                round_list(labels, asg)
            ),
        );
    }
    let distinct: BTreeSet<&str> = asg.iter().map(|a| a.carer).collect();
    if distinct.len() < n {
        out.push(
            "carers-required",
            format!(
                "{vname} is done more than once by the same carer: {}",
                round_list(labels, asg)
            ),
        );
    }
}

/// `double-up`: all carers of a visit start and end it together, and each
/// lists exactly the others in `with`.
pub(super) fn double_up(vname: &str, asg: &[&Assign], labels: &[String], out: &mut Out) {
    // double-up: same start and end, `with` lists the other carers.
    let starts: BTreeSet<i64> = asg.iter().map(|a| a.start).collect();
    let ends: BTreeSet<i64> = asg.iter().map(|a| a.end).collect();
    let times = || {
        asg.iter()
            .map(|a| format!("{} {}-{}", a.carer, hm(a.start), hm(a.end)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if starts.len() > 1 {
        out.push(
            "double-up",
            format!("{vname} starts at different minutes: {}", times()),
        );
    }
    if ends.len() > 1 {
        out.push(
            "double-up",
            format!("{vname} ends at different minutes: {}", times()),
        );
    }
    for a in asg {
        let expected: BTreeSet<&str> = asg
            .iter()
            .filter(|b| b.round != a.round)
            .map(|b| b.carer)
            .collect();
        let stated: BTreeSet<&str> = a.with.iter().map(String::as_str).collect();
        if stated != expected || stated.len() != a.with.len() {
            out.push(
                "double-up",
                format!(
                    "{}: {vname} at {} lists with [{}], expected [{}]",
                    labels[a.round],
                    hm(a.start),
                    a.with.join(", "),
                    expected.into_iter().collect::<Vec<_>>().join(", ")
                ),
            );
        }
    }
}
