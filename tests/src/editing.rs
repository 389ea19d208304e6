//! What tests of mutations share: the real router with a test OpenID issuer, tokens of an Ishøj
//! editor and of other principals, GraphQL requests with a bearer token, and the code and field
//! of a refusal.

use axum::{
    body::Body,
    http::{header, HeaderMap, Request, StatusCode},
    Router,
};
use serde_json::{json, Value};
use tower::ServiceExt;
use vestegn_api::config::AuthConfig;

use crate::{issuer::TestIssuer, TestApp};

/// The municipality the editor edits.
pub const ISHOEJ: i32 = 183;
/// Another municipality, whose editor must not write Ishøj's records.
pub const ALBERTSLUND: i32 = 165;

/// Posts a GraphQL request with a bearer token (none: anonymous); the response body.
pub async fn ask(router: &Router, token: Option<&str>, query: &str, variables: Value) -> Value {
    ask_for_answer(router, token, query, variables).await.2
}

/// Like [`ask`]: the status, the headers and the body.
pub async fn ask_for_answer(
    router: &Router,
    token: Option<&str>,
    query: &str,
    variables: Value,
) -> (StatusCode, HeaderMap, Value) {
    let (status, headers, bytes) = ask_for_bytes(router, token, query, &variables).await;
    (status, headers, serde_json::from_slice(&bytes).unwrap())
}

/// Like [`ask`]: the status, the headers and the body's bytes as the server wrote them.
pub async fn ask_for_bytes(
    router: &Router,
    token: Option<&str>,
    query: &str,
    variables: &Value,
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut request = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, "application/graphql-response+json");
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let body = json!({ "query": query, "variables": variables }).to_string();
    let response = router
        .clone()
        .oneshot(request.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let (parts, body) = response.into_parts();
    let bytes = http_body_util::BodyExt::collect(body)
        .await
        .unwrap()
        .to_bytes();
    (parts.status, parts.headers, bytes.to_vec())
}

/// Sets who sees record `id` (read at `revision`) as `token` (an admin's), which must succeed;
/// the record's new revision.
pub async fn share(
    router: &Router,
    token: &str,
    id: &Value,
    revision: i32,
    visibility: &str,
) -> i64 {
    let answer = ask(
        router,
        Some(token),
        "mutation ($id: ID!, $revision: Int!, $visibility: Visibility!) {
           setVisibility(id: $id, revision: $revision, visibility: $visibility) { revision } }",
        json!({ "id": id, "revision": revision, "visibility": visibility }),
    )
    .await;
    answer["data"]["setVisibility"]["revision"]
        .as_i64()
        .unwrap_or_else(|| panic!("not shared: {answer}"))
}

/// The error code and field of a response's first error.
pub fn refusal(body: &Value) -> (String, Option<String>) {
    let extensions = &body["errors"][0]["extensions"];
    (
        extensions["code"].as_str().unwrap_or("none").to_owned(),
        extensions["field"].as_str().map(str::to_owned),
    )
}

/// The router of a test app that checks tokens of a test issuer, and an Ishøj editor's token
/// (subject `anne`).
pub struct Editing {
    pub router: Router,
    pub editor: String,
    pub issuer: TestIssuer,
    pub issuer_tokens: Tokens,
}

/// Tokens of other principals.
pub struct Tokens {
    /// An Ishøj viewer (reads, never writes).
    pub viewer: String,
    /// An Albertslund editor.
    pub other_editor: String,
}

/// Starts a test issuer and the app's router checking its tokens.
pub async fn editing(app: &TestApp) -> Editing {
    let issuer = TestIssuer::start().await;
    let router = app.router_with_auth(&AuthConfig {
        issuer: Some(issuer.issuer()),
        ..AuthConfig::default()
    });
    Editing {
        router,
        editor: issuer.sign(json!({ "municipality": ISHOEJ, "roles": ["editor"], "sub": "anne" })),
        issuer_tokens: Tokens {
            viewer: issuer.user_token(ISHOEJ, &["viewer"]),
            other_editor: issuer.user_token(ALBERTSLUND, &["editor"]),
        },
        issuer,
    }
}
