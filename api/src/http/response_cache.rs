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

use std::{
    io::Write,
    sync::{Arc, OnceLock},
};

use axum::{
    body::Bytes,
    http::{header, HeaderMap, HeaderValue},
};
use sea_orm::DatabaseConnection;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::{
    error::ApiResult,
    service::{Caller, DataVersionReader},
};

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
    /// The response body, as sent uncompressed.
    pub body: Bytes,
    /// The request's complexity, charged to whoever asks again as if it ran.
    pub complexity: u64,
    /// The operation's name, for the request's metrics and traces.
    pub operation_name: Option<String>,
    /// The body compressed, each coding made the first time a client accepts it.
    brotli: OnceLock<Bytes>,
    gzip: OnceLock<Bytes>,
}

impl CachedAnswer {
    pub fn new(body: Bytes, complexity: u64, operation_name: Option<String>) -> Self {
        Self {
            body,
            complexity,
            operation_name,
            brotli: OnceLock::new(),
            gzip: OnceLock::new(),
        }
    }

    /// The body in the coding the client prefers, and that coding: an answer too small to gain
    /// from compression is sent as it is. Each coding is compressed once per answer, so a hit
    /// does not compress again what every hit before it compressed.
    pub fn encoded(&self, preferred: ContentCoding) -> (ContentCoding, Bytes) {
        let coding = self.coding_for(preferred);
        let (made, compress): (_, fn(&[u8]) -> Bytes) = match coding {
            ContentCoding::Identity => return (coding, self.body.clone()),
            ContentCoding::Brotli => (&self.brotli, brotli),
            ContentCoding::Gzip => (&self.gzip, gzip),
        };
        // Not `get_or_init`: that would park this thread, which runs other requests' tasks,
        // while another compresses. The first few hits may each compress; the first kept wins.
        let body = match made.get() {
            Some(body) => body.clone(),
            None => {
                let compressed = compress(&self.body);
                made.get_or_init(|| compressed).clone()
            }
        };
        (coding, body)
    }

    /// The coding [`CachedAnswer::encoded`] sends for a client that prefers `preferred`.
    pub fn coding_for(&self, preferred: ContentCoding) -> ContentCoding {
        match self.body.len() < usize::from(super::MIN_COMPRESSED_BYTES) {
            true => ContentCoding::Identity,
            false => preferred,
        }
    }

    /// The bytes it takes in the cache: its body, with room for its compressed forms (JSON
    /// compresses to a fifth or less).
    fn weight(&self) -> usize {
        self.body.len() + self.body.len() / 2
    }
}

/// How an answer's body is sent (`Content-Encoding`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ContentCoding {
    Identity,
    Gzip,
    Brotli,
}

impl ContentCoding {
    /// The coding the request's `Accept-Encoding` prefers by q-value among brotli and gzip
    /// (brotli on a tie), as the compression layer chooses for other answers; identity when it
    /// accepts neither.
    pub fn negotiate(request: &HeaderMap) -> Self {
        request
            .get_all(header::ACCEPT_ENCODING)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .filter_map(|accepted| {
                let mut parts = accepted.split(';');
                let coding = match parts.next()?.trim() {
                    name if name.eq_ignore_ascii_case("br") => Self::Brotli,
                    name if name.eq_ignore_ascii_case("gzip") => Self::Gzip,
                    _ => return None,
                };
                let quality = match parts.next().map(str::trim) {
                    None => 1.0,
                    Some(q) => q.strip_prefix("q=")?.parse::<f32>().ok()?,
                };
                (quality > 0.0).then_some((quality, coding))
            })
            .max_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
            .map_or(Self::Identity, |(_, coding)| coding)
    }

    /// What an entity tag adds for it: each coding is a representation of its own.
    pub fn tag(self) -> &'static str {
        match self {
            Self::Identity => "",
            Self::Gzip => "-gzip",
            Self::Brotli => "-br",
        }
    }

    /// Its `Content-Encoding`; none for identity.
    pub fn header_value(self) -> Option<HeaderValue> {
        match self {
            Self::Identity => None,
            Self::Gzip => Some(HeaderValue::from_static("gzip")),
            Self::Brotli => Some(HeaderValue::from_static("br")),
        }
    }
}

/// Brotli's quality for cached answers: compressed once and sent many times, so better than
/// the compression layer's per-answer default, but still milliseconds for a large answer.
const BROTLI_QUALITY: u32 = 6;
const BROTLI_WINDOW_BITS: u32 = 22;

fn brotli(body: &[u8]) -> Bytes {
    let mut compressed = Vec::with_capacity(body.len() / 4);
    {
        let mut writer = brotli::CompressorWriter::new(
            &mut compressed,
            4096,
            BROTLI_QUALITY,
            BROTLI_WINDOW_BITS,
        );
        // Writing to memory does not fail.
        let _ = writer.write_all(body);
    }
    compressed.into()
}

fn gzip(body: &[u8]) -> Bytes {
    let mut writer = flate2::write::GzEncoder::new(
        Vec::with_capacity(body.len() / 4),
        flate2::Compression::default(),
    );
    // Writing to memory does not fail.
    let _ = writer.write_all(body);
    writer.finish().unwrap_or_default().into()
}

/// Answers by [`CacheKey`], bounded in bytes.
pub struct ResponseCache {
    answers: moka::sync::Cache<CacheKey, Arc<CachedAnswer>>,
    /// How requests learn the data's version their answers are keyed by.
    versions: DataVersionReader,
}

impl ResponseCache {
    /// A cache of at most `max_bytes` of answers and keys; none when `max_bytes` is 0 (off).
    pub fn new(max_bytes: u64) -> Option<Self> {
        (max_bytes > 0).then(|| Self {
            answers: moka::sync::Cache::builder()
                .max_capacity(max_bytes)
                .weigher(|key: &CacheKey, answer: &Arc<CachedAnswer>| {
                    u32::try_from(key.weight() + answer.weight()).unwrap_or(u32::MAX)
                })
                .build(),
            versions: DataVersionReader::default(),
        })
    }

    /// The data's version for a request's key: read after the request arrived (shared with the
    /// requests that arrived with it).
    pub async fn data_version(&self, db: &DatabaseConnection) -> ApiResult<i64> {
        self.versions.read(db).await
    }

    pub fn get(&self, key: &CacheKey) -> Option<Arc<CachedAnswer>> {
        self.answers.get(key)
    }

    pub fn insert(&self, key: CacheKey, answer: Arc<CachedAnswer>) {
        self.answers.insert(key, answer);
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

    fn answer(body: &'static str) -> Arc<CachedAnswer> {
        Arc::new(CachedAnswer::new(
            Bytes::from_static(body.as_bytes()),
            1,
            None,
        ))
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

    #[test]
    fn a_coding_is_chosen_as_the_compression_layer_chooses_and_made_once() {
        let accepting = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(
                header::ACCEPT_ENCODING,
                HeaderValue::from_str(value).unwrap(),
            );
            ContentCoding::negotiate(&headers)
        };
        assert_eq!(
            ContentCoding::negotiate(&HeaderMap::new()),
            ContentCoding::Identity
        );
        for (accept, coding) in [
            ("gzip", ContentCoding::Gzip),
            ("gzip, deflate, br", ContentCoding::Brotli),
            ("br;q=0.5, gzip", ContentCoding::Gzip),
            ("BR;q=1, gzip;q=1", ContentCoding::Brotli),
            ("br;q=0, gzip;q=0", ContentCoding::Identity),
            ("identity", ContentCoding::Identity),
            ("zstd, deflate", ContentCoding::Identity),
            ("br;q=nonsense", ContentCoding::Identity),
        ] {
            assert_eq!(accepting(accept), coding, "{accept}");
        }

        let large = answer(Box::leak("{\"data\":[1,2,3]}".repeat(200).into_boxed_str()));
        let (coding, first) = large.encoded(ContentCoding::Brotli);
        assert_eq!(coding, ContentCoding::Brotli);
        let (_, again) = large.encoded(ContentCoding::Brotli);
        assert_eq!(
            first.as_ptr(),
            again.as_ptr(),
            "compressed once, then shared"
        );
        let mut plain = Vec::new();
        std::io::Read::read_to_end(&mut brotli::Decompressor::new(&first[..], 4096), &mut plain)
            .unwrap();
        assert_eq!(plain, large.body);
        let (coding, gzipped) = large.encoded(ContentCoding::Gzip);
        assert_eq!(coding, ContentCoding::Gzip);
        assert!(gzipped.len() * 3 < large.body.len());

        let small = answer("{}");
        assert_eq!(
            small.encoded(ContentCoding::Brotli).0,
            ContentCoding::Identity
        );
    }
}
