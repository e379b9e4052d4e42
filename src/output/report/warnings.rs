//! The plan's warnings (`plan.warnings`, docs/validation.md "Warnings"):
//! what in the request was planned around rather than refused, near the top
//! so that whoever hands out the rounds sees it. Nothing without warnings.

use std::fmt::Write;

use super::{Ctx, escape};

pub(super) fn warnings(out: &mut String, ctx: &Ctx) {
    let w = &ctx.plan.warnings;
    if w.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<section class=\"warnings\">\n<h2>Warnings ({})</h2>\n<p>The request was planned around these rather than refused; check them before handing out the rounds.</p>",
        w.len()
    );
    out.push_str(
        "<table>\n<thead><tr><th>Code</th><th>Where</th><th>What</th><th>What to do</th></tr></thead>\n<tbody>\n",
    );
    for i in w {
        let _ = writeln!(
            out,
            "<tr class=\"warning\"><td class=\"code\">{}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
            escape(&i.code),
            escape(&i.path),
            escape(&i.message),
            escape(&i.hint)
        );
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}
