//! `GET /models/{code}`: a municipality's model as a TOML document in the seed dataset's format;
//! `PUT /models/{code}` (`?dryRun=true` to preview): imports one (see `service::model_io`). The
//! same bearer tokens and rate limit as `/graphql` ([`Admitted`]); an import is refused before
//! its body is read unless the token is an editor's or admin's of that municipality. Errors are
//! the GraphQL-shaped JSON bodies of every route, a document's problems one error each, with its
//! path in `extensions.field`.
//!
//! The model's revision travels as an `ETag` (`"183-42"`: municipality and revision): an export
//! sends it, an import takes it in `If-Match` (or `*` to replace whatever is stored) and answers
//! with the new one; a document that states no revision and comes without `If-Match` gets 428.

use axum::{
    extract::{FromRequestParts, Path, Query},
    http::{header, request::Parts, HeaderMap, HeaderValue, StatusCode},
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
    error::{ApiError, FieldPath},
    service::{Basis, ImportError, Principal, Stale},
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
        let (text, revision) = admitted.store.export_model(code).await?;
        Ok::<_, ApiError>((text, etag(code, revision)))
    }
    .await;
    admitted.answer(match result {
        Ok((text, etag)) => (
            StatusCode::OK,
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/toml; charset=utf-8"),
                ),
                (header::ETAG, etag),
            ],
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
    headers: HeaderMap,
    admitted: Admitted<ModelImport>,
) -> Response {
    let result = async {
        let code = municipality_code(&code)?;
        let Query(params) =
            params.map_err(|_| ApiError::BadRequest("dryRun must be true or false".to_owned()))?;
        let Ok(text) = std::str::from_utf8(&admitted.body) else {
            return Err(ApiError::bad_input("document", "the document is not UTF-8 text").into());
        };
        let basis = basis(&headers, code)?;
        let report = admitted
            .store
            .import_model(code, text, basis, params.dry_run)
            .await?;
        Ok((etag(code, report.revision), report))
    }
    .await;
    admitted.answer(match result {
        Ok((etag, report)) => {
            (StatusCode::OK, [(header::ETAG, etag)], axum::Json(report)).into_response()
        }
        Err(ImportError::Refused(error)) => error_response(&error, ResponseType::Json),
        Err(ImportError::Stale(stale)) => stale_response(&stale),
        Err(ImportError::Invalid(problems)) => {
            let errors = problems
                .into_iter()
                .map(|problem| {
                    // The path is the document's, spelled as the document spells it.
                    ApiError::bad_input(FieldPath::verbatim(problem.path), problem.message)
                        .to_server_error()
                })
                .collect();
            errors_response(StatusCode::BAD_REQUEST, errors)
        }
    })
}

/// The model's revision `revision` of municipality `code` as an entity tag.
fn etag(code: i32, revision: i32) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{code}-{revision}\"")).expect("digits and a dash")
}

/// What an import is based on, by its `If-Match`: `*`, or one entity tag of an export of the
/// model of `code`.
fn basis(headers: &HeaderMap, code: i32) -> Result<Basis, ApiError> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(Basis::Unstated);
    };
    let text = value.to_str().unwrap_or_default().trim();
    if text == "*" {
        return Ok(Basis::Anything);
    }
    text.strip_prefix('"')
        .and_then(|tag| tag.strip_suffix('"'))
        .and_then(|tag| tag.split_once('-'))
        .filter(|(of, _)| of.parse() == Ok(code))
        .and_then(|(_, revision)| revision.parse().ok())
        .filter(|revision: &i32| *revision >= 0)
        .map(Basis::Revision)
        .ok_or_else(|| {
            ApiError::BadRequest(format!(
                "If-Match must be * or the ETag of an export of municipality {code} \
                 (\"{code}-<revision>\"), not {}",
                crate::error::excerpt(text)
            ))
        })
}

/// 409: the model changed since the import's basis; one `CONFLICT` error per record changed
/// since (its `kind`, `key` and current `revision`, none once deleted, and the last `action`),
/// each with the model's `currentRevision`.
fn stale_response(stale: &Stale) -> Response {
    let conflict = |message: String| {
        let mut error = ApiError::Conflict(message).to_server_error();
        let extensions = error.extensions.get_or_insert_with(Default::default);
        extensions.set("basedOn", stale.based_on);
        extensions.set("currentRevision", stale.current);
        error
    };
    let mut errors: Vec<_> = stale
        .records
        .iter()
        .map(|record| {
            let mut error = conflict(format!(
                "{} {} changed since revision {} ({}): export again, or send If-Match: * to \
                 replace it",
                record.kind,
                record.key.as_deref().unwrap_or("(deleted)"),
                stale.based_on,
                record.action
            ));
            let extensions = error.extensions.get_or_insert_with(Default::default);
            extensions.set("kind", record.kind.as_str());
            extensions.set(
                "key",
                record
                    .key
                    .as_deref()
                    .map_or(async_graphql::Value::Null, Into::into),
            );
            extensions.set(
                "revision",
                record
                    .revision
                    .map_or(async_graphql::Value::Null, Into::into),
            );
            extensions.set("action", record.action.as_str());
            error
        })
        .collect();
    if stale.records.is_empty() {
        errors.push(conflict(format!(
            "revision {} is not a revision of the model: it is at revision {}",
            stale.based_on, stale.current
        )));
    } else if stale.unlisted > 0 {
        errors.push(conflict(format!(
            "and {} more records changed since revision {}",
            stale.unlisted, stale.based_on
        )));
    }
    errors_response(StatusCode::CONFLICT, errors)
}

/// A refusal with several errors, one for each thing at fault.
fn errors_response(status: StatusCode, errors: Vec<async_graphql::ServerError>) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, ResponseType::Json.content_type())],
        json!({ "errors": errors }).to_string(),
    )
        .into_response()
}

fn municipality_code(text: &str) -> Result<i32, ApiError> {
    text.parse()
        .map_err(|_| ApiError::not_found(format!("municipality {}", crate::error::excerpt(text))))
}
