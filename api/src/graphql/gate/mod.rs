//! The gate every GraphQL request passes before async-graphql validates or runs it.
//!
//! async-graphql's own depth and complexity limits expand fragment spreads, so a 3 KB document
//! whose fragments spread each other twice over runs for minutes inside validation, where no
//! deadline can interrupt it. The gate instead measures a document in time proportional to its
//! size ([`cost`]) and refuses it with `QUERY_TOO_COMPLEX` before anything else looks at it; what
//! passes is small enough for validation and execution to be bounded too. It also picks the
//! operation, refuses mutations where only queries are allowed, and checks the client's input
//! ([`input`]), so that mistakes surface as `BAD_USER_INPUT` naming the variable or argument.

mod cost;
mod input;
mod types;

use async_graphql::{
    parser::{
        parse_query,
        types::{
            DocumentOperations, ExecutableDocument, OperationDefinition, OperationType, Selection,
            SelectionSet,
        },
    },
    Positioned, Request,
};

pub use types::LIST_SIZE_DIRECTIVE;

use self::{
    cost::{Measure, PageSizes},
    types::SchemaTypes,
};
use crate::{
    config::Limits,
    error::{excerpt, ApiError},
    telemetry,
};

/// How deeply brackets may nest in a document's text. The parser recurses per level, so this
/// guards its stack before it runs; documents within the depth limit never come close.
const MAX_TEXT_NESTING: usize = 128;

/// Which operations a transport may run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allowed {
    /// Queries only (`GET`, which must be safe).
    Queries,
    /// Queries and mutations (`POST`).
    Any,
}

/// The checks of one schema, with its limits.
pub struct QueryGate {
    types: SchemaTypes,
    limits: Limits,
}

impl QueryGate {
    /// A gate for the schema whose SDL is `sdl`.
    pub fn new(sdl: &str, limits: &Limits) -> Self {
        Self {
            types: SchemaTypes::from_sdl(sdl),
            limits: limits.clone(),
        }
    }

    /// Checks `request` and leaves its parsed document in it, for async-graphql to validate and
    /// run, and gives its complexity (what the rate limit charges); or says why it must not run.
    pub fn admit(&self, request: &mut Request, allowed: Allowed) -> Result<u64, ApiError> {
        let nesting = text_nesting(&request.query);
        if nesting > MAX_TEXT_NESTING {
            return Err(ApiError::QueryTooComplex(format!(
                "the document nests {nesting} levels deep; at most {MAX_TEXT_NESTING} are allowed"
            )));
        }
        let document = parse_query(&request.query).map_err(parse_failure)?;
        note_operation(&document, request.operation_name.as_deref());
        let complexity = self.check_cost(&document, request)?;
        input::check_literals(&document, self.limits.max_string_chars)?;
        let operation = select_operation(&document, request.operation_name.as_deref())?;
        if allowed == Allowed::Queries && operation.node.ty == OperationType::Mutation {
            return Err(ApiError::MethodNotAllowed);
        }
        input::check_variables(
            &self.types,
            &operation.node,
            &request.variables,
            self.limits.max_string_chars,
        )?;
        request.set_parsed_query(document);
        Ok(complexity)
    }

    /// The document's complexity, once it is within every limit.
    fn check_cost(
        &self,
        document: &ExecutableDocument,
        request: &Request,
    ) -> Result<u64, ApiError> {
        let pages = PageSizes {
            default: self.limits.default_page_size,
            max: self.limits.max_page_size,
        };
        let cost = Measure::new(&self.types, document, &request.variables, pages).document()?;
        let complexity = cost.complexity(pages.default);
        let limits = &self.limits;
        let checks = [
            (
                cost.fields,
                limits.max_fields,
                "fields after expanding its fragments",
                "MAX_QUERY_FIELDS",
            ),
            (
                cost.depth,
                limits.max_depth as u64,
                "levels of nested fields",
                "MAX_QUERY_DEPTH",
            ),
            (
                cost.aliases,
                limits.max_aliases,
                "aliases after expanding its fragments",
                "MAX_QUERY_ALIASES",
            ),
            (
                complexity,
                limits.max_complexity,
                "complexity (fields times the rows of the lists around them)",
                "MAX_QUERY_COMPLEXITY",
            ),
        ];
        for (value, limit, what, setting) in checks {
            if value > limit {
                let value = if value == u64::MAX {
                    "more than 18 quintillion".to_owned()
                } else {
                    value.to_string()
                };
                return Err(ApiError::QueryTooComplex(format!(
                    "the document has {value} {what}; at most {limit} are allowed ({setting})"
                )));
            }
        }
        Ok(complexity)
    }

    /// The fields returning lists of objects that declare no `@listSize` (a test keeps this empty).
    pub fn undeclared_lists(&self) -> Vec<String> {
        self.types.undeclared_lists()
    }
}

/// Whether the operation the request runs is a mutation (then it runs in a transaction).
pub fn is_mutation(document: &ExecutableDocument, operation_name: Option<&str>) -> bool {
    select_operation(document, operation_name)
        .is_ok_and(|operation| operation.node.ty == OperationType::Mutation)
}

/// Tells the request's metrics which operation it runs, once the document parses (so that the
/// gate's refusals count against the operation too).
fn note_operation(document: &ExecutableDocument, operation_name: Option<&str>) {
    let Ok(operation) = select_operation(document, operation_name) else {
        return;
    };
    let name = match &document.operations {
        DocumentOperations::Single(_) => None,
        DocumentOperations::Multiple(operations) => operations
            .iter()
            .find(|(_, candidate)| std::ptr::eq(*candidate, operation))
            .map(|(name, _)| name.to_string()),
    };
    let kind = match operation.node.ty {
        OperationType::Query => "query",
        OperationType::Mutation => "mutation",
        OperationType::Subscription => "subscription",
    };
    telemetry::request::runs_operation(telemetry::request::Operation { name, kind });
}

/// Puts every object of `data` in the order the document asks for its fields (fragments
/// included; a key asked twice stays where it was first asked). async-graphql resolves an
/// object's fields concurrently and keeps them in the order they finish, and groups a merged
/// root's fields by the object that resolves them: without this, one query's answer came back
/// in different orders from one request to the next.
pub fn order_as_asked(
    document: &ExecutableDocument,
    operation_name: Option<&str>,
    data: &mut async_graphql::Value,
) {
    if let Ok(operation) = select_operation(document, operation_name) {
        order_like(document, &[&operation.node.selection_set.node], data);
    }
}

/// Orders `value` (an object, or a list of them) as the selection sets `sets` ask.
fn order_like<'d>(
    document: &'d ExecutableDocument,
    sets: &[&'d SelectionSet],
    value: &mut async_graphql::Value,
) {
    use async_graphql::Value;
    match value {
        Value::List(items) => {
            for item in items {
                order_like(document, sets, item);
            }
        }
        Value::Object(object) => {
            let mut asked = Vec::new();
            let mut fragments_seen = Vec::new();
            for set in sets {
                response_keys(document, set, &mut fragments_seen, &mut asked);
            }
            let place = |key: &async_graphql::Name| asked.iter().position(|(k, _)| *k == key);
            object.sort_by_cached_key(|key, _| place(key));
            for (key, value) in object.iter_mut() {
                if let Some((_, below)) = asked.iter().find(|(k, _)| *k == key) {
                    if !below.is_empty() {
                        order_like(document, below, value);
                    }
                }
            }
        }
        _ => {}
    }
}

/// The response keys a selection set asks for, in order, each with the selection sets below it
/// (a key asked in several places, or through fragments, gathers all of them).
fn response_keys<'d>(
    document: &'d ExecutableDocument,
    set: &'d SelectionSet,
    fragments_seen: &mut Vec<&'d str>,
    asked: &mut Vec<(&'d async_graphql::Name, Vec<&'d SelectionSet>)>,
) {
    for item in &set.items {
        match &item.node {
            Selection::Field(field) => {
                let key = &field.node.response_key().node;
                let below = &field.node.selection_set.node;
                let at = match asked.iter().position(|(k, _)| *k == key) {
                    Some(at) => at,
                    None => {
                        asked.push((key, Vec::new()));
                        asked.len() - 1
                    }
                };
                if !below.items.is_empty() {
                    asked[at].1.push(below);
                }
            }
            Selection::InlineFragment(fragment) => {
                response_keys(
                    document,
                    &fragment.node.selection_set.node,
                    fragments_seen,
                    asked,
                );
            }
            Selection::FragmentSpread(spread) => {
                let name = spread.node.fragment_name.node.as_str();
                // Each fragment once per object: a repeat adds nothing (the gate refuses cycles).
                if let (false, Some(fragment)) =
                    (fragments_seen.contains(&name), document.fragments.get(name))
                {
                    fragments_seen.push(name);
                    response_keys(
                        document,
                        &fragment.node.selection_set.node,
                        fragments_seen,
                        asked,
                    );
                }
            }
        }
    }
}

/// Why a document does not parse, without the source line the parser quotes (which can be a
/// whole 64 KB document on one line).
fn parse_failure(error: async_graphql::parser::Error) -> ApiError {
    match &error {
        async_graphql::parser::Error::Syntax { message, start, .. } => {
            let expected = message
                .lines()
                .rev()
                .find_map(|line| line.trim().strip_prefix("= "))
                .unwrap_or("syntax error");
            ApiError::ParseFailed(format!(
                "syntax error at line {}, column {}: {}",
                start.line,
                start.column,
                excerpt(expected)
            ))
        }
        other => ApiError::ParseFailed(excerpt(&other.to_string())),
    }
}

/// The operation the request runs, as GraphQL's "GetOperation" picks it.
fn select_operation<'d>(
    document: &'d ExecutableDocument,
    name: Option<&str>,
) -> Result<&'d Positioned<OperationDefinition>, ApiError> {
    match (&document.operations, name) {
        (DocumentOperations::Single(operation), None) => Ok(operation),
        (DocumentOperations::Multiple(operations), Some(name)) => operations
            .iter()
            .find(|(op_name, _)| op_name.as_str() == name)
            .map(|(_, operation)| operation)
            .ok_or_else(|| {
                ApiError::ValidationFailed(format!(
                    "the document has no operation named {}",
                    excerpt(name)
                ))
            }),
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => operations
            .values()
            .next()
            .ok_or_else(|| ApiError::ValidationFailed("the document has no operation".into())),
        (DocumentOperations::Multiple(_), None) => Err(ApiError::ValidationFailed(
            "the document has several operations: name one in operationName".to_owned(),
        )),
        (DocumentOperations::Single(_), Some(name)) => Err(ApiError::ValidationFailed(format!(
            "the document has no operation named {}",
            excerpt(name)
        ))),
    }
}

/// How deeply `{`, `[` and `(` nest in a document, outside strings and comments.
fn text_nesting(text: &str) -> usize {
    let bytes = text.as_bytes();
    let (mut depth, mut deepest, mut i) = (0usize, 0usize, 0usize);
    while i < bytes.len() {
        match bytes[i] {
            b'{' | b'[' | b'(' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b'}' | b']' | b')' => depth = depth.saturating_sub(1),
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 2;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            _ => {}
        }
        i += 1;
    }
    deepest
}

#[cfg(test)]
mod tests {
    use async_graphql::{parser::parse_query, Value};
    use serde_json::json;

    use super::{order_as_asked, text_nesting};

    #[test]
    fn every_object_of_an_answer_is_put_in_the_order_asked() {
        let document = parse_query(
            "query Q { b: municipality { units { name id } ...More } a: sources { key } }
             fragment More on Municipality { code units { kind } ... on Municipality { name } }",
        )
        .unwrap();
        // As the executor may finish them: fields of each object in any order.
        let mut data = Value::from_json(json!({
            "a": [{ "key": "002" }],
            "b": {
                "name": "Ishøj",
                "units": [{ "kind": "x", "id": 1, "name": "A" }, { "id": 2, "kind": "y", "name": "B" }],
                "code": 183,
            },
        }))
        .unwrap();
        order_as_asked(&document, Some("Q"), &mut data);
        assert_eq!(
            serde_json::to_string(&data).unwrap(),
            r#"{"b":{"units":[{"name":"A","id":1,"kind":"x"},{"name":"B","id":2,"kind":"y"}],"code":183,"name":"Ishøj"},"a":[{"key":"002"}]}"#
        );
    }

    #[test]
    fn nesting_ignores_strings_and_comments() {
        assert_eq!(text_nesting("{ a { b(x: [1]) } }"), 4);
        assert_eq!(
            text_nesting(
                r#"{ a(s: "{{{{") # {{{{
        }"#
            ),
            2
        );
        assert_eq!(text_nesting(r#"{ a(s: """ {{{ \""" """) }"#), 2);
        assert_eq!(text_nesting(&"{a".repeat(1000)), 1000);
    }
}
