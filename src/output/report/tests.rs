//! Unit tests of the report's structure, escaping and projection.

use super::frame::Projection;
use super::*;
use crate::model::{Location, minutes_of_day};

fn sample() -> (Request, Plan) {
    let req = crate::load_request(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/sample-day.json"
    )))
    .unwrap()
    .into_inner();
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
    let req = crate::load_request(text).unwrap().into_inner();
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
fn the_priority_figure_shows_the_bound_and_the_gap() {
    let (req, mut plan) = tiny();
    plan.summary.upper_bound_priority = Some(plan.summary.priority_served + 1);
    plan.summary.gap = Some(1.0 / (plan.summary.priority_served + 1) as f64);
    let h = html(&req, &plan);
    let want = format!(
        "{} <small>of at most {} (gap {:.1}%)</small>",
        plan.summary.priority_served,
        plan.summary.priority_served + 1,
        100.0 / (plan.summary.priority_served + 1) as f64
    );
    assert!(h.contains(&want), "{want}");
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

#[test]
fn place_names_come_from_the_request() {
    // No contact data: no place names at all (not the generator's towns).
    let (req, plan) = tiny();
    let h = html(&req, &plan);
    assert_eq!(count(&h, "class=\"town\""), 0);
    assert!(!h.contains("Hereford"));
    // A town of another county, given by two clients: one label, at their
    // mean position, with the count in its tooltip.
    let (mut req, plan) = tiny();
    for c in req.clients.iter_mut().filter(|c| c.id != "FAR") {
        c.contact = Some(crate::model::Contact {
            town: Some("Aberystwyth".into()),
            ..Default::default()
        });
    }
    let h = html(&req, &plan);
    assert_eq!(count(&h, "class=\"town\""), 1);
    assert!(h.contains(">Aberystwyth<title>Aberystwyth (2 clients)</title>"));
    assert!(!h.contains("Hereford"));
}

#[test]
fn run_sheets_show_leave_by_names_and_addresses() {
    let (req, plan) = sample();
    let h = html(&req, &plan);
    // Every visit row gives leave-by and arrival times that agree with the
    // plan, and the client's name, address and phone from the request.
    for r in &plan.rounds {
        for s in &r.stops {
            if let Stop::Visit(v) = s {
                let leave = minutes_of_day(v.arrive) - v.travel_minutes as i32;
                assert!(h.contains(&format!(
                    "<td class=\"leave\">{} → {}</td>",
                    hhmm_min(leave),
                    hhmm(v.arrive)
                )));
                let c = ctx_client(&req, &v.client);
                let k = c.contact.as_ref().expect("generated contact");
                assert!(h.contains(&escape(k.name.as_deref().unwrap())));
                assert!(h.contains(&escape(&k.address_line().unwrap())));
                assert!(h.contains(&format!("☎ {}", k.phone.as_deref().unwrap())));
            }
        }
    }
    // Carers by name, with their phone and base (the sample day gives them).
    assert!(
        h.contains("<h2>Run sheet: Sarah Price (C01) <small>"),
        "no carer name"
    );
    assert!(h.contains("<td>Phone: 01632 961001</td>"));
    assert!(h.contains("<td>Start: Hereford office, Plough Lane, Hereford HR4 0LE</td>"));
    assert!(!h.contains("Start: 52.0585, -2.7090"));
    // A double-up partner is named as on their own sheet.
    let with = plan
        .rounds
        .iter()
        .flat_map(|r| r.stops.iter())
        .find_map(|s| match s {
            Stop::Visit(v) if !v.with.is_empty() => Some(v.with[0].clone()),
            _ => None,
        })
        .expect("the sample day has a double-up");
    let partner = req.carers.iter().find(|c| c.id == with).unwrap();
    assert!(h.contains(&format!("<td>{}</td>", escape(&partner.label()))));
    // Without contact data the address cell falls back to coordinates.
    let (req, plan) = tiny();
    let h = html(&req, &plan);
    assert!(h.contains("<td class=\"address\">52.0550, -2.7100</td>"));
    assert!(h.contains("<h2>Run sheet: C01 <small>"));
    assert!(h.contains("<td>Start: 52.0"));
}

fn ctx_client<'a>(req: &'a Request, id: &str) -> &'a Client {
    req.clients.iter().find(|c| c.id == id).unwrap()
}

#[test]
fn a_plan_that_fails_the_checker_gets_a_banner() {
    let (req, plan) = tiny();
    assert!(!html(&req, &plan).contains("<div class=\"invalid-banner\""));
    // The sample day's plan printed with another request.
    let (_, other) = sample();
    let h = html(&req, &other);
    assert_eq!(count(&h, "<div class=\"invalid-banner\""), 1);
    assert!(h.contains("This plan is not valid for this request"));
    let n = crate::check::check(&req, &other).violations.len();
    assert!(h.contains(&format!("breaks {n} rule")));
}

#[test]
fn the_plans_warnings_are_shown_after_the_figures_escaped_and_only_when_there_are_some() {
    // The tiny day's far client is E1704; without warnings, no section.
    let (req, mut plan) = tiny();
    assert_eq!(plan.warnings.len(), 1, "{:?}", plan.warnings);
    plan.warnings.clear();
    let h = html(&req, &plan);
    assert!(!h.contains("<section class=\"warnings\">"));
    assert!(!h.contains("Warnings ("));
    // A preferred carer with an awkward id who is not on the rota: E1501,
    // planned around and listed in the plan.
    let mut req = req;
    req.clients[1].preferred_carers = vec!["<i>C9&'".into()];
    let plan = crate::plan_request(&req).unwrap();
    let codes: Vec<&str> = plan.warnings.iter().map(|w| w.code.as_str()).collect();
    assert_eq!(codes, ["E1501", "E1704"], "{:?}", plan.warnings);
    let w = &plan.warnings[0];
    assert_eq!(
        (w.code.as_str(), w.path.as_str()),
        ("E1501", "clients[1].preferred_carers[0]")
    );
    let h = html(&req, &plan);
    assert_eq!(count(&h, "<section class=\"warnings\">"), 1);
    assert!(h.contains("<h2>Warnings (2)</h2>"));
    assert_eq!(count(&h, "<tr class=\"warning\">"), 2);
    assert!(h.contains(
        "<td class=\"code\">E1501</td><td><code>clients[1].preferred_carers[0]</code></td>"
    ));
    assert!(h.contains(&format!("<td>{}</td>", escape(&w.message))));
    assert!(h.contains(&format!("<td>{}</td></tr>", escape(&w.hint))));
    assert!(h.contains("&lt;i&gt;C9&amp;&#39;"));
    assert!(!h.contains("<i>C9"));
    // Near the top: after the key figures, before the map.
    let at = |pat: &str| h.find(pat).unwrap_or_else(|| panic!("{pat} missing"));
    assert!(at("</header>") < at("<section class=\"warnings\">"));
    assert!(at("<section class=\"warnings\">") < at("class=\"map\""));
}
