//! The issuer's signing keys: its OpenID discovery document names the JWKS, which is cached per
//! replica and fetched again when a token names a key the cache does not hold (at most every
//! the configured interval), or when it is older than [`MAX_AGE`].

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use jsonwebtoken::{
    jwk::{AlgorithmParameters, EllipticCurve, Jwk, JwkSet},
    Algorithm, AlgorithmFamily, DecodingKey,
};
use serde::Deserialize;
use tokio::sync::{Mutex, RwLock};

use super::{invalid, VerifyingKey, ALLOWED_ALGORITHMS};
use crate::{error::ApiError, telemetry};

/// Keys older than this are fetched again on the next token.
const MAX_AGE: Duration = Duration::from_secs(3600);

/// How long one request to the identity provider may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// The keys of one issuer.
pub struct KeySource {
    issuer: String,
    http: reqwest::Client,
    /// The discovery document, once read.
    discovery: RwLock<Option<Discovery>>,
    cache: RwLock<Cache>,
    /// The least time between fetches prompted by unknown key ids.
    min_refetch: Duration,
    /// When the keys were last asked for; held while fetching, so concurrent misses fetch once.
    last_attempt: Mutex<Option<Instant>>,
}

#[derive(Default)]
struct Cache {
    keys: HashMap<String, Jwk>,
    fetched_at: Option<Instant>,
}

#[derive(Clone, Deserialize)]
struct Discovery {
    issuer: String,
    jwks_uri: String,
    introspection_endpoint: Option<String>,
}

impl KeySource {
    pub fn new(issuer: &str, min_refetch: Duration) -> Self {
        Self {
            issuer: issuer.trim_end_matches('/').to_owned(),
            http: reqwest::Client::builder()
                .timeout(FETCH_TIMEOUT)
                .build()
                .unwrap_or_default(),
            discovery: RwLock::new(None),
            cache: RwLock::new(Cache::default()),
            min_refetch,
            last_attempt: Mutex::new(None),
        }
    }

    /// The issuer, as tokens must name it in `iss`.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The key with id `kid`, fetching the JWKS when the key is unknown or the keys are stale.
    pub async fn key(&self, kid: &str) -> Result<VerifyingKey, ApiError> {
        if let Some(key) = self.cached(kid, false).await {
            return key;
        }
        let mut last_attempt = self.last_attempt.lock().await;
        // Another request may have fetched while this one waited.
        if let Some(key) = self.cached(kid, false).await {
            return key;
        }
        if last_attempt.is_none_or(|at| at.elapsed() >= self.min_refetch) {
            *last_attempt = Some(Instant::now());
            match self.fetch().await {
                Ok(keys) => {
                    *self.cache.write().await = Cache {
                        keys,
                        fetched_at: Some(Instant::now()),
                    };
                }
                // Stale keys beat none while the provider is away.
                Err(err) if self.cache.read().await.fetched_at.is_some() => {
                    err.log();
                }
                Err(err) => return Err(err),
            }
        }
        drop(last_attempt);
        self.cached(kid, true)
            .await
            .unwrap_or_else(|| Err(invalid("the token names an unknown key")))
    }

    /// The cached key `kid`; `None` when unknown, or when stale and `stale_ok` is false.
    async fn cached(&self, kid: &str, stale_ok: bool) -> Option<Result<VerifyingKey, ApiError>> {
        let cache = self.cache.read().await;
        let fresh = cache.fetched_at.is_some_and(|at| at.elapsed() < MAX_AGE);
        if !fresh && !stale_ok {
            return None;
        }
        cache.keys.get(kid).map(verifying_key)
    }

    /// The HTTP client for the identity provider.
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// Sends a request to the identity provider and reads its JSON answer; any failure means the
    /// provider is unavailable (`what` names the request in the log).
    pub async fn ask<T: serde::de::DeserializeOwned>(
        &self,
        what: &str,
        request: reqwest::RequestBuilder,
    ) -> Result<T, ApiError> {
        let unavailable = |err: reqwest::Error| {
            ApiError::IdentityProviderUnavailable(anyhow::anyhow!("{what}: {err}"))
        };
        request
            .headers(trace_headers())
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(unavailable)?
            .json()
            .await
            .map_err(unavailable)
    }

    /// The issuer's introspection endpoint, from its discovery document.
    pub async fn introspection_endpoint(&self) -> Result<Option<String>, ApiError> {
        Ok(self.discover().await?.introspection_endpoint)
    }

    /// The discovery document, read once (it names endpoints, which do not move).
    async fn discover(&self) -> Result<Discovery, ApiError> {
        if let Some(discovery) = self.discovery.read().await.clone() {
            return Ok(discovery);
        }
        let discovery_url = format!("{}/.well-known/openid-configuration", self.issuer);
        let discovery: Discovery = self
            .ask("OpenID discovery", self.http.get(&discovery_url))
            .await?;
        if discovery.issuer.trim_end_matches('/') != self.issuer {
            return Err(ApiError::IdentityProviderUnavailable(anyhow::anyhow!(
                "the discovery document names issuer {:?}, not {:?}",
                discovery.issuer,
                self.issuer
            )));
        }
        *self.discovery.write().await = Some(discovery.clone());
        Ok(discovery)
    }

    async fn fetch(&self) -> Result<HashMap<String, Jwk>, ApiError> {
        let discovery = self.discover().await?;
        let set: JwkSet = self.ask("JWKS", self.http.get(&discovery.jwks_uri)).await?;
        let keys: HashMap<String, Jwk> = set
            .keys
            .into_iter()
            .filter_map(|key| Some((key.common.key_id.clone()?, key)))
            .collect();
        tracing::info!(issuer = %self.issuer, keys = keys.len(), "fetched the issuer's signing keys");
        Ok(keys)
    }
}

/// The key a JWK describes, with the algorithms it may verify: the one it names, or those of its
/// family when it names none (Entra ID's JWKS names none) — asymmetric ones only.
fn verifying_key(jwk: &Jwk) -> Result<VerifyingKey, ApiError> {
    let unusable = || invalid("the token's key is not usable");
    let family = match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => AlgorithmFamily::Rsa.algorithms(),
        AlgorithmParameters::EllipticCurve(ec) => match ec.curve {
            EllipticCurve::P256 => &[Algorithm::ES256][..],
            EllipticCurve::P384 => &[Algorithm::ES384][..],
            _ => return Err(unusable()),
        },
        AlgorithmParameters::OctetKeyPair(_) => AlgorithmFamily::Ed.algorithms(),
        // Symmetric keys never verify tokens here.
        _ => return Err(unusable()),
    };
    let algorithms: Vec<Algorithm> = match jwk.common.key_algorithm {
        Some(named) => named
            .to_string()
            .parse::<Algorithm>()
            .ok()
            .filter(|alg| family.contains(alg))
            .into_iter()
            .collect(),
        None => family.to_vec(),
    };
    let algorithms: Vec<Algorithm> = algorithms
        .into_iter()
        .filter(|alg| ALLOWED_ALGORITHMS.contains(alg))
        .collect();
    if algorithms.is_empty() {
        return Err(unusable());
    }
    let decoding = DecodingKey::from_jwk(jwk).map_err(|_| unusable())?;
    Ok(VerifyingKey {
        decoding,
        algorithms,
    })
}

/// The request's trace context for an outgoing call, so that the identity provider's logs join
/// the request's trace (empty when traces are off).
fn trace_headers() -> reqwest::header::HeaderMap {
    telemetry::traces::outgoing_headers(&tracing::Span::current())
        .into_iter()
        .filter_map(|(name, value)| {
            Some((
                reqwest::header::HeaderName::from_bytes(name.as_bytes()).ok()?,
                reqwest::header::HeaderValue::from_str(&value).ok()?,
            ))
        })
        .collect()
}

/// Sends a request the `oauth2` crate built and hands back the provider's answer as it came (the
/// crate reads it), within the request's trace. It owns its client (a handle), so that its
/// future borrows nothing.
pub async fn exchange(
    http: reqwest::Client,
    request: oauth2::HttpRequest,
) -> Result<oauth2::HttpResponse, reqwest::Error> {
    let (mut parts, body) = request.into_parts();
    parts.headers.extend(trace_headers());
    let request = reqwest::Request::try_from(axum::http::Request::from_parts(parts, body))?;
    let answer = http.execute(request).await?;
    let mut response = axum::http::Response::builder().status(answer.status());
    if let Some(headers) = response.headers_mut() {
        headers.extend(answer.headers().clone());
    }
    let body = answer.bytes().await?.to_vec();
    Ok(response
        .body(body)
        .expect("status and headers came from a valid response"))
}
