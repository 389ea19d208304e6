//! HTTP: the routes (`/graphql`, `/models/{code}`: [`model_io`], `/healthz`, `/readyz`, and the
//! web front end: [`web`]; `/metrics` on a listener of its own: [`metrics`]), the layers every
//! request passes ([`guard`]: request ids, size limits,
//! deadline, caught panics; answers compressed by `Accept-Encoding`), the caller of a request to the model, built once ([`admission`]:
//! token, rate limit, authorization, body, concurrency permit, store), and the server loop
//! ([`server`]: header-read timeout, connections per client, bounded graceful shutdown).
//!
//! Every error response, whichever layer produces it, is a GraphQL-shaped JSON body with a stable
//! code ([`error_response`]).

mod admission;
pub mod auth;
mod body;
mod graphql;
mod guard;
pub mod metrics;
mod model_io;
mod negotiation;
mod rate_limit;
mod response_cache;
pub mod server;
pub mod trusted_documents;
pub mod web;

use std::sync::Arc;

use axum::{
    extract::{DefaultBodyLimit, State},
    http::{header, HeaderValue, StatusCode},
    middleware,
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};
use serde_json::json;
use tokio::sync::Semaphore;
use tower_http::compression::{
    predicate::{DefaultPredicate, Predicate, SizeAbove},
    CompressionLayer,
};

use crate::{
    config::{AuthConfig, Limits, DEFAULT_WEB_DIR},
    database::Database,
    error::ApiError,
    graphql::{Api, SignInOptions},
    telemetry::metrics::Metrics,
};

use self::{
    auth::Authenticator, rate_limit::RateLimit, response_cache::ResponseCache,
    trusted_documents::TrustedDocuments, web::WebAssets,
};

pub use negotiation::ResponseType;

/// What every request handler shares. Besides the pool it holds only per-replica counters (the
/// concurrency limit, the rate-limit budgets, the metrics), so replicas behind a load balancer
/// behave alike.
#[derive(Clone)]
pub struct AppState {
    pub db: Database,
    pub api: Api,
    pub limits: Limits,
    /// Checks bearer tokens (and caches the issuer's keys, per replica).
    pub auth: Arc<Authenticator>,
    /// Permits for GraphQL requests in flight on this replica.
    in_flight: Arc<Semaphore>,
    /// Points budgets per caller, per replica.
    rate_limit: Arc<RateLimit>,
    /// How clients sign in, as the schema's `signIn` tells them.
    sign_in: Arc<SignInOptions>,
    /// The built web front end.
    web: WebAssets,
    /// This replica's metrics.
    pub metrics: Arc<Metrics>,
    /// This replica's answers to repeated reads of unchanged data; none when turned off.
    response_cache: Option<Arc<ResponseCache>>,
    /// The documents of our own clients, registered at build time.
    trusted_documents: Arc<TrustedDocuments>,
}

impl AppState {
    pub fn new(db: Database, limits: Limits, auth: &AuthConfig) -> Self {
        Self {
            api: Api::new(&limits),
            auth: Arc::new(Authenticator::new(auth)),
            in_flight: Arc::new(Semaphore::new(limits.max_concurrent_requests)),
            rate_limit: Arc::new(RateLimit::new(limits.rate_limit_points_per_minute)),
            sign_in: Arc::new(SignInOptions::of(auth)),
            web: WebAssets::new(DEFAULT_WEB_DIR, auth.issuer.as_deref()),
            metrics: Arc::new(Metrics::new()),
            response_cache: ResponseCache::new(limits.response_cache_bytes()).map(Arc::new),
            trusted_documents: Arc::new(TrustedDocuments::embedded()),
            db,
            limits,
        }
    }

    /// Serves the web front end built in `dir` instead of the default `web/dist`.
    #[must_use]
    pub fn with_web_dir(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        let issuer = self.sign_in.issuer.clone();
        self.web = WebAssets::new(dir, issuer.as_deref());
        self
    }
}

/// The one way to build the server; the binary and the tests both use it.
pub fn build_app(state: AppState) -> Router {
    let limits = state.limits.clone();
    // The routes that read or write the model admit their requests through `admission::Admitted`
    // (rate limit, body, this replica's concurrency limit).
    let model = Router::new()
        .route("/graphql", get(graphql::get).post(graphql::post))
        .route(
            "/models/{code}",
            get(model_io::export).put(model_io::import),
        );
    let routes = Router::new()
        // A newcomer opening the bare address lands on the comparison page.
        .route("/", get(web::comparison_page))
        .nest_service("/assets", state.web.assets())
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .merge(model)
        .fallback(|| async { error_response(&ApiError::RouteNotFound, ResponseType::Json) })
        .with_state(state.clone());
    // Outermost, so that every answer is counted, refusals of the layers within too.
    with_layers(routes, &limits).layer(middleware::from_fn_with_state(
        state.metrics,
        metrics::observe,
    ))
}

/// Answers smaller than this are sent as they are: compressing them saves less than it costs.
pub(crate) const MIN_COMPRESSED_BYTES: u16 = 1024;

/// The layers every request passes (see [`guard`]); answers are compressed (brotli or gzip, as
/// the client's `Accept-Encoding` prefers) when they are large enough to gain from it.
pub fn with_layers(routes: Router, limits: &Limits) -> Router {
    let compression = CompressionLayer::new()
        .br(true)
        .gzip(true)
        .compress_when(DefaultPredicate::new().and(SizeAbove::new(MIN_COMPRESSED_BYTES)));
    guard::layers(
        routes
            .layer(DefaultBodyLimit::max(limits.max_body_bytes))
            .layer(compression),
        limits,
    )
}

/// The GraphQL-shaped response for an error that stops a request as a whole; what the client is
/// not told is logged here, once.
pub fn error_response(error: &ApiError, response_type: ResponseType) -> Response {
    error.log();
    respond_with(error, response_type)
}

/// [`error_response`] without logging, for errors already logged.
pub(super) fn respond_with(error: &ApiError, response_type: ResponseType) -> Response {
    let body = json!({ "errors": [error.to_server_error()] });
    let mut response = (
        error.status(),
        [(header::CONTENT_TYPE, response_type.content_type())],
        body.to_string(),
    )
        .into_response();
    response.extensions_mut().insert(metrics::Outcome {
        code: error.code().into(),
        refusal: error.refusal(),
    });
    match error {
        ApiError::Unauthenticated { error, reason } => {
            let challenge = format!(r#"Bearer error="{error}", error_description="{reason}""#);
            if let Ok(value) = HeaderValue::from_str(&challenge) {
                response
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, value);
            }
        }
        ApiError::RateLimited { retry_after_secs } => {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
        }
        ApiError::Overloaded
        | ApiError::WritersBusy
        | ApiError::ServiceUnavailable(_)
        | ApiError::IdentityProviderUnavailable(_) => {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        ApiError::MethodNotAllowed => {
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("POST"));
        }
        _ => {}
    }
    response
}

/// Liveness: the process answers (it needs neither the database nor a free request slot).
async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

/// Readiness: the schema is migrated and the database answers.
async fn readyz(State(state): State<AppState>) -> Response {
    match state.db.check().await {
        Ok(()) => Json(json!({ "status": "ok", "database": "ok" })).into_response(),
        Err(reason) => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "1")],
            Json(json!({ "status": "unavailable", "database": reason })),
        )
            .into_response(),
    }
}
