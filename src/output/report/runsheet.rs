//! The run sheets: one page per carer, one table per round, in the order a
//! carer works through it.

use std::fmt::Write;

use super::{Ctx, escape, has_visits, hhmm, hhmm_min};
use crate::model::{Carer, Location, Round, Stop, VisitStop, minutes_of_day};

/// The client cell (name in bold, then the id) and the address cell
/// (address, phone, access notes; coordinates when the request has no
/// address), escaped.
fn client_cells(ctx: &Ctx, id: &str) -> (String, String) {
    let client = ctx.clients.get(id);
    let contact = client.and_then(|c| c.contact.as_ref());
    let who = match contact.and_then(|k| k.name.as_deref()) {
        Some(name) => format!("<b>{}</b><br><small>{}</small>", escape(name), escape(id)),
        None => format!("<b>{}</b>", escape(id)),
    };
    let mut loc = match contact.and_then(|k| k.address_line()) {
        Some(a) => escape(&a),
        None => client.map_or(String::new(), |c| coords(c.location)),
    };
    if let Some(phone) = contact.and_then(|k| k.phone.as_deref()) {
        loc.push_str(&format!("<br>☎ {}", escape(phone)));
    }
    if let Some(notes) = contact.and_then(|k| k.access_notes.as_deref()) {
        loc.push_str(&format!("<br><i>{}</i>", escape(notes)));
    }
    (who, loc)
}

/// Under a call's time, its due (docs/format.md, "Due times"): "due 08:30"
/// and, for a late call, ", 10 min late" (marked `late`). Empty without a
/// due in the request and on time; a late call whose request is not at hand
/// still says how late it is.
fn due_note(due: Option<chrono::NaiveTime>, late: Option<u32>) -> String {
    match (due, late) {
        (Some(d), Some(l)) => format!(
            "<br><small class=\"late\" style=\"color:#b00;font-weight:bold\">due {}, {l} min late</small>",
            hhmm(d)
        ),
        (None, Some(l)) => format!(
            "<br><small class=\"late\" style=\"color:#b00;font-weight:bold\">{l} min late</small>"
        ),
        (Some(d), None) => format!("<br><small class=\"due\">due {}</small>", hhmm(d)),
        (None, None) => String::new(),
    }
}

/// When the round leaves its start location: the latest departure that
/// reaches the first visit on time (the shift start if there is none).
fn leave_time(r: &Round) -> i32 {
    r.stops
        .iter()
        .find_map(|s| match s {
            Stop::Visit(v) => Some(minutes_of_day(v.arrive) - v.travel_minutes as i32),
            Stop::Break(_) => None,
        })
        .unwrap_or_else(|| minutes_of_day(r.shift.start))
}

fn coords(l: Location) -> String {
    format!("{:.4}, {:.4}", l.lat, l.lon)
}

/// The carer's start: the base's name and address when the request gives
/// them, else coordinates; escaped.
fn start_place(c: &Carer) -> String {
    c.base_label()
        .map_or_else(|| coords(c.start_location), |b| escape(&b))
}

/// The carer's end: the base when the round ends where it started.
fn end_place(c: &Carer) -> String {
    if c.end_location.is_none() || c.end() == c.start_location {
        start_place(c)
    } else {
        coords(c.end())
    }
}

/// Carers named as on their own run sheets ("Ann Smith (C03)"), escaped.
fn carer_names(ctx: &Ctx, ids: &[String]) -> String {
    let names: Vec<String> = ids
        .iter()
        .map(|id| {
            ctx.carers
                .get(id.as_str())
                .map_or(id.clone(), |c| c.label())
        })
        .collect();
    escape(&names.join(", "))
}

/// The "With" cell: a double-up's other carers, and the carer of a visit
/// that starts together with this one (docs/format.md, "Visits that start
/// together"): "Karen Davies (C03), starts together (visit P1-ot)".
fn with_cell(ctx: &Ctx, v: &VisitStop) -> String {
    let mut cell = carer_names(ctx, &v.with);
    if let Some(w) = &v.starts_with {
        if !cell.is_empty() {
            cell.push_str("; ");
        }
        cell.push_str(&format!(
            "{}, starts together (visit {})",
            carer_names(ctx, std::slice::from_ref(&w.carer)),
            escape(&w.visit)
        ));
    }
    cell
}

pub(super) fn runsheets(out: &mut String, ctx: &Ctx) {
    // One sheet per carer, in the order of their first round in the plan.
    let mut order: Vec<&str> = Vec::new();
    for r in &ctx.plan.rounds {
        if !order.contains(&r.carer.as_str()) {
            order.push(r.carer.as_str());
        }
    }
    for carer_id in order {
        let carer = ctx.carers.get(carer_id).copied();
        let _ = writeln!(
            out,
            "<section class=\"runsheet\" data-carer=\"{}\">",
            escape(carer_id)
        );
        let _ = writeln!(
            out,
            "<h2>Run sheet: {} <small>({})</small></h2>",
            escape(&carer.map_or(carer_id.to_string(), Carer::label)),
            ctx.plan.date.format("%A %-d %B %Y")
        );
        if let Some(c) = carer {
            let skills = if c.skills.is_empty() {
                "none".to_string()
            } else {
                c.skills.join(", ")
            };
            let phone = c
                .contact
                .as_ref()
                .and_then(|k| k.phone.as_deref())
                .map_or(String::new(), |p| format!("<td>Phone: {}</td>", escape(p)));
            let _ = writeln!(
                out,
                "<table class=\"meta\"><tr><td>Travel mode: <b>{}</b></td><td>Skills: {}</td><td>Start: {}</td><td>End: {}</td>{phone}</tr></table>",
                escape(&c.travel_mode),
                escape(&skills),
                start_place(c),
                end_place(c)
            );
        }
        for (i, r) in ctx.plan.rounds.iter().enumerate() {
            if r.carer != carer_id {
                continue;
            }
            runsheet_round(out, ctx, i, r, carer);
        }
        out.push_str("</section>\n");
    }
}

fn runsheet_round(out: &mut String, ctx: &Ctx, i: usize, r: &Round, carer: Option<&Carer>) {
    let brk = carer
        .and_then(|c| {
            c.all_shifts()
                .into_iter()
                .find(|s| s.start == r.shift.start && s.end == r.shift.end)
        })
        .and_then(|s| s.brk.as_ref());
    let break_text = match brk {
        Some(b) => format!(
            "{} min, between {} and {}",
            b.minutes,
            hhmm(b.earliest),
            hhmm(b.latest)
        ),
        None => "none".into(),
    };
    let ret = r.return_time.map_or("-".to_string(), hhmm);
    let _ = writeln!(
        out,
        "<h3><span class=\"swatch\" style=\"background:{}\"></span>Shift {}-{} &middot; {} &middot; break {} &middot; return {}</h3>",
        ctx.colour(i),
        hhmm(r.shift.start),
        hhmm(r.shift.end),
        escape(&r.travel_mode),
        escape(&break_text),
        ret
    );
    if !has_visits(r) {
        out.push_str("<p class=\"empty\">No visits on this shift.</p>\n");
        return;
    }
    out.push_str(
        "<table class=\"runsheet-table\">\n<thead><tr><th>Time</th><th>Leave by → arrive</th><th>Client</th><th>Visit</th><th>Address</th><th class=\"num\">Call</th><th>Skills needed</th><th>With</th><th class=\"num\">Travel</th></tr></thead>\n<tbody>\n",
    );
    let mut stop_travel = 0u32;
    let mut left = false;
    for s in &r.stops {
        match s {
            Stop::Visit(v) => {
                if !left {
                    left = true;
                    let start = carer.map_or(String::new(), start_place);
                    let _ = writeln!(
                        out,
                        "<tr class=\"return\"><td>{}</td><td></td><td colspan=\"2\">leave base</td><td>{start}</td><td></td><td></td><td></td><td></td></tr>",
                        hhmm_min(leave_time(r))
                    );
                }
                stop_travel += v.travel_minutes;
                let visit = ctx.visits.get(v.visit.as_str());
                let skills = visit.map_or(String::new(), |vv| vv.skills.join(", "));
                let (who, loc) = client_cells(ctx, &v.client);
                let leave = minutes_of_day(v.arrive) - v.travel_minutes as i32;
                let due = due_note(visit.and_then(|vv| vv.window.due), v.late_minutes);
                let _ = writeln!(
                    out,
                    "<tr class=\"{}\"><td><b>{}-{}</b>{due}</td><td class=\"leave\">{} → {}</td><td>{who}</td><td>{}</td><td class=\"address\">{loc}</td><td class=\"num\">{} min</td><td>{}</td><td>{}</td><td class=\"num\">{} min</td></tr>",
                    if v.late_minutes.is_some() {
                        "visit late"
                    } else {
                        "visit"
                    },
                    hhmm(v.start),
                    hhmm(v.end),
                    hhmm_min(leave),
                    hhmm(v.arrive),
                    escape(&v.visit),
                    minutes_of_day(v.end) - minutes_of_day(v.start),
                    escape(&skills),
                    with_cell(ctx, v),
                    v.travel_minutes
                );
            }
            Stop::Break(b) => {
                let _ = writeln!(
                    out,
                    "<tr class=\"break\"><td>{}-{}</td><td></td><td colspan=\"7\">break ({} min)</td></tr>",
                    hhmm(b.start),
                    hhmm(b.end),
                    minutes_of_day(b.end) - minutes_of_day(b.start)
                );
            }
        }
    }
    let back = r.travel_minutes.saturating_sub(stop_travel);
    let end = carer.map_or(String::new(), end_place);
    let _ = writeln!(
        out,
        "<tr class=\"return\"><td>{ret}</td><td></td><td colspan=\"2\">return to base</td><td>{end}</td><td></td><td></td><td></td><td class=\"num\">{back} min</td></tr>"
    );
    let _ = writeln!(
        out,
        "</tbody>\n<tfoot><tr><th colspan=\"5\">Totals</th><th class=\"num\">{} min</th><th colspan=\"2\"></th><th class=\"num\">{} min</th></tr></tfoot>\n</table>",
        r.care_minutes, r.travel_minutes
    );
}
