//! The one error type of the API and its stable codes.
//!
//! Policy: every error a client can see is a GraphQL-shaped JSON response whose errors carry a fixed
//! `SHOUTY_SNAKE` code in `extensions.code` (see [`ApiError::code`]); errors about input also name
//! the offending argument or variable in `extensions.field`. `INTERNAL` is only ever the server's
//! own fault: such errors are logged once, where they are turned into a response, and reach the
//! client with no detail. Text the client sent is echoed only cut short ([`excerpt`]).

mod field_path;

use async_graphql::ErrorExtensions;
use axum::http::StatusCode;
use sea_orm::{sqlx, DbErr, RuntimeErr, SqlErr};

pub use self::field_path::FieldPath;

/// Everything that can go wrong in a request.
///
/// Deliberately not `Display`: async-graphql turns any `Display` type into an error without a code,
/// so `?` in a resolver must go through the `From` below, which adds the code.
#[derive(Debug)]
pub enum ApiError {
    /// An argument or variable is malformed or out of range.
    BadUserInput { field: FieldPath, message: String },
    /// The record does not exist, or the caller may not see it (the two are not told apart).
    NotFound { what: String },
    /// A write would break a uniqueness rule, was based on a stale revision, or would remove a
    /// record others still refer to.
    Conflict(String),
    /// A write sent a revision that is no longer the record's: it was changed since it was read.
    StaleRevision { sent: i32, current: i32 },
    /// The caller may see the record but not change it.
    Forbidden(String),
    /// A write that replaces what is stored must say which revision it was based on, or that it
    /// means to replace whatever is stored (the message says how).
    PreconditionRequired(String),
    /// The document is not GraphQL.
    ParseFailed(String),
    /// The document is GraphQL but not valid against the schema (or selects no operation).
    ValidationFailed(String),
    /// The document asks for more work than a limit allows; the message names the limit.
    QueryTooComplex(String),
    /// The HTTP request is not a GraphQL request (malformed body, parameters or URL).
    BadRequest(String),
    /// Several operations in one request.
    BatchNotSupported,
    /// A request names a trusted document by an id no document is registered under.
    PersistedDocumentNotFound,
    /// The server runs registered documents only (for this caller), and the request sent
    /// another.
    TrustedDocumentRequired,
    /// A mutation over `GET`.
    MethodNotAllowed,
    /// A body that is not declared as JSON.
    UnsupportedMediaType,
    /// An `Accept` header that allows no type the server can send.
    NotAcceptable,
    /// A route that does not exist.
    RouteNotFound,
    /// The body is larger than the configured limit.
    PayloadTooLarge,
    /// The URL is longer than the configured limit.
    UriTooLong,
    /// The request's header fields are larger than the configured limit.
    HeadersTooLarge,
    /// The request did not finish within its deadline.
    Timeout,
    /// The request's token is missing its form or fails a check (RFC 6750 `error`, and why).
    Unauthenticated {
        error: &'static str,
        reason: &'static str,
    },
    /// The caller has used up its requests for now; retry after this many seconds.
    RateLimited { retry_after_secs: u64 },
    /// The server is at its concurrency limit; retry later.
    Overloaded,
    /// Other writes held the writers' lock longer than a write may wait for it (or SQLite said it
    /// was busy); retry in a moment. Nothing was written.
    WritersBusy,
    /// The identity provider cannot be reached to check a token; logged, never shown.
    IdentityProviderUnavailable(anyhow::Error),
    /// The database cannot be reached (or is not migrated yet); retry later. Logged, never shown.
    ServiceUnavailable(anyhow::Error),
    /// A bug or an unexpected database failure; logged, never shown.
    Internal(anyhow::Error),
}

impl ApiError {
    pub fn bad_input(field: impl Into<FieldPath>, message: impl Into<String>) -> Self {
        Self::BadUserInput {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        Self::NotFound { what: what.into() }
    }

    /// The message shown to the client.
    pub fn message(&self) -> String {
        match self {
            Self::BadUserInput { message, .. } => message.clone(),
            Self::NotFound { what } => format!("{what} not found"),
            Self::StaleRevision { sent, current } => format!(
                "the record was changed since revision {sent}: its current revision is {current}; \
                 read it again and retry"
            ),
            Self::Conflict(message)
            | Self::Forbidden(message)
            | Self::PreconditionRequired(message)
            | Self::ParseFailed(message)
            | Self::ValidationFailed(message)
            | Self::QueryTooComplex(message)
            | Self::BadRequest(message) => message.clone(),
            Self::BatchNotSupported => {
                "batched requests are not supported: send one operation per request".to_owned()
            }
            Self::MethodNotAllowed => "mutations are only accepted over POST".to_owned(),
            Self::PersistedDocumentNotFound => {
                "no document is registered under that id: send the query's text, or the id of \
                 a registered document"
                    .to_owned()
            }
            Self::TrustedDocumentRequired => {
                "this server runs registered documents only: send one by its `documentId`"
                    .to_owned()
            }
            Self::UnsupportedMediaType => "the request body must be application/json".to_owned(),
            Self::NotAcceptable => {
                "accept application/graphql-response+json or application/json".to_owned()
            }
            Self::RouteNotFound => "no such route: GraphQL is served at /graphql".to_owned(),
            Self::PayloadTooLarge => "the request body is too large".to_owned(),
            Self::UriTooLong => "the URL is too long: send long queries by POST".to_owned(),
            Self::HeadersTooLarge => "the request's header fields are too large".to_owned(),
            Self::Timeout => "the request took longer than its deadline".to_owned(),
            Self::Unauthenticated { reason, .. } => format!("not authenticated: {reason}"),
            Self::RateLimited { retry_after_secs } => {
                format!("too many requests; retry in {retry_after_secs} s")
            }
            Self::Overloaded => "the server is busy; retry later".to_owned(),
            Self::WritersBusy => {
                "other changes are being written; nothing was written, retry in a moment".to_owned()
            }
            Self::IdentityProviderUnavailable(_) => {
                "the identity provider cannot be reached; retry later".to_owned()
            }
            Self::ServiceUnavailable(_) => "the database is unavailable; retry later".to_owned(),
            Self::Internal(_) => "internal error".to_owned(),
        }
    }

    /// The stable code sent in `extensions.code`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadUserInput { .. } => "BAD_USER_INPUT",
            Self::NotFound { .. } => "NOT_FOUND",
            Self::Conflict(_) | Self::StaleRevision { .. } => "CONFLICT",
            Self::Forbidden(_) => "FORBIDDEN",
            Self::PreconditionRequired(_) => "PRECONDITION_REQUIRED",
            Self::ParseFailed(_) => "GRAPHQL_PARSE_FAILED",
            Self::ValidationFailed(_) => "GRAPHQL_VALIDATION_FAILED",
            Self::QueryTooComplex(_) => "QUERY_TOO_COMPLEX",
            Self::BadRequest(_) => "BAD_REQUEST",
            Self::BatchNotSupported => "BATCH_NOT_SUPPORTED",
            Self::MethodNotAllowed => "METHOD_NOT_ALLOWED",
            Self::PersistedDocumentNotFound => "PERSISTED_QUERY_NOT_FOUND",
            Self::TrustedDocumentRequired => "PERSISTED_QUERY_REQUIRED",
            Self::UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
            Self::NotAcceptable => "NOT_ACCEPTABLE",
            Self::RouteNotFound => "ROUTE_NOT_FOUND",
            Self::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            Self::UriTooLong => "URI_TOO_LONG",
            Self::HeadersTooLarge => "REQUEST_HEADER_FIELDS_TOO_LARGE",
            Self::Timeout => "REQUEST_TIMEOUT",
            Self::Unauthenticated { .. } => "UNAUTHENTICATED",
            Self::RateLimited { .. } => "RATE_LIMITED",
            Self::Overloaded => "OVERLOADED",
            Self::ServiceUnavailable(_)
            | Self::IdentityProviderUnavailable(_)
            | Self::WritersBusy => "SERVICE_UNAVAILABLE",
            Self::Internal(_) => "INTERNAL",
        }
    }

    /// Why a request was turned away unserved (the metrics count these); `None` for other errors.
    pub fn refusal(&self) -> Option<&'static str> {
        match self {
            Self::RateLimited { .. } => Some("rate_limited"),
            Self::Overloaded => Some("overloaded"),
            Self::WritersBusy => Some("writers_busy"),
            Self::Timeout => Some("timeout"),
            _ => None,
        }
    }

    /// The HTTP status of a response that fails as a whole with this error. Errors inside an
    /// executed operation (a field that was not found, a bad argument) travel in a 200 response
    /// instead; see `http::graphql` for how a response's status is chosen.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadUserInput { .. }
            | Self::ParseFailed(_)
            | Self::ValidationFailed(_)
            | Self::QueryTooComplex(_)
            | Self::BadRequest(_)
            | Self::BatchNotSupported
            | Self::PersistedDocumentNotFound
            | Self::TrustedDocumentRequired => StatusCode::BAD_REQUEST,
            Self::NotFound { .. } | Self::RouteNotFound => StatusCode::NOT_FOUND,
            Self::Conflict(_) | Self::StaleRevision { .. } => StatusCode::CONFLICT,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::PreconditionRequired(_) => StatusCode::PRECONDITION_REQUIRED,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::NotAcceptable => StatusCode::NOT_ACCEPTABLE,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UriTooLong => StatusCode::URI_TOO_LONG,
            Self::HeadersTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            Self::Timeout => StatusCode::REQUEST_TIMEOUT,
            Self::Unauthenticated { .. } => StatusCode::UNAUTHORIZED,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Overloaded
            | Self::WritersBusy
            | Self::ServiceUnavailable(_)
            | Self::IdentityProviderUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Whether the request was well-formed HTTP but its document cannot run (it does not parse,
    /// validate or fit the limits, or its variables are wrong): the GraphQL "request errors".
    pub fn is_document_error(&self) -> bool {
        matches!(
            self,
            Self::ParseFailed(_)
                | Self::ValidationFailed(_)
                | Self::QueryTooComplex(_)
                | Self::BadUserInput { .. }
                | Self::PersistedDocumentNotFound
                | Self::TrustedDocumentRequired
        )
    }

    /// The argument or variable at fault, for input errors, as GraphQL spells it.
    pub fn field(&self) -> Option<String> {
        match self {
            Self::BadUserInput { field, .. } => Some(field.graphql()),
            _ => None,
        }
    }

    /// Logs what the client will not see, once: called where the error becomes a response.
    pub fn log(&self) {
        match self {
            Self::Internal(source) => {
                tracing::error!(error = format!("{source:#}"), "internal error");
            }
            Self::ServiceUnavailable(source) => {
                tracing::warn!(error = format!("{source:#}"), "database unavailable");
            }
            Self::WritersBusy => tracing::info!("writers' lock not free within the wait"),
            Self::IdentityProviderUnavailable(source) => {
                tracing::warn!(
                    error = format!("{source:#}"),
                    "identity provider unavailable"
                );
            }
            // The reason, never the token.
            Self::Unauthenticated { reason, .. } => {
                tracing::info!(reason, "token refused");
            }
            _ => {}
        }
    }

    /// The error as one entry of a GraphQL response's `errors` (not logged: see [`ApiError::log`]).
    pub fn to_server_error(&self) -> async_graphql::ServerError {
        let mut error = async_graphql::ServerError::new(self.message(), None);
        let extensions = error.extensions.get_or_insert_with(Default::default);
        extensions.set("code", self.code());
        if let Some(field) = self.field() {
            extensions.set("field", field);
        }
        error
    }

    /// The error of a statement whose one failure several requests share (each gets this; the
    /// database's own error stays with the statement): unreachable is 503, anything else ours.
    pub fn from_shared(err: &DbErr) -> Self {
        let cause = anyhow::anyhow!("{err}");
        match Self::is_unreachable(err) {
            true => Self::ServiceUnavailable(cause),
            false => Self::Internal(cause),
        }
    }

    /// Whether a database error means the database could not be reached, rather than that a
    /// statement failed.
    fn is_unreachable(err: &DbErr) -> bool {
        let runtime = match err {
            DbErr::ConnectionAcquire(_) => return true,
            DbErr::Conn(runtime) | DbErr::Exec(runtime) | DbErr::Query(runtime) => runtime,
            _ => return false,
        };
        matches!(
            runtime,
            RuntimeErr::SqlxError(
                sqlx::Error::Io(_)
                    | sqlx::Error::Tls(_)
                    | sqlx::Error::PoolTimedOut
                    | sqlx::Error::PoolClosed
                    | sqlx::Error::WorkerCrashed
            )
        )
    }
}

impl From<DbErr> for ApiError {
    fn from(err: DbErr) -> Self {
        if Self::is_unreachable(&err) {
            return Self::ServiceUnavailable(err.into());
        }
        if is_busy(&err) {
            return Self::WritersBusy;
        }
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(detail)) => {
                // The database's message names its tables and indexes: logged, not shown.
                tracing::info!(detail, "unique constraint refused a write");
                Self::Conflict(
                    "the write would repeat a record that must be unique (the same key, or the \
                     same member twice)"
                        .to_owned(),
                )
            }
            Some(SqlErr::ForeignKeyConstraintViolation(_)) => Self::Conflict(
                "other records refer to this record: change or delete them first".to_owned(),
            ),
            _ => Self::Internal(err.into()),
        }
    }
}

/// Whether a statement failed because another writer held a lock past the wait allowed: SQLite's
/// `SQLITE_BUSY` and `SQLITE_LOCKED` (any extended code), PostgreSQL's `lock_not_available`
/// (`lock_timeout`, see `service::connection`), and the transactions PostgreSQL ends to resolve
/// a deadlock or a serialization failure, which are as safe to send again.
fn is_busy(err: &DbErr) -> bool {
    let (DbErr::Conn(runtime) | DbErr::Exec(runtime) | DbErr::Query(runtime)) = err else {
        return false;
    };
    let RuntimeErr::SqlxError(sqlx::Error::Database(database)) = runtime else {
        return false;
    };
    let Some(code) = database.code() else {
        return false;
    };
    match database.try_downcast_ref::<sqlx::sqlite::SqliteError>() {
        Some(_) => code
            .parse::<i32>()
            .is_ok_and(|code| matches!(code & 0xff, 5 | 6)),
        None => matches!(code.as_ref(), "55P03" | "40P01" | "40001"),
    }
}

impl ErrorExtensions for ApiError {
    fn extend(&self) -> async_graphql::Error {
        self.log();
        async_graphql::Error::new(self.message()).extend_with(|_, extensions| {
            extensions.set("code", self.code());
            if let Some(field) = self.field() {
                extensions.set("field", field);
            }
            if let Self::StaleRevision { current, .. } = self {
                extensions.set("currentRevision", *current);
            }
        })
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(err: ApiError) -> Self {
        err.extend()
    }
}

/// Result of the data-access layer.
pub type ApiResult<T> = Result<T, ApiError>;

/// How much of a client's text an error message repeats.
const EXCERPT_CHARS: usize = 40;

/// Client text fit to repeat in an error message: quoted, and cut short when long.
pub fn excerpt(text: &str) -> String {
    match text.char_indices().nth(EXCERPT_CHARS) {
        None => format!("{text:?}"),
        Some((end, _)) => format!("{:?}… ({} characters)", &text[..end], text.chars().count()),
    }
}
