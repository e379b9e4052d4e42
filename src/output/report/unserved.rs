//! The unserved clients: one table row per reason, with the client's
//! visits and priority.

use std::fmt::Write;

use super::{Ctx, escape, hhmm};

pub(super) fn unserved(out: &mut String, ctx: &Ctx) {
    let _ = writeln!(
        out,
        "<section class=\"unserved\">\n<h2>Unserved clients ({})</h2>",
        ctx.plan.unserved.len()
    );
    if ctx.plan.unserved.is_empty() {
        out.push_str("<p class=\"empty\">Every client is served.</p>\n</section>\n");
        return;
    }
    out.push_str(
        "<table>\n<thead><tr><th>Client</th><th class=\"num\">Priority</th><th>Visits</th><th>Reason</th><th>Details</th></tr></thead>\n<tbody>\n",
    );
    for u in &ctx.plan.unserved {
        let client = ctx.clients.get(u.client.as_str());
        let priority = client.map_or(String::new(), |c| c.priority.to_string());
        let visits = client.map_or(String::new(), |c| {
            c.visits
                .iter()
                .map(|v| {
                    format!(
                        "{} {}-{} ({} min{})",
                        v.id,
                        hhmm(v.window.start),
                        hhmm(v.window.end),
                        v.duration,
                        if v.carers_required > 1 {
                            ", 2 carers"
                        } else {
                            ""
                        }
                    )
                })
                .collect::<Vec<_>>()
                .join("; ")
        });
        let n = u.reasons.len().max(1);
        let _ = write!(
            out,
            "<tr class=\"unserved-client\" data-client=\"{id}\"><td rowspan=\"{n}\"><b>{id}</b></td><td class=\"num\" rowspan=\"{n}\">{priority}</td><td rowspan=\"{n}\">{}</td>",
            escape(&visits),
            id = escape(&u.client)
        );
        if u.reasons.is_empty() {
            out.push_str("<td></td><td></td></tr>\n");
        }
        for (k, reason) in u.reasons.iter().enumerate() {
            if k > 0 {
                out.push_str("<tr>");
            }
            let _ = writeln!(
                out,
                "<td class=\"code\">{}</td><td>{}</td></tr>",
                escape(&reason.code),
                escape(&reason.message)
            );
        }
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}
