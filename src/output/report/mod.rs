//! A printable, self-contained HTML report of a plan: key figures, a map of
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

use crate::model::{
    Carer, Client, Location, Plan, Request, Round, Status, Stop, Visit, minutes_of_day,
};
use crate::travel::haversine_km;

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
    header(&mut out, &ctx);
    map(&mut out, &ctx);
    timeline(&mut out, &ctx);
    unserved(&mut out, &ctx);
    runsheets(&mut out, &ctx);
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
@media print {
  body { margin: 0; max-width: none; padding: 0; font-size: 11px; }
  .runsheet { break-before: page; page-break-before: always; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  .map, .timeline { break-inside: avoid; page-break-inside: avoid; }
  .figure, th, tr.break td, tr.return td, .swatch { -webkit-print-color-adjust: exact;
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
    let bound = match s.upper_bound_priority {
        Some(b) => format!(" <small>bound {b}</small>"),
        None => String::new(),
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
    figure(out, "Status", status);
    out.push_str("</div>\n</header>\n");
}

// ---------------------------------------------------------------- map

/// Equirectangular projection (longitude scaled by cos of the mid latitude)
/// fitted into the SVG viewport.
struct Projection {
    lat_max: f64,
    lon_min: f64,
    cos0: f64,
    scale: f64,
    off_x: f64,
    off_y: f64,
    height: f64,
    lat0: f64,
}

impl Projection {
    fn fit(points: &[Location]) -> Projection {
        let (mut lat_min, mut lat_max, mut lon_min, mut lon_max) =
            (90.0f64, -90.0f64, 180.0f64, -180.0f64);
        for p in points {
            lat_min = lat_min.min(p.lat);
            lat_max = lat_max.max(p.lat);
            lon_min = lon_min.min(p.lon);
            lon_max = lon_max.max(p.lon);
        }
        if points.is_empty() {
            (lat_min, lat_max, lon_min, lon_max) = (52.0565, 52.0565, -2.7160, -2.7160);
        }
        // A degenerate box (one place) still gets a sensible extent.
        let pad = 0.005;
        if lat_max - lat_min < 2.0 * pad {
            let mid = (lat_max + lat_min) / 2.0;
            (lat_min, lat_max) = (mid - pad, mid + pad);
        }
        let lat0 = (lat_min + lat_max) / 2.0;
        let cos0 = lat0.to_radians().cos().max(0.01);
        if (lon_max - lon_min) * cos0 < 2.0 * pad {
            let mid = (lon_max + lon_min) / 2.0;
            (lon_min, lon_max) = (mid - pad / cos0, mid + pad / cos0);
        }
        let dx = (lon_max - lon_min) * cos0;
        let dy = lat_max - lat_min;
        let inner_w = MAP_W - 2.0 * MAP_MARGIN;
        let height = (2.0 * MAP_MARGIN + inner_w * dy / dx).clamp(320.0, 900.0);
        let inner_h = height - 2.0 * MAP_MARGIN;
        let scale = (inner_w / dx).min(inner_h / dy);
        Projection {
            lat_max,
            lon_min,
            cos0,
            scale,
            off_x: MAP_MARGIN + (inner_w - dx * scale) / 2.0,
            off_y: MAP_MARGIN + (inner_h - dy * scale) / 2.0,
            height,
            lat0,
        }
    }

    fn xy(&self, p: Location) -> (f64, f64) {
        (
            self.off_x + (p.lon - self.lon_min) * self.cos0 * self.scale,
            self.off_y + (self.lat_max - p.lat) * self.scale,
        )
    }

    fn inside(&self, p: Location) -> bool {
        let (x, y) = self.xy(p);
        (0.0..=MAP_W).contains(&x) && (0.0..=self.height).contains(&y)
    }

    /// Kilometres per SVG unit along the parallel at the map's latitude.
    fn km_per_unit(&self) -> f64 {
        let a = Location {
            lat: self.lat0,
            lon: self.lon_min,
        };
        let b = Location {
            lat: self.lat0,
            lon: self.lon_min + 1.0 / self.cos0,
        };
        haversine_km(a, b) / self.scale
    }
}

fn map(out: &mut String, ctx: &Ctx) {
    let mut points: Vec<Location> = ctx.request.clients.iter().map(|c| c.location).collect();
    for c in &ctx.request.carers {
        points.push(c.start_location);
        points.push(c.end());
    }
    let pr = Projection::fit(&points);
    out.push_str("<section class=\"map\">\n<h2>Map</h2>\n");
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {MAP_W} {h:.0}\" width=\"{MAP_W}\" height=\"{h:.0}\" role=\"img\" aria-label=\"Map of the rounds\" font-family=\"DejaVu Sans, Arial, sans-serif\">",
        h = pr.height
    );

    // Towns (underneath everything).
    out.push_str("<g class=\"towns\">\n");
    // Herefordshire towns, labelled when inside the map.
    for (name, lat, lon) in crate::generate::towns() {
        let loc = Location { lat, lon };
        if !pr.inside(loc) {
            continue;
        }
        let (x, y) = pr.xy(loc);
        let _ = writeln!(
            out,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"14\" fill=\"#e4e4dc\" stroke=\"none\"/>\
<text x=\"{x:.1}\" y=\"{ty:.1}\" text-anchor=\"middle\" font-size=\"13\" font-style=\"italic\" fill=\"#777\">{name}</text>",
            ty = y - 17.0
        );
    }
    out.push_str("</g>\n");

    // Routes.
    out.push_str(
        "<g class=\"routes\" fill=\"none\" stroke-width=\"2.2\" stroke-linejoin=\"round\">\n",
    );
    for (i, r) in ctx.plan.rounds.iter().enumerate() {
        if !has_visits(r) {
            continue;
        }
        let carer = ctx.carers.get(r.carer.as_str());
        let mut pts: Vec<Location> = Vec::new();
        if let Some(c) = carer {
            pts.push(c.start_location);
        }
        for s in &r.stops {
            if let Stop::Visit(v) = s
                && let Some(l) = ctx.client_location(&v.client)
            {
                pts.push(l);
            }
        }
        if let Some(c) = carer {
            pts.push(c.end());
        }
        if let Some(road) = ctx.road_paths.and_then(|p| p.get(i)) {
            pts = road.clone();
        }
        let coords: Vec<String> = pts
            .iter()
            .map(|&p| {
                let (x, y) = pr.xy(p);
                format!("{x:.1},{y:.1}")
            })
            .collect();
        let _ = writeln!(
            out,
            "<polyline class=\"route\"{attrs} points=\"{pts}\" stroke=\"{col}\"{dash} opacity=\"0.85\"><title>{name} ({mode})</title></polyline>",
            attrs = ctx.data_attrs(r),
            pts = coords.join(" "),
            col = ctx.colour(i),
            dash = dash(&r.travel_mode),
            name = escape(&ctx.round_name(r)),
            mode = escape(&r.travel_mode),
        );
    }
    out.push_str("</g>\n");

    // Carer bases: a square in the colour of the carer's first round.
    out.push_str("<g class=\"bases\">\n");
    let mut first_round: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, r) in ctx.plan.rounds.iter().enumerate() {
        first_round.entry(r.carer.as_str()).or_insert(i);
    }
    for c in &ctx.request.carers {
        let col = first_round
            .get(c.id.as_str())
            .map_or("#888888", |&i| ctx.colour(i));
        let (x, y) = pr.xy(c.start_location);
        let _ = writeln!(
            out,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"9\" height=\"9\" fill=\"{col}\" stroke=\"#fff\" stroke-width=\"1\"><title>{} start ({})</title></rect>",
            x - 4.5,
            y - 4.5,
            escape(&c.id),
            escape(&c.travel_mode)
        );
        if c.end() != c.start_location {
            let (x, y) = pr.xy(c.end());
            let _ = writeln!(
                out,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"9\" height=\"9\" fill=\"#fff\" stroke=\"{col}\" stroke-width=\"2\"><title>{} end</title></rect>",
                x - 4.5,
                y - 4.5,
                escape(&c.id)
            );
        }
    }
    out.push_str("</g>\n");

    // Clients.
    out.push_str("<g class=\"clients\" font-size=\"9\">\n");
    for c in &ctx.request.clients {
        let (x, y) = pr.xy(c.location);
        let id = escape(&c.id);
        if ctx.served.contains(c.id.as_str()) {
            let _ = writeln!(
                out,
                "<g class=\"client served\"><circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"4\" fill=\"#333\" stroke=\"#fff\" stroke-width=\"1\"/>\
<text x=\"{tx:.1}\" y=\"{ty:.1}\" fill=\"#444\">{id}</text><title>{id} (served, priority {p})</title></g>",
                tx = x + 5.0,
                ty = y - 4.0,
                p = c.priority
            );
        } else {
            let _ = writeln!(
                out,
                "<g class=\"client unserved\"><circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"6\" fill=\"#fff\" stroke=\"#d00\" stroke-width=\"2\"/>\
<path d=\"M{x1:.1},{y1:.1}L{x2:.1},{y2:.1}M{x1:.1},{y2:.1}L{x2:.1},{y1:.1}\" stroke=\"#d00\" stroke-width=\"1.8\"/>\
<text x=\"{tx:.1}\" y=\"{ty:.1}\" fill=\"#b00\" font-weight=\"bold\">{id}</text><title>{id} (NOT served, priority {p})</title></g>",
                x1 = x - 3.5,
                x2 = x + 3.5,
                y1 = y - 3.5,
                y2 = y + 3.5,
                tx = x + 7.0,
                ty = y - 5.0,
                p = c.priority
            );
        }
    }
    out.push_str("</g>\n");

    // Scale bar (bottom left).
    let kpu = pr.km_per_unit();
    let target_km = kpu * 160.0;
    let nice = [
        0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0,
    ];
    let km = nice
        .iter()
        .copied()
        .filter(|&k| k <= target_km)
        .fold(nice[0], f64::max);
    let len = km / kpu;
    let (x0, y0) = (MAP_MARGIN * 0.5, pr.height - 14.0);
    let label = if km < 1.0 {
        format!("{:.0} m", km * 1000.0)
    } else {
        format!("{km:.0} km")
    };
    let _ = writeln!(
        out,
        "<g class=\"scale\"><rect x=\"{bx:.1}\" y=\"{by:.1}\" width=\"{bw:.1}\" height=\"24\" fill=\"#fff\" opacity=\"0.8\"/>\
<path d=\"M{x0:.1},{y1:.1}V{y0:.1}H{x1:.1}V{y1:.1}\" fill=\"none\" stroke=\"#222\" stroke-width=\"1.5\"/>\
<text x=\"{tx:.1}\" y=\"{ty:.1}\" font-size=\"11\" text-anchor=\"middle\">{label}</text></g>",
        bx = x0 - 4.0,
        by = y0 - 18.0,
        bw = len + 8.0,
        y1 = y0 - 5.0,
        x1 = x0 + len,
        tx = x0 + len / 2.0,
        ty = y0 - 7.0,
    );
    out.push_str("</svg>\n");

    // Legend.
    out.push_str("<div class=\"legend\">\n");
    for (i, r) in ctx.plan.rounds.iter().enumerate() {
        if !has_visits(r) {
            continue;
        }
        let _ = writeln!(
            out,
            "<span><svg width=\"34\" height=\"10\" viewBox=\"0 0 34 10\"><line x1=\"1\" y1=\"5\" x2=\"33\" y2=\"5\" stroke=\"{}\" stroke-width=\"2.5\"{}/></svg>{} ({})</span>",
            ctx.colour(i),
            dash(&r.travel_mode),
            escape(&ctx.round_name(r)),
            escape(&r.travel_mode)
        );
    }
    out.push_str("</div>\n<div class=\"legend\">\n");
    for (mode, what) in [
        ("drive", "solid: drives"),
        ("bike", "dotted: cycles"),
        ("walk", "dashed: walks"),
    ] {
        let _ = writeln!(
            out,
            "<span><svg width=\"34\" height=\"10\" viewBox=\"0 0 34 10\"><line x1=\"1\" y1=\"5\" x2=\"33\" y2=\"5\" stroke=\"#444\" stroke-width=\"2.5\"{}/></svg>{what}</span>",
            dash(mode)
        );
    }
    out.push_str(
        "<span><svg width=\"12\" height=\"12\" viewBox=\"0 0 12 12\"><circle cx=\"6\" cy=\"6\" r=\"4\" fill=\"#333\"/></svg>client served</span>\n\
<span><svg width=\"14\" height=\"14\" viewBox=\"0 0 14 14\"><circle cx=\"7\" cy=\"7\" r=\"5.5\" fill=\"#fff\" stroke=\"#d00\" stroke-width=\"2\"/><path d=\"M4,4L10,10M4,10L10,4\" stroke=\"#d00\" stroke-width=\"1.6\"/></svg>client not served</span>\n\
<span><svg width=\"12\" height=\"12\" viewBox=\"0 0 12 12\"><rect x=\"1.5\" y=\"1.5\" width=\"9\" height=\"9\" fill=\"#777\"/></svg>carer base</span>\n\
<span><svg width=\"16\" height=\"16\" viewBox=\"0 0 16 16\"><circle cx=\"8\" cy=\"8\" r=\"7\" fill=\"#e4e4dc\"/></svg>town</span>\n",
    );
    if ctx.road_paths.is_some() {
        out.push_str(
            "<p class=\"meta\">Journeys drawn along their road paths. Map data \u{a9} OpenStreetMap contributors, ODbL (openstreetmap.org/copyright).</p>\n",
        );
    }
    out.push_str("</div>\n</section>\n");
}

// ---------------------------------------------------------------- timeline

/// One block of a timeline row.
struct Block {
    from: i32,
    to: i32,
    kind: &'static str,
    label: String,
    title: String,
    pair: Option<usize>,
}

fn round_blocks(r: &Round, pairs: &BTreeMap<(String, i32), usize>) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut stop_travel: u32 = 0;
    for s in &r.stops {
        match s {
            Stop::Visit(v) => {
                let arrive = minutes_of_day(v.arrive);
                let start = minutes_of_day(v.start);
                let end = minutes_of_day(v.end);
                stop_travel += v.travel_minutes;
                if v.travel_minutes > 0 {
                    blocks.push(Block {
                        from: arrive - v.travel_minutes as i32,
                        to: arrive,
                        kind: "travel",
                        label: String::new(),
                        title: format!(
                            "travel {} min to {}, arrive {}",
                            v.travel_minutes,
                            v.client,
                            hhmm(v.arrive)
                        ),
                        pair: None,
                    });
                }
                if start > arrive {
                    blocks.push(Block {
                        from: arrive,
                        to: start,
                        kind: "wait",
                        label: String::new(),
                        title: format!("waiting {} min at {}", start - arrive, v.client),
                        pair: None,
                    });
                }
                let pair = if v.with.is_empty() {
                    None
                } else {
                    pairs.get(&(v.visit.clone(), start)).copied()
                };
                let mut title = format!(
                    "{} visit {} {}-{}",
                    v.client,
                    v.visit,
                    hhmm(v.start),
                    hhmm(v.end)
                );
                if !v.with.is_empty() {
                    let _ = write!(title, ", double-up with {}", v.with.join(", "));
                }
                blocks.push(Block {
                    from: start,
                    to: end,
                    kind: "care",
                    label: v.client.clone(),
                    title,
                    pair,
                });
            }
            Stop::Break(b) => {
                blocks.push(Block {
                    from: minutes_of_day(b.start),
                    to: minutes_of_day(b.end),
                    kind: "break",
                    label: "break".into(),
                    title: format!("break {}-{}", hhmm(b.start), hhmm(b.end)),
                    pair: None,
                });
            }
        }
    }
    if let (Some(ret), true) = (r.return_time, has_visits(r)) {
        let ret = minutes_of_day(ret);
        let back = r.travel_minutes.saturating_sub(stop_travel) as i32;
        if back > 0 {
            blocks.push(Block {
                from: ret - back,
                to: ret,
                kind: "travel",
                label: String::new(),
                title: format!("return {back} min, back at {}", hhmm_min(ret)),
                pair: None,
            });
        }
    }
    blocks
}

fn timeline(out: &mut String, ctx: &Ctx) {
    let rounds = &ctx.plan.rounds;
    // Double-up pairs: (visit id, start) -> pair index, in plan order.
    let mut pairs: BTreeMap<(String, i32), usize> = BTreeMap::new();
    for r in rounds {
        for s in &r.stops {
            if let Stop::Visit(v) = s
                && !v.with.is_empty()
            {
                let n = pairs.len();
                pairs
                    .entry((v.visit.clone(), minutes_of_day(v.start)))
                    .or_insert(n);
            }
        }
    }
    let all_blocks: Vec<Vec<Block>> = rounds.iter().map(|r| round_blocks(r, &pairs)).collect();

    let mut lo = i32::MAX;
    let mut hi = i32::MIN;
    for (r, bl) in rounds.iter().zip(&all_blocks) {
        lo = lo.min(minutes_of_day(r.shift.start));
        hi = hi.max(minutes_of_day(r.shift.end));
        for b in bl {
            lo = lo.min(b.from);
            hi = hi.max(b.to);
        }
    }
    if lo > hi {
        (lo, hi) = (7 * 60, 22 * 60);
    }
    let lo = (lo.div_euclid(60)) * 60;
    let hi = ((hi + 59).div_euclid(60)) * 60;
    let hi = hi.max(lo + 60);
    let px = (TL_W - TL_LABEL - 24.0) / (hi - lo) as f64;
    let x = |m: i32| TL_LABEL + (m - lo) as f64 * px;
    let height = TL_AXIS + TL_ROW * rounds.len() as f64 + 6.0;

    out.push_str("<section class=\"timeline\">\n<h2>Timeline</h2>\n");
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {TL_W} {height:.0}\" width=\"{TL_W}\" height=\"{height:.0}\" role=\"img\" aria-label=\"Timeline of the rounds\" font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"10\">"
    );
    // Hours axis and grid.
    out.push_str("<g class=\"axis\">\n");
    let mut h = lo;
    while h <= hi {
        let _ = writeln!(
            out,
            "<line x1=\"{gx:.1}\" y1=\"{y1}\" x2=\"{gx:.1}\" y2=\"{height:.0}\" stroke=\"#ddd\"/><text x=\"{gx:.1}\" y=\"14\" text-anchor=\"middle\" fill=\"#444\">{}</text>",
            hhmm_min(h),
            gx = x(h),
            y1 = TL_AXIS - 4.0
        );
        h += 60;
    }
    out.push_str("</g>\n");

    // Where each pair's care blocks sit (to draw a connector between them).
    let mut pair_ys: BTreeMap<usize, Vec<(f64, f64)>> = BTreeMap::new();
    for (i, (r, bl)) in rounds.iter().zip(&all_blocks).enumerate() {
        let y = TL_AXIS + TL_ROW * i as f64;
        let col = ctx.colour(i);
        let _ = writeln!(out, "<g class=\"timeline-row\"{}>", ctx.data_attrs(r));
        if i % 2 == 1 {
            let _ = writeln!(
                out,
                "<rect x=\"0\" y=\"{y:.1}\" width=\"{TL_W}\" height=\"{TL_ROW}\" fill=\"#f6f6f6\"/>"
            );
        }
        let _ = writeln!(
            out,
            "<rect x=\"4\" y=\"{:.1}\" width=\"10\" height=\"10\" fill=\"{col}\"/><text x=\"18\" y=\"{:.1}\" font-size=\"11\">{} <tspan fill=\"#777\">{}</tspan></text>",
            y + 7.0,
            y + 16.0,
            escape(&ctx.round_name(r)),
            escape(&r.travel_mode)
        );
        // The shift.
        let (s0, s1) = (minutes_of_day(r.shift.start), minutes_of_day(r.shift.end));
        let _ = writeln!(
            out,
            "<rect class=\"shift\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"none\" stroke=\"#bbb\" stroke-dasharray=\"3 2\"><title>shift {}-{}</title></rect>",
            x(s0),
            y + 3.0,
            (s1 - s0).max(0) as f64 * px,
            TL_ROW - 6.0,
            hhmm(r.shift.start),
            hhmm(r.shift.end)
        );
        if !has_visits(r) {
            let _ = writeln!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"#999\" font-style=\"italic\">no visits</text>",
                x(s0) + 4.0,
                y + 16.0
            );
        }
        for b in bl {
            let bx = x(b.from);
            let bw = ((b.to - b.from).max(0) as f64 * px).max(1.0);
            let (by, bh, style) = match b.kind {
                "travel" => (
                    y + 8.0,
                    TL_ROW - 16.0,
                    format!("fill=\"{col}\" opacity=\"0.45\""),
                ),
                "wait" => (y + 10.0, TL_ROW - 20.0, "fill=\"#c8c8c8\"".to_string()),
                "break" => (y + 5.0, TL_ROW - 10.0, "fill=\"#f2b441\"".to_string()),
                _ => {
                    let stroke = match b.pair {
                        Some(p) => format!(
                            " stroke=\"{}\" stroke-width=\"2.5\"",
                            PAIR_COLOURS[p % PAIR_COLOURS.len()]
                        ),
                        None => String::new(),
                    };
                    (y + 3.0, TL_ROW - 6.0, format!("fill=\"{col}\"{stroke}"))
                }
            };
            let _ = write!(
                out,
                "<g class=\"{}\"><rect x=\"{bx:.1}\" y=\"{by:.1}\" width=\"{bw:.1}\" height=\"{bh:.1}\" {style}/>",
                b.kind
            );
            if !b.label.is_empty() && bw >= 6.0 * b.label.chars().count() as f64 + 2.0 {
                let fill = if b.kind == "care" { "#fff" } else { "#333" };
                let _ = write!(
                    out,
                    "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"{fill}\" font-size=\"9\">{}</text>",
                    bx + bw / 2.0,
                    y + 15.5,
                    escape(&b.label)
                );
            }
            if let Some(p) = b.pair {
                pair_ys
                    .entry(p)
                    .or_default()
                    .push((bx + bw / 2.0, y + TL_ROW / 2.0));
                let _ = write!(
                    out,
                    "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{}\"/>",
                    bx + bw / 2.0,
                    y + 2.5,
                    PAIR_COLOURS[p % PAIR_COLOURS.len()]
                );
            }
            let _ = writeln!(out, "<title>{}</title></g>", escape(&b.title));
        }
        out.push_str("</g>\n");
    }
    // Connectors between the two halves of each double-up.
    out.push_str(
        "<g class=\"pairs\" fill=\"none\" stroke-width=\"1.5\" stroke-dasharray=\"2 2\">\n",
    );
    for (p, ys) in &pair_ys {
        if ys.len() < 2 {
            continue;
        }
        let (x0, ymin) = ys
            .iter()
            .copied()
            .fold((ys[0].0, f64::MAX), |(x, m), (_, y)| (x, m.min(y)));
        let ymax = ys.iter().map(|&(_, y)| y).fold(f64::MIN, f64::max);
        let _ = writeln!(
            out,
            "<line x1=\"{x0:.1}\" y1=\"{ymin:.1}\" x2=\"{x0:.1}\" y2=\"{ymax:.1}\" stroke=\"{}\"/>",
            PAIR_COLOURS[p % PAIR_COLOURS.len()]
        );
    }
    out.push_str("</g>\n</svg>\n");
    out.push_str(
        "<div class=\"legend\">\
<span><svg width=\"24\" height=\"12\" viewBox=\"0 0 24 12\"><rect x=\"0\" y=\"4\" width=\"24\" height=\"4\" fill=\"#1f77b4\" opacity=\"0.45\"/></svg>travel</span>\
<span><svg width=\"24\" height=\"12\" viewBox=\"0 0 24 12\"><rect x=\"0\" y=\"5\" width=\"24\" height=\"2\" fill=\"#c8c8c8\"/></svg>waiting</span>\
<span><svg width=\"24\" height=\"12\" viewBox=\"0 0 24 12\"><rect x=\"0\" y=\"0\" width=\"24\" height=\"12\" fill=\"#1f77b4\"/></svg>care (client id)</span>\
<span><svg width=\"24\" height=\"12\" viewBox=\"0 0 24 12\"><rect x=\"0\" y=\"2\" width=\"24\" height=\"8\" fill=\"#f2b441\"/></svg>break</span>\
<span><svg width=\"24\" height=\"14\" viewBox=\"0 0 24 14\"><rect x=\"1.5\" y=\"1.5\" width=\"21\" height=\"11\" fill=\"#1f77b4\" stroke=\"#000\" stroke-width=\"2.5\"/></svg>double-up (outline and dotted link shared by the pair)</span>\
<span><svg width=\"24\" height=\"12\" viewBox=\"0 0 24 12\"><rect x=\"1\" y=\"1\" width=\"22\" height=\"10\" fill=\"none\" stroke=\"#bbb\" stroke-dasharray=\"3 2\"/></svg>shift</span>\
</div>\n</section>\n",
    );
}

// ---------------------------------------------------------------- unserved

fn unserved(out: &mut String, ctx: &Ctx) {
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

// ---------------------------------------------------------------- run sheets

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

fn runsheets(out: &mut String, ctx: &Ctx) {
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
            escape(carer_id),
            ctx.plan.date.format("%A %-d %B %Y")
        );
        if let Some(c) = carer {
            let skills = if c.skills.is_empty() {
                "none".to_string()
            } else {
                c.skills.join(", ")
            };
            let _ = writeln!(
                out,
                "<table class=\"meta\"><tr><td>Travel mode: <b>{}</b></td><td>Skills: {}</td><td>Start: {}</td><td>End: {}</td></tr></table>",
                escape(&c.travel_mode),
                escape(&skills),
                coords(c.start_location),
                coords(c.end())
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
        "<table class=\"runsheet-table\">\n<thead><tr><th>Time</th><th>Arrive</th><th>Client</th><th>Visit</th><th>Coordinates</th><th class=\"num\">Call</th><th>Skills needed</th><th>With</th><th class=\"num\">Travel</th></tr></thead>\n<tbody>\n",
    );
    let mut stop_travel = 0u32;
    let mut left = false;
    for s in &r.stops {
        match s {
            Stop::Visit(v) => {
                if !left {
                    left = true;
                    let start = carer.map_or(String::new(), |c| coords(c.start_location));
                    let _ = writeln!(
                        out,
                        "<tr class=\"return\"><td>{}</td><td></td><td colspan=\"2\">leave base</td><td>{start}</td><td></td><td></td><td></td><td></td></tr>",
                        hhmm_min(leave_time(r))
                    );
                }
                stop_travel += v.travel_minutes;
                let visit = ctx.visits.get(v.visit.as_str());
                let skills = visit.map_or(String::new(), |vv| vv.skills.join(", "));
                let loc = ctx.client_location(&v.client).map_or(String::new(), coords);
                let _ = writeln!(
                    out,
                    "<tr class=\"visit\"><td><b>{}-{}</b></td><td>{}</td><td><b>{}</b></td><td>{}</td><td>{loc}</td><td class=\"num\">{} min</td><td>{}</td><td>{}</td><td class=\"num\">{} min</td></tr>",
                    hhmm(v.start),
                    hhmm(v.end),
                    hhmm(v.arrive),
                    escape(&v.client),
                    escape(&v.visit),
                    minutes_of_day(v.end) - minutes_of_day(v.start),
                    escape(&skills),
                    escape(&v.with.join(", ")),
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
    let end = carer.map_or(String::new(), |c| coords(c.end()));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> (Request, Plan) {
        let req = crate::load_request(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/data/sample-day.json"
        )))
        .unwrap();
        let plan = crate::plan_request(&req).unwrap();
        (req, plan)
    }

    /// Two carers, one double-up client with an awkward id, one far client
    /// nobody can reach (unserved).
    fn tiny() -> (Request, Plan) {
        let text = r#"{
          "date": "2026-11-23",
          "carers": [
            { "id": "C01", "travel_mode": "drive",
              "shift": { "start": "07:00", "end": "15:00",
                         "break": { "earliest": "10:30", "latest": "12:30", "minutes": 20 } },
              "start_location": { "lat": 52.0565, "lon": -2.7160 }, "skills": ["hoist"] },
            { "id": "C\"02'", "travel_mode": "walk",
              "shift": { "start": "07:00", "end": "15:00" },
              "start_location": { "lat": 52.0600, "lon": -2.7200 }, "skills": ["hoist"] },
            { "id": "C03", "travel_mode": "bike",
              "shifts": [ { "start": "07:00", "end": "09:00" }, { "start": "17:00", "end": "19:00" } ],
              "start_location": { "lat": 52.0500, "lon": -2.7000 } }
          ],
          "clients": [
            { "id": "<b>&", "location": { "lat": 52.0612, "lon": -2.7321 },
              "visits": [ { "id": "<b>&-am", "window": { "start": "08:00", "end": "09:00" },
                            "duration": 30, "carers_required": 2, "skills": ["hoist"] } ] },
            { "id": "P002", "location": { "lat": 52.0550, "lon": -2.7100 },
              "visits": [ { "id": "P002-pm", "window": { "start": "17:30", "end": "18:00" },
                            "duration": 15 } ] },
            { "id": "FAR", "location": { "lat": 52.9, "lon": -1.5 },
              "visits": [ { "id": "FAR-am", "window": { "start": "07:00", "end": "07:10" },
                            "duration": 30 } ] }
          ]
        }"#;
        let req = crate::load_request(text).unwrap();
        let plan = crate::plan_request(&req).unwrap();
        (req, plan)
    }

    fn count(h: &str, pat: &str) -> usize {
        h.matches(pat).count()
    }

    fn check_structure(req: &Request, plan: &Plan, h: &str) {
        assert!(h.starts_with("<!DOCTYPE html>"));
        assert!(h.contains("Content-Security-Policy"));
        let with_visits: Vec<&Round> = plan.rounds.iter().filter(|r| has_visits(r)).collect();
        assert_eq!(count(h, "class=\"route\""), with_visits.len());
        assert_eq!(count(h, "class=\"timeline-row\""), plan.rounds.len());
        let ctx = Ctx::new(req, plan);
        for r in &plan.rounds {
            let attrs = ctx.data_attrs(r);
            assert_eq!(
                count(h, &format!("<g class=\"timeline-row\"{attrs}>")),
                1,
                "timeline row of {attrs}"
            );
            if has_visits(r) {
                assert_eq!(
                    count(h, &format!("<polyline class=\"route\"{attrs} ")),
                    1,
                    "route of {attrs}"
                );
            }
        }
        let carers: BTreeSet<&str> = plan.rounds.iter().map(|r| r.carer.as_str()).collect();
        assert_eq!(count(h, "<section class=\"runsheet\""), carers.len());
        for u in &plan.unserved {
            assert!(
                h.contains(&format!("data-client=\"{}\"", escape(&u.client))),
                "{} listed",
                u.client
            );
            for reason in &u.reasons {
                assert!(h.contains(&escape(&reason.code)));
                assert!(h.contains(&escape(&reason.message)));
            }
        }
        assert_no_external(h);
    }

    /// No reference to anything outside the document. The only `http://`
    /// allowed is the SVG namespace (an identifier, never fetched).
    fn assert_no_external(h: &str) {
        let cleaned = h.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
        for bad in [
            "http://", "https://", "src=", "@import", "url(", "href=", "<script", "<link",
        ] {
            assert!(
                !cleaned.to_ascii_lowercase().contains(bad),
                "external reference {bad}"
            );
        }
    }

    #[test]
    fn sample_day_report_structure() {
        let (req, plan) = sample();
        assert!(plan.rounds.iter().filter(|r| has_visits(r)).count() > 3);
        assert!(!plan.unserved.is_empty());
        let h = html(&req, &plan);
        check_structure(&req, &plan, &h);
        assert!(h.contains("Hereford"));
        assert!(h.contains(" km</text>"));
        // Each carer's run sheet lists every one of its visits.
        for r in &plan.rounds {
            for s in &r.stops {
                if let Stop::Visit(v) = s {
                    assert!(h.contains(&format!("<td>{}</td>", escape(&v.visit))));
                }
            }
        }
    }

    #[test]
    fn tiny_report_structure_and_escaping() {
        let (req, plan) = tiny();
        // The fixture does what it is meant to: a served double-up with the
        // awkward id, a multi-shift carer and one unserved client.
        assert!(plan.unserved.iter().any(|u| u.client == "FAR"));
        assert!(plan.rounds.iter().any(|r| {
            r.stops
                .iter()
                .any(|s| matches!(s, Stop::Visit(v) if v.client == "<b>&" && v.with.len() == 1))
        }));
        let h = html(&req, &plan);
        check_structure(&req, &plan, &h);
        assert!(!h.contains("<b>&-am"));
        // Every `&` left in the document starts an entity.
        let mut rest = h.clone();
        for e in ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&middot;"] {
            rest = rest.replace(e, "");
        }
        assert!(!rest.contains('&'), "unescaped &");
        assert!(h.contains("&lt;b&gt;&amp;"));
        assert!(h.contains("C&quot;02&#39;"));
        assert!(!h.contains("C\"02'"));
        assert!(h.contains("data-shift=\"07:00\""));
        assert!(h.contains("data-shift=\"17:00\""));
        assert!(h.contains("double-up with C&quot;02&#39;") || h.contains("double-up with C01"));
        // Far-away client: Hereford still in the box, but the map stretches.
        assert!(h.contains("NOT served"));
    }

    #[test]
    fn escape_all_five() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(escape("plain"), "plain");
    }

    #[test]
    fn deterministic() {
        let (req, plan) = tiny();
        assert_eq!(html(&req, &plan), html(&req, &plan));
    }

    #[test]
    fn empty_plan_renders() {
        let (req, mut plan) = tiny();
        plan.rounds.clear();
        plan.unserved.clear();
        let h = html(&req, &plan);
        assert!(h.contains("Every client is served."));
        assert_eq!(count(&h, "class=\"route\""), 0);
        assert_no_external(&h);
    }

    #[test]
    fn projection_fits_and_scale_is_sane() {
        let pts = [
            Location {
                lat: 52.0,
                lon: -3.0,
            },
            Location {
                lat: 52.2,
                lon: -2.5,
            },
        ];
        let pr = Projection::fit(&pts);
        for p in pts {
            let (x, y) = pr.xy(p);
            assert!((MAP_MARGIN - 0.01..=MAP_W - MAP_MARGIN + 0.01).contains(&x));
            assert!((MAP_MARGIN - 0.01..=pr.height - MAP_MARGIN + 0.01).contains(&y));
        }
        // 0.5 degrees of longitude at 52.1 N is about 34 km.
        let (xa, _) = pr.xy(pts[0]);
        let (xb, _) = pr.xy(Location {
            lat: 52.0,
            lon: -2.5,
        });
        let km = (xb - xa) * pr.km_per_unit();
        assert!((km - 34.2).abs() < 0.5, "{km}");
        // One point only: no division by zero.
        let one = Projection::fit(&pts[..1]);
        let (x, y) = one.xy(pts[0]);
        assert!(x.is_finite() && y.is_finite());
    }
}
