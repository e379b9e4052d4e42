//! A printable, self-contained HTML report of a plan: key figures, the
//! plan's warnings (if any), a map of
//! the rounds (inline SVG), a timeline (Gantt) of every round, the unserved
//! clients with their reasons, and one run sheet per carer (each starting a
//! new A4 page in print).
//!
//! The file makes no network request at all: inline CSS and SVG only, no
//! JavaScript, and a Content-Security-Policy that forbids anything else.
//! Every text taken from the request or the plan is escaped, and the output
//! depends only on `(request, plan)` (no clock, no randomness, no hash order).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use chrono::NaiveTime;

use crate::model::{Carer, Client, Location, Plan, Request, Round, Status, Stop, Visit};

mod banner;
mod changes;
#[cfg(test)]
mod density_tests;
mod frame;
mod labels;
mod legend;
mod map;
mod runsheet;
#[cfg(test)]
mod tests;
mod timeline;
mod unserved;
mod warnings;

/// Round colours (cycled when there are more rounds than colours).
const PALETTE: [&str; 16] = [
    "#1f77b4", "#d95f02", "#2ca02c", "#7570b3", "#e7298a", "#8c564b", "#17becf", "#bcbd22",
    "#393b79", "#4d4d4d", "#9e0142", "#00a087", "#a6761d", "#637939", "#6a3d9a", "#f781bf",
];

/// Outline colours of double-up pairs in the timeline (cycled).
const PAIR_COLOURS: [&str; 6] = [
    "#000000", "#b30000", "#005a9c", "#6a3d9a", "#006d2c", "#a05000",
];

const MAP_W: f64 = 960.0;
const MAP_MARGIN: f64 = 36.0;
const TL_W: f64 = 960.0;
const TL_LABEL: f64 = 120.0;
const TL_ROW: f64 = 24.0;
const TL_AXIS: f64 = 22.0;

/// Escape text for HTML content and attribute values (`&<>"'`).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn hhmm(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

fn hhmm_min(m: i32) -> String {
    let m = m.rem_euclid(24 * 60);
    format!("{:02}:{:02}", m / 60, m % 60)
}

fn hours(minutes: u64) -> String {
    format!("{:.1}", minutes as f64 / 60.0)
}

/// Everything the sections need, looked up once.
struct Ctx<'a> {
    request: &'a Request,
    plan: &'a Plan,
    carers: BTreeMap<&'a str, &'a Carer>,
    clients: BTreeMap<&'a str, &'a Client>,
    visits: BTreeMap<&'a str, &'a Visit>,
    served: BTreeSet<&'a str>,
    /// Carers with more than one round in the plan.
    multi_shift: BTreeSet<&'a str>,
    /// Road paths per round (`rota report --osm`, docs/roads.md).
    road_paths: Option<&'a [Vec<Location>]>,
}

impl<'a> Ctx<'a> {
    fn new(request: &'a Request, plan: &'a Plan) -> Self {
        let carers = request.carers.iter().map(|c| (c.id.as_str(), c)).collect();
        let clients = request.clients.iter().map(|c| (c.id.as_str(), c)).collect();
        let visits = request
            .clients
            .iter()
            .flat_map(|c| c.visits.iter())
            .map(|v| (v.id.as_str(), v))
            .collect();
        let mut served = BTreeSet::new();
        let mut count: BTreeMap<&str, usize> = BTreeMap::new();
        for r in &plan.rounds {
            *count.entry(r.carer.as_str()).or_default() += 1;
            for s in &r.stops {
                if let Stop::Visit(v) = s {
                    served.insert(v.client.as_str());
                }
            }
        }
        let multi_shift = count
            .into_iter()
            .filter(|&(_, n)| n > 1)
            .map(|(c, _)| c)
            .collect();
        Ctx {
            request,
            plan,
            carers,
            clients,
            visits,
            served,
            multi_shift,
            road_paths: None,
        }
    }

    fn colour(&self, round_index: usize) -> &'static str {
        PALETTE[round_index % PALETTE.len()]
    }

    /// `data-carer` (and `data-shift` for carers with several rounds).
    fn data_attrs(&self, r: &Round) -> String {
        let mut s = format!(" data-carer=\"{}\"", escape(&r.carer));
        if self.multi_shift.contains(r.carer.as_str()) {
            let _ = write!(s, " data-shift=\"{}\"", hhmm(r.shift.start));
        }
        s
    }

    /// The round's name for people: `C01` or `C01 07:00` for multi-shift carers.
    fn round_name(&self, r: &Round) -> String {
        if self.multi_shift.contains(r.carer.as_str()) {
            format!("{} {}", r.carer, hhmm(r.shift.start))
        } else {
            r.carer.clone()
        }
    }

    fn client_location(&self, id: &str) -> Option<Location> {
        self.clients.get(id).map(|c| c.location)
    }
}

fn has_visits(r: &Round) -> bool {
    r.stops.iter().any(|s| matches!(s, Stop::Visit(_)))
}

fn dash(mode: &str) -> &'static str {
    match mode {
        "walk" => " stroke-dasharray=\"9 6\"",
        "bike" => " stroke-dasharray=\"1.5 5\" stroke-linecap=\"round\"",
        _ => "",
    }
}

/// Render the report: one self-contained HTML5 document.
pub fn html(request: &Request, plan: &Plan) -> String {
    html_with_roads(request, plan, None)
}

/// [`html`] with round `i` drawn along `road_paths[i]` (its road path from
/// `crate::roads::paths::round_paths`) and OpenStreetMap's licence line.
pub fn html_with_roads(
    request: &Request,
    plan: &Plan,
    road_paths: Option<&[Vec<Location>]>,
) -> String {
    let mut ctx = Ctx::new(request, plan);
    ctx.road_paths = road_paths;
    let mut out = String::with_capacity(64 * 1024);
    head(&mut out, &ctx);
    banner::banner(&mut out, &ctx);
    header(&mut out, &ctx);
    warnings::warnings(&mut out, &ctx);
    changes::changes(&mut out, &ctx);
    map::map(&mut out, &ctx);
    timeline::timeline(&mut out, &ctx);
    unserved::unserved(&mut out, &ctx);
    runsheet::runsheets(&mut out, &ctx);
    out.push_str("</body>\n</html>\n");
    out
}

const CSS: &str = r#"
@page { size: A4; margin: 12mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; font-size: 13px;
  color: #222; margin: 16px auto; max-width: 1000px; padding: 0 12px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 22px 0 8px; border-bottom: 2px solid #ddd; padding-bottom: 3px; }
h3 { font-size: 15px; margin: 14px 0 6px; }
.figures { display: grid; grid-template-columns: repeat(4, 1fr); gap: 6px; margin: 10px 0; }
.figure { border: 1px solid #ccc; border-radius: 4px; padding: 6px 8px; background: #f7f7f7; }
.figure .k { font-size: 11px; color: #555; text-transform: uppercase; letter-spacing: .03em; }
.figure .v { font-size: 18px; font-weight: bold; }
.figure .v small { font-size: 12px; font-weight: normal; color: #555; }
svg { display: block; max-width: 100%; height: auto; }
.map svg { border: 1px solid #bbb; background: #fbfbf8; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; margin: 6px 0; font-size: 12px; }
.legend span { display: inline-flex; align-items: center; gap: 4px; white-space: nowrap; }
.legend svg { display: inline-block; }
table { border-collapse: collapse; width: 100%; font-size: 12px; }
th, td { border: 1px solid #ccc; padding: 3px 5px; text-align: left; vertical-align: top; }
th { background: #eee; }
td.num, th.num { text-align: right; }
tr.break td { background: #fff3dc; font-style: italic; }
tr.return td { background: #f2f2f2; }
.code { font-family: "DejaVu Sans Mono", monospace; font-weight: bold; }
.swatch { display: inline-block; width: 14px; height: 14px; border-radius: 3px;
  vertical-align: -2px; margin-right: 6px; }
.meta { margin: 4px 0 8px; }
.meta td { border: none; padding: 1px 10px 1px 0; }
.empty { color: #777; font-style: italic; }
.invalid-banner { border: 3px solid #b00; background: #fde8e8; color: #600; padding: 8px 12px;
  margin: 8px 0; font-size: 14px; }
.invalid-banner ul { margin: 4px 0 0; font-size: 12px; }
.warnings h2 { border-bottom-color: #e0b000; }
tr.warning td { background: #fff8e0; }
@media print {
  body { margin: 0; max-width: none; padding: 0; font-size: 11px; }
  .runsheet { break-before: page; page-break-before: always; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  .map, .timeline { break-inside: avoid; page-break-inside: avoid; }
  .invalid-banner, .figure, th, tr.break td, tr.warning td, tr.return td, .swatch { -webkit-print-color-adjust: exact;
    print-color-adjust: exact; }
}
"#;

fn head(out: &mut String, ctx: &Ctx) {
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<title>Rounds for {}</title>\n<style>{}</style>\n</head>\n<body>\n",
        ctx.plan.date, CSS
    );
}

fn figure(out: &mut String, key: &str, value: &str) {
    let _ = writeln!(
        out,
        "<div class=\"figure\"><div class=\"k\">{key}</div><div class=\"v\">{value}</div></div>"
    );
}

fn header(out: &mut String, ctx: &Ctx) {
    let s = &ctx.plan.summary;
    let _ = writeln!(
        out,
        "<header>\n<h1>Care rounds for {}</h1>",
        ctx.plan.date.format("%A %-d %B %Y")
    );
    out.push_str("<div class=\"figures\">\n");
    figure(
        out,
        "Clients served",
        &format!("{} <small>of {}</small>", s.clients_served, s.clients_total),
    );
    // As on the command line: "62 of at most 64 (gap 3.1%)".
    let bound = match (s.upper_bound_priority, s.gap) {
        (Some(b), Some(g)) => format!(" <small>of at most {b} (gap {:.1}%)</small>", g * 100.0),
        (Some(b), None) => format!(" <small>of at most {b}</small>"),
        _ => String::new(),
    };
    figure(
        out,
        "Priority served",
        &format!("{}{bound}", s.priority_served),
    );
    figure(
        out,
        "Visits",
        &format!("{} <small>of {}</small>", s.visits_served, s.visits_total),
    );
    figure(out, "Care hours", &hours(s.care_minutes));
    figure(out, "Travel hours", &hours(s.travel_minutes));
    let used = ctx.plan.rounds.iter().filter(|r| has_visits(r)).count();
    figure(
        out,
        "Rounds used",
        &format!("{used} <small>of {}</small>", ctx.plan.rounds.len()),
    );
    figure(
        out,
        "Continuity assignments",
        &s.continuity_assignments.to_string(),
    );
    let status = match s.status {
        Status::Optimal => "optimal",
        Status::Feasible => "feasible",
    };
    if let Some(l) = s.lateness {
        // docs/format.md, "Due times": the calls that start after their due.
        let detail = if l.calls == 0 {
            " <small>every call by its due</small>".to_string()
        } else {
            format!(
                " <small>{} min in all, at most {} min</small>",
                l.total_minutes, l.largest_minutes
            )
        };
        figure(out, "Late calls", &format!("{}{detail}", l.calls));
    }
    figure(out, "Status", status);
    out.push_str("</div>\n</header>\n");
}
