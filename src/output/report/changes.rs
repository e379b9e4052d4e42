//! "Changes since the published plan": on a plan made by `rota replan`,
//! every visit whose carers or start changed (`summary.replan.changes`,
//! docs/replan.md), in time order, so the manager knows whom to phone.
//! Absent from other plans.

use std::fmt::Write;

use super::{Ctx, escape, hhmm};
use crate::model::CallTimes;

/// One side of a change: carers and start-end, or `none`.
fn side(t: Option<&CallTimes>, none: &str) -> String {
    match t {
        Some(t) => format!(
            "<b>{}</b> {}-{}",
            escape(&t.carers.join(" + ")),
            hhmm(t.start),
            hhmm(t.end)
        ),
        None => format!("<span class=\"empty\">{none}</span>"),
    }
}

pub(super) fn changes(out: &mut String, ctx: &Ctx) {
    let Some(r) = &ctx.plan.summary.replan else {
        return;
    };
    if r.changes.is_empty() {
        return;
    }
    let n = r.changes.len();
    // Every absence in force (a chain of re-plans keeps them all); a plan
    // written before they were recorded has only this re-plan's.
    let unavailable = if !r.absences.is_empty() {
        r.absences
            .iter()
            .map(|a| format!("{} absent from {}", a.carer, hhmm(a.from)))
            .collect::<Vec<_>>()
            .join(", ")
    } else if r.unavailable.is_empty() {
        "nobody unavailable".to_string()
    } else {
        format!(
            "{} unavailable from {}",
            r.unavailable.join(", "),
            hhmm(r.unavailable_from)
        )
    };
    let _ = writeln!(
        out,
        "<section class=\"changes\">\n<h2>Changes since the published plan ({n})</h2>\n\
<p>Re-planned at {} ({}): {n} {} changed carer or time, in time order. \
Calls before {} stand as they happened.</p>",
        hhmm(r.now),
        escape(&unavailable),
        if n == 1 { "visit" } else { "visits" },
        hhmm(r.now),
    );
    out.push_str(
        "<table>\n<thead><tr><th>Visit</th><th>Client</th><th>Before</th><th>After</th></tr></thead>\n<tbody>\n",
    );
    for c in &r.changes {
        let client = ctx
            .clients
            .get(c.client.as_str())
            .and_then(|k| k.contact.as_ref())
            .and_then(|k| k.name.as_deref())
            .map_or(String::new(), |name| format!(" ({})", escape(name)));
        let _ = writeln!(
            out,
            "<tr class=\"change\" data-visit=\"{v}\"><td>{v}</td><td>{}{client}</td><td>{}</td><td>{}</td></tr>",
            escape(&c.client),
            side(c.before.as_ref(), "not planned"),
            side(c.after.as_ref(), "dropped"),
            v = escape(&c.visit),
        );
    }
    out.push_str("</tbody>\n</table>\n");
    who_to_phone(out, ctx);
    out.push_str("</section>\n");
}

/// "Who to phone": the same changes grouped by person (docs/replan.md).
fn who_to_phone(out: &mut String, ctx: &Ctx) {
    use crate::output::phone_list::{DEFAULT_NOTIFY_MINUTES, phone_list};
    let list = phone_list(Some(ctx.request), ctx.plan, DEFAULT_NOTIFY_MINUTES);
    let _ = writeln!(
        out,
        "<h3>Who to phone</h3>\n<p>Changes of carer, and times moved by {DEFAULT_NOTIFY_MINUTES} min or more.</p>"
    );
    if list.is_empty() {
        out.push_str("<p class=\"empty\">Nobody.</p>\n");
        return;
    }
    out.push_str("<table class=\"phone-list\">\n<thead><tr><th>Who</th><th>Phone</th><th>Tell them</th></tr></thead>\n<tbody>\n");
    let phone = |p: &Option<String>| p.as_deref().map_or("-".to_string(), escape);
    for c in &list.carers {
        let mut what: Vec<String> = Vec::new();
        what.extend(
            c.add
                .iter()
                .map(|x| format!("add {} {}-{}", x.visit, hhmm(x.start), hhmm(x.end))),
        );
        what.extend(
            c.drop
                .iter()
                .map(|x| format!("drop {} {}", x.visit, hhmm(x.start))),
        );
        what.extend(
            c.moved
                .iter()
                .map(|x| format!("move {} {} → {}", x.visit, hhmm(x.from), hhmm(x.to))),
        );
        let who = match &c.name {
            Some(n) => format!("{n} ({})", c.carer),
            None => c.carer.clone(),
        };
        let _ = writeln!(
            out,
            "<tr class=\"phone-carer\"><td>carer <b>{}</b></td><td>{}</td><td>{}</td></tr>",
            escape(&who),
            phone(&c.phone),
            escape(&what.join("; "))
        );
    }
    for k in &list.clients {
        let what: Vec<String> = k
            .visits
            .iter()
            .map(|v| {
                let side = |t: &Option<crate::model::CallTimes>, none: &str| {
                    t.as_ref().map_or(none.to_string(), |t| {
                        format!("{} {}", t.carers.join("+"), hhmm(t.start))
                    })
                };
                format!(
                    "{} {} → {}",
                    v.visit,
                    side(&v.before, "new"),
                    side(&v.after, "dropped")
                )
            })
            .collect();
        let who = match &k.name {
            Some(n) => format!("{n} ({})", k.client),
            None => k.client.clone(),
        };
        let _ = writeln!(
            out,
            "<tr class=\"phone-client\"><td>client <b>{}</b></td><td>{}</td><td>{}</td></tr>",
            escape(&who),
            phone(&k.phone),
            escape(&what.join("; "))
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

#[cfg(test)]
mod tests {
    use crate::model::{CallTimes, ReplanChange, ReplanSummary};
    use chrono::NaiveTime;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn the_section_lists_each_change_only_on_a_replan_with_changes() {
        let req = crate::load_request(
            r#"{"date":"2026-11-23","settings":{"stop_when_stalled":true},
              "carers":[{"id":"C1","travel_mode":"drive",
                "shift":{"start":"07:00","end":"15:00"},"start_location":{"lat":52.05,"lon":-2.72}}],
              "clients":[{"id":"P1","location":{"lat":52.06,"lon":-2.73},
                "contact":{"name":"Ann <Example>"},
                "visits":[{"id":"P1-am","window":{"start":"10:00","end":"11:00"},"duration":30}]}]}"#,
        )
        .unwrap();
        let mut plan = crate::plan_request(&req).unwrap();
        assert!(crate::check::check(&req, &plan).is_valid());
        let plain = crate::output::report::html(&req, &plan);
        assert!(!plain.contains("Changes since the published plan"));
        let call = |c: &str, h| CallTimes {
            carers: vec![c.into()],
            start: t(h, 0),
            end: t(h, 30),
        };
        let mut summary = ReplanSummary {
            calls_of_unavailable: 1,
            ..ReplanSummary::new(t(9, 0), vec!["C2".into()])
        };
        plan.summary.replan = Some(summary.clone());
        let none = crate::output::report::html(&req, &plan);
        assert!(!none.contains("Changes since the published plan"));
        summary.changes = vec![
            ReplanChange {
                visit: "P1-am".into(),
                client: "P1".into(),
                before: Some(call("C2", 11)),
                after: Some(call("C1", 10)),
            },
            ReplanChange {
                visit: "P9-pm".into(),
                client: "P9".into(),
                before: Some(call("C2", 14)),
                after: None,
            },
        ];
        plan.summary.replan = Some(summary);
        let h = crate::output::report::html(&req, &plan);
        assert!(
            h.contains("<h2>Changes since the published plan (2)</h2>"),
            "{h}"
        );
        assert!(h.contains("Re-planned at 09:00 (C2 unavailable from 09:00)"));
        assert!(h.contains("<h3>Who to phone</h3>"), "{h}");
        assert!(
            h.contains("<td>client <b>Ann &lt;Example&gt; (P1)</b></td>"),
            "{h}"
        );
        // A chain of re-plans: every absence in force is named.
        let mut chained = plan.clone();
        chained.summary.replan.as_mut().unwrap().absences = vec![
            crate::model::Absence {
                carer: "C2".into(),
                from: t(9, 0),
            },
            crate::model::Absence {
                carer: "C3".into(),
                from: t(8, 15),
            },
        ];
        let hc = crate::output::report::html(&req, &chained);
        assert!(
            hc.contains("Re-planned at 09:00 (C2 absent from 09:00, C3 absent from 08:15)"),
            "{hc}"
        );
        let rows: Vec<&str> = h
            .lines()
            .filter(|l| l.starts_with("<tr class=\"change\""))
            .collect();
        assert_eq!(rows.len(), 2);
        assert!(rows[0].contains("P1 (Ann &lt;Example&gt;)"), "{}", rows[0]);
        assert!(rows[0].contains("<b>C2</b> 11:00-11:30</td><td><b>C1</b> 10:00-10:30"));
        assert!(rows[1].contains("dropped"), "{}", rows[1]);
        // Before the map: the manager sees it first.
        assert!(h.find("class=\"changes\"") < h.find("class=\"map\""));
    }
}
