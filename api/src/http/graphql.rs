//! GraphQL over HTTP, as its specification says: queries by `GET` or `POST`, mutations only by
//! `POST` (405 otherwise), JSON request bodies only (415), one operation per request (batches are
//! refused), content negotiation between `application/graphql-response+json` and
//! `application/json`, and 4xx for requests that cannot run under the new type.
//!
//! The response is serialised once, straight from async-graphql's ordered value to bytes, so its
//! fields come back in the order of the query.

use std::sync::Arc;

use async_graphql::{ServerError, Variables};
use axum::{
    body::Bytes,
    extract::{FromRequest, Request, State},
    http::{header, request::Parts, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use serde_json::Value;
use tracing::Instrument;

use super::{
    admission::{Admitted, Route},
    error_response, metrics,
    negotiation::{is_json_body, wants_html, ResponseType},
    respond_with,
    response_cache::{CacheKey, CachedAnswer, ContentCoding},
    web::Page,
    AppState,
};
use crate::{
    config::{Limits, RequireTrustedDocuments},
    error::{excerpt, ApiError},
    graphql::gate::Allowed,
    service::Principal,
    telemetry::{self, request::CacheLookup},
};

/// A GraphQL request as the spec's JSON encoding has it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GraphqlParams {
    query: Option<Value>,
    /// A trusted document's id (`sha256:<hex>`), instead of `query` (see `http::trusted_documents`).
    document_id: Option<Value>,
    operation_name: Option<Value>,
    variables: Option<Value>,
    extensions: Option<Value>,
}

/// What a GraphQL request passes before its handler runs ([`Admitted`]): it spends one point up
/// front, and the rest of its complexity once the gate has measured it.
pub struct GraphqlRoute;

impl Route for GraphqlRoute {
    const UP_FRONT_COST: u64 = 1;
    const CACHED: bool = true;

    fn max_body_bytes(limits: &Limits) -> usize {
        limits.max_body_bytes
    }

    async fn authorize(_: &Principal, _: &mut Parts, _: &AppState) -> Result<(), ApiError> {
        // Anyone may ask; what they see is decided by the store.
        Ok(())
    }
}

/// `GET /graphql`: GraphiQL for browsers (the web build's, which needs no CDN), otherwise a query
/// from the URL parameters.
pub async fn get(State(state): State<AppState>, request: Request) -> Response {
    let headers = request.headers().clone();
    let raw = request.uri().query().unwrap_or_default().to_owned();
    // The page is a static file: it needs no caller, no slot and no database.
    if raw.is_empty() && wants_html(&headers) {
        return state.web.page(Page::Graphiql).await;
    }
    let mut admitted = match Admitted::<GraphqlRoute>::from_request(request, &state).await {
        Ok(admitted) => admitted,
        Err(refusal) => return refusal,
    };
    let Some(response_type) = ResponseType::negotiate(&headers) else {
        return admitted.answer(error_response(&ApiError::NotAcceptable, ResponseType::Json));
    };
    let result = match params_from_url(&raw) {
        Ok(params) => execute(&state, &mut admitted, params, Allowed::Queries).await,
        Err(error) => Err(error),
    };
    let coding = ContentCoding::negotiate(&headers);
    let etag = match &result {
        Ok(Outcome::Answered { etag, answer }) => Some(format!(
            "\"{etag}-{}{}\"",
            response_type.tag(),
            answer.coding_for(coding).tag()
        )),
        _ => None,
    };
    let anonymous = matches!(admitted.store.principal(), Principal::Anonymous);
    let response = respond(result, response_type, coding);
    admitted.answer(with_http_caching(response, &headers, etag, anonymous))
}

/// How long shared caches (a CDN, a proxy) may keep an anonymous answer to a `GET`, in seconds:
/// a write is seen there at most this late.
const ANONYMOUS_MAX_AGE_SECS: u32 = 5;

/// HTTP caching of a `GET` answer: one the response cache holds (or may hold) carries its entity
/// tag, and a client that already has it (`If-None-Match`) gets 304 without the body. Anonymous
/// answers may be kept briefly by shared caches; a signed-in caller's only by its own client,
/// which asks again every time (the tag makes that cheap). Anything else is not to be stored.
fn with_http_caching(
    response: Response,
    request: &HeaderMap,
    etag: Option<String>,
    anonymous: bool,
) -> Response {
    let Some(etag) = etag else {
        let mut response = response;
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        return response;
    };
    let client_has_it = request
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|tag| tag.trim().trim_start_matches("W/"))
        .any(|tag| tag == etag || tag == "*");
    let mut response = match client_has_it {
        true => StatusCode::NOT_MODIFIED.into_response(),
        false => response,
    };
    let headers = response.headers_mut();
    let cache_control = match anonymous {
        true => format!("public, max-age={ANONYMOUS_MAX_AGE_SECS}"),
        false => "private, no-cache".to_owned(),
    };
    for (name, value) in [
        (header::ETAG, etag),
        (header::CACHE_CONTROL, cache_control),
        (
            header::VARY,
            "Accept, Accept-Encoding, Authorization".to_owned(),
        ),
    ] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    response
}

/// `POST /graphql`: a query or mutation in a JSON body.
pub async fn post(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut admitted: Admitted<GraphqlRoute>,
) -> Response {
    let Some(response_type) = ResponseType::negotiate(&headers) else {
        return admitted.answer(error_response(&ApiError::NotAcceptable, ResponseType::Json));
    };
    let result = match params_from_body(&headers, &admitted.body) {
        Ok(params) => execute(&state, &mut admitted, params, Allowed::Any).await,
        Err(error) => Err(error),
    };
    admitted.answer(respond(
        result,
        response_type,
        ContentCoding::negotiate(&headers),
    ))
}

fn params_from_body(headers: &HeaderMap, body: &[u8]) -> Result<GraphqlParams, ApiError> {
    if !is_json_body(headers) {
        return Err(ApiError::UnsupportedMediaType);
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Array(_)) => Err(ApiError::BatchNotSupported),
        Ok(value @ Value::Object(_)) => serde_json::from_value(value).map_err(|_| {
            ApiError::BadRequest("the request body is not a GraphQL request".to_owned())
        }),
        Ok(_) => Err(ApiError::BadRequest(
            "the request body must be a JSON object".to_owned(),
        )),
        Err(err) => Err(ApiError::BadRequest(format!(
            "the request body is not JSON: {err}"
        ))),
    }
}

fn params_from_url(raw: &str) -> Result<GraphqlParams, ApiError> {
    let malformed = || ApiError::BadRequest("the URL query is malformed".to_owned());
    let uri = format!("/?{raw}").parse().map_err(|_| malformed())?;
    let pairs = axum::extract::Query::<Vec<(String, String)>>::try_from_uri(&uri)
        .map_err(|_| malformed())?
        .0;
    let find = |name: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
    };
    let json_param = |name: &str| -> Result<Option<Value>, ApiError> {
        find(name)
            .filter(|text| !text.is_empty())
            .map(|text| {
                serde_json::from_str(&text)
                    .map_err(|err| ApiError::BadRequest(format!("`{name}` is not JSON: {err}")))
            })
            .transpose()
    };
    Ok(GraphqlParams {
        query: find("query").map(Value::String),
        document_id: find("documentId").map(Value::String),
        operation_name: find("operationName")
            .filter(|name| !name.is_empty())
            .map(Value::String),
        variables: json_param("variables")?,
        extensions: json_param("extensions")?,
    })
}

/// What became of a request that passed the gate.
enum Outcome {
    /// Its answer without errors, as the bytes to send (compressed once per coding): from the
    /// response cache, or run and then cached; with its entity tag (from the cache key).
    Answered {
        answer: Arc<CachedAnswer>,
        etag: String,
    },
    /// It ran: data and field errors.
    Ran(async_graphql::Response),
    /// async-graphql's validation refused the document: its errors, each with locations.
    Invalid(Vec<ServerError>),
    /// The database failed it midway; the cause was logged where it happened.
    Unavailable,
}

/// Runs a request for the caller, or gives the error that stops it as a whole.
async fn execute(
    state: &AppState,
    admitted: &mut Admitted<GraphqlRoute>,
    params: GraphqlParams,
    allowed: Allowed,
) -> Result<Outcome, ApiError> {
    let anonymous = matches!(admitted.store.principal(), Principal::Anonymous);
    let params = with_document(params, state, anonymous)?;
    // The cache and the key of this request in it, when the cache is on.
    let cached = state
        .response_cache
        .as_deref()
        .zip(admitted.data_version)
        .map(|(cache, data_version)| {
            let key = CacheKey::new(
                params.query.as_ref(),
                params.operation_name.as_ref(),
                params.variables.as_ref(),
                params.extensions.as_ref(),
                admitted.store.caller(),
                data_version,
            );
            (cache, key)
        });
    if let Some((cache, key)) = &cached {
        if let Some(answer) = cache.get(key) {
            // Only queries' answers are cached, and a query may come by either method.
            telemetry::request::runs_operation(telemetry::request::Operation {
                name: answer.operation_name.clone(),
                kind: "query",
            });
            record_operation();
            telemetry::request::looked_up_cache(CacheLookup::Hit);
            admitted.spend(answer.complexity)?;
            return Ok(Outcome::Answered {
                answer,
                etag: key.etag(),
            });
        }
    }
    let mut request = graphql_request(params)?.data(Arc::clone(&state.sign_in));
    let complexity =
        tracing::info_span!("graphql.gate").in_scope(|| state.api.admit(&mut request, allowed))?;
    record_operation();
    admitted.spend(complexity)?;
    let mut response = state
        .api
        .run(request, admitted.store.clone())
        .instrument(tracing::info_span!("graphql.execute"))
        .await?;
    // Errors before execution (validation) have no path and leave no data.
    let not_executed = response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|error| error.path.is_empty());
    if not_executed {
        let mut errors = response.errors;
        for error in &mut errors {
            with_code(error, "GRAPHQL_VALIDATION_FAILED");
            // Messages quote names from the document, which can be long.
            error.message = cut_short(&error.message);
        }
        return Ok(Outcome::Invalid(errors));
    }
    if response
        .errors
        .iter()
        .any(|error| code_of(error) == Some("SERVICE_UNAVAILABLE"))
    {
        // A partial answer would look like missing records: refuse the whole request instead.
        return Ok(Outcome::Unavailable);
    }
    for error in &mut response.errors {
        if code_of(error).is_none() {
            // async-graphql's own execution errors: argument values are checked at the gate and
            // in validation, so what reaches here is the server's fault.
            tracing::error!(error = %error.message, path = ?error.path, "uncoded execution error");
            error.message = "internal error".to_owned();
            with_code(error, "INTERNAL");
        }
    }
    let operation = telemetry::request::current_operation();
    let cacheable = response.errors.is_empty()
        && response.cache_control.max_age >= 0
        && operation.as_ref().is_some_and(|o| o.kind == "query");
    match cached {
        Some((cache, key)) if cacheable => {
            telemetry::request::looked_up_cache(CacheLookup::Stored);
            let body: Bytes = serde_json::to_vec(&response)
                .map_err(|error| ApiError::Internal(error.into()))?
                .into();
            let etag = key.etag();
            let answer = Arc::new(CachedAnswer::new(
                body,
                complexity,
                operation.and_then(|o| o.name),
            ));
            cache.insert(key, Arc::clone(&answer));
            Ok(Outcome::Answered { answer, etag })
        }
        Some(_) => {
            telemetry::request::looked_up_cache(CacheLookup::Uncacheable);
            Ok(Outcome::Ran(response))
        }
        None => Ok(Outcome::Ran(response)),
    }
}

/// The request with its document's text: the registered document its id names, or the text it
/// sent, if the server lets this caller send a document that is not registered.
fn with_document(
    params: GraphqlParams,
    state: &AppState,
    anonymous: bool,
) -> Result<GraphqlParams, ApiError> {
    let trusted = &state.trusted_documents;
    let named = trusted.resolve(
        params.document_id.as_ref(),
        params.extensions.as_ref(),
        params.query.as_ref(),
    )?;
    if let Some(text) = named {
        return Ok(GraphqlParams {
            query: Some(Value::String(text.to_owned())),
            ..params
        });
    }
    let registered_only = match state.limits.require_trusted_documents {
        RequireTrustedDocuments::Nobody => false,
        RequireTrustedDocuments::Anonymous => anonymous,
        RequireTrustedDocuments::Everyone => true,
    };
    let registered = matches!(&params.query, Some(Value::String(text)) if trusted.holds(text));
    match registered_only && !registered {
        true => Err(ApiError::TrustedDocumentRequired),
        false => Ok(params),
    }
}

/// Names the request's operation, once known, on its trace.
fn record_operation() {
    if let Some(operation) = telemetry::request::current_operation() {
        let span = tracing::Span::current();
        span.record("graphql.operation.type", operation.kind);
        if let Some(name) = &operation.name {
            span.record("graphql.operation.name", name.as_str());
        }
    }
}

/// A message of async-graphql's, cut short when it quotes a long part of the document.
fn cut_short(message: &str) -> String {
    const MAX_MESSAGE_CHARS: usize = 200;
    match message.char_indices().nth(MAX_MESSAGE_CHARS) {
        Some((end, _)) => format!("{}…", &message[..end]),
        None => message.to_owned(),
    }
}

fn code_of(error: &ServerError) -> Option<&str> {
    match error.extensions.as_ref()?.get("code")? {
        async_graphql::Value::String(code) => Some(code),
        _ => None,
    }
}

fn with_code(error: &mut ServerError, code: &str) {
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", code);
}

/// The async-graphql request the parameters describe; every parameter must have its JSON type.
fn graphql_request(params: GraphqlParams) -> Result<async_graphql::Request, ApiError> {
    let query = match params.query {
        Some(Value::String(query)) if !query.trim().is_empty() => query,
        Some(Value::String(_)) | None | Some(Value::Null) => {
            return Err(ApiError::BadRequest(
                "the request has no `query`".to_owned(),
            ))
        }
        Some(_) => return Err(ApiError::BadRequest("`query` must be a string".to_owned())),
    };
    let variables = match params.variables {
        None | Some(Value::Null) => Variables::default(),
        Some(value @ Value::Object(_)) => Variables::from_json(value),
        Some(_) => {
            return Err(ApiError::BadRequest(
                "`variables` must be a JSON object".to_owned(),
            ))
        }
    };
    let mut request = async_graphql::Request::new(query).variables(variables);
    match params.operation_name {
        None | Some(Value::Null) => {}
        Some(Value::String(name)) => request = request.operation_name(name),
        Some(other) => {
            return Err(ApiError::BadRequest(format!(
                "`operationName` must be a string, not {}",
                excerpt(&other.to_string())
            )))
        }
    }
    match params.extensions {
        None | Some(Value::Null) => {}
        Some(Value::Object(extensions)) => {
            for (key, value) in extensions {
                if let Ok(value) = async_graphql::Value::from_json(value) {
                    request.extensions.insert(key, value);
                }
            }
        }
        Some(_) => {
            return Err(ApiError::BadRequest(
                "`extensions` must be a JSON object".to_owned(),
            ))
        }
    }
    Ok(request)
}

/// 200 with an answer without errors, compressed as the client prefers (the compression layer
/// passes on a body that has its `Content-Encoding`).
fn answered(answer: &CachedAnswer, response_type: ResponseType, coding: ContentCoding) -> Response {
    let (coding, body) = answer.encoded(coding);
    let mut response = (
        StatusCode::OK,
        [(header::CONTENT_TYPE, response_type.content_type())],
        body,
    )
        .into_response();
    if let Some(encoding) = coding.header_value() {
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_ENCODING, encoding);
        headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    response
}

/// The HTTP response: 200 with the GraphQL response, or the error's own status. Under the legacy
/// `application/json`, a well-formed request whose document cannot run still gets 200, as the
/// spec asks for legacy clients.
fn respond(
    result: Result<Outcome, ApiError>,
    response_type: ResponseType,
    coding: ContentCoding,
) -> Response {
    let document_error_status = match response_type {
        ResponseType::GraphqlResponse => StatusCode::BAD_REQUEST,
        ResponseType::Json => StatusCode::OK,
    };
    let (status, body, code) = match result {
        Ok(Outcome::Answered { answer, .. }) => return answered(&answer, response_type, coding),
        Ok(Outcome::Ran(response)) => (
            StatusCode::OK,
            serde_json::to_vec(&response).map(Bytes::from),
            response
                .errors
                .first()
                .and_then(code_of)
                .map(|code| code.to_owned()),
        ),
        Ok(Outcome::Invalid(errors)) => (
            document_error_status,
            serde_json::to_vec(&serde_json::json!({ "errors": errors })).map(Bytes::from),
            Some("GRAPHQL_VALIDATION_FAILED".to_owned()),
        ),
        Ok(Outcome::Unavailable) => {
            let error = ApiError::ServiceUnavailable(anyhow::anyhow!("logged by the resolver"));
            return respond_with(&error, response_type);
        }
        Err(error) => {
            let mut response = error_response(&error, response_type);
            if error.is_document_error() {
                *response.status_mut() = document_error_status;
            }
            return response;
        }
    };
    match body {
        Ok(body) => {
            let mut response = (
                status,
                [(header::CONTENT_TYPE, response_type.content_type())],
                body,
            )
                .into_response();
            if let Some(code) = code {
                response.extensions_mut().insert(metrics::Outcome {
                    code: code.into(),
                    refusal: None,
                });
            }
            response
        }
        Err(err) => error_response(&ApiError::Internal(err.into()), response_type),
    }
}
