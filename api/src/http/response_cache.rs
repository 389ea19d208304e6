//! The response cache of this replica: GraphQL answers, as the bytes sent, kept for requests that
//! would get the same answer.
//!
//! An answer is decided by the request (its document, operation name, variables and extensions),
//! by what the caller may see ([`Caller`]: anonymous; a municipality and its peers; a budget
//! client and its municipalities) and by the data. The data is named by its version, which every
//! write moves on in its own transaction (`service::connection`) and which a request reads before
//! anything else it reads ([`Admitted::data_version`](super::admission::Admitted)): an answer
//! cached under a version holds at least that version's data, and after a write, on any replica,
//! the next request reads a new version and so misses every answer from before it. Old versions'
//! answers are never asked for again and age out.
//!
//! Only a query's answer without errors is cached, and only when no field it reads says
//! `no_cache` (the audit log: who reads it is itself worth a fresh look). The cache is bounded in
//! bytes ([moka]'s size-aware eviction: least recently and least frequently used go first).

use std::sync::Arc;

use axum::body::Bytes;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::service::Caller;

/// What an answer is cached under.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CacheKey {
    /// The SHA-256 of the request's document, operation name, variables and extensions.
    request: [u8; 32],
    caller: Caller,
    data_version: i64,
}

impl CacheKey {
    /// The key of a request with these parameters, asked by `caller` at `data_version`.
    pub fn new(
        query: Option<&Value>,
        operation_name: Option<&Value>,
        variables: Option<&Value>,
        extensions: Option<&Value>,
        caller: &Caller,
        data_version: i64,
    ) -> Self {
        // JSON of the four, in order: two requests share a text only when they are the same.
        let text =
            serde_json::to_vec(&(query, operation_name, variables, extensions)).unwrap_or_default();
        Self {
            request: Sha256::digest(&text).into(),
            caller: caller.clone(),
            data_version,
        }
    }

    /// The answer's entity tag: the same for the same key, on every replica.
    pub fn etag(&self) -> String {
        let mut hash = Sha256::new();
        hash.update(self.request);
        hash.update(format!("{:?}", self.caller));
        hash.update(self.data_version.to_be_bytes());
        hash.finalize()[..16]
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }

    /// The bytes the key takes in the cache, besides its answer's.
    fn weight(&self) -> usize {
        std::mem::size_of::<Self>()
            + match &self.caller {
                Caller::Anonymous => 0,
                Caller::Municipality { peers, .. } => peers.len() * 4,
                Caller::BudgetClient { municipalities } => municipalities.len() * 4,
            }
    }
}

/// A cached answer.
#[derive(Debug)]
pub struct CachedAnswer {
    /// The response body, as sent.
    pub body: Bytes,
    /// The request's complexity, charged to whoever asks again as if it ran.
    pub complexity: u64,
    /// The operation's name, for the request's metrics and traces.
    pub operation_name: Option<String>,
}

/// Answers by [`CacheKey`], bounded in bytes.
pub struct ResponseCache {
    answers: moka::sync::Cache<CacheKey, Arc<CachedAnswer>>,
}

impl ResponseCache {
    /// A cache of at most `max_bytes` of answers and keys; none when `max_bytes` is 0 (off).
    pub fn new(max_bytes: u64) -> Option<Self> {
        (max_bytes > 0).then(|| Self {
            answers: moka::sync::Cache::builder()
                .max_capacity(max_bytes)
                .weigher(|key: &CacheKey, answer: &Arc<CachedAnswer>| {
                    u32::try_from(key.weight() + answer.body.len()).unwrap_or(u32::MAX)
                })
                .build(),
        })
    }

    pub fn get(&self, key: &CacheKey) -> Option<Arc<CachedAnswer>> {
        self.answers.get(key)
    }

    pub fn insert(&self, key: CacheKey, answer: CachedAnswer) {
        self.answers.insert(key, Arc::new(answer));
    }

    /// The bytes of answers and keys held, and the answers (for the metrics).
    pub fn size(&self) -> (u64, u64) {
        // moka counts inserts and evictions in the background; bring the counts up to date.
        self.answers.run_pending_tasks();
        (self.answers.weighted_size(), self.answers.entry_count())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn key(variables: Value, caller: &Caller, version: i64) -> CacheKey {
        CacheKey::new(
            Some(&json!(
                "query Q($c: Int!) { municipality(code: $c) { name } }"
            )),
            Some(&json!("Q")),
            Some(&variables),
            None,
            caller,
            version,
        )
    }

    fn answer(body: &'static str) -> CachedAnswer {
        CachedAnswer {
            body: Bytes::from_static(body.as_bytes()),
            complexity: 1,
            operation_name: None,
        }
    }

    #[test]
    fn an_answer_is_found_only_by_the_same_request_caller_and_version() {
        let cache = ResponseCache::new(1 << 20).unwrap();
        let peers = Caller::Municipality {
            code: 183,
            peers: vec![185],
        };
        cache.insert(key(json!({"c": 183}), &peers, 7), answer("{}"));
        assert!(cache.get(&key(json!({"c": 183}), &peers, 7)).is_some());
        assert!(cache.get(&key(json!({"c": 185}), &peers, 7)).is_none());
        assert!(cache.get(&key(json!({"c": 183}), &peers, 8)).is_none());
        assert!(cache
            .get(&key(json!({"c": 183}), &Caller::Anonymous, 7))
            .is_none());
        let other_peers = Caller::Municipality {
            code: 183,
            peers: vec![],
        };
        assert!(cache
            .get(&key(json!({"c": 183}), &other_peers, 7))
            .is_none());
    }

    #[test]
    fn a_cache_of_no_bytes_is_off_and_a_full_one_evicts() {
        assert!(ResponseCache::new(0).is_none());
        let cache = ResponseCache::new(4 * 1024).unwrap();
        let big = "x".repeat(1000).leak();
        for version in 0..40 {
            cache.insert(key(json!({}), &Caller::Anonymous, version), answer(big));
        }
        cache.answers.run_pending_tasks();
        assert!(cache.answers.weighted_size() <= 4 * 1024);
        assert!(cache.answers.entry_count() < 40);
    }
}
