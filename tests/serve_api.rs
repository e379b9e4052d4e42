//! `rota serve`'s API for integrators (issue 15, point 5): the OpenAPI
//! document (typed request and plan, query parameters in the query, a
//! description on every response), and the workflow endpoints re-plan,
//! fit and export, each with its 404/409/422 paths; a finished job's
//! `progress` is its plan's figures. Every plan is re-checked with the
//! independent checker and against the document's `Plan` schema.

mod serve_support;

use serde_json::{Value, json};
use serve_support::*;

const SAMPLE_DAY: &str = include_str!("../data/sample-day.json");

/// The data days, each a request of the contract the schema must accept.
const DAYS: [(&str, &str); 5] = [
    ("small-day", include_str!("../data/small-day.json")),
    ("sample-day", include_str!("../data/sample-day.json")),
    ("medium-day", include_str!("../data/medium-day.json")),
    ("large-day", include_str!("../data/large-day.json")),
    ("helsinki-day", include_str!("../data/helsinki-day.json")),
];

// ------------------------------------------------------------ a JSON Schema subset

/// Check `v` against `schema` (the subset of JSON Schema the document
/// uses: `$ref`, `type`, `properties`, `required`, `additionalProperties`,
/// `items`, `oneOf`, `anyOf`, `allOf`, `enum`, `minimum`). Returns every
/// mismatch with its JSON path.
fn schema_errors(doc: &Value, schema: &Value, v: &Value, path: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.strip_prefix("#/components/schemas/").expect("local ref");
        let target = &doc["components"]["schemas"][name];
        assert!(!target.is_null(), "dangling $ref {r}");
        return schema_errors(doc, target, v, path);
    }
    if let Some(all) = schema["allOf"].as_array() {
        for s in all {
            out.extend(schema_errors(doc, s, v, path));
        }
    }
    for (key, want_one) in [("oneOf", true), ("anyOf", false)] {
        if let Some(alts) = schema[key].as_array() {
            let ok = alts
                .iter()
                .filter(|s| schema_errors(doc, s, v, path).is_empty())
                .count();
            if (want_one && ok != 1) || ok == 0 {
                out.push(format!("{path}: {ok} of the {key} alternatives match"));
            }
        }
    }
    if let Some(types) = types_of(schema)
        && !types.iter().any(|t| has_type(v, t))
    {
        out.push(format!("{path}: {v} is not {types:?}"));
        return out;
    }
    if let Some(values) = schema["enum"].as_array()
        && !values.contains(v)
    {
        out.push(format!("{path}: {v} not in {values:?}"));
    }
    if let (Some(min), Some(n)) = (schema["minimum"].as_f64(), v.as_f64())
        && n < min
    {
        out.push(format!("{path}: {n} is below the minimum {min}"));
    }
    if let Some(obj) = v.as_object() {
        out.extend(object_errors(doc, schema, obj, path));
    }
    if let (Some(items), Some(arr)) = (schema.get("items"), v.as_array()) {
        for (i, x) in arr.iter().enumerate() {
            out.extend(schema_errors(doc, items, x, &format!("{path}[{i}]")));
        }
    }
    out
}

fn object_errors(
    doc: &Value,
    schema: &Value,
    obj: &serde_json::Map<String, Value>,
    path: &str,
) -> Vec<String> {
    let mut out = Vec::new();
    let props = schema["properties"].as_object();
    for r in schema["required"].as_array().into_iter().flatten() {
        let r = r.as_str().unwrap();
        if !obj.contains_key(r) {
            out.push(format!("{path}: missing required `{r}`"));
        }
    }
    for (k, x) in obj {
        match props.and_then(|p| p.get(k)) {
            Some(s) => out.extend(schema_errors(doc, s, x, &format!("{path}.{k}"))),
            None if schema["additionalProperties"] == false => {
                out.push(format!("{path}: unknown field `{k}`"))
            }
            None => {
                if let Some(s) = schema.get("additionalProperties").filter(|s| s.is_object()) {
                    out.extend(schema_errors(doc, s, x, &format!("{path}.{k}")));
                }
            }
        }
    }
    out
}

fn types_of(schema: &Value) -> Option<Vec<String>> {
    match &schema["type"] {
        Value::String(t) => Some(vec![t.clone()]),
        Value::Array(ts) => Some(
            ts.iter()
                .filter_map(|t| t.as_str().map(String::from))
                .collect(),
        ),
        _ => None,
    }
}

fn has_type(v: &Value, t: &str) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        "number" => v.is_number(),
        "integer" => v.is_i64() || v.is_u64() || v.as_f64().is_some_and(|f| f.fract() == 0.0),
        _ => panic!("unknown type {t}"),
    }
}

/// `v` against the document's component `name`.
fn component_errors(doc: &Value, name: &str, v: &Value) -> Vec<String> {
    let schema = json!({ "$ref": format!("#/components/schemas/{name}") });
    schema_errors(doc, &schema, v, name)
}

/// The document as `rota serve --print-openapi` prints it.
fn printed_document() -> Value {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rota"))
        .args(["serve", "--print-openapi"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The plan of a finished job: checked by the checker and by the schema.
#[track_caller]
fn assert_plan(doc: &Value, request: &str, plan: &Value) -> rota::model::Plan {
    let errors = component_errors(doc, "Plan", plan);
    assert!(
        errors.is_empty(),
        "the Plan schema refuses a plan: {errors:?}"
    );
    assert_plan_checks(request, plan)
}

/// A finished job's `progress` is its plan's own figures.
#[track_caller]
fn assert_progress_is_the_plan(job: &Value) {
    let (p, s) = (&job["progress"], &job["plan"]["summary"]);
    for (a, b) in [
        ("clients_served", "clients_served"),
        ("priority_served", "priority_served"),
        ("travel_minutes", "travel_minutes"),
        ("upper_bound_priority", "upper_bound_priority"),
    ] {
        assert_eq!(
            p[a], s[b],
            "progress.{a} differs from the plan's: {p} vs {s}"
        );
    }
}

/// Post `request` and wait for it to be done; the job.
async fn done_job(c: &reqwest::Client, server: &Server, request: &str) -> Value {
    let res = post_json(c, &server.url("/v1/plans?wait=240"), request).await;
    let job: Value = res.json().await.unwrap();
    let url = server.url(job["url"].as_str().unwrap());
    let job = poll_until(c, &url, JOB_TIMEOUT, is_finished).await;
    assert_eq!(job["status"], "done", "{job}");
    job
}

/// A quick request: stop when stalled, a short limit.
fn quick(request: &str, seconds: f64) -> String {
    let mut v: Value = serde_json::from_str(request).unwrap();
    v["settings"]["time_limit_seconds"] = seconds.into();
    v["settings"]["stop_when_stalled"] = true.into();
    v.to_string()
}

#[track_caller]
fn assert_error(body: &Value, code: &str) {
    assert_eq!(body["code"], code, "{body}");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
}

// ------------------------------------------------------------ the document

#[tokio::test]
async fn the_openapi_document_types_request_and_plan_and_is_well_formed() {
    let doc = printed_document();
    let dir = data_dir();
    let server = Server::start(dir.path(), &[]);
    let (status, served) = get_json(&client(), &server.url("/openapi.json")).await;
    assert_eq!(status, 200);
    assert_eq!(served, doc, "--print-openapi and /openapi.json differ");

    // Parameters where they are: the id in the path, the rest in the query.
    let paths = doc["paths"].as_object().unwrap();
    let mut seen = Vec::new();
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            for p in op["parameters"].as_array().into_iter().flatten() {
                let name = p["name"].as_str().unwrap();
                let want = if name == "id" { "path" } else { "query" };
                assert_eq!(p["in"], want, "{method} {path}: {p}");
                assert!(path.contains("{id}") || name != "id");
                if want == "query" {
                    assert_eq!(p["required"], name == "format", "{method} {path}: {p}");
                }
                seen.push(name.to_string());
            }
            for (code, r) in op["responses"].as_object().unwrap() {
                assert!(
                    r["description"].as_str().is_some_and(|d| !d.is_empty()),
                    "{method} {path} {code} has no description"
                );
            }
        }
    }
    for p in ["wait", "status", "limit", "format"] {
        assert!(seen.iter().any(|s| s == p), "no parameter {p}");
    }
    for p in [
        "/v1/plans/{id}/replan",
        "/v1/plans/{id}/fit",
        "/v1/plans/{id}/capacity",
        "/v1/plans/{id}/export",
    ] {
        assert!(paths.contains_key(p), "no {p}");
    }
    // The request and the plan are real schemas, not bare objects.
    let body = &paths["/v1/plans"]["post"]["requestBody"]["content"]["application/json"]["schema"];
    assert_eq!(body["$ref"], "#/components/schemas/Request");
    let plan = &doc["components"]["schemas"]["JobView"]["properties"]["plan"];
    assert!(
        plan.to_string().contains("#/components/schemas/Plan"),
        "{plan}"
    );
    let s = &doc["components"]["schemas"];
    assert_eq!(s["Request"]["additionalProperties"], false);
    for f in ["date", "carers", "clients"] {
        assert!(
            s["Request"]["required"]
                .as_array()
                .unwrap()
                .contains(&json!(f))
        );
    }
    assert!(s["ErrorBody"]["properties"].get("details").is_some());

    // What client generators need (issue 26): `Stop` a `oneOf` of the two
    // kinds of stop with a discriminator on `kind`, which each of them has
    // as a required property of one value.
    let stop = &s["Stop"];
    assert_eq!(stop["discriminator"]["propertyName"], "kind", "{stop}");
    assert_eq!(
        stop["oneOf"],
        json!([{"$ref": "#/components/schemas/VisitStop"},
               {"$ref": "#/components/schemas/BreakStop"}]),
        "{stop}"
    );
    for (kind, name) in [("visit", "VisitStop"), ("break", "BreakStop")] {
        assert_eq!(
            stop["discriminator"]["mapping"][kind],
            format!("#/components/schemas/{name}")
        );
        assert!(
            s[name]["required"]
                .as_array()
                .unwrap()
                .contains(&json!("kind"))
        );
        assert_eq!(s[name]["properties"]["kind"]["enum"], json!([kind]));
    }
    // Every operation has a tag of the document's list (not a module path).
    let tags: Vec<&Value> = doc["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| &t["name"])
        .collect();
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            let op_tags = op["tags"].as_array();
            assert!(
                op_tags.is_some_and(|t| t.len() == 1 && tags.contains(&&t[0])),
                "{method} {path}: tags {:?}",
                op["tags"]
            );
        }
    }
}

#[test]
fn the_request_schema_accepts_every_data_day_and_refuses_wrong_types() {
    let doc = printed_document();
    for (name, text) in DAYS {
        let v: Value = serde_json::from_str(text).unwrap();
        let errors = component_errors(&doc, "Request", &v);
        assert!(errors.is_empty(), "{name}: {errors:?}");
    }
    let day: Value = serde_json::from_str(SMALL_DAY).unwrap();
    let wrong = [
        ("/clients/0/priority", json!(-1)),
        ("/clients/0/visits/0/duration", json!("30")),
        ("/carers/0/start_location/lat", json!("52.0")),
        ("/date", json!(20261125)),
        ("/clients/0/visits/0/window", json!({"start": "08:00"})),
        ("/carers", json!({})),
    ];
    for (pointer, value) in wrong {
        let mut v = day.clone();
        *v.pointer_mut(pointer).unwrap() = value.clone();
        let errors = component_errors(&doc, "Request", &v);
        assert!(!errors.is_empty(), "{pointer} = {value} accepted");
        // The library refuses it too (E1002): the schema is not stricter
        // than the service in these cases.
        assert!(rota::load_request(&v.to_string()).is_err(), "{pointer}");
    }
    let mut v = day.clone();
    v["clients"][0]["carer_required"] = json!(1);
    assert!(
        !component_errors(&doc, "Request", &v).is_empty(),
        "unknown field accepted"
    );
}

// ------------------------------------------------------------ progress

#[tokio::test]
async fn a_finished_jobs_progress_is_its_plans_figures() {
    let doc = printed_document();
    let dir = data_dir();
    let server = Server::start(dir.path(), &[]);
    let c = client();
    for (seconds, stalled) in [(1.0, true), (2.0, false)] {
        let mut v: Value = serde_json::from_str(SAMPLE_DAY).unwrap();
        v["settings"]["time_limit_seconds"] = seconds.into();
        v["settings"]["stop_when_stalled"] = stalled.into();
        let request = v.to_string();
        let job = done_job(&c, &server, &request).await;
        assert_plan(&doc, &request, &job["plan"]);
        assert_progress_is_the_plan(&job);
        assert_eq!(job["progress"]["phase"], "final", "{}", job["progress"]);
    }
}

// ------------------------------------------------------------ replan

#[tokio::test]
async fn replan_is_a_job_whose_plan_is_checked_and_says_what_changed() {
    let doc = printed_document();
    let dir = data_dir();
    let server = Server::start(dir.path(), &[]);
    let c = client();
    let request = quick(SMALL_DAY, 2.0);
    let job = done_job(&c, &server, &request).await;
    let id = job["id"].as_str().unwrap();
    let url = server.url(&format!("/v1/plans/{id}/replan?wait=240"));

    let body = json!({"now": "10:00", "unavailable": ["C01"], "time_limit_seconds": 2,
                      "stop_when_stalled": true});
    let res = post_json(&c, &url, &body.to_string()).await;
    let status = res.status().as_u16();
    let new: Value = res.json().await.unwrap();
    assert!(status == 200 || status == 202, "{status} {new}");
    let new = poll_until(
        &c,
        &server.url(new["url"].as_str().unwrap()),
        JOB_TIMEOUT,
        is_finished,
    )
    .await;
    assert_eq!(new["status"], "done", "{new}");
    assert_ne!(new["id"], job["id"]);
    // The re-plan links the job it re-plans; both show the day planned,
    // in the job and in the list.
    assert_eq!(new["parent"], job["id"], "{new}");
    assert!(job["parent"].is_null(), "{job}");
    let date: Value = serde_json::from_str::<Value>(&request).unwrap()["date"].clone();
    assert_eq!(new["date"], date);
    assert_eq!(job["date"], date);
    let (_, list) = get_json(&c, &server.url("/v1/plans")).await;
    let listed = |id: &Value| {
        list["jobs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|j| &j["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("{id} not in {list}"))
    };
    assert_eq!(listed(&new["id"])["parent"], job["id"]);
    assert_eq!(listed(&new["id"])["date"], date);
    assert_eq!(listed(&job["id"])["date"], date);
    assert!(listed(&job["id"])["parent"].is_null());
    assert_eq!(new["time_limit_seconds"], 2.0);
    let plan = assert_plan(&doc, &request, &new["plan"]);
    let r = plan.summary.replan.as_ref().expect("summary.replan");
    assert_eq!(r.unavailable, vec!["C01".to_string()]);
    // C01 does nothing from 10:00 on.
    for round in plan.rounds.iter().filter(|r| r.carer == "C01") {
        for s in &round.stops {
            if let rota::model::Stop::Visit(v) = s {
                assert!(v.start < chrono::NaiveTime::from_hms_opt(10, 0, 0).unwrap());
            }
        }
    }
    assert_progress_is_the_plan(&new);
    // The new job has its own export.
    let res = c
        .get(server.url(&format!(
            "{}/export?format=csv",
            new["url"].as_str().unwrap()
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);

    // Who to phone, as JSON (docs/replan.md, "Who to phone").
    let res = c
        .get(server.url(&format!(
            "{}/export?format=phones",
            new["url"].as_str().unwrap()
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let phones: Value = res.json().await.unwrap();
    assert_eq!(phones["threshold_minutes"], 10, "{phones}");
    for c in phones["carers"].as_array().unwrap() {
        if c["carer"] == "C01" {
            assert_eq!(c["absent_from"], "10:00", "{phones}");
            assert!(c["add"].as_array().unwrap().is_empty(), "{phones}");
        }
    }

    // A re-plan of the re-plan keeps C01's absence (docs/replan.md,
    // "Absences") and takes the body's freeze window.
    let new_id = new["id"].as_str().unwrap();
    let body = json!({"now": "12:00", "unavailable": ["C02"], "time_limit_seconds": 1,
                      "stop_when_stalled": true, "freeze_minutes": 30});
    let url2 = server.url(&format!("/v1/plans/{new_id}/replan?wait=240"));
    let res = post_json(&c, &url2, &body.to_string()).await;
    let second: Value = res.json().await.unwrap();
    let second = poll_until(
        &c,
        &server.url(second["url"].as_str().unwrap()),
        JOB_TIMEOUT,
        is_finished,
    )
    .await;
    assert_eq!(second["status"], "done", "{second}");
    let plan2 = assert_plan(&doc, &request, &second["plan"]);
    let r2 = plan2.summary.replan.as_ref().expect("summary.replan");
    let absences: Vec<(&str, String)> = r2
        .absences
        .iter()
        .map(|a| (a.carer.as_str(), a.from.format("%H:%M").to_string()))
        .collect();
    assert_eq!(
        absences,
        vec![("C01", "10:00".to_string()), ("C02", "12:00".to_string())]
    );
    assert_eq!(r2.freeze_minutes, Some(30));

    // An unknown carer, a time before `now`, a wrong type, bad JSON.
    let cases = [
        (
            json!({"now": "10:00", "unavailable": ["C99"]}).to_string(),
            422,
            "E1902",
            "unavailable",
        ),
        (
            json!({"now": "10:00", "unavailable": ["C01"], "unavailable_from": "09:00"})
                .to_string(),
            422,
            "E1903",
            "unavailable_from",
        ),
        (json!({"now": "25:00"}).to_string(), 422, "E1002", "now"),
        (
            json!({"now": "10:00", "later": 1}).to_string(),
            422,
            "E1002",
            "later",
        ),
        ("{\"now\": ".to_string(), 400, "E1001", ""),
    ];
    for (body, want, code, path) in cases {
        let res = post_json(&c, &url, &body).await;
        assert_eq!(res.status().as_u16(), want, "{body}");
        let e: Value = res.json().await.unwrap();
        let issue = &e["details"]["issues"][0];
        assert_eq!(issue["code"], code, "{e}");
        assert_eq!(issue["path"], path, "{e}");
    }
    let res = post_json(
        &c,
        &server.url("/v1/plans/0123456789abcdef0123456789abcdef/replan"),
        &json!({"now": "10:00"}).to_string(),
    )
    .await;
    assert_eq!(res.status().as_u16(), 404);
    assert_error(&res.json().await.unwrap(), "not_found");
}

// ------------------------------------------------------------ fit

/// Mrs X of tests/fit.rs: two calls a day, the morning one a double-up.
fn mrs_x() -> Value {
    json!({ "id": "NEW-X", "location": { "lat": 52.0565, "lon": -2.7160 }, "priority": 2,
      "visits": [
        { "id": "NEW-X-am", "window": { "start": "07:30", "end": "11:00" }, "duration": 30,
          "carers_required": 2 },
        { "id": "NEW-X-pm", "window": { "start": "17:00", "end": "20:00" }, "duration": 20 } ] })
}

#[tokio::test]
async fn fit_answers_whether_and_how_a_new_client_fits() {
    let doc = printed_document();
    let dir = data_dir();
    let server = Server::start(dir.path(), &[]);
    let c = client();
    let request = quick(SAMPLE_DAY, 2.0);
    let job = done_job(&c, &server, &request).await;
    let url = server.url(&format!("{}/fit", job["url"].as_str().unwrap()));

    let res = post_json(
        &c,
        &url,
        &json!({"client": mrs_x(), "options": 3}).to_string(),
    )
    .await;
    assert_eq!(res.status().as_u16(), 200);
    let fit: Value = res.json().await.unwrap();
    let errors = component_errors(&doc, "FitAnswer", &fit);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(fit["client"], "NEW-X");
    let options = fit["options"].as_array().unwrap();
    assert!(options.len() <= 3);
    if fit["fits"] == true {
        assert_eq!(options[0]["rank"], 1, "{fit}");
        assert_eq!(options[0]["calls"].as_array().unwrap().len(), 2, "{fit}");
        // The plan with the best way applied passes the checker against
        // the request with Mrs X added.
        let mut amended: Value = serde_json::from_str(&request).unwrap();
        amended["clients"].as_array_mut().unwrap().push(mrs_x());
        let plan = assert_plan(&doc, &amended.to_string(), &fit["plan"]);
        assert!(plan.rounds.iter().any(|r| r.stops.iter().any(|s| matches!(
            s, rota::model::Stop::Visit(v) if v.client == "NEW-X"))));
    } else {
        assert!(fit["plan"].is_null());
        assert!(!fit["reasons"].as_array().unwrap().is_empty(), "{fit}");
    }

    // Mrs X of issue 26 (Ledbury, a hoist double-up three times a day),
    // with a re-plan of 1 s when she does not fit: the answer says whether
    // it serves her and whom it drops, and `plan` is the re-plan when it
    // does (checked against the request with her added).
    let call = |id: &str, start: &str, end: &str| {
        json!({ "id": id, "window": { "start": start, "end": end }, "duration": 30,
                "carers_required": 2, "skills": ["hoist"] })
    };
    let ledbury = json!({ "id": "MRS-X", "location": { "lat": 52.0352, "lon": -2.4255 },
        "priority": 8, "visits": [ call("MRS-X-am", "07:30", "09:30"),
        call("MRS-X-lunch", "12:00", "13:30"), call("MRS-X-bed", "19:30", "21:00") ] });
    let res = post_json(
        &c,
        &url,
        &json!({"client": ledbury, "replan_seconds": 1}).to_string(),
    )
    .await;
    assert_eq!(res.status().as_u16(), 200);
    let fit: Value = res.json().await.unwrap();
    let errors = component_errors(&doc, "FitAnswer", &fit);
    assert!(errors.is_empty(), "{errors:?}");
    if fit["fits"] == false {
        let re = &fit["replan"];
        assert_eq!(re["time_limit_seconds"], 1.0, "{re}");
        assert_eq!(re["reproducible"], false, "{re}");
        assert!(re["dropped"].is_array(), "{re}");
        if re["serves"] == true {
            let mut amended: Value = serde_json::from_str(&request).unwrap();
            amended["clients"].as_array_mut().unwrap().push(ledbury);
            assert_plan(&doc, &amended.to_string(), &fit["plan"]);
        } else {
            assert!(fit["plan"].is_null(), "{fit}");
        }
    } else {
        assert!(fit.get("replan").is_none(), "{fit}");
    }
    // A re-plan time limit that cannot work.
    let res = post_json(
        &c,
        &url,
        &json!({"client": mrs_x(), "replan_seconds": 0}).to_string(),
    )
    .await;
    assert_eq!(res.status().as_u16(), 422);
    let e: Value = res.json().await.unwrap();
    assert_eq!(e["details"]["issues"][0]["code"], "E1007", "{e}");
    assert_eq!(e["details"]["issues"][0]["path"], "replan_seconds", "{e}");

    // A client already in the request (E1103), a wrong type (E1002).
    let mut again = mrs_x();
    again["id"] = json!("P001");
    let res = post_json(&c, &url, &json!({"client": again}).to_string()).await;
    assert_eq!(res.status().as_u16(), 422);
    let e: Value = res.json().await.unwrap();
    assert_eq!(e["details"]["issues"][0]["code"], "E1103", "{e}");
    assert_eq!(e["details"]["issues"][0]["path"], "client.id", "{e}");
    let mut wrong = mrs_x();
    wrong["visits"][0]["duration"] = json!("thirty");
    let res = post_json(&c, &url, &json!({"client": wrong}).to_string()).await;
    assert_eq!(res.status().as_u16(), 422);
    let e: Value = res.json().await.unwrap();
    assert_eq!(e["details"]["issues"][0]["code"], "E1002", "{e}");
    assert_eq!(
        e["details"]["issues"][0]["path"], "client.visits[0].duration",
        "{e}"
    );

    let res = post_json(
        &c,
        &server.url("/v1/plans/nope/fit"),
        &json!({"client": mrs_x()}).to_string(),
    )
    .await;
    assert_eq!(res.status().as_u16(), 404);
}

// ------------------------------------------------------------ export

#[tokio::test]
async fn export_gives_the_plan_as_csv_and_ical() {
    let dir = data_dir();
    let server = Server::start(dir.path(), &[]);
    let c = client();
    let request = quick(SMALL_DAY, 1.0);
    let job = done_job(&c, &server, &request).await;
    let plan = assert_plan_checks(&request, &job["plan"]);
    let stops: usize = plan.rounds.iter().map(|r| r.stops.len()).sum();
    let base = server.url(&format!("{}/export", job["url"].as_str().unwrap()));
    // The job's request gives the locations and addresses, as `rota export
    // --request` does.
    let req = rota::load_request(&request).unwrap();
    let places = rota::output::export::Places::of(&req);

    let res = c.get(format!("{base}?format=csv")).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let ct = res.headers()["content-type"].to_str().unwrap().to_string();
    assert!(ct.starts_with("text/csv"), "{ct}");
    let csv = res.text().await.unwrap();
    assert_eq!(csv, rota::output::export::csv(&plan, &places).unwrap());
    assert_eq!(
        csv.lines().count(),
        stops + 1,
        "a header and one row per stop"
    );

    let res = c.get(format!("{base}?format=ical")).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let ct = res.headers()["content-type"].to_str().unwrap().to_string();
    assert!(ct.starts_with("text/calendar"), "{ct}");
    let ics = res.text().await.unwrap();
    assert_eq!(ics, rota::output::export::ical_one(&plan, &places));
    assert!(ics.contains("GEO:"), "locations from the job's request");
    assert!(ics.starts_with("BEGIN:VCALENDAR"));
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), stops);

    for q in ["", "?format=pdf"] {
        let res = c.get(format!("{base}{q}")).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 400, "{q}");
        assert_error(&res.json().await.unwrap(), "bad_request");
    }
    let res = c
        .get(server.url("/v1/plans/nope/export?format=csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 404);
}

// ------------------------------------------------------------ no plan

#[tokio::test]
async fn a_job_without_a_plan_is_409_for_replan_fit_and_export() {
    let dir = data_dir();
    let server = Server::start(dir.path(), &["--workers", "1"]);
    let c = client();
    // The one worker is busy with a long day; the small day waits and is
    // cancelled before it starts: a job without a plan.
    let long = post_json(&c, &server.url("/v1/plans"), &big_day(300, 60.0)).await;
    let long: Value = long.json().await.unwrap();
    let queued = post_json(&c, &server.url("/v1/plans"), SMALL_DAY).await;
    let queued: Value = queued.json().await.unwrap();
    let url = server.url(queued["url"].as_str().unwrap());
    let res = c.delete(&url).send().await.unwrap();
    let cancelled: Value = res.json().await.unwrap();
    assert_eq!(cancelled["status"], "cancelled", "{cancelled}");
    assert!(cancelled["plan"].is_null());

    let replan = post_json(&c, &format!("{url}/replan"), r#"{"now": "10:00"}"#).await;
    let fit = post_json(
        &c,
        &format!("{url}/fit"),
        &json!({"client": mrs_x()}).to_string(),
    )
    .await;
    let export = c
        .get(format!("{url}/export?format=csv"))
        .send()
        .await
        .unwrap();
    for res in [replan, fit, export] {
        assert_eq!(res.status().as_u16(), 409);
        assert_error(&res.json().await.unwrap(), "no_plan");
    }
    let _ = c
        .delete(server.url(long["url"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
}

// ------------------------------------------------------------ capacity

#[tokio::test]
async fn capacity_answers_within_the_time_limit_and_names_whom_it_drops() {
    let doc = printed_document();
    let dir = data_dir();
    let server = Server::start(dir.path(), &["--max-time-limit", "30"]);
    let c = client();
    let request = quick(SMALL_DAY, 1.0);
    let job = done_job(&c, &server, &request).await;
    let url = server.url(&format!("{}/capacity", job["url"].as_str().unwrap()));

    let body = json!({"time_limit_seconds": 0.5, "areas": 1, "max_new": 2});
    let res = post_json(&c, &url, &body.to_string()).await;
    assert_eq!(res.status().as_u16(), 200);
    let answer: Value = res.json().await.unwrap();
    let errors = component_errors(&doc, "Capacity", &answer);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(answer["areas"].as_array().unwrap().len(), 1, "{answer}");
    assert_eq!(
        answer["extra_rounds"].as_array().unwrap().len(),
        6,
        "{answer}"
    );
    assert_eq!(answer["baseline"]["clients_total"], 12);
    // The baseline is the job's published plan, not a solve of its own.
    assert_eq!(answer["baseline_from_plan"], true, "{answer}");
    assert_eq!(
        answer["baseline"]["clients_served"], job["plan"]["summary"]["clients_served"],
        "{answer}"
    );
    assert_eq!(
        answer["baseline"]["priority_served"], job["plan"]["summary"]["priority_served"],
        "{answer}"
    );
    for a in answer["areas"].as_array().unwrap() {
        // Every answer names whom it drops (as many as it says).
        assert_eq!(
            a["dropped"].as_array().unwrap().len() as u64,
            a["existing_dropped"].as_u64().unwrap(),
            "{a}"
        );
    }

    // 7 solves of 5 s are over the service's 30 s; areas out of range; a
    // wrong type; no such job.
    let cases = [
        (
            json!({"time_limit_seconds": 5, "areas": 1}),
            "E1006",
            "time_limit_seconds",
        ),
        (json!({"areas": 0}), "E1006", "areas"),
        (json!({"areas": "two"}), "E1002", "areas"),
    ];
    for (body, code, path) in cases {
        let res = post_json(&c, &url, &body.to_string()).await;
        assert_eq!(res.status().as_u16(), 422, "{body}");
        let e: Value = res.json().await.unwrap();
        assert_eq!(e["details"]["issues"][0]["code"], code, "{e}");
        assert_eq!(e["details"]["issues"][0]["path"], path, "{e}");
    }
    let res = post_json(&c, &server.url("/v1/plans/nope/capacity"), "{}").await;
    assert_eq!(res.status().as_u16(), 404);
}
