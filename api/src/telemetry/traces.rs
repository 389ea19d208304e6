//! Traces: OpenTelemetry spans exported over OTLP (HTTP, protobuf) when
//! `OTEL_EXPORTER_OTLP_ENDPOINT` is set, off otherwise. Each request is a span (named by method
//! and route, with the GraphQL operation and the caller's kind, never its identity) with child
//! spans for the gate, the executor and each batch of SQL reads. A request from a trusted proxy
//! may carry a W3C `traceparent`: its trace becomes the request's, and calls to the identity
//! provider carry it on. The request's trace id is a
//! field of the request span, so every log line of the request carries it.

use std::time::Duration;

use anyhow::Context as _;
use axum::http::HeaderMap;
use opentelemetry::{
    propagation::{Extractor, TextMapPropagator},
    trace::{TraceContextExt, TracerProvider as _},
    KeyValue,
};
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_sdk::{propagation::TraceContextPropagator, trace::SdkTracerProvider, Resource};
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::registry::LookupSpan;

/// How long one export to the collector may take.
const EXPORT_TIMEOUT: Duration = Duration::from_secs(5);

/// The exporting tracer provider; flushes and stops when dropped (at the end of `main`).
pub struct Traces {
    provider: SdkTracerProvider,
}

impl Traces {
    /// Exports every finished span now (tests; and before the process ends).
    pub fn flush(&self) {
        if let Err(err) = self.provider.force_flush() {
            tracing::warn!(error = %err, "traces: cannot export the last spans");
        }
    }
}

impl Drop for Traces {
    fn drop(&mut self) {
        self.flush();
        let _ = self.provider.shutdown();
    }
}

/// The layer that turns `tracing` spans into OpenTelemetry spans exported to `endpoint` (a
/// collector's base URL: spans go to `{endpoint}/v1/traces`) as `service_name`.
pub fn layer<S>(
    endpoint: &str,
    service_name: &str,
) -> anyhow::Result<(impl tracing_subscriber::Layer<S>, Traces)>
where
    S: tracing::Subscriber + for<'span> LookupSpan<'span>,
{
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_endpoint(format!("{}/v1/traces", endpoint.trim_end_matches('/')))
        .with_timeout(EXPORT_TIMEOUT)
        .build()
        .context("cannot set up the OTLP trace exporter")?;
    let provider = SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(
            Resource::builder()
                .with_attributes([
                    KeyValue::new("service.name", service_name.to_owned()),
                    KeyValue::new("service.version", env!("CARGO_PKG_VERSION")),
                ])
                .build(),
        )
        .build();
    let tracer = provider.tracer("vestegn");
    let layer = tracing_opentelemetry::layer().with_tracer(tracer);
    Ok((layer, Traces { provider }))
}

/// Makes the trace of the request's `traceparent` (W3C Trace Context) the parent of `span`.
/// Only for requests from trusted proxies: anyone else could join our spans to traces of theirs.
pub fn continue_trace(span: &tracing::Span, headers: &HeaderMap) {
    let parent = TraceContextPropagator::new().extract(&Headers(headers));
    if parent.span().span_context().is_valid() {
        let _ = span.set_parent(parent);
    }
}

/// The W3C Trace Context headers that carry `span`'s trace to a server we call (the identity
/// provider); none when traces are off.
pub fn outgoing_headers(span: &tracing::Span) -> Vec<(String, String)> {
    let mut headers = std::collections::HashMap::new();
    TraceContextPropagator::new().inject_context(&span.context(), &mut headers);
    headers.into_iter().collect()
}

/// The trace id of `span`, when traces are on.
pub fn trace_id(span: &tracing::Span) -> Option<String> {
    let context = span.context();
    let span_context = context.span().span_context().clone();
    span_context
        .is_valid()
        .then(|| span_context.trace_id().to_string())
}

struct Headers<'a>(&'a HeaderMap);

impl Extractor for Headers<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|value| value.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(|name| name.as_str()).collect()
    }
}
