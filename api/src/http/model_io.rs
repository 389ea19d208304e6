//! `GET /models/{code}`: a municipality's model as a TOML document in the seed dataset's format;
//! `PUT /models/{code}` (`?dryRun=true` to preview): imports one (see `service::model_io`). The
//! same bearer tokens as `/graphql`; errors are the GraphQL-shaped JSON bodies of every route,
//! a document's problems one error each, with its path in `extensions.field`.

use axum::{
    body::Bytes,
    extract::{rejection::BytesRejection, Path, Query, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use serde_json::json;

use super::{error_response, negotiation::ResponseType, AppState};
use crate::{
    error::ApiError,
    service::{Caller, ImportError, Principal, Store},
};

/// The parameters of an import.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportParams {
    /// Only show what the import would change.
    #[serde(default)]
    dry_run: bool,
}

/// `GET /models/{code}`.
pub async fn export(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Response {
    let result = async {
        let code = municipality_code(&code)?;
        let store = store_for(&state, &headers).await?;
        store.export_model(code).await
    }
    .await;
    match result {
        Ok(text) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/toml; charset=utf-8")],
            text,
        )
            .into_response(),
        Err(error) => error_response(&error, ResponseType::Json),
    }
}

/// `PUT /models/{code}`.
pub async fn import(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
    params: Result<Query<ImportParams>, axum::extract::rejection::QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let result = async {
        let code = municipality_code(&code)?;
        let Query(params) =
            params.map_err(|_| ApiError::BadRequest("dryRun must be true or false".to_owned()))?;
        let store = store_for(&state, &headers).await?;
        if store.principal() == &Principal::Anonymous {
            return Err(ApiError::Unauthenticated {
                error: "invalid_request",
                reason: "importing a model needs an editor's bearer token",
            }
            .into());
        }
        let body = body.map_err(|rejection| match rejection.status() {
            StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
            _ => ApiError::BadRequest("the request body could not be read".to_owned()),
        })?;
        let Ok(text) = std::str::from_utf8(&body) else {
            return Err(ApiError::bad_input("document", "the document is not UTF-8 text").into());
        };
        store.import_model(code, text, params.dry_run).await
    }
    .await;
    match result {
        Ok(report) => (StatusCode::OK, axum::Json(report)).into_response(),
        Err(ImportError::Refused(error)) => error_response(&error, ResponseType::Json),
        Err(ImportError::Invalid(problems)) => {
            let errors: Vec<_> = problems
                .into_iter()
                .map(|problem| ApiError::bad_input(problem.path, problem.message).to_server_error())
                .collect();
            (
                StatusCode::BAD_REQUEST,
                [(header::CONTENT_TYPE, ResponseType::Json.content_type())],
                json!({ "errors": errors }).to_string(),
            )
                .into_response()
        }
    }
}

/// The store for the request's token (rate-limited per principal, as `/graphql` is).
async fn store_for(state: &AppState, headers: &HeaderMap) -> Result<Store, ApiError> {
    let principal = state.auth.principal(headers).await?;
    if let Some(id) = principal.id() {
        state.rate_limit.check(&id)?;
    }
    let db = state.db.connection()?;
    let caller = Caller::of(db, &principal).await?;
    Ok(Store::for_principal(db.clone(), caller, principal)
        .with_lock_wait(state.limits.write_lock_wait()))
}

fn municipality_code(text: &str) -> Result<i32, ApiError> {
    text.parse()
        .map_err(|_| ApiError::not_found(format!("municipality {}", crate::error::excerpt(text))))
}
