//! The one error type of the API and its stable codes.
//!
//! Policy: every error a client can see carries a fixed `SHOUTY_SNAKE` code in `extensions.code`
//! (see [`ApiError::code`]); errors about input also name the offending argument in
//! `extensions.field`. Internal errors (database failures and bugs) are logged once, where they are
//! turned into a response, and reach the client as `INTERNAL` with no detail.

use async_graphql::ErrorExtensions;
use sea_orm::{DbErr, SqlErr};

/// Everything that can go wrong in a request.
///
/// Deliberately not `Display`: async-graphql turns any `Display` type into an error without a code,
/// so `?` in a resolver must go through the `From` below, which adds the code.
#[derive(Debug)]
pub enum ApiError {
    /// An argument is malformed or out of range.
    BadUserInput { field: String, message: String },
    /// The record does not exist, or the caller may not see it (the two are not told apart).
    NotFound { what: String },
    /// A write would break a uniqueness rule.
    Conflict(String),
    /// The database could not be reached or failed; logged, never shown.
    Internal(anyhow::Error),
}

impl ApiError {
    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Self {
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
            Self::Conflict(detail) => detail.clone(),
            Self::Internal(_) => "internal error".to_owned(),
        }
    }

    /// The stable code sent in `extensions.code`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadUserInput { .. } => "BAD_USER_INPUT",
            Self::NotFound { .. } => "NOT_FOUND",
            Self::Conflict(_) => "CONFLICT",
            Self::Internal(_) => "INTERNAL",
        }
    }
}

impl From<DbErr> for ApiError {
    fn from(err: DbErr) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(detail)) => Self::Conflict(detail),
            _ => Self::Internal(err.into()),
        }
    }
}

impl ErrorExtensions for ApiError {
    fn extend(&self) -> async_graphql::Error {
        if let Self::Internal(source) = self {
            tracing::error!(error = format!("{source:#}"), "internal error");
        }
        async_graphql::Error::new(self.message()).extend_with(|_, extensions| {
            extensions.set("code", self.code());
            if let Self::BadUserInput { field, .. } = self {
                extensions.set("field", field.as_str());
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
