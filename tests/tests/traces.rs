//! Traces reach a collector: with an OTLP endpoint configured, each request is a span named by
//! method and route, with the GraphQL operation and the caller's kind (never its identity), and
//! child spans for the gate, the executor and each batch of SQL reads; a trusted proxy's
//! `traceparent` makes the request part of its trace (and the identity provider is asked within
//! it), anyone else's is ignored; the request span
//! carries its trace id as a field, which every log line of the request shows.
//!
//! A test binary of its own: the subscriber that exports spans is global to the process.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use axum::{body::Bytes, extract::State, http::StatusCode, routing::post, Router};
use opentelemetry_proto::tonic::{
    collector::trace::v1::ExportTraceServiceRequest, common::v1::any_value::Value as AnyValue,
    trace::v1::Span,
};
use prost::Message;
use serde_json::json;
use vestegn_api::{
    build_app,
    config::{AuthConfig, Limits},
    database::Database,
    telemetry::{self, TraceExport},
    AppState,
};
use vestegn_tests::{issuer::TestIssuer, on_each_backend, RunningServer};

type Spans = Arc<Mutex<Vec<Span>>>;

/// An OTLP/HTTP receiver of the test's own: keeps every span it is sent.
async fn collector() -> (String, Spans) {
    async fn receive(State(spans): State<Spans>, body: Bytes) -> (StatusCode, Vec<u8>) {
        let Ok(request) = ExportTraceServiceRequest::decode(body) else {
            return (StatusCode::BAD_REQUEST, Vec::new());
        };
        let mut kept = spans.lock().unwrap();
        for resource in request.resource_spans {
            for scope in resource.scope_spans {
                kept.extend(scope.spans);
            }
        }
        (StatusCode::OK, Vec::new())
    }
    let spans = Spans::default();
    let app = Router::new()
        .route("/v1/traces", post(receive))
        .with_state(spans.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{address}"), spans)
}

fn attribute(span: &Span, key: &str) -> Option<String> {
    span.attributes
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| kv.value.as_ref()?.value.as_ref())
        .map(|value| match value {
            AnyValue::StringValue(text) => text.clone(),
            AnyValue::IntValue(number) => number.to_string(),
            AnyValue::BoolValue(flag) => flag.to_string(),
            other => format!("{other:?}"),
        })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Exports what has ended and returns the spans of the trace `trace_id`, by span id.
async fn trace(traces: &Arc<telemetry::Traces>, spans: &Spans, trace_id: &str) -> Vec<Span> {
    let traces = traces.clone();
    tokio::task::spawn_blocking(move || traces.flush())
        .await
        .unwrap();
    spans
        .lock()
        .unwrap()
        .iter()
        .filter(|span| hex(&span.trace_id) == trace_id)
        .cloned()
        .collect()
}

const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_ID: &str = "00f067aa0ba902b7";
const UNITS: &str =
    "query Units { municipality(code: 183) { units { name staffRoles { title } } } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_are_traced_to_a_collector() {
    let (endpoint, spans) = collector().await;
    let traces = telemetry::init(
        false,
        Some(&TraceExport {
            endpoint,
            service_name: "vestegn-test".to_owned(),
        }),
    )
    .unwrap()
    .expect("traces are on");
    let traces = Arc::new(traces);
    on_each_backend(|app| {
        let traces = traces.clone();
        let spans = spans.clone();
        async move {
            let label = app.label();
            let issuer = TestIssuer::start().await;
            let auth = AuthConfig {
                issuer: Some(issuer.issuer()),
                ..AuthConfig::default()
            };
            let serve = |trusted: bool| {
                let limits = Limits {
                    trusted_proxies: if trusted {
                        vec!["127.0.0.1/32".parse().unwrap()]
                    } else {
                        Vec::new()
                    },
                    ..Limits::default()
                };
                let router = build_app(AppState::new(
                    Database::ready(app.db.clone()),
                    limits.clone(),
                    &auth,
                ));
                RunningServer::start(router, limits)
            };
            let behind_proxy = serve(true).await;
            let open = serve(false).await;
            let client = reqwest::Client::new();
            let ask = |address: std::net::SocketAddr, token: Option<String>| {
                let client = client.clone();
                async move {
                    let mut request = client
                        .post(format!("http://{address}/graphql"))
                        .header("traceparent", format!("00-{TRACE_ID}-{PARENT_ID}-01"))
                        .json(&json!({ "query": UNITS }));
                    if let Some(token) = token {
                        request = request.bearer_auth(token);
                    }
                    let answer = request.send().await.unwrap();
                    assert_eq!(answer.status(), 200);
                    let body: serde_json::Value = answer.json().await.unwrap();
                    assert!(body["errors"].is_null(), "{body}");
                }
            };

            // Through a trusted proxy: the request joins the proxy's trace.
            spans.lock().unwrap().clear();
            let token = issuer.user_token(183, &["viewer"]);
            ask(behind_proxy.address, Some(token.clone())).await;
            let spans_of_trace = trace(&traces, &spans, TRACE_ID).await;
            let by_name: HashMap<&str, Vec<&Span>> =
                spans_of_trace
                    .iter()
                    .fold(HashMap::new(), |mut names, span| {
                        names.entry(span.name.as_str()).or_default().push(span);
                        names
                    });
            let request = by_name
                .get("POST /graphql")
                .and_then(|found| found.first())
                .unwrap_or_else(|| panic!("{label}: a request span in {spans_of_trace:#?}"));
            assert_eq!(hex(&request.parent_span_id), PARENT_ID, "{label}");
            // The identity provider was asked for the keys within the request's trace.
            let carried = issuer.jwks_traceparent().unwrap_or_default();
            assert!(
                carried.starts_with(&format!("00-{TRACE_ID}-")),
                "{label}: the keys were fetched with traceparent {carried:?}"
            );
            for (key, value) in [
                ("graphql.operation.name", "Units"),
                ("graphql.operation.type", "query"),
                ("caller", "user"),
                ("http.route", "/graphql"),
                ("http.response.status_code", "200"),
                ("trace_id", TRACE_ID),
            ] {
                assert_eq!(
                    attribute(request, key).as_deref(),
                    Some(value),
                    "{label}: {key}"
                );
            }
            // The caller's kind, never who: no attribute holds the subject or the token.
            for span in &spans_of_trace {
                for kv in &span.attributes {
                    let value = format!("{:?}", kv.value);
                    assert!(
                        !value.contains(&token) && !value.contains("user:"),
                        "{kv:?}"
                    );
                }
            }
            for child in ["graphql.gate", "graphql.execute"] {
                let spans = by_name
                    .get(child)
                    .unwrap_or_else(|| panic!("{label}: {child}"));
                assert_eq!(spans.len(), 1);
                assert_eq!(spans[0].parent_span_id, request.span_id, "{label}: {child}");
            }
            let execute = by_name["graphql.execute"][0];
            let batches = by_name.get("db.batch").cloned().unwrap_or_default();
            assert!(
                batches.len() >= 2,
                "{label}: units, then their staff roles: {batches:?}"
            );
            let ids: HashMap<&[u8], &Span> = spans_of_trace
                .iter()
                .map(|span| (span.span_id.as_slice(), span))
                .collect();
            for batch in batches {
                // Under the executor, at some depth.
                let mut parent = batch.parent_span_id.as_slice();
                while parent != execute.span_id.as_slice() {
                    parent = ids
                        .get(parent)
                        .unwrap_or_else(|| panic!("{label}: db.batch outside the executor"))
                        .parent_span_id
                        .as_slice();
                }
                assert!(attribute(batch, "relation").is_some());
            }
            // Each statement has a span of its own, with its table and how many rows it read:
            // a batch's statement under its batch.
            let reads = by_name.get("db.read").cloned().unwrap_or_default();
            for batch in by_name["db.batch"].iter() {
                let statements: Vec<_> = reads
                    .iter()
                    .filter(|read| read.parent_span_id == batch.span_id)
                    .collect();
                assert_eq!(statements.len(), 1, "{label}: {batch:?} {reads:?}");
            }
            let tables: Vec<String> = reads
                .iter()
                .filter_map(|read| attribute(read, "table"))
                .collect();
            for table in ["units", "staff_roles"] {
                assert!(tables.iter().any(|t| t == table), "{label}: {tables:?}");
            }
            for read in &reads {
                let rows = attribute(read, "rows").unwrap_or_default();
                assert!(rows.parse::<usize>().is_ok(), "{label}: rows {rows:?}");
            }

            // Straight from a client: its traceparent is ignored, the request starts a trace.
            spans.lock().unwrap().clear();
            ask(open.address, None).await;
            assert!(trace(&traces, &spans, TRACE_ID).await.is_empty(), "{label}");
            let exported = spans.lock().unwrap().clone();
            let request = exported
                .iter()
                .find(|span| span.name == "POST /graphql")
                .unwrap_or_else(|| panic!("{label}: {exported:#?}"));
            assert!(request.parent_span_id.is_empty(), "{label}: a root span");
            assert_eq!(attribute(request, "caller").as_deref(), Some("anonymous"));
            assert_eq!(
                attribute(request, "trace_id").as_deref(),
                Some(hex(&request.trace_id).as_str())
            );
        }
    })
    .await;
}
