//! The map and timeline at real density (issue 14, point 5): the sample
//! day, the sample day with one client 500 km away, and a generated
//! 2,000-client day. Each plan comes from `plan_request`, so it has passed
//! the checker.

use super::labels::{Rect, text_box};
use super::legend::MAX_ROUND_ENTRIES;
use super::timeline::text_width;
use super::*;

fn plan_of(mut req: Request) -> (Request, Plan) {
    req.settings.stop_when_stalled = Some(true);
    // Quick, but long enough for a first plan of 2,000 clients in a debug
    // build on a loaded machine (a limit that ends first is E2002).
    req.settings.time_limit_seconds = 20.0;
    let plan = crate::plan_request(&req).unwrap();
    (req, plan)
}

fn sample_request() -> Request {
    crate::load_request(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/sample-day.json"
    )))
    .unwrap()
    .into_inner()
}

/// The sample day with client P001 moved about 500 km north.
fn outlier_request() -> Request {
    let mut req = sample_request();
    let c = req.clients.iter_mut().find(|c| c.id == "P001").unwrap();
    c.location.lat = 56.55;
    req
}

fn big_request() -> Request {
    let date = chrono::NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
    crate::generate::generate(&crate::generate::GenerateOptions::new(2000, 1, date))
}

/// The value of attribute `name` in the tag text `tag`.
fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let i = tag.find(&key)? + key.len();
    Some(&tag[i..i + tag[i..].find('"')?])
}

/// The `<svg class="{cls}"` drawings in `h`, each up to its `</svg>`.
fn drawings<'a>(h: &'a str, cls: &str) -> Vec<&'a str> {
    let open = format!("<svg class=\"{cls}\"");
    h.match_indices(&open)
        .map(|(i, _)| &h[i..i + h[i..].find("</svg>").unwrap()])
        .collect()
}

/// The boxes of every label in one drawing, as the placer measures them.
fn label_boxes(svg: &str) -> Vec<(String, Rect)> {
    let mut out = Vec::new();
    for (i, _) in svg.match_indices("<text class=\"") {
        let tag = &svg[i..i + svg[i..].find('>').unwrap()];
        let cls = attr(tag, "class").unwrap();
        let (size, text) = if cls.contains("client-label") {
            let bold = tag.contains("font-weight=\"bold\"");
            (
                if bold { 10.0 } else { 9.0 },
                attr(tag, "data-client").unwrap().to_string(),
            )
        } else if cls.contains("town") {
            let rest = &svg[i + tag.len() + 1..];
            (13.0, rest[..rest.find('<').unwrap()].to_string())
        } else {
            continue;
        };
        let num = |k| attr(tag, k).unwrap().parse::<f64>().unwrap();
        let anchor = attr(tag, "text-anchor").unwrap();
        let r = text_box(&text, size, num("x"), num("y"), anchor);
        out.push((text, r));
    }
    out
}

fn assert_no_overlaps(svg: &str) -> usize {
    let boxes = label_boxes(svg);
    for (i, (a, ra)) in boxes.iter().enumerate() {
        for (b, rb) in &boxes[i + 1..] {
            assert!(!ra.overlaps(rb), "labels {a} and {b} overlap");
        }
    }
    boxes.len()
}

fn scale_km(svg: &str) -> f64 {
    let i = svg.find("<g class=\"scale\"").unwrap();
    attr(&svg[i..], "data-km").unwrap().parse().unwrap()
}

#[test]
fn sample_day_labels_are_legible() {
    let (req, plan) = plan_of(sample_request());
    let h = html(&req, &plan);
    let main = drawings(&h, "main-map");
    assert_eq!(main.len(), 1);
    let n = assert_no_overlaps(main[0]);
    assert!(n >= 20, "only {n} labels on the sample map");
    // The town labels come after the routes and sit on a halo.
    let routes = main[0].find("<g class=\"routes\"").unwrap();
    let towns = main[0].find("<g class=\"town-labels\"").unwrap();
    assert!(towns > routes);
    assert!(main[0][towns..].starts_with("<g class=\"town-labels\" font-size=\"13\" font-style=\"italic\" fill=\"#555\" stroke=\"#fbfbf8\""));
    assert!(main[0].contains(">Hereford<title>"));
    // Central Hereford is too dense for every id: it is shown enlarged,
    // with its own labels, none overlapping either.
    let inset = drawings(&h, "inset");
    assert_eq!(inset.len(), 1, "no inset of central Hereford");
    assert!(main[0].contains("class=\"inset-frame\""));
    assert!(assert_no_overlaps(inset[0]) >= 10);
    let km = scale_km(main[0]);
    assert!((1.0..=10.0).contains(&km), "scale bar {km} km");
    assert!(scale_km(inset[0]) < km);
    // Few rounds: the legend names each one.
    let used = plan.rounds.iter().filter(|r| has_visits(r)).count();
    assert_eq!(h.matches("<span class=\"entry\">").count(), used);
    // Nothing is outside the map on the sample day.
    assert!(!h.contains("class=\"outside-map\""));
}

#[test]
fn a_far_location_is_flagged_not_squashing_the_map() {
    let (req, plan) = plan_of(outlier_request());
    let h = html(&req, &plan);
    let main = drawings(&h, "main-map")[0];
    let km = scale_km(main);
    assert!((1.0..=10.0).contains(&km), "scale bar {km} km");
    // P001 is listed with its distance and drawn pinned inside the map.
    let i = h.find("<div class=\"outside-map\">").expect("outside list");
    let list = &h[i..i + h[i..].find("</div>").unwrap()];
    assert_eq!(list.matches("<li ").count(), 1, "{list}");
    assert!(list.contains("client <b>P001</b>: 49"), "{list}");
    assert!(list.contains(" km from the middle of the map"));
    let ring = main.find("<circle class=\"offmap\"").unwrap();
    let tag = &main[ring..];
    let (x, y): (f64, f64) = (
        attr(tag, "cx").unwrap().parse().unwrap(),
        attr(tag, "cy").unwrap().parse().unwrap(),
    );
    assert!((0.0..=MAP_W).contains(&x) && (0.0..=MAP_MARGIN).contains(&y));
    assert_no_overlaps(main);
}

#[test]
fn a_2000_client_day_has_a_bounded_legend_and_fitting_labels() {
    let (req, plan) = plan_of(big_request());
    let used = plan.rounds.iter().filter(|r| has_visits(r)).count();
    assert!(used > MAX_ROUND_ENTRIES, "{used} rounds");
    let h = html(&req, &plan);
    let entries = h.matches("<span class=\"entry\">").count();
    assert!(entries <= PALETTE.len(), "{entries} legend entries");
    assert!(h.contains(&format!("{used} rounds share 16 colours")));
    let main = drawings(&h, "main-map")[0];
    assert_no_overlaps(main);
    assert_no_overlaps(drawings(&h, "inset")[0]);
    let km = scale_km(main);
    assert!((1.0..=20.0).contains(&km), "scale bar {km} km");
    // Every care block names its client (P0001 ... P2000: five
    // characters) within its width when it has room for an ellipsis and two
    // characters at 7 px (18.3 px with the 2 px spare).
    let mut labelled = 0;
    for (i, _) in h.match_indices("<g class=\"care\"") {
        let g = &h[i..i + h[i..].find("</g>").unwrap()];
        let w: f64 = attr(g, "width").unwrap().parse().unwrap();
        let client = attr(g, "data-client").unwrap();
        assert!(g.contains(&format!("<title>{client} visit")));
        match g.find("<text class=\"block-label\"") {
            Some(t) => {
                let size: f64 = attr(&g[t..], "font-size").unwrap().parse().unwrap();
                let text = &g[t..];
                let text = &text[text.find('>').unwrap() + 1..text.find("</text>").unwrap()];
                assert!(client.ends_with(text.trim_start_matches('\u{2026}')));
                assert!(text_width(text, size) <= w, "{text} in {w}");
                labelled += 1;
            }
            None => assert!(w < 18.3, "{client}: {w} px, no label"),
        }
    }
    assert!(labelled > 1000, "{labelled} labelled care blocks");
}
