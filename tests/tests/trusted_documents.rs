//! Trusted documents through the real router: a registered document (the page's, the budget
//! client's) sent by its id, by `GET` and `POST`, or by Apollo's persisted query hash; the
//! usual errors for an unknown id or a text that is not its id's document; and the setting that
//! makes the server run registered documents only, for anonymous callers or for everyone.

use std::collections::HashMap;

use axum::{
    body::Body,
    http::{header, Request, StatusCode},
    Router,
};
use serde_json::{json, Value};
use tower::ServiceExt;
use vestegn_api::config::{AuthConfig, Limits, RequireTrustedDocuments};
use vestegn_tests::{issuer::TestIssuer, on_each_backend};

const PAGE_DOCUMENTS: &str = include_str!("../../web/src/gql/persisted-documents.json");
const BUDGET_CLIENT_DOCUMENT: &str =
    include_str!("../../budget-client/src/pull_budget_lines.graphql");

/// The page's registered documents, id → text.
fn page_documents() -> HashMap<String, String> {
    serde_json::from_str(PAGE_DOCUMENTS).unwrap()
}

/// The id of the page's document whose operation is `name`.
fn page_id(name: &str) -> String {
    page_documents()
        .into_iter()
        .find(|(_, text)| text.contains(&format!("query {name}")))
        .unwrap_or_else(|| panic!("the page has no {name}"))
        .0
}

fn sha256_id(text: &str) -> String {
    use sha2::{Digest, Sha256};
    let hex: String = Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256:{hex}")
}

/// Sends `body` by POST (or, when `get` is given, that URL query by GET); status and body.
async fn send(
    router: &Router,
    token: Option<&str>,
    body: Option<Value>,
    get: Option<&str>,
) -> (StatusCode, Value) {
    let mut request = match get {
        Some(query) => Request::get(format!("/graphql?{query}")),
        None => Request::post("/graphql").header(header::CONTENT_TYPE, "application/json"),
    }
    .header(header::ACCEPT, "application/graphql-response+json");
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let body = match body {
        Some(body) => Body::from(body.to_string()),
        None => Body::empty(),
    };
    let response = router
        .clone()
        .oneshot(request.body(body).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap())
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("none")
}

#[tokio::test]
async fn registered_documents_are_sent_by_their_id() {
    on_each_backend(|app| async move {
        let label = app.label();
        let router = app.router_with_auth(&AuthConfig::default());
        let chooser = page_id("Chooser");

        // The page's chooser by GET, and the budget client's query by POST, each by its id.
        let (status, body) =
            send(&router, None, None, Some(&format!("documentId={chooser}"))).await;
        assert_eq!(status, StatusCode::OK, "{label}: {body}");
        assert!(
            body["data"]["municipalities"]["nodes"]
                .as_array()
                .unwrap()
                .len()
                > 5
        );
        let budget = json!({
            "documentId": sha256_id(BUDGET_CLIENT_DOCUMENT),
            "variables": { "year": 2023, "first": 5 },
        });
        let (status, body) = send(&router, None, Some(budget), None).await;
        assert_eq!(status, StatusCode::OK, "{label}: {body}");
        assert!(body["data"]["budgetLines"]["edges"].is_array(), "{body}");

        // Apollo's persisted query extension names the same document.
        let hash = chooser.trim_start_matches("sha256:");
        let apollo =
            json!({ "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } } });
        let (status, by_hash) = send(&router, None, Some(apollo), None).await;
        assert_eq!(status, StatusCode::OK, "{label}: {by_hash}");

        // An id nobody registered, a malformed one, a text that is not its id's document.
        let unknown = json!({ "documentId": sha256_id("{ sources { key } }") });
        let (status, body) = send(&router, None, Some(unknown), None).await;
        assert_eq!(
            (status, code(&body)),
            (StatusCode::BAD_REQUEST, "PERSISTED_QUERY_NOT_FOUND"),
            "{label}"
        );
        let (status, body) = send(&router, None, None, Some("documentId=Chooser")).await;
        assert_eq!(
            (status, code(&body)),
            (StatusCode::BAD_REQUEST, "BAD_REQUEST"),
            "{label}"
        );
        let mismatch = json!({ "documentId": chooser, "query": "{ sources { key } }" });
        let (status, body) = send(&router, None, Some(mismatch), None).await;
        assert_eq!(
            (status, code(&body)),
            (StatusCode::BAD_REQUEST, "BAD_REQUEST"),
            "{label}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_server_can_run_registered_documents_only() {
    let issuer = TestIssuer::start().await;
    on_each_backend(|app| {
        let issuer = &issuer;
        async move {
            let label = app.label();
            let auth = AuthConfig {
                issuer: Some(issuer.issuer()),
                ..AuthConfig::default()
            };
            let viewer = issuer.user_token(183, &["viewer"]);
            let chooser_id = page_id("Chooser");
            let chooser_text = page_documents()[&chooser_id].clone();
            let free_text = json!({ "query": "{ municipalities(first: 1) { nodes { code } } }" });
            let by_id = json!({ "documentId": chooser_id });
            let registered_text = json!({ "query": chooser_text });

            let for_anonymous = app.router_with(
                &auth,
                Limits {
                    require_trusted_documents: RequireTrustedDocuments::Anonymous,
                    ..Limits::default()
                },
            );
            let (status, body) = send(&for_anonymous, None, Some(free_text.clone()), None).await;
            assert_eq!(
                (status, code(&body)),
                (StatusCode::BAD_REQUEST, "PERSISTED_QUERY_REQUIRED"),
                "{label}"
            );
            for registered in [&by_id, &registered_text] {
                let (status, body) =
                    send(&for_anonymous, None, Some(registered.clone()), None).await;
                assert_eq!(status, StatusCode::OK, "{label}: {body}");
            }
            let (status, body) =
                send(&for_anonymous, Some(&viewer), Some(free_text.clone()), None).await;
            assert_eq!(
                status,
                StatusCode::OK,
                "{label}: a signed-in caller may send any: {body}"
            );

            let for_everyone = app.router_with(
                &auth,
                Limits {
                    require_trusted_documents: RequireTrustedDocuments::Everyone,
                    ..Limits::default()
                },
            );
            let (status, body) = send(&for_everyone, Some(&viewer), Some(free_text), None).await;
            assert_eq!(
                (status, code(&body)),
                (StatusCode::BAD_REQUEST, "PERSISTED_QUERY_REQUIRED"),
                "{label}"
            );
            let (status, body) = send(&for_everyone, Some(&viewer), Some(by_id), None).await;
            assert_eq!(status, StatusCode::OK, "{label}: {body}");
        }
    })
    .await;
}
