//! Metrics over HTTP: every answer of the main listener is counted ([`observe`], the outermost
//! layer of [`build_app`](super::build_app)), and `GET /metrics` is served on a listener of its
//! own ([`router`], `METRICS_ADDRESS`), apart from the public port: the load balancer does not
//! expose it, scrapes spend no client's rate limit or concurrency slot, and scrapes are not
//! counted as requests.

use std::{borrow::Cow, sync::Arc, time::Instant};

use axum::{
    extract::{MatchedPath, Request, State},
    http::{header, Method},
    middleware::Next,
    response::{IntoResponse, Response},
    routing::get,
    Router,
};

use super::{response_cache::ResponseCache, AppState};
use crate::{
    service::changes,
    telemetry::{
        metrics::{Answered, Metrics, Snapshot, CONTENT_TYPE},
        request,
    },
};

/// How long a scrape waits for the change feed's newest entry before it leaves it out.
const FEED_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(1);

/// How a request was answered, as its metrics label it; on error answers (see
/// [`respond_with`](super::respond_with)) and GraphQL answers with errors. None means `OK`.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The `extensions.code` of the (first) error.
    pub code: Cow<'static, str>,
    /// Why the request was turned away unserved, if it was.
    pub refusal: Option<&'static str>,
}

/// Counts the request's answer, its time and what it did below (statements, writes).
pub async fn observe(
    State(metrics): State<Arc<Metrics>>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let method = method_label(request.method());
    let _in_flight = metrics.in_flight();
    let (response, figures) = request::scope(next.run(request)).await;
    let outcome = response.extensions().get::<Outcome>();
    metrics.observe(&Answered {
        route: &route,
        method,
        code: outcome.map_or("OK", |outcome| &outcome.code),
        refusal: outcome.and_then(|outcome| outcome.refusal),
        elapsed: started.elapsed(),
        figures: &figures,
    });
    response
}

/// Methods as labels: the ones the routes answer, the rest as one.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// The metrics listener's routes: `GET /metrics` only.
pub fn router(state: AppState) -> Router {
    let limits = state.limits.clone();
    let routes = Router::new()
        .route("/metrics", get(scrape))
        .fallback(|| async {
            super::error_response(
                &crate::error::ApiError::RouteNotFound,
                super::ResponseType::Json,
            )
        })
        .with_state(state);
    super::with_layers(routes, &limits)
}

async fn scrape(State(state): State<AppState>) -> Response {
    let newest_feed_entry = match state.db.connection() {
        Ok(db) => match tokio::time::timeout(FEED_READ_TIMEOUT, changes::newest_entry(db)).await {
            Ok(Ok(newest)) => newest,
            Ok(Err(err)) => {
                tracing::debug!(error = ?err, "metrics: cannot read the change feed");
                None
            }
            Err(_) => None,
        },
        Err(_) => None,
    };
    let slots = state.limits.max_concurrent_requests;
    let snapshot = Snapshot {
        database_ready: state.db.is_ready(),
        pool: state.db.pool_use(),
        model_slots: (
            slots.saturating_sub(state.in_flight.available_permits()),
            slots,
        ),
        newest_feed_entry: newest_feed_entry.map(|(sequence, recorded_at)| {
            (
                i64::from(sequence),
                recorded_at.timestamp_millis() as f64 / 1000.0,
            )
        }),
        response_cache: state.response_cache.as_deref().map(ResponseCache::size),
    };
    (
        [(header::CONTENT_TYPE, CONTENT_TYPE)],
        state.metrics.encode(&snapshot),
    )
        .into_response()
}
