//! GraphQL over HTTP as its specification says, and the server basics (health, request ids,
//! limits), through the real router.

use axum::{
    body::Body,
    http::{header, Request, StatusCode},
};
use serde_json::{json, Value};
use vestegn_api::config::Limits;
use vestegn_tests::{on_each_backend, on_each_backend_with, TestApp};

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

fn post(body: &str, content_type: &str, accept: &str) -> Request<Body> {
    Request::post("/graphql")
        .header(header::CONTENT_TYPE, content_type)
        .header(header::ACCEPT, accept)
        .body(Body::from(body.to_owned()))
        .expect("request")
}

fn get(path_and_query: &str, accept: &str) -> Request<Body> {
    Request::get(path_and_query)
        .header(header::ACCEPT, accept)
        .body(Body::empty())
        .expect("request")
}

fn json_of(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|err| panic!("not JSON ({err}): {body}"))
}

async fn first_error_code(app: &TestApp, request: Request<Body>) -> (StatusCode, String, Value) {
    let (status, headers, body) = app.send(request).await;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let code = json_of(&body)["errors"][0]["extensions"]["code"].clone();
    (status, content_type, code)
}

#[tokio::test]
async fn queries_work_over_get_and_post_with_negotiated_media_types() {
    on_each_backend(|app| async move {
        let (status, headers, body) = app
            .send(post(
                r#"{"query":"{ municipality(code: 183) { name } }"}"#,
                "application/json",
                GRAPHQL_RESPONSE,
            ))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with(GRAPHQL_RESPONSE));
        assert_eq!(json_of(&body)["data"]["municipality"]["name"], "Ishøj");

        let (status, headers, body) = app
            .send(get(
                "/graphql?query=%7B%20municipality(code%3A%20187)%20%7B%20name%20%7D%20%7D",
                "application/json",
            ))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/json"));
        assert_eq!(json_of(&body)["data"]["municipality"]["name"], "Vallensbæk");

        // No Accept header: treated as a legacy application/json client.
        let request = Request::post("/graphql")
            .header(header::CONTENT_TYPE, "application/json; charset=utf-8")
            .body(Body::from(
                r#"{"query":"{ municipality(code: 169) { name } }"}"#,
            ))
            .unwrap();
        let (status, headers, _) = app.send(request).await;
        assert_eq!(status, StatusCode::OK);
        assert!(headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/json"));
    })
    .await;
}

#[tokio::test]
async fn unparsable_and_invalid_documents_are_400_under_the_new_media_type() {
    on_each_backend(|app| async move {
        let (status, content_type, code) = first_error_code(
            &app,
            post(
                r#"{"query":"{ municipality(code: "}"#,
                "application/json",
                GRAPHQL_RESPONSE,
            ),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(content_type.starts_with(GRAPHQL_RESPONSE));
        assert_eq!(code, "GRAPHQL_PARSE_FAILED");

        let (status, _, code) = first_error_code(
            &app,
            post(
                r#"{"query":"{ noSuchField }"}"#,
                "application/json",
                GRAPHQL_RESPONSE,
            ),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(code, "GRAPHQL_VALIDATION_FAILED");

        // The legacy type answers well-formed requests with 200, errors in the body.
        let (status, _, code) = first_error_code(
            &app,
            post(
                r#"{"query":"{ noSuchField }"}"#,
                "application/json",
                "application/json",
            ),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(code, "GRAPHQL_VALIDATION_FAILED");

        // A request error has no data entry at all.
        let (_, _, body) = app
            .send(post(
                r#"{"query":"{ noSuchField }"}"#,
                "application/json",
                GRAPHQL_RESPONSE,
            ))
            .await;
        assert!(json_of(&body).get("data").is_none());
    })
    .await;
}

#[tokio::test]
async fn mutations_over_get_are_refused_with_405() {
    on_each_backend(|app| async move {
        let (status, headers, body) = app
            .send(get(
                "/graphql?query=mutation%20%7B%20x%20%7D",
                GRAPHQL_RESPONSE,
            ))
            .await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(headers[header::ALLOW], "POST");
        assert_eq!(
            json_of(&body)["errors"][0]["extensions"]["code"],
            "METHOD_NOT_ALLOWED"
        );
    })
    .await;
}

#[tokio::test]
async fn only_json_bodies_and_single_operations_are_accepted() {
    on_each_backend(|app| async move {
        let (status, _, code) = first_error_code(
            &app,
            post(
                "query={__typename}",
                "application/x-www-form-urlencoded",
                GRAPHQL_RESPONSE,
            ),
        )
        .await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(code, "UNSUPPORTED_MEDIA_TYPE");

        let batch = r#"[{"query":"{ __typename }"},{"query":"{ __typename }"}]"#;
        let (status, _, code) =
            first_error_code(&app, post(batch, "application/json", GRAPHQL_RESPONSE)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(code, "BATCH_NOT_SUPPORTED");

        let (status, _, code) = first_error_code(
            &app,
            post("{not json", "application/json", GRAPHQL_RESPONSE),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(code, "BAD_REQUEST");

        let (status, _, code) = first_error_code(
            &app,
            post(r#"{"variables":{}}"#, "application/json", GRAPHQL_RESPONSE),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(code, "BAD_REQUEST");

        let (status, _, code) = first_error_code(
            &app,
            post(
                r#"{"query":"{ __typename }"}"#,
                "application/json",
                "text/plain",
            ),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_ACCEPTABLE);
        assert_eq!(code, "NOT_ACCEPTABLE");
    })
    .await;
}

#[tokio::test]
async fn graphiql_health_and_request_ids() {
    on_each_backend(|app| async move {
        // A browser gets a page (GraphiQL, or how to build it: tests/tests/web.rs), not a query.
        let (_, headers, body) = app
            .send(get("/graphql", "text/html,application/xhtml+xml"))
            .await;
        assert!(headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        assert!(body.to_lowercase().contains("graphiql"));

        let (status, headers, body) = app.send(get("/healthz", "application/json")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(json_of(&body)["status"], "ok");
        let request_id = headers["x-request-id"].to_str().unwrap();
        assert_eq!(request_id.len(), 36, "a UUID request id: {request_id}");

        let (status, _, body) = app.send(get("/readyz", "application/json")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(json_of(&body)["database"], "ok");

        // A request id given by the client is kept.
        let request = Request::get("/healthz")
            .header("x-request-id", "abc-123")
            .body(Body::empty())
            .unwrap();
        let (_, headers, _) = app.send(request).await;
        assert_eq!(headers["x-request-id"], "abc-123");
    })
    .await;
}

#[tokio::test]
async fn protective_limits_answer_with_stable_codes() {
    let limits = Limits {
        max_depth: 4,
        max_complexity: 60,
        max_aliases: 3,
        max_body_bytes: 2048,
        ..Limits::default()
    };
    on_each_backend_with(limits, true, |app| async move {
        let deep = "{ municipality(code: 183) { units { parent { parent { parent { name } } } } } }";
        let error = app.query_error(deep, json!({})).await;
        assert_eq!(error["extensions"]["code"], "QUERY_TOO_COMPLEX", "{error}");

        let aliases = "{ a: __typename b: __typename c: __typename d: __typename }";
        let (status, body) = app.post(aliases, json!({})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["errors"][0]["extensions"]["code"], "QUERY_TOO_COMPLEX");

        let wide = "{ municipalities(first: 100) { edges { node { name code population populationYear populationNote units { name kind } } } } }";
        let error = app.query_error(wide, json!({})).await;
        assert_eq!(error["extensions"]["code"], "QUERY_TOO_COMPLEX", "{error}");

        let big = format!(r#"{{"query":"{{ __typename }}","variables":{{"pad":"{}"}}}}"#, "x".repeat(4096));
        let (status, _, _) = app.send(post(&big, "application/json", GRAPHQL_RESPONSE)).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    })
    .await;
}

#[tokio::test]
async fn bad_arguments_name_the_field_at_fault() {
    on_each_backend(|app| async move {
        let error = app.query_error("{ municipalities(first: 1000) { edges { cursor } } }", json!({})).await;
        assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT");
        assert_eq!(error["extensions"]["field"], "first");

        let error = app
            .query_error(r#"{ municipalities(after: "bm9wZQ") { edges { cursor } } }"#, json!({}))
            .await;
        assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT");
        assert_eq!(error["extensions"]["field"], "after");

        let error = app.query_error(r#"{ node(id: "garbage!") { id } }"#, json!({})).await;
        assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT");
        assert_eq!(error["extensions"]["field"], "id");

        let error = app.query_error("{ municipality(code: 999) { name } }", json!({})).await;
        assert_eq!(error["extensions"]["code"], "NOT_FOUND");

        let error = app
            .query_error(r#"{ compareMunicipalities(codes: [165, 999], asOf: "2023-06-01") { municipality { name } } }"#, json!({}))
            .await;
        assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT");
        assert_eq!(error["extensions"]["field"], "codes");

        let error = app
            .query_error(r#"query($d: Date!) { compareMunicipalities(codes: [165], asOf: $d) { municipality { name } } }"#, json!({ "d": "2023-13-45" }))
            .await;
        assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "{error}");
    })
    .await;
}
