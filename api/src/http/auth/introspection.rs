//! Opaque (non-JWT) access tokens: asked about at the issuer's introspection endpoint (RFC 7662)
//! as the configured client.
//!
//! An answer passes only when it says all of this (RFC 7662 makes every member but `active`
//! optional, so a missing one is a refusal, not a pass):
//! - `active: true`;
//! - `iss` equal to the configured issuer (a trailing `/` aside);
//! - `aud` naming the configured audience (a string, or an array holding it);
//! - `exp` in the future (within the leeway), and `nbf`, when present, in the past;
//! - an access token, by the rule JWTs follow too ([`says_access_token`]): `token_type` absent,
//!   `Bearer`, `access_token` or `urn:ietf:params:oauth:token-type:access_token`; Keycloak's
//!   `typ` absent or `Bearer` (its refresh tokens say `Refresh`, offline tokens `Offline`, ID
//!   tokens `ID`); `token_use` absent, `access` or `access_token` (Ory Hydra, Amazon Cognito).
//!
//! An answer that is not RFC 7662's shape (`active` not a boolean, `exp` not a number) is the
//! provider failing, like an error answer: 503, not cached. The `oauth2` crate sends the request
//! and reads the answer.
//!
//! Verdicts are cached per replica, keyed by the token's SHA-256 (the cache holds no token):
//! a passed answer for [`ACCEPTED_FOR`] (never past its `exp`), a refused one for
//! [`REFUSED_FOR`], so that a client repeating a bad token costs one call to the provider per
//! interval, not one per request. At most [`MAX_ENTRIES`] verdicts are kept; when full, the
//! expired ones go first, then the one that would expire soonest. A provider that cannot be
//! reached is not cached (the request gets 503 and the next one asks again).

use std::{
    collections::HashMap,
    sync::{Mutex, PoisonError},
    time::{Duration, Instant},
};

use oauth2::{
    basic::{BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenResponse, BasicTokenType},
    AccessToken, ClientId, ClientSecret, ExtraTokenFields, IntrospectionUrl, RequestTokenError,
    StandardRevocableToken, StandardTokenIntrospectionResponse, TokenIntrospectionResponse,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::{
    invalid,
    jwks::{self, KeySource},
    says_access_token,
};
use crate::{config::Secret, error::ApiError};

/// How long a passed answer is reused (never past the token's `exp`).
const ACCEPTED_FOR: Duration = Duration::from_secs(30);
/// How long a refused answer (inactive, or failing a check) is reused.
const REFUSED_FOR: Duration = Duration::from_secs(10);
/// The most verdicts one replica keeps.
const MAX_ENTRIES: usize = 10_000;

/// What the issuer's answer came to: the token's claims, or why it is refused.
type Verdict = Result<Value, &'static str>;

/// The members of an answer that RFC 7662 does not name: the claims the principal is read from
/// (roles, municipality, Keycloak's `typ` …), kept as sent.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct OtherMembers {
    #[serde(flatten)]
    members: Map<String, Value>,
}

impl ExtraTokenFields for OtherMembers {}

/// The issuer's answer about a token.
type Answer = StandardTokenIntrospectionResponse<OtherMembers, BasicTokenType>;

/// An `oauth2` client whose introspection answers keep every member (its endpoints unset).
type IntrospectingClient = oauth2::Client<
    BasicErrorResponse,
    BasicTokenResponse,
    Answer,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
>;

type IntrospectionError = RequestTokenError<reqwest::Error, BasicErrorResponse>;

/// The introspecting client and its cache.
pub struct Introspection {
    client_id: String,
    client_secret: Secret,
    audience: String,
    leeway_secs: u64,
    cache: Mutex<HashMap<[u8; 32], Cached>>,
}

struct Cached {
    verdict: Verdict,
    until: Instant,
}

impl Introspection {
    /// Introspects as `client_id`, accepting answers for `audience` with `leeway_secs` of clock
    /// skew on `exp` and `nbf`.
    pub fn new(client_id: String, client_secret: Secret, audience: &str, leeway_secs: u64) -> Self {
        Self {
            client_id,
            client_secret,
            audience: audience.to_owned(),
            leeway_secs,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The claims of an active access token for this API; refused (401) otherwise. A verdict not
    /// cached costs a call to the provider: `before_asking` may refuse it first (the rate limit).
    pub async fn claims(
        &self,
        source: &KeySource,
        token: &str,
        before_asking: impl FnOnce() -> Result<(), ApiError>,
    ) -> Result<Value, ApiError> {
        let key: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        if let Some(verdict) = self.cached(&key) {
            return verdict.map_err(invalid);
        }
        before_asking()?;
        let endpoint = source
            .introspection_endpoint()
            .await?
            .ok_or_else(|| invalid("the identity provider offers no token introspection"))?;
        let endpoint = IntrospectionUrl::new(endpoint).map_err(|err| {
            ApiError::IdentityProviderUnavailable(anyhow::anyhow!(
                "the introspection endpoint is not a URL: {err}"
            ))
        })?;
        // The `oauth2` crate builds the request (the client's credentials form-encoded in Basic
        // authentication, as RFC 6749 §2.3.1 asks) and reads the answer, error answers included.
        let client = IntrospectingClient::new(ClientId::new(self.client_id.clone()))
            .set_client_secret(ClientSecret::new(self.client_secret.0.clone()))
            .set_introspection_url(endpoint);
        let token = AccessToken::new(token.to_owned());
        let answer = client
            .introspect(&token)
            .set_token_type_hint("access_token")
            .request_async(&|request| jwks::exchange(source.http().clone(), request))
            .await
            .map_err(|err| {
                ApiError::IdentityProviderUnavailable(anyhow::anyhow!(
                    "token introspection: {}",
                    describe(&err)
                ))
            })?;
        let now = jsonwebtoken::get_current_timestamp();
        let verdict = judge(
            &answer,
            source.issuer(),
            &self.audience,
            self.leeway_secs,
            now,
        );
        let keep = match &verdict {
            Ok(claims) => {
                let left = claims
                    .get("exp")
                    .and_then(Value::as_u64)
                    .map_or(0, |exp| exp.saturating_sub(now));
                ACCEPTED_FOR.min(Duration::from_secs(left))
            }
            Err(_) => REFUSED_FOR,
        };
        self.remember(key, verdict.clone(), keep);
        verdict.map_err(invalid)
    }

    fn cached(&self, key: &[u8; 32]) -> Option<Verdict> {
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        match cache.get(key) {
            Some(cached) if cached.until > Instant::now() => Some(cached.verdict.clone()),
            Some(_) => {
                cache.remove(key);
                None
            }
            None => None,
        }
    }

    fn remember(&self, key: [u8; 32], verdict: Verdict, keep: Duration) {
        if keep.is_zero() {
            return;
        }
        let now = Instant::now();
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        if cache.len() >= MAX_ENTRIES {
            cache.retain(|_, cached| cached.until > now);
        }
        if cache.len() >= MAX_ENTRIES {
            let soonest = cache
                .iter()
                .min_by_key(|(_, cached)| cached.until)
                .map(|(key, _)| *key);
            if let Some(soonest) = soonest {
                cache.remove(&soonest);
            }
        }
        cache.insert(
            key,
            Cached {
                verdict,
                until: now + keep,
            },
        );
    }
}

/// The claims of an introspection answer that passes every check of the module doc, or why it
/// does not.
fn judge(answer: &Answer, issuer: &str, audience: &str, leeway_secs: u64, now: u64) -> Verdict {
    if !answer.active() {
        return Err("the token is not active");
    }
    // RFC 7662's members as the crate read them, the rest (roles, municipality, `typ`) as sent.
    let claims = serde_json::to_value(answer).map_err(|_| "the token is malformed")?;
    if !says_access_token(&claims) {
        return Err("the token is not an access token");
    }
    match answer.iss() {
        None => return Err("the introspection answer names no issuer (iss)"),
        Some(iss) if iss.trim_end_matches('/') != issuer => {
            return Err("the token is from another issuer")
        }
        Some(_) => {}
    }
    // One audience as a string or several as an array (RFC 7662 §2.2), compared exactly.
    match answer.aud() {
        None => return Err("the introspection answer names no audience (aud)"),
        Some(audiences) if audiences.iter().any(|aud| aud == audience) => {}
        Some(_) => return Err("the token is for another audience"),
    }
    let seconds = |at: chrono::DateTime<chrono::Utc>| u64::try_from(at.timestamp()).unwrap_or(0);
    match answer.exp().map(seconds) {
        None => return Err("the introspection answer has no expiry (exp)"),
        Some(exp) if exp.saturating_add(leeway_secs) < now => return Err("the token has expired"),
        Some(_) => {}
    }
    if answer
        .nbf()
        .map(seconds)
        .is_some_and(|nbf| nbf > now.saturating_add(leeway_secs))
    {
        return Err("the token is not valid yet");
    }
    Ok(claims)
}

/// Why asking the provider failed, for the log.
fn describe(err: &IntrospectionError) -> String {
    match err {
        RequestTokenError::ServerResponse(answer) => format!("the provider refused: {answer}"),
        RequestTokenError::Request(err) => err.to_string(),
        RequestTokenError::Parse(err, _) => format!("the answer is malformed: {err}"),
        RequestTokenError::Other(why) => why.clone(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::{judge, Answer};

    const ISSUER: &str = "https://id.example.dk/realms/vestegn";
    const NOW: u64 = 1_800_000_000;

    fn answer(overrides: Value) -> Value {
        let mut answer = json!({
            "active": true,
            "iss": ISSUER,
            "aud": ["account", "vestegn-api"],
            "exp": NOW + 60,
            "sub": "someone",
        });
        if let (Some(answer), Value::Object(overrides)) = (answer.as_object_mut(), overrides) {
            for (name, value) in overrides {
                if value.is_null() {
                    answer.remove(&name);
                } else {
                    answer.insert(name, value);
                }
            }
        }
        answer
    }

    fn verdict(overrides: Value) -> Result<(), &'static str> {
        let answer: Answer = serde_json::from_value(answer(overrides)).expect("parses");
        judge(&answer, ISSUER, "vestegn-api", 30, NOW).map(|_| ())
    }

    #[test]
    fn the_claims_keep_every_member_of_the_answer() {
        let answer: Answer = serde_json::from_value(answer(json!({
            "realm_access": { "roles": ["ssp-editor"] },
            "municipality": "0165",
            "client_id": "budget-sync",
            "scope": "budgets:read model:read",
        })))
        .expect("parses");
        let claims = judge(&answer, ISSUER, "vestegn-api", 30, NOW).expect("passes");
        assert_eq!(claims["realm_access"], json!({ "roles": ["ssp-editor"] }));
        assert_eq!(claims["municipality"], "0165");
        assert_eq!(claims["client_id"], "budget-sync");
        assert_eq!(claims["scope"], "budgets:read model:read");
        assert_eq!(claims["sub"], "someone");
        assert_eq!(claims["exp"], NOW + 60);
    }

    #[test]
    fn answers_that_are_not_rfc_7662_do_not_parse() {
        // The provider is then failing: 503, and nothing is cached.
        for malformed in [json!({ "active": "true" }), json!({ "exp": "soon" })] {
            assert!(
                serde_json::from_value::<Answer>(answer(malformed.clone())).is_err(),
                "{malformed}"
            );
        }
    }

    #[test]
    fn introspection_answers_pass_only_with_every_check() {
        assert_eq!(verdict(json!({})), Ok(()));
        for passing in [
            json!({ "aud": "vestegn-api" }),
            json!({ "iss": format!("{ISSUER}/") }),
            json!({ "token_type": "Bearer" }),
            json!({ "token_type": "bearer", "typ": "Bearer" }),
            json!({ "token_type": "urn:ietf:params:oauth:token-type:access_token" }),
            json!({ "token_use": "access_token" }),
            json!({ "exp": NOW - 10 }),
            json!({ "nbf": NOW + 10 }),
        ] {
            assert_eq!(verdict(passing.clone()), Ok(()), "{passing}");
        }
        for (refused, reason) in [
            (json!({ "active": false }), "the token is not active"),
            (
                json!({ "aud": null }),
                "the introspection answer names no audience (aud)",
            ),
            (
                json!({ "aud": "another-api" }),
                "the token is for another audience",
            ),
            (json!({ "aud": [] }), "the token is for another audience"),
            (
                json!({ "aud": "account vestegn-api" }),
                "the token is for another audience",
            ),
            (
                json!({ "iss": null }),
                "the introspection answer names no issuer (iss)",
            ),
            (
                json!({ "iss": "https://evil.example" }),
                "the token is from another issuer",
            ),
            (
                json!({ "exp": null }),
                "the introspection answer has no expiry (exp)",
            ),
            (json!({ "exp": NOW - 31 }), "the token has expired"),
            (json!({ "nbf": NOW + 31 }), "the token is not valid yet"),
            (
                json!({ "token_type": "refresh_token" }),
                "the token is not an access token",
            ),
            (
                json!({ "token_type": "N_A" }),
                "the token is not an access token",
            ),
            (
                json!({ "typ": "Refresh" }),
                "the token is not an access token",
            ),
            (json!({ "typ": "ID" }), "the token is not an access token"),
            (
                json!({ "typ": "Offline" }),
                "the token is not an access token",
            ),
            (json!({ "typ": 1 }), "the token is not an access token"),
            (
                json!({ "token_use": "id" }),
                "the token is not an access token",
            ),
        ] {
            assert_eq!(verdict(refused.clone()), Err(reason), "{refused}");
        }
    }
}
