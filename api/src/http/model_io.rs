//! `GET /models/{code}`: a municipality's model as a TOML document in the seed dataset's format;
//! `PUT /models/{code}` (`?dryRun=true` to preview): imports one (see `service::model_io`). The
//! same bearer tokens and rate limit as `/graphql` ([`Admitted`]); an import is refused before
//! its body is read unless the token is an editor's or admin's of that municipality. Errors are
//! the GraphQL-shaped JSON bodies of every route, a document's problems one error each, with its
//! path in `extensions.field`.

use axum::{
    extract::{FromRequestParts, Path, Query},
    http::{header, request::Parts, StatusCode},
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use serde_json::json;

use super::{
    admission::{Admitted, Route},
    error_response,
    negotiation::ResponseType,
    AppState,
};
use crate::{
    config::Limits,
    error::ApiError,
    service::{ImportError, Principal},
};

/// The parameters of an import.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportParams {
    /// Only show what the import would change.
    #[serde(default)]
    dry_run: bool,
}

/// Points an export spends from the caller's budget (the gate cannot measure a document): about
/// the records times the fields of the seed's largest model (Ishøj: 263 records), what a GraphQL
/// query reading them all would return.
pub const EXPORT_COST: u64 = 2_500;

/// Points an import spends: it reads the model as an export does, then compares and writes it.
pub const IMPORT_COST: u64 = 5_000;

/// What an export passes before its handler runs ([`Admitted`]).
pub struct ModelExport;

impl Route for ModelExport {
    const UP_FRONT_COST: u64 = EXPORT_COST;

    fn max_body_bytes(limits: &Limits) -> usize {
        limits.max_body_bytes
    }

    async fn authorize(_: &Principal, _: &mut Parts, _: &AppState) -> Result<(), ApiError> {
        // Anyone may export; what the document holds is decided by the store.
        Ok(())
    }
}

/// What an import passes before its body is read: the principal must be an editor or admin of
/// the municipality (anonymous: 401 with `WWW-Authenticate`; anyone else: 403).
pub struct ModelImport;

impl Route for ModelImport {
    const UP_FRONT_COST: u64 = IMPORT_COST;

    fn max_body_bytes(limits: &Limits) -> usize {
        limits.max_import_bytes
    }

    async fn authorize(
        principal: &Principal,
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<(), ApiError> {
        let Path(code) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::RouteNotFound)?;
        let code = municipality_code(&code)?;
        match principal {
            _ if principal.edits(code) => Ok(()),
            Principal::Anonymous => Err(ApiError::Unauthenticated {
                error: "invalid_request",
                reason: "importing a model needs an editor's bearer token",
            }),
            _ => Err(ApiError::Forbidden(format!(
                "only an editor of municipality {code} may change its model"
            ))),
        }
    }
}

/// `GET /models/{code}`.
pub async fn export(Path(code): Path<String>, admitted: Admitted<ModelExport>) -> Response {
    let result = async {
        let code = municipality_code(&code)?;
        admitted.store.export_model(code).await
    }
    .await;
    admitted.answer(match result {
        Ok(text) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/toml; charset=utf-8")],
            text,
        )
            .into_response(),
        Err(error) => error_response(&error, ResponseType::Json),
    })
}

/// `PUT /models/{code}`.
pub async fn import(
    Path(code): Path<String>,
    params: Result<Query<ImportParams>, axum::extract::rejection::QueryRejection>,
    admitted: Admitted<ModelImport>,
) -> Response {
    let result = async {
        let code = municipality_code(&code)?;
        let Query(params) =
            params.map_err(|_| ApiError::BadRequest("dryRun must be true or false".to_owned()))?;
        let Ok(text) = std::str::from_utf8(&admitted.body) else {
            return Err(ApiError::bad_input("document", "the document is not UTF-8 text").into());
        };
        admitted
            .store
            .import_model(code, text, params.dry_run)
            .await
    }
    .await;
    admitted.answer(match result {
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
    })
}

fn municipality_code(text: &str) -> Result<i32, ApiError> {
    text.parse()
        .map_err(|_| ApiError::not_found(format!("municipality {}", crate::error::excerpt(text))))
}
