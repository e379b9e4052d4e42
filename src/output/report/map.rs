//! The map: an inline SVG of every round's route, the carers' bases, the
//! clients (unserved ones crossed in red), place labels from the request's
//! own data, a scale bar and a legend.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::{Ctx, MAP_MARGIN, MAP_W, dash, escape, has_visits};
use crate::model::{Location, Stop};
use crate::travel::haversine_km;

/// Equirectangular projection (longitude scaled by cos of the mid latitude)
/// fitted into the SVG viewport.
pub(super) struct Projection {
    lat_max: f64,
    lon_min: f64,
    cos0: f64,
    scale: f64,
    off_x: f64,
    off_y: f64,
    pub(super) height: f64,
    lat0: f64,
}

impl Projection {
    pub(super) fn fit(points: &[Location]) -> Projection {
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

    pub(super) fn xy(&self, p: Location) -> (f64, f64) {
        (
            self.off_x + (p.lon - self.lon_min) * self.cos0 * self.scale,
            self.off_y + (self.lat_max - p.lat) * self.scale,
        )
    }

    /// Kilometres per SVG unit along the parallel at the map's latitude.
    pub(super) fn km_per_unit(&self) -> f64 {
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

pub(super) fn map(out: &mut String, ctx: &Ctx) {
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

    // Places (underneath everything): the towns the request names.
    let places = places(ctx);
    out.push_str("<g class=\"towns\">\n");
    for (_, loc, _) in &places {
        let (x, y) = pr.xy(*loc);
        let _ = writeln!(
            out,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"14\" fill=\"#e4e4dc\" stroke=\"none\"/>"
        );
    }
    out.push_str("</g>\n");
    routes(out, ctx, &pr);
    bases(out, ctx, &pr);
    clients(out, ctx, &pr);
    // Place names on top of the routes, with a white halo.
    out.push_str("<g class=\"town-labels\" font-size=\"13\" font-style=\"italic\" fill=\"#555\" stroke=\"#fbfbf8\" stroke-width=\"3\" paint-order=\"stroke\" text-anchor=\"middle\">\n");
    for (name, loc, n) in &places {
        let (x, y) = pr.xy(*loc);
        let _ = writeln!(
            out,
            "<text class=\"town\" x=\"{x:.1}\" y=\"{ty:.1}\">{}<title>{} ({n} client{})</title></text>",
            escape(name),
            escape(name),
            if *n == 1 { "" } else { "s" },
            ty = y - 17.0
        );
    }
    out.push_str("</g>\n");
    scale_bar(out, &pr);
    out.push_str("</svg>\n");
    legend(out, ctx);
    if ctx.road_paths.is_some() {
        out.push_str(
            "<p class=\"meta\">Journeys drawn along their road paths. Map data \u{a9} OpenStreetMap contributors, ODbL (openstreetmap.org/copyright).</p>\n",
        );
    }
    out.push_str("</section>\n");
}

/// The towns named in the request's client contacts: each at the mean
/// position of its clients, with its client count, in name order.
fn places(ctx: &Ctx) -> Vec<(String, Location, usize)> {
    let mut sums: BTreeMap<&str, (f64, f64, usize)> = BTreeMap::new();
    for c in &ctx.request.clients {
        if let Some(town) = c.contact.as_ref().and_then(|k| k.town.as_deref())
            && !town.trim().is_empty()
        {
            let e = sums.entry(town.trim()).or_default();
            e.0 += c.location.lat;
            e.1 += c.location.lon;
            e.2 += 1;
        }
    }
    sums.into_iter()
        .map(|(name, (lat, lon, n))| {
            let loc = Location {
                lat: lat / n as f64,
                lon: lon / n as f64,
            };
            (name.to_string(), loc, n)
        })
        .collect()
}

fn routes(out: &mut String, ctx: &Ctx, pr: &Projection) {
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
}

/// Carer bases: a square in the colour of the carer's first round.
fn bases(out: &mut String, ctx: &Ctx, pr: &Projection) {
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
}

fn clients(out: &mut String, ctx: &Ctx, pr: &Projection) {
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
}

/// Scale bar (bottom left).
fn scale_bar(out: &mut String, pr: &Projection) {
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
}

fn legend(out: &mut String, ctx: &Ctx) {
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
<span><svg width=\"16\" height=\"16\" viewBox=\"0 0 16 16\"><circle cx=\"8\" cy=\"8\" r=\"7\" fill=\"#e4e4dc\"/></svg>town (from the clients' addresses)</span>\n",
    );
    out.push_str("</div>\n");
}
