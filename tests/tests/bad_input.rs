//! Client mistakes and abuse through the real router: every one gets a GraphQL-shaped JSON answer
//! with a stable code (and, for input, the field at fault), never `INTERNAL`; expensive documents
//! are refused before they run; schema tools' introspection passes; responses keep query order.

use std::time::{Duration, Instant};

use axum::{
    body::Body,
    http::{header, Request, StatusCode},
    routing, Router,
};
use serde_json::{json, Value};
use tower::ServiceExt;
use vestegn_api::{config::Limits, with_layers};
use vestegn_tests::{fragment_bomb, on_each_backend, on_each_backend_with, TestApp};

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

/// POSTs a raw body as JSON and returns status, content type and the parsed body.
async fn post_raw(app: &TestApp, body: impl Into<String>) -> (StatusCode, String, Value) {
    let request = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, GRAPHQL_RESPONSE)
        .body(Body::from(body.into()))
        .unwrap();
    let (status, headers, body) = app.send(request).await;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = serde_json::from_str(&body)
        .unwrap_or_else(|err| panic!("{}: not JSON ({err}): {body}", app.label()));
    (status, content_type, body)
}

/// One bad request and what it must earn.
struct Case {
    what: &'static str,
    body: Value,
    status: StatusCode,
    code: &'static str,
    field: Option<&'static str>,
}

fn case(
    what: &'static str,
    query: &str,
    variables: Value,
    status: StatusCode,
    code: &'static str,
    field: Option<&'static str>,
) -> Case {
    Case {
        what,
        body: json!({ "query": query, "variables": variables }),
        status,
        code,
        field,
    }
}

fn cases() -> Vec<Case> {
    let bad = StatusCode::BAD_REQUEST;
    let ok = StatusCode::OK;
    let as_of = "query($asOf: Date!) { municipality(code: 183, asOf: $asOf) { name } }";
    let search = "query($s: String) { units(filter: { search: $s }) { edges { cursor } } }";
    let long = "ø".repeat(50_000 / 2);
    let cursor_of_units = "dW5pdDox"; // base64url("unit:1")
    let compare = r#"query($c: [Int!]!) { compareMunicipalities(codes: $c, asOf: "2023-07-01") { municipality { name } } }"#;
    vec![
        case("missing variable", as_of, json!({}), bad, "BAD_USER_INPUT", Some("asOf")),
        case("null for a non-null variable", as_of, json!({ "asOf": null }), bad, "BAD_USER_INPUT", Some("asOf")),
        case("number for a date", as_of, json!({ "asOf": 20230101 }), bad, "BAD_USER_INPUT", Some("asOf")),
        case("impossible date", as_of, json!({ "asOf": "2023-13-45" }), bad, "BAD_USER_INPUT", Some("asOf")),
        case("string for an Int", "query($c: Int!) { municipality(code: $c) { name } }", json!({ "c": "183" }), bad, "BAD_USER_INPUT", Some("c")),
        case("Int out of range", "query($c: Int!) { municipality(code: $c) { name } }", json!({ "c": 4_000_000_000u64 }), bad, "BAD_USER_INPUT", Some("c")),
        case("list for a string", search, json!({ "s": ["a"] }), bad, "BAD_USER_INPUT", Some("s")),
        case("unknown enum value", "query($l: PreventionLevel) { staffRoles(filter: { preventionLevel: $l }) { edges { cursor } } }", json!({ "l": "LOUD" }), bad, "BAD_USER_INPUT", Some("l")),
        case("unknown input field", "query($f: UnitFilterInput) { units(filter: $f) { edges { cursor } } }", json!({ "f": { "colour": "red" } }), bad, "BAD_USER_INPUT", Some("f.colour")),
        case("NUL byte in a variable", search, json!({ "s": "\u{0}" }), bad, "BAD_USER_INPUT", Some("s")),
        case("NUL byte in a literal", "{ units(filter: { search: \"a\\u0000b\" }) { edges { cursor } } }", json!({}), bad, "BAD_USER_INPUT", Some("filter.search")),
        case("50 KB search string", search, json!({ "s": long }), bad, "BAD_USER_INPUT", Some("s")),
        case("literal date that is no date", r#"{ municipality(code: 183, asOf: "yesterday") { name } }"#, json!({}), bad, "GRAPHQL_VALIDATION_FAILED", None),
        case("page too large", "{ units(first: 1000) { edges { cursor } } }", json!({}), ok, "BAD_USER_INPUT", Some("first")),
        case("negative page", "{ units(first: -1) { edges { cursor } } }", json!({}), ok, "BAD_USER_INPUT", Some("first")),
        case("cursor that is no cursor", r#"{ units(after: "!!!") { edges { cursor } } }"#, json!({}), ok, "BAD_USER_INPUT", Some("after")),
        case("cursor of another list", &format!(r#"{{ forums(after: "{cursor_of_units}") {{ edges {{ cursor }} }} }}"#), json!({}), ok, "BAD_USER_INPUT", Some("after")),
        case("ID that is no ID", r#"{ node(id: "garbage!") { id } }"#, json!({}), ok, "BAD_USER_INPUT", Some("id")),
        case("ID with a signed key", r#"{ node(id: "VW5pdDorMQ") { id } }"#, json!({}), ok, "BAD_USER_INPUT", Some("id")), // Unit:+1
        case("ID of the wrong kind", r#"{ staffRoles(filter: { source: "VW5pdDox" }) { edges { cursor } } }"#, json!({}), ok, "BAD_USER_INPUT", Some("filter.source")),
        case("unknown municipality", "{ municipality(code: 999) { name } }", json!({}), ok, "NOT_FOUND", None),
        case("no codes to compare", compare, json!({ "c": [] }), ok, "BAD_USER_INPUT", Some("codes")),
        case("more codes than the cap", compare, json!({ "c": (1..=101).collect::<Vec<i32>>() }), ok, "BAD_USER_INPUT", Some("codes")),
        case("unknown code to compare", compare, json!({ "c": [183, 12345] }), ok, "BAD_USER_INPUT", Some("codes")),
        case("code to compare twice", compare, json!({ "c": [183, 187, 183] }), ok, "BAD_USER_INPUT", Some("codes")),
        case("nested filter of unknown enum value", "query($c: BudgetCategory) { municipality(code: 183) { budgetLines(category: $c) { id } } }", json!({ "c": "BAD" }), bad, "BAD_USER_INPUT", Some("c")),
        case("nested filter string too long", "query($k: String) { municipality(code: 183) { units(kind: $k) { id } } }", json!({ "k": long }), bad, "BAD_USER_INPUT", Some("k")),
        case("nested filter of wrong type", "{ units(first: 1) { nodes { budgetLines(year: \"x\") { id } } } }", json!({}), bad, "GRAPHQL_VALIDATION_FAILED", None),
        case("unknown field", "{ noSuchField }", json!({}), bad, "GRAPHQL_VALIDATION_FAILED", None),
        case("unparsable document", "{ municipality(code: ", json!({}), bad, "GRAPHQL_PARSE_FAILED", None),
        case("long unknown field", &format!("{{ a{} }}", "x".repeat(60_000)), json!({}), bad, "GRAPHQL_VALIDATION_FAILED", None),
        case("long unparsable line", &format!("{{ a{} ( }}", "x".repeat(60_000)), json!({}), bad, "GRAPHQL_PARSE_FAILED", None),
        Case { what: "unknown operation name", body: json!({ "query": "query A { __typename }", "operationName": "B" }), status: bad, code: "GRAPHQL_VALIDATION_FAILED", field: None },
        Case { what: "operation name that is a number", body: json!({ "query": "{ __typename }", "operationName": 5 }), status: bad, code: "BAD_REQUEST", field: None },
        Case { what: "query that is a number", body: json!({ "query": 5 }), status: bad, code: "BAD_REQUEST", field: None },
        Case { what: "variables that are a string", body: json!({ "query": "{ __typename }", "variables": "{}" }), status: bad, code: "BAD_REQUEST", field: None },
        Case { what: "extensions that are a string", body: json!({ "query": "{ __typename }", "extensions": "x" }), status: bad, code: "BAD_REQUEST", field: None },
        Case { what: "extensions that are an array", body: json!({ "query": "{ __typename }", "extensions": [] }), status: bad, code: "BAD_REQUEST", field: None },
        Case { what: "no query", body: json!({ "variables": {} }), status: bad, code: "BAD_REQUEST", field: None },
    ]
}

#[tokio::test]
async fn every_bad_input_gets_its_code_and_field_never_internal() {
    on_each_backend(|app| async move {
        for case in cases() {
            let (status, content_type, body) = post_raw(&app, case.body.to_string()).await;
            let error = &body["errors"][0];
            let label = format!("{} / {}: {body}", app.label(), case.what);
            assert!(content_type.starts_with(GRAPHQL_RESPONSE), "{label}");
            assert_eq!(status, case.status, "{label}");
            assert_eq!(error["extensions"]["code"], case.code, "{label}");
            match case.field {
                Some(field) => assert_eq!(error["extensions"]["field"], field, "{label}"),
                None => assert!(error["extensions"].get("field").is_none(), "{label}"),
            }
            let message = error["message"].as_str().unwrap();
            assert!(message.len() < 300, "echoed input is cut short: {label}");
        }
    })
    .await;
}

#[tokio::test]
async fn a_search_for_a_nul_byte_matches_nothing_rather_than_everything() {
    on_each_backend(|app| async move {
        let (status, _, body) = post_raw(
            &app,
            json!({ "query": "query($s: String) { units(filter: { search: $s }) { edges { cursor } } }", "variables": { "s": "\u{0}" } }).to_string(),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(body.get("data").is_none(), "no rows: {body}");
    })
    .await;
}

#[tokio::test]
async fn fragment_bombs_are_refused_before_they_run() {
    on_each_backend(|app| async move {
        for depth in [25, 40, 200] {
            let started = Instant::now();
            let (status, _, body) =
                post_raw(&app, json!({ "query": fragment_bomb(depth) }).to_string()).await;
            // Not a timing target (see the benchmark): expanding would take hours, not seconds.
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "{depth}: {:?}",
                started.elapsed()
            );
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
            let error = &body["errors"][0];
            assert_eq!(error["extensions"]["code"], "QUERY_TOO_COMPLEX", "{body}");
            let message = error["message"].as_str().unwrap();
            assert!(
                message.contains("MAX_QUERY_FIELDS") && message.contains("2000"),
                "{message}"
            );
        }
        // A fragment that spreads itself is refused as invalid, not walked forever.
        let cycle = "query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }";
        let (status, _, body) = post_raw(&app, json!({ "query": cycle }).to_string()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(
            body["errors"][0]["extensions"]["code"],
            "GRAPHQL_VALIDATION_FAILED"
        );
        // So is text nested deeper than the parser should recurse.
        let nested = format!("{{ {} }}", "a { ".repeat(5000) + &"}".repeat(5000));
        let (status, _, body) = post_raw(&app, json!({ "query": nested }).to_string()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["errors"][0]["extensions"]["code"], "QUERY_TOO_COMPLEX");
    })
    .await;
}

#[tokio::test]
async fn lists_multiply_the_complexity_of_what_is_below_them() {
    on_each_backend(|app| async move {
        // 30 aliases, each a page of 100 municipalities with their units and staff.
        let heavy: String = (0..30)
            .map(|i| format!("m{i}: municipalities(first: 100) {{ nodes {{ units {{ staffRoles {{ title }} }} }} }}"))
            .collect::<Vec<_>>()
            .join(" ");
        let (status, _, body) = post_raw(&app, json!({ "query": format!("{{ {heavy} }}") }).to_string()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("MAX_QUERY_COMPLEXITY"), "{message}");

        // The page size of a connection counts, whether literal or a variable.
        let one_page = "query($n: Int) { municipalities(first: $n) { nodes { units { staffRoles { title } } } } }";
        let (status, _, _) = post_raw(&app, json!({ "query": one_page, "variables": { "n": 5 } }).to_string()).await;
        assert_eq!(status, StatusCode::OK);
        let (status, _, body) = post_raw(&app, json!({ "query": format!("{{ {} }}", (0..6).map(|i| format!("m{i}: municipalities(first: 100) {{ nodes {{ units {{ staffRoles {{ title }} }} }} }}")).collect::<Vec<_>>().join(" ")) }).to_string()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    })
    .await;
}

#[tokio::test]
async fn the_standard_introspection_queries_pass_the_default_limits() {
    on_each_backend(|app| async move {
        for query in [
            include_str!("fixtures/introspection.graphql"),
            include_str!("fixtures/introspection-all-options.graphql"),
        ] {
            let (status, _, body) = post_raw(&app, json!({ "query": query }).to_string()).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            assert!(body.get("errors").is_none(), "{body}");
            assert_eq!(body["data"]["__schema"]["queryType"]["name"], "Query");
        }
    })
    .await;
}

#[tokio::test]
async fn response_fields_come_in_query_order() {
    on_each_backend(|app| async move {
        let query = "{ zz: municipality(code: 183) { population name code } aa: __typename }";
        let request = Request::post("/graphql")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json!({ "query": query }).to_string()))
            .unwrap();
        let (_, _, body) = app.send(request).await;
        let zz = body.find("\"zz\"").unwrap();
        let aa = body.find("\"aa\"").unwrap();
        let (population, name, code) = (
            body.find("\"population\"").unwrap(),
            body.find("\"name\"").unwrap(),
            body.find("\"code\"").unwrap(),
        );
        assert!(zz < aa && population < name && name < code, "{body}");
    })
    .await;
}

/// The layers answer with GraphQL-shaped JSON too: 404, 408, 413, 414, 431, 500.
#[tokio::test]
async fn refusals_of_the_layers_are_graphql_responses() {
    let limits = Limits {
        max_body_bytes: 2048,
        max_uri_bytes: 1024,
        max_header_bytes: 2048,
        ..Limits::default()
    };
    on_each_backend_with(limits, true, |app| async move {
        let big = json!({ "query": "{ __typename }", "variables": { "pad": "x".repeat(4096) } });
        let (status, _, body) = post_raw(&app, big.to_string()).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(body["errors"][0]["extensions"]["code"], "PAYLOAD_TOO_LARGE");

        let long_url = format!("/graphql?query={}", "%20".repeat(2000));
        let expectations = [
            (
                Request::get(&long_url).body(Body::empty()).unwrap(),
                StatusCode::URI_TOO_LONG,
                "URI_TOO_LONG",
            ),
            (
                Request::get("/healthz")
                    .header("x-pad", "y".repeat(4096))
                    .body(Body::empty())
                    .unwrap(),
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                "REQUEST_HEADER_FIELDS_TOO_LARGE",
            ),
            (
                Request::get("/nowhere").body(Body::empty()).unwrap(),
                StatusCode::NOT_FOUND,
                "ROUTE_NOT_FOUND",
            ),
        ];
        for (request, status, code) in expectations {
            let (got, headers, body) = app.send(request).await;
            assert_eq!(got, status, "{body}");
            assert!(headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .contains("json"));
            let body: Value = serde_json::from_str(&body).unwrap();
            assert_eq!(body["errors"][0]["extensions"]["code"], code);
        }
    })
    .await;

    // Timeouts and panics, around handlers made to misbehave (deterministic).
    let limits = Limits {
        request_timeout_secs: 1,
        ..Limits::default()
    };
    let misbehaving = Router::new()
        .route(
            "/slow",
            routing::get(|| async {
                tokio::time::sleep(Duration::from_secs(600)).await;
                "too late"
            }),
        )
        .route(
            "/panic",
            routing::get(|| async {
                if true {
                    panic!("a bug");
                }
                "unreachable"
            }),
        );
    let app = with_layers(misbehaving, &limits);
    for (path, status, code) in [
        ("/slow", StatusCode::REQUEST_TIMEOUT, "REQUEST_TIMEOUT"),
        ("/panic", StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL"),
    ] {
        let response = app
            .clone()
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), status);
        assert!(response.headers().contains_key("x-request-id"));
        let bytes = http_body_util::BodyExt::collect(response.into_body())
            .await
            .unwrap()
            .to_bytes();
        let body: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(body["errors"][0]["extensions"]["code"], code, "{body}");
    }
}

#[tokio::test]
async fn request_ids_from_clients_are_kept_only_when_they_look_like_ids() {
    on_each_backend(|app| async move {
        for (sent, kept) in [
            ("abc-123", true),
            ("trace.id:42_x", true),
            ("forged\"} {\"level\":\"ERROR", false),
            ("tab\there", false),
            ("has space", false),
            ("ø", false),
        ] {
            let request = Request::get("/healthz")
                .header(
                    "x-request-id",
                    axum::http::HeaderValue::from_bytes(sent.as_bytes()).unwrap(),
                )
                .body(Body::empty())
                .unwrap();
            let (_, headers, _) = app.send(request).await;
            let id = String::from_utf8_lossy(headers["x-request-id"].as_bytes()).into_owned();
            assert_eq!(id.as_str() == sent, kept, "{sent:?} -> {id:?}");
            if !kept {
                assert_eq!(id.len(), 36, "a fresh UUID instead of {sent:?}");
            }
        }
        let long = "a".repeat(65);
        let request = Request::get("/healthz")
            .header("x-request-id", &long)
            .body(Body::empty())
            .unwrap();
        let (_, headers, _) = app.send(request).await;
        assert_ne!(headers["x-request-id"], long.as_str());
    })
    .await;
}
