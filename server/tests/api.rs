//! The HTTP API over real HTTP on loopback, each test with its own server process and sled
//! directory: the manufacturer and customer flow, authorization, bad inputs, the OpenAPI
//! document, the solver's limits.

mod support;

use reqwest::Method;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use support::{create_token, example, fixture, Client, Server, TempDir};

/// A small catalog as JSON: frame colour depends on the material.
fn bike(id: &str) -> Value {
    json!({
        "id": id,
        "name": "City bike",
        "currency": "EUR",
        "groups": [
            {"id": "frame", "options": [
                {"id": "steel", "price": 300}, {"id": "carbon", "price": 1200.5}]},
            {"id": "colour", "options": [{"id": "red"}, {"id": "black", "price": 20}]},
            {"id": "light", "kind": "infrastructure", "min": 0, "max": 1,
             "options": [{"id": "dynamo", "price": 45, "vendor": "shimano"}]}
        ],
        "vendors": [{"id": "shimano", "name": "Shimano"}],
        "rules": [
            {"id": "carbon-black", "description": "Carbon frames are black",
             "rule": "frame.carbon -> colour.black"},
            {"id": "light-needed", "description": "Every bike has a light",
             "rule": "light"}
        ]
    })
}

/// (method, path, content type, body, token, expected status, error code, text in detail)
type BadInput<'a> = (
    Method,
    String,
    &'a str,
    String,
    Option<&'a str>,
    u16,
    &'a str,
    &'a str,
);

fn setup(tag: &str) -> (TempDir, String, String) {
    let dir = TempDir::new(tag);
    let acme = create_token(dir.path(), "acme");
    let other = create_token(dir.path(), "other");
    (dir, acme, other)
}

fn state<'a>(s: &'a Value, option: &str) -> &'a str {
    s["options"][option]
        .as_str()
        .unwrap_or_else(|| panic!("no state for {option} in {s}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn manufacturer_and_customer_flow() {
    let (dir, acme, _) = setup("flow");
    let server = Server::start(dir.path(), &[]);
    let c = Client::new(&server);

    assert_eq!(
        c.get("/healthz", None).await,
        (200, json!({"status": "ok"}))
    );

    // The example catalogs are published on the first start.
    let (status, list) = c.get("/api/catalogs", None).await;
    assert_eq!(status, 200);
    let ids: BTreeSet<&str> = list["catalogs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains("pc") && ids.contains("sneaker"), "{list}");

    // Create a draft: not visible to the public until published.
    let (status, body) = c.post("/api/catalogs", bike("bike"), Some(&acme)).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["manufacturer"], "acme");
    assert_eq!(body["latest"], Value::Null);
    assert_eq!(c.get("/api/catalogs/bike", None).await.0, 404);
    let (status, own) = c.get("/api/catalogs/bike", Some(&acme)).await;
    assert_eq!(status, 200);
    assert_eq!(own["draft"]["id"], "bike");
    // Configurations need a published version.
    let (status, body) = c
        .post("/api/configurations", json!({"catalog": "bike"}), None)
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (404, Some("unknown-catalog"))
    );

    // Publish version 1.
    let (status, body) = c
        .post_empty("/api/catalogs/bike/publish", Some(&acme))
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["version"], 1);
    assert_eq!(body["lint"]["satisfiable"], true);
    assert_eq!(body["lint"]["forced"], json!(["light.dynamo"]));

    // Edit the draft (TOML this time) and publish version 2: the black colour gets dearer.
    let mut v2 = bike("bike");
    v2["groups"][1]["options"][1]["price"] = json!(35);
    let toml_text = toml::to_string(&v2).unwrap();
    let (status, body) = c
        .raw(
            Method::PUT,
            "/api/catalogs/bike",
            "application/toml",
            toml_text,
            Some(&acme),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = c
        .post_empty("/api/catalogs/bike/publish", Some(&acme))
        .await;
    assert_eq!((status, body["version"].as_u64()), (201, Some(2)));
    let (status, cat) = c.get("/api/catalogs/bike", None).await;
    assert_eq!(status, 200);
    assert_eq!(cat["versions"], json!([1, 2]));
    assert!(cat.get("draft").is_none(), "the public sees no draft");
    let (status, v1) = c.get("/api/catalogs/bike/versions/1", None).await;
    assert_eq!(status, 200);
    assert_eq!(v1["model"]["groups"][1]["options"][1]["price"], 20);

    // A customer configures version 1 explicitly; the state shows domains and a product.
    let (status, s) = c
        .post(
            "/api/configurations",
            json!({"catalog": "bike", "version": 1}),
            None,
        )
        .await;
    assert_eq!(status, 201, "{s}");
    let id = s["id"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 32);
    assert_eq!(s["version"], 1);
    assert_eq!(s["satisfiable"], true);
    assert_eq!(state(&s, "light.dynamo"), "forced");
    // The guided next question: one of the two open visible groups, ranked options with
    // reasons; the infrastructure is never asked.
    let question = &s["next_question"];
    let asked = question["group"].as_str().unwrap();
    assert!(asked == "frame" || asked == "colour", "{s}");
    assert_eq!(s["order"].as_array().unwrap().len(), 2, "{s}");
    let ranked = question["options"].as_array().unwrap();
    assert_eq!(ranked.len(), 2, "{question}");
    for o in ranked {
        assert!(o["option"].as_str().unwrap().starts_with(asked), "{o}");
        assert!(!o["reasons"].as_array().unwrap().is_empty(), "{o}");
    }
    assert_eq!(
        s["product"]["satisfiable"], true,
        "a default product at once"
    );

    let (status, s) = c.choose(&id, "frame.carbon", "select").await;
    assert_eq!(status, 200, "{s}");
    assert_eq!(state(&s, "frame.carbon"), "selected");
    assert_eq!(state(&s, "frame.steel"), "excluded");
    assert_eq!(state(&s, "colour.black"), "forced");
    assert_eq!(state(&s, "colour.red"), "excluded");
    assert_eq!(s["next_question"], Value::Null, "nothing left to ask");
    let product = &s["product"];
    assert_eq!(product["total"], json!(1265.5), "{product}");
    let lines: BTreeSet<&str> = product["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["option"].as_str().unwrap())
        .collect();
    assert_eq!(
        lines,
        BTreeSet::from(["frame.carbon", "colour.black", "light.dynamo"])
    );

    // Why is red excluded? Because of the carbon frame and the rule carbon-black.
    let (status, x) = c
        .post(
            &format!("/api/configurations/{id}/explain"),
            json!({"option": "colour.red"}),
            None,
        )
        .await;
    assert_eq!(status, 200, "{x}");
    assert_eq!(x["state"], "excluded");
    assert_eq!(
        x["because"],
        json!([{"choice": "frame.carbon", "selected": true}])
    );
    assert!(
        x["rules"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == "carbon-black"),
        "{x}"
    );
    // Choosing red anyway conflicts: the state names the ranked repairs.
    let (status, s) = c.choose(&id, "colour.red", "select").await;
    assert_eq!(status, 200, "{s}");
    assert_eq!(s["satisfiable"], false);
    assert_eq!(s["product"], Value::Null);
    let first = &s["repairs"]["repairs"][0];
    assert_eq!(first["drop"], json!(["frame.carbon"]), "{s}");
    assert!(
        first["explanation"]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == "carbon-black"),
        "{s}"
    );
    let (_, s) = c.choose(&id, "colour.red", "clear").await;
    assert_eq!(s["satisfiable"], true);
    assert_eq!(s["repairs"], Value::Null);

    // Selecting another frame replaces the first (a group of one).
    let (_, s) = c.choose(&id, "frame.steel", "select").await;
    assert_eq!(state(&s, "frame.steel"), "selected");
    assert_eq!(state(&s, "frame.carbon"), "excluded");
    assert_eq!(
        s["choices"],
        json!([{"option": "frame.steel", "action": "select"}])
    );
    assert_eq!(s["next_question"]["group"], "colour");
    // Conflicting choices are kept and reported.
    let (_, s) = c.choose(&id, "colour.black", "deselect").await;
    assert_eq!(state(&s, "colour.black"), "rejected");
    assert_eq!(state(&s, "colour.red"), "forced");
    let (_, s) = c.choose(&id, "colour.red", "deselect").await;
    assert_eq!(s["satisfiable"], false);
    assert_eq!(s["product"], Value::Null);
    let (status, body) = c
        .post_empty(&format!("/api/configurations/{id}/quote"), None)
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (409, Some("conflicting-choices"))
    );
    let (_, s) = c.choose(&id, "colour.red", "clear").await;
    assert_eq!(s["satisfiable"], true);
    assert_eq!(s["revision"], 7);

    // Completion on demand: the cheapest product, or none within a budget.
    let (status, done) = c
        .post_empty(&format!("/api/configurations/{id}/complete"), None)
        .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(
        (done["satisfiable"].as_bool(), done["total"].as_i64()),
        (Some(true), Some(345))
    );
    let (status, tight) = c
        .post(
            &format!("/api/configurations/{id}/complete"),
            json!({"budget": 100}),
            None,
        )
        .await;
    assert_eq!(status, 200, "{tight}");
    assert_eq!(tight["satisfiable"], false, "{tight}");
    let (status, bad) = c
        .post(
            &format!("/api/configurations/{id}/complete"),
            json!({"objective": "fastest"}),
            None,
        )
        .await;
    assert_eq!(
        (status, bad["error"].as_str()),
        (422, Some("bad-objective"))
    );

    // Name it, share it, ask for a quote: frozen bill with price and catalog version.
    let (status, body) = c
        .raw(
            Method::PATCH,
            &format!("/api/configurations/{id}"),
            "application/json",
            json!({"name": "My commuter", "shared": true}).to_string(),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, q) = c
        .post_empty(&format!("/api/configurations/{id}/quote"), None)
        .await;
    assert_eq!(status, 201, "{q}");
    assert_eq!(q["version"], 1);
    assert_eq!(
        q["bill"]["total"],
        json!(345),
        "steel 300 + red 0 + dynamo 45: {q}"
    );
    assert_eq!(q["bill"]["currency"], "EUR");
    let (status, q2) = c
        .get(&format!("/api/quotes/{}", q["id"].as_str().unwrap()), None)
        .await;
    assert_eq!((status, &q2), (200, &q));

    // The share link shows the same state to anyone.
    let (status, shared) = c.get(&format!("/api/configurations/{id}"), None).await;
    assert_eq!(status, 200);
    assert_eq!(shared["name"], "My commuter");
    assert_eq!(shared["shared"], true);
    assert_eq!(shared["quotes"], json!([q["id"]]));
    assert_eq!(state(&shared, "colour.black"), "rejected");

    // A second customer abandons at the colour question on version 2.
    let id2 = c.new_configuration("bike").await;
    let (_, s2) = c.choose(&id2, "frame.steel", "select").await;
    assert_eq!(s2["version"], 2);

    // Insights for the owner.
    let (status, ins) = c.get("/api/catalogs/bike/insights", Some(&acme)).await;
    assert_eq!(status, 200, "{ins}");
    assert_eq!(ins["configurations"], 2);
    assert_eq!(ins["quoted"], 1);
    assert_eq!(ins["shared"], 1);
    assert_eq!(ins["picks"], json!([{"option": "frame.steel", "count": 2}]));
    assert_eq!(
        ins["shared_picks"],
        json!([{"option": "frame.steel", "count": 1}])
    );
    assert_eq!(
        ins["abandoned_at"],
        json!([{"group": "colour", "count": 1}])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn authorization() {
    let (dir, acme, other) = setup("auth");
    let server = Server::start(dir.path(), &[]);
    let c = Client::new(&server);
    let (status, _) = c.post("/api/catalogs", bike("bike"), Some(&acme)).await;
    assert_eq!(status, 201);

    let cases: Vec<(Method, &str, Option<&str>, u16, &str)> = vec![
        (Method::POST, "/api/catalogs", None, 401, "missing-token"),
        (
            Method::POST,
            "/api/catalogs",
            Some("cfg_wrong"),
            401,
            "invalid-token",
        ),
        (
            Method::PUT,
            "/api/catalogs/bike",
            None,
            401,
            "missing-token",
        ),
        (
            Method::PUT,
            "/api/catalogs/bike",
            Some(&other),
            403,
            "forbidden",
        ),
        (
            Method::POST,
            "/api/catalogs/bike/publish",
            None,
            401,
            "missing-token",
        ),
        (
            Method::POST,
            "/api/catalogs/bike/publish",
            Some(&other),
            403,
            "forbidden",
        ),
        (
            Method::GET,
            "/api/catalogs/bike/insights",
            None,
            401,
            "missing-token",
        ),
        (
            Method::GET,
            "/api/catalogs/bike/insights",
            Some(&other),
            403,
            "forbidden",
        ),
        (
            Method::GET,
            "/api/catalogs/pc/insights",
            Some(&acme),
            403,
            "forbidden",
        ),
        (
            Method::GET,
            "/api/catalogs/bike",
            Some("nope"),
            401,
            "invalid-token",
        ),
    ];
    for (method, path, token, want, code) in cases {
        let body = if method == Method::GET {
            String::new()
        } else {
            bike("bike").to_string()
        };
        let (status, v) = c
            .raw(method.clone(), path, "application/json", body, token)
            .await;
        assert_eq!(
            (status, v["error"].as_str()),
            (want, Some(code)),
            "{method} {path} token {token:?}: {v}"
        );
        assert!(v["detail"].as_str().is_some_and(|d| !d.is_empty()));
    }
    // Another manufacturer's draft is invisible; the owner's is not.
    assert_eq!(c.get("/api/catalogs/bike", Some(&other)).await.0, 404);
    let (_, list) = c.get("/api/catalogs", Some(&other)).await;
    assert!(!list.to_string().contains("\"bike\""));
    let (_, list) = c.get("/api/catalogs", Some(&acme)).await;
    assert!(list.to_string().contains("\"bike\""));
    let mine = |list: &Value, id: &str| {
        list["catalogs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .map(|c| c["mine"].clone())
    };
    assert_eq!(mine(&list, "bike"), Some(json!(true)));
    assert_eq!(mine(&list, "pc"), Some(json!(false)));
    let (_, list) = c.get("/api/catalogs", Some(&other)).await;
    assert_eq!(mine(&list, "bike"), None);
    // Taking an existing id is a conflict, whoever asks.
    let (status, v) = c.post("/api/catalogs", bike("bike"), Some(&other)).await;
    assert_eq!((status, v["error"].as_str()), (409, Some("catalog-exists")));
    // A UVL feature model is imported as a catalog (the path's id wins on PUT).
    let uvl = "features\n    Bike\n        mandatory\n            Frame\n                alternative\n                    Steel\n                    Carbon\n        optional\n            Bell\nconstraints\n    Carbon => Bell\n";
    let (status, v) = c
        .raw(Method::POST, "/api/catalogs", "text/uvl", uvl, Some(&acme))
        .await;
    assert_eq!(status, 201, "{v}");
    let uvl_id = v["id"].as_str().unwrap().to_string();
    let (status, v) = c
        .raw(
            Method::PUT,
            &format!("/api/catalogs/{uvl_id}"),
            "text/uvl",
            uvl,
            Some(&acme),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let (status, v) = c
        .post_empty(&format!("/api/catalogs/{uvl_id}/publish"), Some(&acme))
        .await;
    assert_eq!(status, 201, "{v}");
    // Nothing changed through the refused requests.
    let (_, own) = c.get("/api/catalogs/bike", Some(&acme)).await;
    assert_eq!(own["latest"], Value::Null);
    assert_eq!(own["manufacturer"], "acme");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_over_limit_body_gets_its_413_answer_not_a_broken_connection() {
    // The server reads (and throws away) the rest of an over-limit body, up to 64 MiB, before
    // it answers: answering first and closing let the kernel reset the connection over the
    // unread bytes, so a client could see "connection reset" instead of the JSON error (seen
    // once in `bad_inputs_get_clear_4xx_json` on a loaded machine; the race is rare here, so
    // this test checks the answer for bodies well past the limit rather than the race).
    let (dir, acme, _) = setup("drain");
    let server = Server::start(dir.path(), &[]);
    let c = Client::unpooled(&server);
    for size in [5, 16, 32] {
        let big = "x".repeat(size * 1024 * 1024);
        for _ in 0..3 {
            let (status, body) = c
                .raw(
                    Method::POST,
                    "/api/catalogs",
                    "application/json",
                    big.clone(),
                    Some(acme.as_str()),
                )
                .await;
            assert_eq!(status, 413, "{size} MiB: {body}");
            assert_eq!(body["error"], "too-large", "{body}");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_inputs_get_clear_4xx_json() {
    let (dir, acme, _) = setup("bad");
    let server = Server::start(dir.path(), &[]);
    let c = Client::unpooled(&server);
    let cfg = c.new_configuration("pc").await;
    let t = Some(acme.as_str());
    let big = "x".repeat(5 * 1024 * 1024);
    let unknown_option_json = {
        let mut b = bike("typo");
        b["rules"][0]["rule"] = json!("frame.carbn -> colour.black");
        b.to_string()
    };
    let choices = format!("/api/configurations/{cfg}/choices");
    let json_ct = "application/json";
    let cases: Vec<BadInput> = vec![
        // (method, path, content type, body, token, status, code, text in detail)
        (
            Method::POST,
            "/api/catalogs".into(),
            json_ct,
            "{".into(),
            t,
            422,
            "invalid-catalog",
            "EOF",
        ),
        (
            Method::POST,
            "/api/catalogs".into(),
            json_ct,
            unknown_option_json,
            t,
            422,
            "invalid-catalog",
            "did you mean frame.carbon",
        ),
        (
            Method::POST,
            "/api/catalogs".into(),
            "application/toml",
            fixture("unknown_option.toml"),
            t,
            422,
            "invalid-catalog",
            "body:26:9",
        ),
        (
            Method::POST,
            "/api/catalogs".into(),
            "application/toml",
            fixture("malformed.toml"),
            t,
            422,
            "invalid-catalog",
            "body:3:",
        ),
        (
            Method::POST,
            "/api/catalogs".into(),
            "text/uvl",
            "features\n    Bike\n        alternative\n            Steel\n  constraints\n    Steel => Carbon\n".into(),
            t,
            422,
            "invalid-catalog",
            "body:5:3",
        ),
        (
            Method::POST,
            "/api/catalogs".into(),
            "image/png",
            "x".into(),
            t,
            415,
            "unsupported-media-type",
            "image/png",
        ),
        (
            Method::POST,
            "/api/catalogs".into(),
            json_ct,
            big.clone(),
            t,
            413,
            "too-large",
            "4194304",
        ),
        (
            Method::PUT,
            "/api/catalogs/pc2".into(),
            "application/toml",
            example("pc.toml"),
            t,
            400,
            "id-mismatch",
            "pc2",
        ),
        (
            Method::POST,
            "/api/configurations".into(),
            json_ct,
            "not json".into(),
            None,
            400,
            "malformed-json",
            "line 1",
        ),
        (
            Method::POST,
            "/api/configurations".into(),
            json_ct,
            "{}".into(),
            None,
            400,
            "malformed-json",
            "missing field `catalog`",
        ),
        (
            Method::POST,
            "/api/configurations".into(),
            json_ct,
            r#"{"catalog":"pc","colour":1}"#.into(),
            None,
            400,
            "malformed-json",
            "unknown field `colour`",
        ),
        (
            Method::POST,
            "/api/configurations".into(),
            json_ct,
            r#"{"catalog":"nope"}"#.into(),
            None,
            404,
            "unknown-catalog",
            "nope",
        ),
        (
            Method::POST,
            "/api/configurations".into(),
            json_ct,
            r#"{"catalog":"pc","version":9}"#.into(),
            None,
            404,
            "unknown-version",
            "9",
        ),
        (
            Method::POST,
            "/api/configurations".into(),
            json_ct,
            r#"{"catalog":"pc","version":-1}"#.into(),
            None,
            400,
            "malformed-json",
            "version",
        ),
        (
            Method::POST,
            "/api/configurations".into(),
            "text/plain",
            r#"{"catalog":"pc"}"#.into(),
            None,
            415,
            "unsupported-media-type",
            "text/plain",
        ),
        (
            Method::POST,
            "/api/configurations".into(),
            json_ct,
            big,
            None,
            413,
            "too-large",
            "limit",
        ),
        (
            Method::GET,
            "/api/configurations/0123".into(),
            json_ct,
            String::new(),
            None,
            404,
            "unknown-configuration",
            "0123",
        ),
        (
            Method::GET,
            format!("/api/configurations/{}", "a".repeat(32)),
            json_ct,
            String::new(),
            None,
            404,
            "unknown-configuration",
            "aaaa",
        ),
        (
            Method::POST,
            choices.clone(),
            json_ct,
            r#"{"option":"cpu.i9","action":"select"}"#.into(),
            None,
            422,
            "unknown-option",
            "did you mean cpu.i9_14900k",
        ),
        (
            Method::POST,
            choices.clone(),
            json_ct,
            r#"{"option":"cpu.i9_14900k","action":"pick"}"#.into(),
            None,
            400,
            "malformed-json",
            "unknown variant `pick`",
        ),
        (
            Method::POST,
            choices.clone(),
            json_ct,
            r#"{"option":"cpu.i9_14900k"}"#.into(),
            None,
            400,
            "malformed-json",
            "missing field `action`",
        ),
        (
            Method::POST,
            choices.clone(),
            json_ct,
            String::new(),
            None,
            400,
            "malformed-json",
            "empty",
        ),
        (
            Method::POST,
            "/api/configurations/ffffffffffffffffffffffffffffffff/choices".into(),
            json_ct,
            r#"{"option":"cpu.i9_14900k","action":"select"}"#.into(),
            None,
            404,
            "unknown-configuration",
            "ffff",
        ),
        (
            Method::PATCH,
            format!("/api/configurations/{cfg}"),
            json_ct,
            json!({"name": "x".repeat(201)}).to_string(),
            None,
            422,
            "bad-name",
            "200",
        ),
        (
            Method::GET,
            "/api/catalogs/pc/versions/one".into(),
            json_ct,
            String::new(),
            None,
            400,
            "bad-version",
            "one",
        ),
        (
            Method::GET,
            "/api/catalogs/pc/versions/7".into(),
            json_ct,
            String::new(),
            None,
            404,
            "unknown-version",
            "7",
        ),
        (
            Method::GET,
            "/api/catalogs/nope/versions/1".into(),
            json_ct,
            String::new(),
            None,
            404,
            "unknown-catalog",
            "nope",
        ),
        (
            Method::GET,
            "/api/quotes/xyz".into(),
            json_ct,
            String::new(),
            None,
            404,
            "unknown-quote",
            "xyz",
        ),
        (
            Method::GET,
            "/api/nothing/here".into(),
            json_ct,
            String::new(),
            None,
            404,
            "no-route",
            "openapi",
        ),
        (
            Method::DELETE,
            "/api/catalogs".into(),
            json_ct,
            String::new(),
            None,
            405,
            "method-not-allowed",
            "method",
        ),
    ];
    for (method, path, ct, body, token, want, code, needle) in cases {
        let (status, v) = c.raw(method.clone(), &path, ct, body, token).await;
        let detail = v["detail"].as_str().unwrap_or_default();
        assert_eq!(
            (status, v["error"].as_str()),
            (want, Some(code)),
            "{method} {path}: {v}"
        );
        assert!(
            detail.contains(needle),
            "{method} {path}: detail {detail:?} lacks {needle:?}"
        );
    }

    // Rule errors carry line and column in the diagnostics.
    let (status, v) = c
        .raw(
            Method::POST,
            "/api/catalogs",
            "application/toml",
            fixture("type_error.toml"),
            t,
        )
        .await;
    assert_eq!(status, 422);
    let d = &v["diagnostics"][0];
    assert_eq!(d["rule"], "bad-compare");
    assert_eq!(d["location"]["line"], 22, "{v}");
    // An unsatisfiable catalog is stored as a draft but publishing refuses it with the lint.
    let (status, _) = c
        .raw(
            Method::POST,
            "/api/catalogs",
            "application/toml",
            fixture("unsatisfiable.toml"),
            t,
        )
        .await;
    assert_eq!(status, 201);
    let id = toml::from_str::<Value>(&fixture("unsatisfiable.toml")).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, v) = c
        .post_empty(&format!("/api/catalogs/{id}/publish"), t)
        .await;
    assert_eq!(
        (status, v["error"].as_str()),
        (422, Some("unusable-catalog")),
        "{v}"
    );
    assert_eq!(v["lint"]["satisfiable"], false);
    let conflict: BTreeSet<&str> = v["lint"]["conflict"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(conflict, BTreeSet::from(["needs-red", "never-red"]));
    let (_, cat) = c.get(&format!("/api/catalogs/{id}"), t).await;
    assert_eq!(cat["latest"], Value::Null, "nothing was published");

    // The server is still healthy and the configuration untouched.
    assert_eq!(c.get("/healthz", None).await.0, 200);
    let (_, s) = c.get(&format!("/api/configurations/{cfg}"), None).await;
    assert_eq!(s["revision"], 0);
    assert_eq!(s["choices"], json!([]));
}

#[tokio::test(flavor = "multi_thread")]
async fn openapi_covers_every_route_of_the_server() {
    let dir = TempDir::new("openapi");
    let server = Server::start(dir.path(), &[]);
    let c = Client::new(&server);
    let (status, doc) = c.get("/api/openapi.json", None).await;
    assert_eq!(status, 200);
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 12);
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            // Fill path parameters with values that exist or not; the route must exist.
            let concrete = path.replace("{id}", "pc").replace("{version}", "1");
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let (_, v) = c.raw(m, &concrete, "application/json", "{}", None).await;
            let code = v["error"].as_str().unwrap_or("");
            assert!(
                code != "no-route" && code != "method-not-allowed",
                "{method} {path} is documented but not routed: {v}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn web_ui_placeholder_when_not_built() {
    let dir = TempDir::new("web");
    let server = Server::start(dir.path(), &[]);
    let resp = reqwest::get(server.url("/")).await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let text = resp.text().await.unwrap();
    assert!(text.contains("web UI is not built"), "{text}");
    server.kill();

    // With a built UI, its files are served; the API still answers JSON.
    let web = dir.path().join("web");
    std::fs::create_dir_all(&web).unwrap();
    std::fs::write(web.join("index.html"), "<p>the shop</p>").unwrap();
    std::fs::write(web.join("app.js"), "let x = 1;").unwrap();
    let server = Server::start(dir.path(), &[]);
    let text = reqwest::get(server.url("/"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(text, "<p>the shop</p>");
    let text = reqwest::get(server.url("/app.js"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(text, "let x = 1;");
    let c = Client::new(&server);
    assert_eq!(c.get("/api/nope", None).await.1["error"], "no-route");
}

#[tokio::test(flavor = "multi_thread")]
async fn solver_limits_answer_422_and_503_and_change_nothing() {
    // An effort budget of zero conflicts: every solver call stops at once.
    let dir = TempDir::new("limit");
    {
        let server = Server::start(dir.path(), &[]);
        let c = Client::new(&server);
        let id = c.new_configuration("pc").await;
        std::fs::write(dir.path().join("config-id"), &id).unwrap();
        server.kill();
    }
    let id = std::fs::read_to_string(dir.path().join("config-id")).unwrap();
    {
        let server = Server::start(dir.path(), &["--max-conflicts", "0"]);
        let c = Client::new(&server);
        let (status, v) = c.choose(&id, "cpu.i9_14900k", "select").await;
        assert_eq!(
            (status, v["error"].as_str()),
            (422, Some("solver-limit")),
            "{v}"
        );
        assert!(v["detail"].as_str().unwrap().contains("effort limit"));
        server.kill();
    }
    {
        // A time limit of zero: the request answers 503 and writes nothing.
        let server = Server::start(dir.path(), &["--solve-timeout-ms", "0"]);
        let c = Client::new(&server);
        let (status, v) = c.choose(&id, "cpu.i9_14900k", "select").await;
        assert_eq!(
            (status, v["error"].as_str()),
            (503, Some("solver-timeout")),
            "{v}"
        );
        // Every request's work has the time limit, but work that already started writing is
        // finished: either 503 and nothing written, or 200 and written (checked below).
        let (patch_status, _) = c
            .raw(
                Method::PATCH,
                &format!("/api/configurations/{id}"),
                "application/json",
                json!({"name": "late"}).to_string(),
                None,
            )
            .await;
        assert!(matches!(patch_status, 200 | 503), "{patch_status}");
        std::fs::write(dir.path().join("patch-status"), patch_status.to_string()).unwrap();
        assert_eq!(c.get("/healthz", None).await.0, 200);
        server.kill();
    }
    let server = Server::start(dir.path(), &[]);
    let c = Client::new(&server);
    let (status, s) = c.get(&format!("/api/configurations/{id}"), None).await;
    assert_eq!(status, 200);
    let patched = std::fs::read_to_string(dir.path().join("patch-status")).unwrap() == "200";
    let (revision, name) = if patched {
        (1, json!("late"))
    } else {
        (0, Value::Null)
    };
    assert_eq!(
        s["revision"], revision,
        "only the acknowledged PATCH was written: {s}"
    );
    assert_eq!(s["name"], name);
    assert_eq!(
        s["choices"],
        json!([]),
        "the refused choices were not written"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn data_survives_a_restart_and_examples_load_once() {
    let (dir, acme, _) = setup("restart");
    let id;
    {
        let server = Server::start(dir.path(), &[]);
        let c = Client::new(&server);
        assert_eq!(
            c.post("/api/catalogs", bike("bike"), Some(&acme)).await.0,
            201
        );
        assert_eq!(
            c.post_empty("/api/catalogs/bike/publish", Some(&acme))
                .await
                .0,
            201
        );
        id = c.new_configuration("bike").await;
        assert_eq!(c.choose(&id, "frame.carbon", "select").await.0, 200);
        // Clean shutdown this time (SIGTERM via kill would be SIGKILL; the crash test covers it).
    }
    let server = Server::start(dir.path(), &[]);
    let c = Client::new(&server);
    let (_, s) = c.get(&format!("/api/configurations/{id}"), None).await;
    assert_eq!(
        s["choices"],
        json!([{"option": "frame.carbon", "action": "select"}])
    );
    let (_, pc) = c.get("/api/catalogs/pc", None).await;
    assert_eq!(
        pc["versions"],
        json!([1]),
        "examples are published only on the first start"
    );
    // The server holds the directory: a second process cannot open it.
    let out = std::process::Command::new(support::BIN)
        .args(["token", "create", "--manufacturer", "x", "--data"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("in use"));
}

fn lines_of(state: &Value) -> BTreeSet<String> {
    state["product"]["lines"]
        .as_array()
        .unwrap_or_else(|| panic!("no product in {state}"))
        .iter()
        .map(|l| l["option"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn guided_mode_profiles_presets_and_popularity() {
    let dir = TempDir::new("guided");
    let server = Server::start(dir.path(), &[]);
    let c = Client::new(&server);

    // A needs profile steers the ranked question and the default product (within its budget).
    let (status, gaming) = c
        .post(
            "/api/configurations",
            json!({"catalog": "pc", "profile": "gaming"}),
            None,
        )
        .await;
    assert_eq!(status, 201, "{gaming}");
    assert_eq!(gaming["profile"], "gaming");
    let q = &gaming["next_question"];
    let ranked = q["options"].as_array().unwrap();
    assert!((1..=5).contains(&ranked.len()), "{q}");
    let group = q["group"].as_str().unwrap();
    for o in ranked {
        assert!(o["option"].as_str().unwrap().starts_with(group), "{o}");
        assert!(!o["reasons"].as_array().unwrap().is_empty(), "{o}");
        assert_eq!(state(&gaming, o["option"].as_str().unwrap()), "free");
    }
    let order: Vec<&str> = gaming["order"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g.as_str().unwrap())
        .collect();
    assert_eq!(order[0], group);
    for infrastructure in ["board", "psu", "cooler", "cables"] {
        assert!(!order.contains(&infrastructure), "{order:?}");
    }
    assert_eq!(gaming["product"]["satisfiable"], true);
    let gaming_total = gaming["product"]["total"].as_f64().unwrap();
    assert!(gaming_total <= 2200.0, "gaming budget: {gaming_total}");
    let (_, office) = c
        .post(
            "/api/configurations",
            json!({"catalog": "pc", "profile": "office"}),
            None,
        )
        .await;
    let office_total = office["product"]["total"].as_f64().unwrap();
    assert!(office_total <= 900.0, "office budget: {office_total}");
    assert!(lines_of(&office).contains("gpu.integrated"), "{office}");
    assert!(!lines_of(&gaming).contains("gpu.integrated"), "{gaming}");

    // A preset applies its choices and its profile.
    let (status, preset) = c
        .post(
            "/api/configurations",
            json!({"catalog": "pc", "preset": "starter-gaming"}),
            None,
        )
        .await;
    assert_eq!(status, 201, "{preset}");
    assert_eq!(preset["profile"], "gaming");
    for o in ["cpu.r5_7600", "gpu.rtx5060ti", "memory.vengeance_ddr5_32"] {
        assert_eq!(state(&preset, o), "selected", "{o}");
    }
    assert_eq!(preset["choices"].as_array().unwrap().len(), 3);

    // Unknown profiles and presets are named, with what exists.
    let (status, bad) = c
        .post(
            "/api/configurations",
            json!({"catalog": "pc", "profile": "racing"}),
            None,
        )
        .await;
    assert_eq!(
        (status, bad["error"].as_str()),
        (422, Some("unknown-profile"))
    );
    assert!(bad["detail"].as_str().unwrap().contains("gaming"), "{bad}");
    let (status, bad) = c
        .post(
            "/api/configurations",
            json!({"catalog": "pc", "preset": "rocket"}),
            None,
        )
        .await;
    assert_eq!(
        (status, bad["error"].as_str()),
        (422, Some("unknown-preset"))
    );

    // The profile can change later, or be removed.
    let id = office["id"].as_str().unwrap();
    let path = format!("/api/configurations/{id}");
    let patch = |body: Value| {
        c.raw(
            Method::PATCH,
            &path,
            "application/json",
            body.to_string(),
            None,
        )
    };
    let (status, body) = patch(json!({"profile": "creative"})).await;
    assert_eq!((status, body["profile"].as_str()), (200, Some("creative")));
    let (status, body) = patch(json!({"profile": "racing"})).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (422, Some("unknown-profile"))
    );
    let (status, body) = patch(json!({"profile": ""})).await;
    assert_eq!((status, body["profile"].clone()), (200, Value::Null));
    let (_, s) = c.get(&format!("/api/configurations/{id}"), None).await;
    assert_eq!(s["profile"], Value::Null);

    // Popularity: without shared configurations the default case is the manufacturer's; once
    // customers share configurations with another case, new customers get that one.
    let (_, fresh) = c
        .post("/api/configurations", json!({"catalog": "pc"}), None)
        .await;
    assert!(lines_of(&fresh).contains("case.corsair_4000d"), "{fresh}");
    for _ in 0..8 {
        let id = c.new_configuration("pc").await;
        let (status, s) = c.choose(&id, "case.o11_evo", "select").await;
        assert_eq!(status, 200, "{s}");
        let (status, body) = c.share(&id, true).await;
        assert_eq!(status, 200, "{body}");
    }
    let (_, after) = c
        .post("/api/configurations", json!({"catalog": "pc"}), None)
        .await;
    let lines = lines_of(&after);
    assert!(
        lines.contains("case.o11_evo") && !lines.contains("case.corsair_4000d"),
        "{lines:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn learned_presets_come_from_shared_configurations() {
    let dir = TempDir::new("learned");
    let server = Server::start(dir.path(), &[]);
    let c = Client::new(&server);
    let presets = |body: &Value| -> Vec<(String, bool)> {
        body["presets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["id"].as_str().unwrap().to_string(),
                    p["learned"].as_bool().unwrap(),
                )
            })
            .collect()
    };
    // Cold start: only the manufacturer's presets.
    let (status, cold) = c.get("/api/catalogs/pc/presets", None).await;
    assert_eq!(status, 200, "{cold}");
    assert!(!presets(&cold).is_empty());
    assert!(presets(&cold).iter().all(|(_, learned)| !learned), "{cold}");

    // Two groups of customers share their configurations: white gaming builds and quiet
    // office builds (and one customer does not share).
    let share = |profile: &'static str, picks: &'static [&'static str], shared: bool| {
        let c = &c;
        async move {
            let (status, s) = c
                .post(
                    "/api/configurations",
                    json!({"catalog": "pc", "profile": profile}),
                    None,
                )
                .await;
            assert_eq!(status, 201, "{s}");
            let id = s["id"].as_str().unwrap().to_string();
            for o in picks {
                let (status, s) = c.choose(&id, o, "select").await;
                assert_eq!(status, 200, "{s}");
            }
            let (status, body) = c.share(&id, shared).await;
            assert_eq!(status, 200, "{body}");
        }
    };
    let white: &[&str] = &["case.o11_evo", "gpu.rtx5070"];
    let quiet: &[&str] = &["gpu.integrated", "memory.vengeance_ddr5_32"];
    for _ in 0..5 {
        share("gaming", white, true).await;
    }
    for _ in 0..3 {
        share("office", quiet, true).await;
    }
    share("office", &["case.o11_evo"], false).await;

    let (status, warm) = c.get("/api/catalogs/pc/presets", None).await;
    assert_eq!(status, 200, "{warm}");
    let learned: Vec<&Value> = warm["presets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["learned"] == true)
        .collect();
    assert_eq!(learned.len(), 2, "{warm}");
    let choices = |p: &Value| -> Vec<String> {
        p["choices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect()
    };
    // A shared configuration counts as the product the customer ended with: the picks plus the
    // default product kept for the rest, so a preset answers the visible groups its cluster
    // agrees on, picks and kept defaults alike (never the infrastructure).
    let visible = |o: &String| {
        !["board.", "psu.", "cooler.", "cables.", "expansion."]
            .iter()
            .any(|g| o.starts_with(g))
    };
    let gaming = choices(learned[0]);
    assert!(
        white.iter().all(|o| gaming.contains(&o.to_string())),
        "{gaming:?}"
    );
    assert!(
        gaming.len() > white.len() && gaming.iter().all(visible),
        "{gaming:?}"
    );
    assert_eq!(learned[0]["profile"], "gaming");
    assert!((learned[0]["share"].as_f64().unwrap() - 5.0 / 8.0).abs() < 0.01);
    let office = choices(learned[1]);
    assert!(
        quiet.iter().all(|o| office.contains(&o.to_string())),
        "{office:?}"
    );
    assert!(office.iter().all(visible), "{office:?}");
    assert_eq!(learned[1]["profile"], "office");
    assert!(learned[0]["name"].as_str().unwrap().starts_with("Gaming"));

    // A new customer starts from a learned preset: its choices and its profile apply.
    let id = learned[0]["id"].as_str().unwrap();
    let (status, s) = c
        .post(
            "/api/configurations",
            json!({"catalog": "pc", "preset": id}),
            None,
        )
        .await;
    assert_eq!(status, 201, "{s}");
    assert_eq!(s["profile"], "gaming");
    assert_eq!(state(&s, "case.o11_evo"), "selected");
    assert_eq!(state(&s, "gpu.rtx5070"), "selected");
    // An unknown preset names the learned ones too.
    let (status, bad) = c
        .post(
            "/api/configurations",
            json!({"catalog": "pc", "preset": "learned-00000000"}),
            None,
        )
        .await;
    assert_eq!(status, 422, "{bad}");
    assert!(bad["detail"].as_str().unwrap().contains(id), "{bad}");
    let (status, _) = c.get("/api/catalogs/nope/presets", None).await;
    assert_eq!(status, 404);
}
