//! The layers in front of every route, outermost first: a request id (the client's only when it
//! looks like one, so that logs cannot be forged), tracing, `X-Content-Type-Options: nosniff` on
//! every answer, caught panics (500 `INTERNAL`), URL
//! and header size limits (414, 431), and the request's deadline (408, dropping its work). The
//! model's routes also have a concurrency limit (503 `OVERLOADED`), taken once a request's body
//! is read ([`super::admission`]). Each answers with
//! [`super::error_response`], so every refusal is GraphQL-shaped JSON.

use std::{any::Any, net::SocketAddr, time::Duration};

use axum::{
    extract::{ConnectInfo, MatchedPath, Request, State},
    http::{header::X_CONTENT_TYPE_OPTIONS, HeaderName, HeaderValue},
    middleware::{self, Next},
    response::Response,
    Router,
};
use tower::ServiceBuilder;
use tower_http::{
    catch_panic::CatchPanicLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    trace::TraceLayer,
};

use super::{error_response, negotiation::ResponseType, respond_with};
use crate::{config::Limits, error::ApiError, telemetry::traces};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Longest request id accepted from a client.
const MAX_REQUEST_ID_LEN: usize = 64;

/// Wraps `routes` in the layers every request passes.
pub fn layers(routes: Router, limits: &Limits) -> Router {
    let span_limits = limits.clone();
    routes.layer(
        ServiceBuilder::new()
            .layer(middleware::from_fn(drop_unlikely_request_id))
            .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
            .layer(
                // Every response is logged at info with its status; failures are logged once,
                // with their cause, where they are handled (`ApiError::log`), not again here.
                TraceLayer::new_for_http()
                    .on_response(
                        |response: &Response<_>, latency: Duration, span: &tracing::Span| {
                            let status = response.status().as_u16();
                            span.record("http.response.status_code", status);
                            tracing::info!(latency = ?latency, status, "finished processing request");
                        },
                    )
                    .on_failure(())
                    .make_span_with(move |request: &Request<_>| request_span(request, &span_limits)),
            )
            .layer(PropagateRequestIdLayer::new(REQUEST_ID))
            .layer(middleware::map_response(no_sniff))
            .layer(CatchPanicLayer::custom(panic_response))
            .layer(middleware::from_fn_with_state(limits.clone(), size_limits))
            .layer(middleware::from_fn_with_state(limits.clone(), deadline)),
    )
}

/// The request's span: what its log lines carry, and the root of its trace (named by method and
/// route template; the operation and the caller's kind are recorded once known). A trusted
/// proxy's `traceparent` makes the request part of the proxy's trace.
fn request_span(request: &Request, limits: &Limits) -> tracing::Span {
    let request_id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str);
    let span = tracing::info_span!(
        "request",
        otel.name = %format_args!("{} {route}", request.method()),
        otel.kind = "server",
        request.id = %request_id,
        request.method = %request.method(),
        request.path = %request.uri().path(),
        http.route = route,
        http.response.status_code = tracing::field::Empty,
        graphql.operation.name = tracing::field::Empty,
        graphql.operation.type = tracing::field::Empty,
        caller = tracing::field::Empty,
        trace_id = tracing::field::Empty,
    );
    let from_trusted_proxy = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .is_some_and(|peer| limits.is_trusted_proxy(peer.0.ip().to_canonical()));
    if from_trusted_proxy {
        traces::continue_trace(&span, request.headers());
    }
    if let Some(trace_id) = traces::trace_id(&span) {
        span.record("trace_id", trace_id);
    }
    span
}

/// The response type an error in front of the handlers is sent as.
fn response_type(request: &Request) -> ResponseType {
    ResponseType::negotiate(request.headers()).unwrap_or(ResponseType::Json)
}

/// Removes a client's `x-request-id` unless it looks like an id (letters, digits, `-_.:`, at most
/// 64), so that a fresh one is made instead: ids go into logs, where control characters or
/// kilobytes of text would forge or flood lines.
async fn drop_unlikely_request_id(mut request: Request, next: Next) -> Response {
    let unlikely = request
        .headers()
        .get(REQUEST_ID)
        .is_some_and(|value| !looks_like_id(value));
    if unlikely {
        request.headers_mut().remove(REQUEST_ID);
    }
    next.run(request).await
}

fn looks_like_id(value: &HeaderValue) -> bool {
    let bytes = value.as_bytes();
    (1..=MAX_REQUEST_ID_LEN).contains(&bytes.len())
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(b))
}

/// Every answer is read as the type it declares (JSON, TOML, the pages), never sniffed by a
/// browser into something it runs.
async fn no_sniff<B>(mut response: Response<B>) -> Response<B> {
    response
        .headers_mut()
        .insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

/// A panic in a handler: 500 `INTERNAL`. The panic itself is logged once, by the panic hook
/// (`telemetry::init`), with its location.
fn panic_response(_panic: Box<dyn Any + Send + 'static>) -> Response {
    respond_with(
        &ApiError::Internal(anyhow::anyhow!("a request handler panicked")),
        ResponseType::Json,
    )
}

/// 414 for long URLs, 431 for large header sections, before anything reads them.
async fn size_limits(State(limits): State<Limits>, request: Request, next: Next) -> Response {
    let uri_bytes = request
        .uri()
        .path_and_query()
        .map_or(0, |path| path.as_str().len());
    let header_bytes: usize = request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    let refusal = if uri_bytes > limits.max_uri_bytes {
        Some(ApiError::UriTooLong)
    } else if header_bytes > limits.max_header_bytes {
        Some(ApiError::HeadersTooLarge)
    } else {
        None
    };
    match refusal {
        Some(error) => error_response(&error, response_type(&request)),
        None => next.run(request).await,
    }
}

/// The request's deadline: reading the body, parsing, validation and execution. When it passes,
/// the handler's future is dropped, which stops its work at the next await.
async fn deadline(State(limits): State<Limits>, request: Request, next: Next) -> Response {
    let response_type = response_type(&request);
    match tokio::time::timeout(limits.request_timeout(), next.run(request)).await {
        Ok(response) => response,
        Err(_) => error_response(&ApiError::Timeout, response_type),
    }
}
