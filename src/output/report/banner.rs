//! The banner at the top of a report whose plan fails the independent
//! checker against the request it is printed with: the page itself says
//! the plan is wrong, with the first rules it breaks.

use std::fmt::Write;

use super::{Ctx, escape};

/// How many broken rules the banner lists (the rest are counted).
const SHOWN: usize = 10;

pub(super) fn banner(out: &mut String, ctx: &Ctx) {
    let report = crate::check::check(ctx.request, ctx.plan);
    if report.is_valid() {
        return;
    }
    let n = report.violations.len();
    let _ = writeln!(
        out,
        "<div class=\"invalid-banner\" role=\"alert\"><b>This plan is not valid for this request: it breaks {n} rule{}.</b> Do not hand it out; <code>rota check</code> lists every rule.<ul>",
        if n == 1 { "" } else { "s" }
    );
    for v in report.violations.iter().take(SHOWN) {
        let _ = writeln!(
            out,
            "<li><span class=\"code\">{}</span> {}</li>",
            escape(v.rule),
            escape(&v.message)
        );
    }
    if n > SHOWN {
        let _ = writeln!(out, "<li>... and {} more</li>", n - SHOWN);
    }
    out.push_str("</ul></div>\n");
}
