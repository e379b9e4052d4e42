//! The map: an inline SVG of every round's route, the carers' bases, the
//! clients (unserved ones crossed in red), place labels from the request's
//! own data, a scale bar and a legend.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::frame::{self, Projection, View};
use super::labels::{self, Markers, Placer, Rect};
use super::{Ctx, MAP_MARGIN, MAP_W, dash, escape, has_visits, legend};
use crate::model::{Location, Stop};
use crate::travel::haversine_km;

/// Inset zoom factor and size (SVG units of the inset drawing).
const INSET_K: f64 = 4.0;
const INSET_W: f64 = MAP_W;
const INSET_H: f64 = 480.0;
/// An inset is drawn when at least this many client labels had no room on
/// the main map within one inset-sized area.
const INSET_MIN_LEFT_OUT: usize = 3;

/// A location the map marks: a client, a carer's base or end.
struct Mark<'a> {
    what: &'static str,
    id: &'a str,
    loc: Location,
}

fn marks<'a>(ctx: &Ctx<'a>) -> Vec<Mark<'a>> {
    let mut v: Vec<Mark> = ctx
        .request
        .clients
        .iter()
        .map(|c| Mark {
            what: "client",
            id: &c.id,
            loc: c.location,
        })
        .collect();
    for c in &ctx.request.carers {
        v.push(Mark {
            what: "carer base",
            id: &c.id,
            loc: c.start_location,
        });
        if c.end() != c.start_location {
            v.push(Mark {
                what: "carer end",
                id: &c.id,
                loc: c.end(),
            });
        }
    }
    v
}

pub(super) fn map(out: &mut String, ctx: &Ctx) {
    let marks = marks(ctx);
    let locs: Vec<Location> = marks.iter().map(|m| m.loc).collect();
    let pr = Projection::fit(&frame::core(&locs));
    let view = View::main(&pr);
    out.push_str("<section class=\"map\">\n<h2>Map</h2>\n");
    let left_out = draw(out, ctx, &view, "Map of the rounds");
    let inset = inset_box(&left_out, &view);
    if let Some((ox, oy)) = inset {
        let _ = writeln!(
            out,
            "<rect class=\"inset-frame\" x=\"{ox:.1}\" y=\"{oy:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"none\" stroke=\"#333\" stroke-width=\"1.2\" stroke-dasharray=\"5 3\"><title>shown enlarged below the map</title></rect>",
            INSET_W / INSET_K,
            INSET_H / INSET_K
        );
    }
    out.push_str("</svg>\n");
    outside_list(out, &marks, &locs, &pr);
    if let Some((ox, oy)) = inset {
        let iv = View {
            pr: &pr,
            ox,
            oy,
            k: INSET_K,
            w: INSET_W,
            h: INSET_H,
            pin: false,
        };
        let _ = writeln!(
            out,
            "<h3>The busiest area, {INSET_K:.0} times larger (dashed box on the map)</h3>"
        );
        draw(out, ctx, &iv, "Inset: the busiest area of the map enlarged");
        out.push_str("</svg>\n");
    }
    legend::round_legend(out, ctx);
    legend::style_legend(out);
    if ctx.road_paths.is_some() {
        out.push_str(
            "<p class=\"meta\">Journeys drawn along their road paths. Map data \u{a9} OpenStreetMap contributors, ODbL (openstreetmap.org/copyright).</p>\n",
        );
    }
    out.push_str("</section>\n");
}

/// Opens the drawing's `<svg>` and draws towns, routes, bases, clients,
/// the scale bar and the labels in `view`. Returns where client labels were
/// left out for want of room. The caller closes the `<svg>`.
fn draw(out: &mut String, ctx: &Ctx, view: &View, aria: &str) -> Vec<(f64, f64)> {
    let inset = !view.pin;
    let _ = writeln!(
        out,
        "<svg class=\"{cls}\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h:.0}\" width=\"{w}\" height=\"{h:.0}\" role=\"img\" aria-label=\"{aria}\" font-family=\"DejaVu Sans, Arial, sans-serif\">",
        cls = if inset { "inset" } else { "main-map" },
        w = view.w,
        h = view.h
    );
    let area = Rect {
        x0: 0.0,
        y0: 0.0,
        x1: view.w,
        y1: view.h,
    };
    let mut placer = Placer::new(area);
    // Places (underneath everything): the towns the request names.
    let places = places(ctx);
    out.push_str("<g class=\"towns\">\n");
    for (_, loc, _) in &places {
        let (x, y) = view.xy(*loc);
        let _ = writeln!(
            out,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{r:.0}\" fill=\"#e4e4dc\" stroke=\"none\"/>",
            r = 14.0 * view.k.sqrt()
        );
    }
    out.push_str("</g>\n");
    routes(out, ctx, view, &mut placer);
    bases(out, ctx, view, &mut placer);
    let shown = clients(out, ctx, view, &mut placer);
    placer.reserve(scale_bar(out, view));
    // Labels on top of everything, each on a halo of the map's background.
    town_labels(out, view, &places, &mut placer);
    client_labels(out, ctx, &shown, &mut placer)
}

/// The main map's box (top left corner) to show enlarged: centred on the
/// left-out labels of the inset-sized area holding most of them, when it
/// holds at least [`INSET_MIN_LEFT_OUT`].
fn inset_box(left_out: &[(f64, f64)], view: &View) -> Option<(f64, f64)> {
    let (bw, bh) = (INSET_W / INSET_K, INSET_H / INSET_K);
    let mut cells: BTreeMap<(i64, i64), Vec<(f64, f64)>> = BTreeMap::new();
    for &(x, y) in left_out {
        // Cells of half the inset's size, so a cluster on a cell border
        // is still seen whole by the 2x2 block around it.
        let key = (
            (x / (bw / 2.0)).floor() as i64,
            (y / (bh / 2.0)).floor() as i64,
        );
        cells.entry(key).or_default().push((x, y));
    }
    let mut best: Option<(usize, (f64, f64))> = None;
    for &(cx, cy) in cells.keys() {
        let pts: Vec<(f64, f64)> = (0..2)
            .flat_map(|dx| (0..2).map(move |dy| (cx + dx, cy + dy)))
            .filter_map(|k| cells.get(&k))
            .flatten()
            .copied()
            .collect();
        let n = pts.len();
        if best.as_ref().is_none_or(|(b, _)| n > *b) {
            let mx = pts.iter().map(|p| p.0).sum::<f64>() / n as f64;
            let my = pts.iter().map(|p| p.1).sum::<f64>() / n as f64;
            best = Some((n, (mx, my)));
        }
    }
    let (n, (mx, my)) = best?;
    if n < INSET_MIN_LEFT_OUT {
        return None;
    }
    let ox = (mx - bw / 2.0).clamp(0.0, (view.w - bw).max(0.0));
    let oy = (my - bh / 2.0).clamp(0.0, (view.h - bh).max(0.0));
    Some((ox, oy))
}

/// The locations off the main map's frame, each named with its distance
/// from the median of all locations; nothing when every one is on the map.
fn outside_list(out: &mut String, marks: &[Mark], locs: &[Location], pr: &Projection) {
    let off: Vec<&Mark> = marks
        .iter()
        .filter(|m| View::off_frame(pr, m.loc))
        .collect();
    let Some(mid) = frame::median_point(locs) else {
        return;
    };
    if off.is_empty() {
        return;
    }
    out.push_str(
        "<div class=\"outside-map\"><h3>Outside the map</h3>\n<p>Far from the rest of the day, so drawn at the map's edge (dashed ring) in their direction; check these coordinates:</p>\n<ul>\n",
    );
    for m in off {
        let _ = writeln!(
            out,
            "<li data-id=\"{id}\">{what} <b>{id}</b>: {km:.0} km from the middle of the map ({lat:.4}, {lon:.4})</li>",
            what = m.what,
            id = escape(m.id),
            km = haversine_km(mid, m.loc),
            lat = m.loc.lat,
            lon = m.loc.lon
        );
    }
    out.push_str("</ul></div>\n");
}
/// The towns named in the request's client contacts: each at the median
/// position of its clients (one client far away does not move it), with
/// its client count, in name order.
fn places(ctx: &Ctx) -> Vec<(String, Location, usize)> {
    let mut by_town: BTreeMap<&str, Vec<Location>> = BTreeMap::new();
    for c in &ctx.request.clients {
        if let Some(town) = c.contact.as_ref().and_then(|k| k.town.as_deref())
            && !town.trim().is_empty()
        {
            by_town.entry(town.trim()).or_default().push(c.location);
        }
    }
    by_town
        .into_iter()
        .filter_map(|(name, locs)| {
            let mid = frame::median_point(&locs)?;
            Some((name.to_string(), mid, locs.len()))
        })
        .collect()
}

fn routes(out: &mut String, ctx: &Ctx, view: &View, placer: &mut Placer) {
    out.push_str(
        "<g class=\"routes\" fill=\"none\" stroke-width=\"2.2\" stroke-linejoin=\"round\">\n",
    );
    let area = Rect {
        x0: 0.0,
        y0: 0.0,
        x1: view.w,
        y1: view.h,
    };
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
        let xy: Vec<(f64, f64)> = pts.iter().map(|&p| view.xy(p)).collect();
        // An inset draws only the rounds that pass through it.
        if !view.pin && !xy.windows(2).any(|w| area.hit_by(w[0], w[1])) {
            continue;
        }
        placer.add_polyline(&xy);
        let coords: Vec<String> = xy.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
        let _ = writeln!(
            out,
            "<polyline class=\"{cls}\"{attrs} points=\"{pts}\" stroke=\"{col}\"{dash} opacity=\"0.85\"><title>{name} ({mode})</title></polyline>",
            // The inset's copies are not the map's routes.
            cls = if view.pin { "route" } else { "inset-route" },
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

/// Is (x, y) within the drawing (plus `pad`)?
fn visible(view: &View, (x, y): (f64, f64), pad: f64) -> bool {
    (-pad..=view.w + pad).contains(&x) && (-pad..=view.h + pad).contains(&y)
}

/// A dashed ring round a location off the main map's frame (pinned to its edge).
fn off_ring(out: &mut String, view: &View, loc: Location, (x, y): (f64, f64), what: &str) {
    if view.pin && View::off_frame(view.pr, loc) {
        let _ = write!(
            out,
            "<circle class=\"offmap\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"10\" fill=\"none\" stroke=\"#d00\" stroke-width=\"1.5\" stroke-dasharray=\"3 2\"><title>{} outside the map: really at {:.4}, {:.4}</title></circle>",
            escape(what),
            loc.lat,
            loc.lon
        );
    }
}

/// Carer bases: a square in the colour of the carer's first round.
fn bases(out: &mut String, ctx: &Ctx, view: &View, placer: &mut Placer) {
    out.push_str("<g class=\"bases\">\n");
    let mut first_round: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, r) in ctx.plan.rounds.iter().enumerate() {
        first_round.entry(r.carer.as_str()).or_insert(i);
    }
    for c in &ctx.request.carers {
        let col = first_round
            .get(c.id.as_str())
            .map_or("#888888", |&i| ctx.colour(i));
        let ends = [(c.start_location, true), (c.end(), false)];
        for (loc, start) in ends {
            if !start && c.end() == c.start_location {
                continue;
            }
            let (x, y) = view.xy(loc);
            if !visible(view, (x, y), 10.0) {
                continue;
            }
            placer.add_marker(Rect::around(x, y, 5.5));
            let (fill, stroke, sw, what) = if start {
                (col, "#fff", 1, "start")
            } else {
                ("#fff", col, 2, "end")
            };
            let _ = writeln!(
                out,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"9\" height=\"9\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"{sw}\"><title>{} {what} ({})</title></rect>",
                x - 4.5,
                y - 4.5,
                escape(&c.id),
                escape(&c.travel_mode)
            );
            off_ring(out, view, loc, (x, y), &format!("{} {what}", c.id));
        }
    }
    out.push_str("</g>\n");
}

/// A client drawn in a view: its index in the request, where, and whether served.
struct Shown {
    index: usize,
    x: f64,
    y: f64,
    served: bool,
}

/// Client markers (labels come later, with the others). Returns the
/// clients drawn.
fn clients(out: &mut String, ctx: &Ctx, view: &View, placer: &mut Placer) -> Vec<Shown> {
    out.push_str("<g class=\"clients\">\n");
    let mut shown = Vec::new();
    for (index, c) in ctx.request.clients.iter().enumerate() {
        let (x, y) = view.xy(c.location);
        if !visible(view, (x, y), 10.0) {
            continue;
        }
        let id = escape(&c.id);
        let served = ctx.served.contains(c.id.as_str());
        if served {
            placer.add_marker(Rect::around(x, y, 5.0));
            let _ = write!(
                out,
                "<g class=\"client served\"><circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"4\" fill=\"#333\" stroke=\"#fff\" stroke-width=\"1\"/><title>{id} (served, priority {p})</title>",
                p = c.priority
            );
        } else {
            placer.add_marker(Rect::around(x, y, 7.0));
            let _ = write!(
                out,
                "<g class=\"client unserved\"><circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"6\" fill=\"#fff\" stroke=\"#d00\" stroke-width=\"2\"/>\
<path d=\"M{x1:.1},{y1:.1}L{x2:.1},{y2:.1}M{x1:.1},{y2:.1}L{x2:.1},{y1:.1}\" stroke=\"#d00\" stroke-width=\"1.8\"/><title>{id} (NOT served, priority {p})</title>",
                x1 = x - 3.5,
                x2 = x + 3.5,
                y1 = y - 3.5,
                y2 = y + 3.5,
                p = c.priority
            );
        }
        off_ring(out, view, c.location, (x, y), &c.id);
        out.push_str("</g>\n");
        shown.push(Shown {
            index,
            x,
            y,
            served,
        });
    }
    out.push_str("</g>\n");
    shown
}

/// Town names, most clients first, each where it crosses the fewest routes
/// and covers the fewest markers (never on another town's name).
fn town_labels(
    out: &mut String,
    view: &View,
    places: &[(String, Location, usize)],
    placer: &mut Placer,
) {
    let mut order: Vec<&(String, Location, usize)> = places.iter().collect();
    order.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    out.push_str("<g class=\"town-labels\" font-size=\"13\" font-style=\"italic\" fill=\"#555\" stroke=\"#fbfbf8\" stroke-width=\"3\" paint-order=\"stroke\">\n");
    for (name, loc, n) in order {
        let (x, y) = view.xy(*loc);
        if !visible(view, (x, y), 0.0) {
            continue;
        }
        let size = 13.0;
        let mut spots = vec![labels::Spot {
            x,
            y: y - 17.0,
            anchor: "middle",
            rect: labels::text_box(name, size, x, y - 17.0, "middle"),
        }];
        spots.extend(labels::spots_around(name, size, x, y, 12.0));
        let cls = if view.pin { "town" } else { "town inset-town" };
        if let Some(s) = placer.place(spots, None, Markers::Cost(3)) {
            let _ = writeln!(
                out,
                "<text class=\"{cls}\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"{}\">{}<title>{} ({n} client{})</title></text>",
                s.x,
                s.y,
                s.anchor,
                escape(name),
                escape(name),
                if *n == 1 { "" } else { "s" },
            );
        }
    }
    out.push_str("</g>\n");
}

/// Client ids: unserved first, then by priority; each beside its marker
/// where it covers no other marker or label, crossing the fewest routes.
/// Returns the markers whose label had no room.
fn client_labels(
    out: &mut String,
    ctx: &Ctx,
    shown: &[Shown],
    placer: &mut Placer,
) -> Vec<(f64, f64)> {
    let clients = &ctx.request.clients;
    let mut order: Vec<&Shown> = shown.iter().collect();
    order.sort_by_key(|s| (s.served, std::cmp::Reverse(clients[s.index].priority)));
    out.push_str("<g class=\"client-labels\" font-size=\"9\" stroke=\"#fbfbf8\" stroke-width=\"2.5\" paint-order=\"stroke\">\n");
    let mut left_out = Vec::new();
    for s in order {
        let id = &clients[s.index].id;
        // Unserved ids are bold: measured as a little larger.
        let (r, est, style) = if s.served {
            (5.0, 9.0, "fill=\"#444\"")
        } else {
            (7.0, 10.0, "fill=\"#b00\" font-weight=\"bold\"")
        };
        let spots = labels::spots_around(id, est, s.x, s.y, r);
        match placer.place(spots, Some(Rect::around(s.x, s.y, r)), Markers::Avoid) {
            Some(p) => {
                let _ = writeln!(
                    out,
                    "<text class=\"label client-label\" data-client=\"{id}\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"{}\" {style}>{id}</text>",
                    p.x,
                    p.y,
                    p.anchor,
                    id = escape(id)
                );
            }
            None => left_out.push((s.x, s.y)),
        }
    }
    out.push_str("</g>\n");
    left_out
}

/// Scale bar (bottom left). Returns the box it takes.
fn scale_bar(out: &mut String, view: &View) -> Rect {
    let kpu = view.km_per_unit();
    let target_km = kpu * 160.0;
    let nice = [
        0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0,
    ];
    let km = nice
        .iter()
        .copied()
        .filter(|&k| k <= target_km)
        .fold(nice[0], f64::max);
    let len = km / kpu;
    let (x0, y0) = (MAP_MARGIN * 0.5, view.h - 14.0);
    let label = if km < 1.0 {
        format!("{:.0} m", km * 1000.0)
    } else {
        format!("{km:.0} km")
    };
    let (bx, by, bw) = (x0 - 4.0, y0 - 18.0, len + 8.0);
    let _ = writeln!(
        out,
        "<g class=\"scale\" data-km=\"{km}\"><rect x=\"{bx:.1}\" y=\"{by:.1}\" width=\"{bw:.1}\" height=\"24\" fill=\"#fff\" opacity=\"0.8\"/>\
<path d=\"M{x0:.1},{y1:.1}V{y0:.1}H{x1:.1}V{y1:.1}\" fill=\"none\" stroke=\"#222\" stroke-width=\"1.5\"/>\
<text x=\"{tx:.1}\" y=\"{ty:.1}\" font-size=\"11\" text-anchor=\"middle\">{label}</text></g>",
        y1 = y0 - 5.0,
        x1 = x0 + len,
        tx = x0 + len / 2.0,
        ty = y0 - 7.0,
    );
    Rect {
        x0: bx,
        y0: by,
        x1: bx + bw,
        y1: by + 24.0,
    }
}
