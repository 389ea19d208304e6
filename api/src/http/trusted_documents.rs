//! Trusted documents: the GraphQL documents of our own clients, registered when they are built,
//! which a client may send by their id instead of their text, and which a server can be told to
//! run alone (`REQUIRE_TRUSTED_DOCUMENTS`, [`RequireTrustedDocuments`](crate::config::RequireTrustedDocuments)).
//!
//! The registered documents: every operation of the comparison page (`npm run codegen` writes
//! `web/src/gql/persisted-documents.json`, id → text), and the budget client's
//! (`budget-client/src/pull_budget_lines.graphql`). An id is the SHA-256 of the text, in hex.
//!
//! A request names a document by the GraphQL over HTTP persisted documents parameter
//! (`documentId: "sha256:<hex>"`, also in a `GET` URL) or by Apollo's persisted query extension
//! (`extensions.persistedQuery.sha256Hash`); a text sent with an id must be that document.

use std::collections::HashMap;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// The page's operations, as `npm run codegen` registers them.
const PAGE_DOCUMENTS: &str = include_str!("../../../web/src/gql/persisted-documents.json");
/// The budget client's one operation.
const BUDGET_CLIENT_DOCUMENT: &str =
    include_str!("../../../budget-client/src/pull_budget_lines.graphql");

/// The registered documents, by id.
pub struct TrustedDocuments {
    by_id: HashMap<String, String>,
}

impl TrustedDocuments {
    /// The documents registered at build time. A page manifest that does not parse, or whose id
    /// is not its text's hash, registers nothing of it (a test checks that every one does).
    pub fn embedded() -> Self {
        let page: HashMap<String, String> =
            serde_json::from_str(PAGE_DOCUMENTS).unwrap_or_default();
        let by_id = page
            .into_values()
            .chain([BUDGET_CLIENT_DOCUMENT.to_owned()])
            .map(|text| (id_of(&text), text))
            .collect();
        Self { by_id }
    }

    /// The registered ids.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.by_id.keys().map(String::as_str)
    }

    /// The text of the registered document a request names, if it names one: by `documentId`,
    /// or by Apollo's `persistedQuery` extension. Refused when the id is malformed or unknown
    /// (unless the request sends that id's text), or when the request also sends a text that is
    /// not that document.
    pub fn resolve(
        &self,
        document_id: Option<&Value>,
        extensions: Option<&Value>,
        query: Option<&Value>,
    ) -> Result<Option<&str>, ApiError> {
        let id = match (document_id, persisted_query_hash(extensions)) {
            (None | Some(Value::Null), None) => return Ok(None),
            (Some(Value::String(id)), _) => id.strip_prefix("sha256:").ok_or_else(|| {
                ApiError::BadRequest(
                    "`documentId` must be `sha256:` and the document's SHA-256 in hex".to_owned(),
                )
            })?,
            (Some(Value::Null) | None, Some(hash)) => hash,
            (Some(_), _) => {
                return Err(ApiError::BadRequest(
                    "`documentId` must be a string".to_owned(),
                ))
            }
        };
        let id = id.to_ascii_lowercase();
        let Some(text) = self.by_id.get(&id) else {
            // An Apollo client sends the text with the hash after it heard the hash was not
            // found: it runs as any text does (nothing is registered by a request).
            return match query {
                Some(Value::String(sent)) if id_of(sent) == id => Ok(None),
                _ => Err(ApiError::PersistedDocumentNotFound),
            };
        };
        match query {
            Some(Value::String(sent)) if id_of(sent) != id_of(text) => Err(ApiError::BadRequest(
                "the `query` sent is not the document its id names".to_owned(),
            )),
            _ => Ok(Some(text)),
        }
    }

    /// Whether `text` is a registered document.
    pub fn holds(&self, text: &str) -> bool {
        self.by_id.contains_key(&id_of(text))
    }
}

/// A document's id: the SHA-256 of its text, in lowercase hex.
pub fn id_of(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// `extensions.persistedQuery.sha256Hash`, if the request has it.
fn persisted_query_hash(extensions: Option<&Value>) -> Option<&str> {
    extensions?
        .get("persistedQuery")?
        .get("sha256Hash")?
        .as_str()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn every_page_document_is_registered_under_its_own_hash() {
        let page: HashMap<String, String> = serde_json::from_str(PAGE_DOCUMENTS).unwrap();
        assert!(!page.is_empty());
        for (id, text) in &page {
            assert_eq!(
                id.strip_prefix("sha256:"),
                Some(id_of(text).as_str()),
                "{text}"
            );
        }
        let trusted = TrustedDocuments::embedded();
        assert_eq!(trusted.by_id.len(), page.len() + 1);
        assert!(trusted.holds(BUDGET_CLIENT_DOCUMENT));
    }

    #[test]
    fn a_document_is_named_by_its_id_or_apollos_hash() {
        let trusted = TrustedDocuments::embedded();
        let id = id_of(BUDGET_CLIENT_DOCUMENT);
        let by_id = json!(format!("sha256:{id}"));
        let apollo = json!({ "persistedQuery": { "version": 1, "sha256Hash": id } });
        for (document_id, extensions) in [(Some(&by_id), None), (None, Some(&apollo))] {
            let text = trusted.resolve(document_id, extensions, None).unwrap();
            assert_eq!(text, Some(BUDGET_CLIENT_DOCUMENT));
        }
        assert_eq!(trusted.resolve(None, None, None).unwrap(), None);
        let unknown = json!(format!("sha256:{}", id_of("{ x }")));
        let error = trusted.resolve(Some(&unknown), None, None).unwrap_err();
        assert_eq!(error.code(), "PERSISTED_QUERY_NOT_FOUND");
        let malformed = trusted.resolve(Some(&json!(id)), None, None).unwrap_err();
        assert_eq!(malformed.code(), "BAD_REQUEST");
        // Apollo's second try: the text with its hash runs as text.
        let text = json!("{ x }");
        assert_eq!(
            trusted.resolve(Some(&unknown), None, Some(&text)).unwrap(),
            None
        );
        let other_text = json!("{ sources { key } }");
        let mismatch = trusted
            .resolve(Some(&by_id), None, Some(&other_text))
            .unwrap_err();
        assert_eq!(mismatch.code(), "BAD_REQUEST");
    }
}
