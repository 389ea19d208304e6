//! Answers are compressed as the client's `Accept-Encoding` prefers (brotli or gzip) when they
//! are large enough to gain from it; small answers, and clients that ask for none, get them as
//! they are. Decompressed, a compressed answer is byte for byte the plain one.

use std::io::Read;

use axum::{
    body::Body,
    http::{header, HeaderMap, Request, StatusCode},
};
use serde_json::json;
use vestegn_tests::{on_each_backend, TestApp};

/// A GraphQL POST with the given `Accept-Encoding` (none: no header).
fn graphql(query: &str, accept_encoding: Option<&str>) -> Request<Body> {
    let mut request = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, "application/graphql-response+json");
    if let Some(encodings) = accept_encoding {
        request = request.header(header::ACCEPT_ENCODING, encodings);
    }
    request
        .body(Body::from(json!({ "query": query }).to_string()))
        .unwrap()
}

/// The body as sent before compression, and the encoding it came in.
fn decoded(headers: &HeaderMap, body: &[u8]) -> (Option<String>, Vec<u8>) {
    let encoding = headers
        .get(header::CONTENT_ENCODING)
        .map(|value| value.to_str().unwrap().to_owned());
    let mut plain = Vec::new();
    match encoding.as_deref() {
        None => plain.extend_from_slice(body),
        Some("gzip") => {
            flate2::read::GzDecoder::new(body)
                .read_to_end(&mut plain)
                .unwrap();
        }
        Some("br") => {
            brotli_decompressor::Decompressor::new(body, 4096)
                .read_to_end(&mut plain)
                .unwrap();
        }
        Some(other) => panic!("unexpected encoding {other}"),
    }
    (encoding, plain)
}

/// Sends `request` and returns the encoding of the answer, its decompressed body and its size as
/// sent.
async fn fetch(app: &TestApp, request: Request<Body>) -> (Option<String>, Vec<u8>, usize) {
    let (status, headers, body) = app.send_for_bytes(request).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let (encoding, plain) = decoded(&headers, &body);
    if encoding.is_some() {
        let vary = headers
            .get(header::VARY)
            .map(|v| v.to_str().unwrap().to_lowercase());
        assert!(
            vary.is_some_and(|v| v.contains("accept-encoding")),
            "a compressed answer says it varies by Accept-Encoding: {headers:?}"
        );
    }
    (encoding, plain, body.len())
}

const LARGE: &str = "{ municipalities(first: 100) { nodes { code name units { name kind provenance { section note } } } } }";

#[tokio::test]
async fn large_answers_are_compressed_as_the_client_prefers() {
    on_each_backend(|app| async move {
        let label = app.label();
        let (encoding, plain, sent) = fetch(&app, graphql(LARGE, None)).await;
        assert_eq!(
            encoding, None,
            "{label}: no Accept-Encoding, no compression"
        );
        assert!(
            plain.len() > 4096,
            "{label}: the answer is large: {}",
            plain.len()
        );
        assert_eq!(sent, plain.len());

        for (accept, expected) in [
            ("gzip", Some("gzip")),
            ("br", Some("br")),
            ("gzip, deflate, br", Some("br")),
            ("br;q=0.5, gzip", Some("gzip")),
            ("identity", None),
            ("zstd", None),
        ] {
            let (encoding, body, sent) = fetch(&app, graphql(LARGE, Some(accept))).await;
            assert_eq!(
                encoding.as_deref(),
                expected,
                "{label}: Accept-Encoding: {accept}"
            );
            assert_eq!(
                body, plain,
                "{label}: {accept}: the same answer once decompressed"
            );
            if expected.is_some() {
                assert!(
                    sent * 3 < plain.len(),
                    "{label}: {accept}: {sent} of {}",
                    plain.len()
                );
            }
        }
    })
    .await;
}

#[tokio::test]
async fn small_answers_and_exports_are_sent_as_they_gain() {
    on_each_backend(|app| async move {
        let label = app.label();
        let (encoding, body, _) = fetch(&app, graphql("{ __typename }", Some("gzip, br"))).await;
        assert_eq!(encoding, None, "{label}: a small answer is sent as it is");
        assert_eq!(
            String::from_utf8(body).unwrap(),
            r#"{"data":{"__typename":"Query"}}"#
        );

        // A model document (TOML) is compressed like JSON.
        let export = |accept: Option<&str>| {
            let mut request = Request::get("/models/183");
            if let Some(accept) = accept {
                request = request.header(header::ACCEPT_ENCODING, accept);
            }
            request.body(Body::empty()).unwrap()
        };
        let (_, plain, _) = fetch(&app, export(None)).await;
        let (encoding, body, _) = fetch(&app, export(Some("gzip"))).await;
        assert_eq!(encoding.as_deref(), Some("gzip"), "{label}");
        assert_eq!(body, plain, "{label}");
    })
    .await;
}
