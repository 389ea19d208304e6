//! What tests of the model's export and import share: `GET` and `PUT /models/{code}` through the
//! real router, with a bearer token and, for an import, an `If-Match`.

use axum::{
    body::Body,
    http::{header, HeaderMap, Method, Request, StatusCode},
    Router,
};
use serde_json::Value;
use tower::ServiceExt;
use vestegn_api::service::document::ModelFile;

/// A model document as its types (which must parse).
pub fn parse(text: &str) -> ModelFile {
    toml::from_str(text).unwrap()
}

/// A model document's text.
pub fn write(model: &ModelFile) -> String {
    toml::to_string(model).unwrap()
}

/// Sends a request to `uri` with a bearer token and an `If-Match` when given; the status, the
/// headers and the body.
pub async fn send_with(
    router: &Router,
    method: Method,
    uri: String,
    (token, if_match): (Option<&str>, Option<&str>),
    body: String,
) -> (StatusCode, HeaderMap, String) {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    if let Some(tag) = if_match {
        request = request.header(header::IF_MATCH, tag);
    }
    let response = router
        .clone()
        .oneshot(request.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    (status, headers, String::from_utf8(bytes.to_vec()).unwrap())
}

/// Sends a request to `uri` with a bearer token (none: anonymous); the status and body.
pub async fn send(
    router: &Router,
    method: Method,
    uri: String,
    token: Option<&str>,
    body: String,
) -> (StatusCode, String) {
    let (status, _, body) = send_with(router, method, uri, (token, None), body).await;
    (status, body)
}

/// The model of `code` as the caller sees it (which must succeed) and its `ETag`.
pub async fn export_tagged(router: &Router, code: i32, token: Option<&str>) -> (String, String) {
    let (status, headers, body) = send_with(
        router,
        Method::GET,
        format!("/models/{code}"),
        (token, None),
        String::new(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let tag = headers
        .get(header::ETAG)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_else(|| panic!("an ETag: {headers:?}"))
        .to_owned();
    (body, tag)
}

/// The model of `code` as the caller sees it (which must succeed).
pub async fn export(router: &Router, code: i32, token: Option<&str>) -> String {
    export_tagged(router, code, token).await.0
}

/// Imports `document` as the model of `code` (a dry run when asked), with an `If-Match` when
/// given; the status, the `ETag` of the answer, if any, and the body as JSON.
pub async fn import_with(
    router: &Router,
    code: i32,
    (token, if_match): (Option<&str>, Option<&str>),
    document: &str,
    dry_run: bool,
) -> (StatusCode, Option<String>, Value) {
    let uri = if dry_run {
        format!("/models/{code}?dryRun=true")
    } else {
        format!("/models/{code}")
    };
    let (status, headers, body) = send_with(
        router,
        Method::PUT,
        uri,
        (token, if_match),
        document.to_owned(),
    )
    .await;
    let tag = headers
        .get(header::ETAG)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    (
        status,
        tag,
        serde_json::from_str(&body).unwrap_or(Value::String(body)),
    )
}

/// Imports `document` as the model of `code` (a dry run when asked); the status and the body.
pub async fn import(
    router: &Router,
    code: i32,
    token: Option<&str>,
    document: &str,
    dry_run: bool,
) -> (StatusCode, Value) {
    let (status, _, body) = import_with(router, code, (token, None), document, dry_run).await;
    (status, body)
}

/// The code and path of each error of a refusal.
pub fn problems(body: &Value) -> Vec<(String, String)> {
    body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("errors: {body}"))
        .iter()
        .map(|error| {
            (
                error["extensions"]["code"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                error["extensions"]["field"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect()
}
