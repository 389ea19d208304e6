//! HTTP: the routes (`/graphql`, `/healthz`, `/readyz`) and the layers every request passes
//! (request id, tracing, body size limit, timeout).

mod graphql;
mod negotiation;

use axum::{
    extract::{DefaultBodyLimit, State},
    http::{HeaderName, Request, StatusCode},
    response::{IntoResponse, Redirect, Response},
    routing::get,
    Json, Router,
};
use sea_orm::DatabaseConnection;
use serde_json::json;
use tower::ServiceBuilder;
use tower_http::{
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    timeout::TimeoutLayer,
    trace::{DefaultOnResponse, TraceLayer},
};
use tracing::Level;

use crate::{config::Limits, graphql::AppSchema};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// What every request handler shares. Holds no per-process state beyond the pool, so replicas
/// behind a load balancer behave alike.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub schema: AppSchema,
    pub limits: Limits,
}

impl AppState {
    pub fn new(db: DatabaseConnection, limits: Limits) -> Self {
        Self {
            schema: crate::graphql::build_schema(&limits),
            db,
            limits,
        }
    }
}

/// The one way to build the server; the binary and the tests both use it.
pub fn build_app(state: AppState) -> Router {
    let limits = state.limits.clone();
    let routes = Router::new()
        // A newcomer opening the bare address lands in GraphiQL.
        .route("/", get(|| async { Redirect::temporary("/graphql") }))
        .route("/graphql", get(graphql::get).post(graphql::post))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .with_state(state);
    with_layers(routes, &limits)
}

/// The layers every request passes: request id, tracing, timeout, body size limit.
pub fn with_layers(routes: Router, limits: &Limits) -> Router {
    routes
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http()
                        .on_response(DefaultOnResponse::new().level(Level::INFO))
                        .make_span_with(|request: &Request<_>| {
                            let request_id = request
                                .headers()
                                .get(REQUEST_ID)
                                .and_then(|value| value.to_str().ok())
                                .unwrap_or_default();
                            tracing::info_span!(
                                "request",
                                request.id = %request_id,
                                request.method = %request.method(),
                                request.path = %request.uri().path(),
                            )
                        }),
                )
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::REQUEST_TIMEOUT,
                    limits.request_timeout(),
                )),
        )
        .layer(DefaultBodyLimit::max(limits.max_body_bytes))
}

/// Liveness: the process answers.
async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

/// Readiness: the database answers.
async fn readyz(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => Json(json!({ "status": "ok", "database": "ok" })).into_response(),
        Err(err) => {
            tracing::warn!(error = %err, "database not reachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable", "database": "unreachable" })),
            )
                .into_response()
        }
    }
}
