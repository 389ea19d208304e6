//! GraphQL over HTTP, as its specification says: queries by `GET` or `POST`, mutations only by
//! `POST` (405 otherwise), JSON request bodies only (415), one operation per request (batches are
//! refused), content negotiation between `application/graphql-response+json` and
//! `application/json`, and 400 for documents that do not parse or validate under the new type.

use async_graphql::{
    http::GraphiQLSource,
    parser::types::{
        DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet,
    },
    Positioned, ServerError, Variables,
};
use axum::{
    body::Bytes,
    extract::{RawQuery, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{Html, IntoResponse, Response},
};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{
    negotiation::{is_json_body, wants_html, ResponseType},
    AppState,
};
use crate::{
    config::Limits,
    service::{Caller, Store},
};

/// A GraphQL request as the spec's JSON encoding has it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GraphqlParams {
    query: Option<String>,
    operation_name: Option<String>,
    variables: Option<Value>,
    extensions: Option<Value>,
}

/// A request that cannot be executed, with the status it earns.
struct Rejection {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl Rejection {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BAD_REQUEST", message)
    }
}

/// `GET /graphql`: GraphiQL for browsers, otherwise a query from the URL parameters.
pub async fn get(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let raw = raw.unwrap_or_default();
    if raw.is_empty() && wants_html(&headers) {
        return Html(GraphiQLSource::build().endpoint("/graphql").finish()).into_response();
    }
    let Some(response_type) = ResponseType::negotiate(&headers) else {
        return not_acceptable();
    };
    let params = match params_from_url(&raw) {
        Ok(params) => params,
        Err(rejection) => return reject(rejection, response_type),
    };
    execute(&state, params, response_type, Method::Get).await
}

/// `POST /graphql`: a query or mutation in a JSON body.
pub async fn post(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(response_type) = ResponseType::negotiate(&headers) else {
        return not_acceptable();
    };
    if !is_json_body(&headers) {
        return reject(
            Rejection::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "UNSUPPORTED_MEDIA_TYPE",
                "the request body must be application/json",
            ),
            response_type,
        );
    }
    let params = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Array(_)) => Err(Rejection::new(
            StatusCode::BAD_REQUEST,
            "BATCH_NOT_SUPPORTED",
            "batched requests are not supported: send one operation per request",
        )),
        Ok(value @ Value::Object(_)) => {
            serde_json::from_value::<GraphqlParams>(value).map_err(|err| {
                Rejection::bad_request(format!("the request body is not a GraphQL request: {err}"))
            })
        }
        Ok(_) => Err(Rejection::bad_request(
            "the request body must be a JSON object",
        )),
        Err(err) => Err(Rejection::bad_request(format!(
            "the request body is not JSON: {err}"
        ))),
    };
    match params {
        Ok(params) => execute(&state, params, response_type, Method::Post).await,
        Err(rejection) => reject(rejection, response_type),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Method {
    Get,
    Post,
}

fn params_from_url(raw: &str) -> Result<GraphqlParams, Rejection> {
    let pairs: Vec<(String, String)> = url_pairs(raw)?;
    let find = |name: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, v)| v.clone())
    };
    let json_param = |name: &str| -> Result<Option<Value>, Rejection> {
        find(name)
            .filter(|text| !text.is_empty())
            .map(|text| {
                serde_json::from_str(&text)
                    .map_err(|err| Rejection::bad_request(format!("`{name}` is not JSON: {err}")))
            })
            .transpose()
    };
    Ok(GraphqlParams {
        query: find("query"),
        operation_name: find("operationName").filter(|name| !name.is_empty()),
        variables: json_param("variables")?,
        extensions: json_param("extensions")?,
    })
}

fn url_pairs(raw: &str) -> Result<Vec<(String, String)>, Rejection> {
    axum::extract::Query::<Vec<(String, String)>>::try_from_uri(
        &format!("/?{raw}")
            .parse()
            .map_err(|_| Rejection::bad_request("the URL query is malformed"))?,
    )
    .map(|query| query.0)
    .map_err(|err| Rejection::bad_request(format!("the URL query is malformed: {err}")))
}

async fn execute(
    state: &AppState,
    params: GraphqlParams,
    response_type: ResponseType,
    method: Method,
) -> Response {
    let mut request = match graphql_request(params) {
        Ok(request) => request,
        Err(rejection) => return reject(rejection, response_type),
    };
    if let Some(refusal) = refuse_document(&mut request, method, &state.limits, response_type) {
        return refusal;
    }
    // Authentication comes later; until then every request is anonymous and sees public records.
    let store = Store::new(state.db.clone(), Caller::Anonymous);
    let request = crate::graphql::request_data(request, store, &state.limits);
    let mut response = state.schema.execute(request).await;
    // Errors before execution (validation, limits) have no path and leave no data.
    let request_error = response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|error| error.path.is_empty());
    response.errors = response.errors.into_iter().map(classify).collect();
    if request_error {
        return document_error(response.errors, response_type);
    }
    let body = serde_json::to_value(&response)
        .unwrap_or_else(|_| json!({ "errors": [{ "message": "internal error" }] }));
    respond(StatusCode::OK, response_type, &body)
}

/// The async-graphql request the parameters describe.
fn graphql_request(params: GraphqlParams) -> Result<async_graphql::Request, Rejection> {
    let query = params
        .query
        .filter(|q| !q.trim().is_empty())
        .ok_or_else(|| Rejection::bad_request("the request has no `query`"))?;
    let variables = match params.variables {
        None | Some(Value::Null) => Variables::default(),
        Some(value @ Value::Object(_)) => Variables::from_json(value),
        Some(_) => return Err(Rejection::bad_request("`variables` must be a JSON object")),
    };
    let mut request = async_graphql::Request::new(query).variables(variables);
    if let Some(name) = params.operation_name {
        request = request.operation_name(name);
    }
    if let Some(Value::Object(extensions)) = params.extensions {
        for (key, value) in extensions {
            if let Ok(value) = async_graphql::Value::from_json(value) {
                request.extensions.insert(key, value);
            }
        }
    }
    Ok(request)
}

/// Parses the document once (async-graphql keeps the parse) and answers what must not run:
/// documents that do not parse, mutations over `GET`, too many aliases.
fn refuse_document(
    request: &mut async_graphql::Request,
    method: Method,
    limits: &Limits,
    response_type: ResponseType,
) -> Option<Response> {
    let operation_name = request.operation_name.clone();
    let document = match request.parsed_query() {
        Ok(document) => document,
        Err(error) => {
            let error = with_code(error, "GRAPHQL_PARSE_FAILED");
            return Some(document_error(vec![error], response_type));
        }
    };
    if method == Method::Get && selects_mutation(document, operation_name.as_deref()) {
        let mut response = reject(
            Rejection::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "METHOD_NOT_ALLOWED",
                "mutations are only accepted over POST",
            ),
            response_type,
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return Some(response);
    }
    let aliases = count_aliases(document);
    if aliases > limits.max_aliases {
        let message = format!(
            "the document has {aliases} aliases; at most {} are allowed",
            limits.max_aliases
        );
        let error = with_code(ServerError::new(message, None), "QUERY_TOO_COMPLEX");
        return Some(document_error(vec![error], response_type));
    }
    None
}

/// Gives errors from async-graphql itself (validation, limits, scalar parsing) a stable code.
fn classify(error: ServerError) -> ServerError {
    if error
        .extensions
        .as_ref()
        .is_some_and(|e| e.get("code").is_some())
    {
        return error;
    }
    let message = error.message.as_str();
    let code = if message.contains("too complex") || message.contains("nested too deep") {
        "QUERY_TOO_COMPLEX"
    } else if error.path.is_empty() {
        "GRAPHQL_VALIDATION_FAILED"
    } else if message.starts_with("Failed to parse") || message.starts_with("Invalid value") {
        "BAD_USER_INPUT"
    } else {
        "INTERNAL"
    };
    with_code(error, code)
}

fn with_code(mut error: ServerError, code: &str) -> ServerError {
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", code);
    error
}

fn selects_mutation(document: &ExecutableDocument, operation_name: Option<&str>) -> bool {
    match &document.operations {
        DocumentOperations::Single(operation) => operation.node.ty == OperationType::Mutation,
        DocumentOperations::Multiple(operations) => match operation_name {
            Some(name) => operations.iter().any(|(op_name, op)| {
                op_name.as_str() == name && op.node.ty == OperationType::Mutation
            }),
            None => false,
        },
    }
}

fn count_aliases(document: &ExecutableDocument) -> usize {
    fn in_set(set: &Positioned<SelectionSet>) -> usize {
        set.node
            .items
            .iter()
            .map(|item| match &item.node {
                Selection::Field(field) => {
                    usize::from(field.node.alias.is_some()) + in_set(&field.node.selection_set)
                }
                Selection::InlineFragment(fragment) => in_set(&fragment.node.selection_set),
                Selection::FragmentSpread(_) => 0,
            })
            .sum()
    }
    let operations: usize = document
        .operations
        .iter()
        .map(|(_, operation)| in_set(&operation.node.selection_set))
        .sum();
    let fragments: usize = document
        .fragments
        .values()
        .map(|fragment| in_set(&fragment.node.selection_set))
        .sum();
    operations + fragments
}

/// A document that does not parse or validate: 400 under the new media type, 200 under JSON.
fn document_error(errors: Vec<ServerError>, response_type: ResponseType) -> Response {
    let status = match response_type {
        ResponseType::GraphqlResponse => StatusCode::BAD_REQUEST,
        ResponseType::Json => StatusCode::OK,
    };
    respond(status, response_type, &json!({ "errors": errors }))
}

fn reject(rejection: Rejection, response_type: ResponseType) -> Response {
    let error = json!({
        "message": rejection.message,
        "extensions": { "code": rejection.code },
    });
    respond(
        rejection.status,
        response_type,
        &json!({ "errors": [error] }),
    )
}

fn not_acceptable() -> Response {
    let error = json!({
        "message": format!(
            "accept {} or {}",
            ResponseType::GRAPHQL_RESPONSE,
            ResponseType::JSON
        ),
        "extensions": { "code": "NOT_ACCEPTABLE" },
    });
    respond(
        StatusCode::NOT_ACCEPTABLE,
        ResponseType::Json,
        &json!({ "errors": [error] }),
    )
}

fn respond(status: StatusCode, response_type: ResponseType, body: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, response_type.content_type())],
        body.to_string(),
    )
        .into_response()
}
