//! Who is asking: turns the `Authorization` header into a [`Principal`], as an OAuth2 resource
//! server. Every check is explicit, because libraries' defaults are weaker:
//!
//! - only asymmetric algorithms ([`ALLOWED_ALGORITHMS`]), and only the one the key is for (no `none`,
//!   no HS/RS confusion);
//! - the signature against the issuer's JWKS, found through its OpenID discovery document, cached,
//!   and fetched again (at most every `AUTH_JWKS_MIN_REFETCH_SECS`) when a token names an unknown
//!   `kid`, so keys rotate without a restart;
//! - `iss`, `aud` and `exp` required; `nbf` and `iat` checked when present, with a small leeway;
//! - `typ` absent, `JWT` or `at+jwt` (RFC 9068) in the header, and the payload not saying it is
//!   another kind of token (Keycloak's `typ: ID` or `Refresh`: [`says_access_token`]);
//! - opaque tokens: the issuer's introspection answer must say as much ([`introspection`]).
//!
//! A failed check is logged with its reason, never with the token, and answered with 401
//! `UNAUTHENTICATED`. No header at all is an anonymous caller.
//!
//! **Users and machine clients.** A token is a machine client's (client credentials grant) when it
//! carries the marker `AUTH_CLIENT_CLAIM` names (default: a `client_id` claim, which Keycloak puts
//! into service accounts' tokens only; `idtyp=app` for Entra ID's app-only tokens). An
//! introspection answer's `client_id` names the client a token was issued to, users' tokens
//! included (RFC 7662), so there the default marker also needs `sub` to be absent or equal to it
//! (RFC 9068's `sub` of a client credentials token). A machine client's scopes are
//! its `scope` and the values of the roles claim (Entra ID puts an app's permissions there), its
//! municipalities those of `AUTH_MUNICIPALITIES_CLAIM`. Every other token is a user's, with the
//! roles of ours its roles claim names, and none when it names none: such a user sees what an
//! anonymous caller sees and may change nothing. A user's token never becomes a machine client's
//! by what its roles claim holds.
//!
//! **Development tokens.** With `--dev-auth` (loopback only), tokens signed with this machine's
//! development key ([`dev`]) are accepted too, and every request carrying a header a proxy adds
//! ([`FORWARDED_HEADERS`]) is refused with 403 `FORBIDDEN`: a development server behind a proxy is
//! reachable by others, who must neither use nor learn of the development sign-in.

pub mod dev;
mod introspection;
mod jwks;

use std::{sync::Arc, time::Duration};

use axum::http::{header, HeaderMap};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;

use crate::{
    config::AuthConfig,
    error::ApiError,
    service::{Principal, Role},
};

use self::{dev::DevKey, introspection::Introspection, jwks::KeySource};

/// The algorithms a token may be signed with: asymmetric only.
pub const ALLOWED_ALGORITHMS: [Algorithm; 9] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

/// Headers a reverse proxy adds, besides the de-facto `X-Forwarded-*` family (matched by its
/// prefix): RFC 7239's `Forwarded`, nginx's `X-Real-IP` and RFC 9110's `Via`. A development server
/// refuses requests with any of them. A proxy configured to add none (nginx's bare `proxy_pass`) is not caught: the
/// development key being this machine's own is what keeps such a set-up safe.
pub const FORWARDED_HEADERS: [&str; 3] = ["forwarded", "x-real-ip", "via"];

/// Checks tokens for one configuration.
pub struct Authenticator {
    issuer: Option<KeySource>,
    introspection: Option<Introspection>,
    /// The development key, when development tokens are accepted.
    dev: Option<Arc<DevKey>>,
    config: AuthConfig,
}

impl Authenticator {
    pub fn new(config: &AuthConfig) -> Self {
        Self {
            issuer: config.issuer.as_deref().map(|issuer| {
                KeySource::new(issuer, Duration::from_secs(config.jwks_min_refetch_secs))
            }),
            introspection: config
                .introspection_client_id
                .clone()
                .zip(config.introspection_client_secret.clone())
                .map(|(id, secret)| {
                    Introspection::new(id, secret, &config.audience, config.leeway_secs)
                }),
            dev: config.dev_auth.then(|| config.dev_key.clone()).flatten(),
            config: config.clone(),
        }
    }

    /// The principal the request's token stands for; anonymous without an `Authorization` header.
    /// A development server refuses, with 403, any request that came through a proxy.
    pub async fn principal(&self, headers: &HeaderMap) -> Result<Principal, ApiError> {
        self.principal_asking(headers, || Ok(())).await
    }

    /// Like [`principal`](Self::principal), with `before_asking` called (and able to refuse)
    /// before the identity provider is asked about an opaque token whose verdict is not cached.
    pub async fn principal_asking(
        &self,
        headers: &HeaderMap,
        before_asking: impl FnOnce() -> Result<(), ApiError>,
    ) -> Result<Principal, ApiError> {
        if self.config.dev_auth {
            if let Some(name) = forwarded_header(headers) {
                tracing::warn!(
                    header = name,
                    "refused a request that came through a proxy: development tokens (--dev-auth) \
                     are accepted from this machine only; put no proxy in front of a development \
                     server"
                );
                return Err(ApiError::Forbidden(format!(
                    "this server accepts no requests through a proxy (the request has a `{name}` \
                     header)"
                )));
            }
        }
        let Some(value) = headers.get(header::AUTHORIZATION) else {
            return Ok(Principal::Anonymous);
        };
        let token = bearer_token(value.as_bytes()).ok_or_else(|| {
            refuse(
                "invalid_request",
                "send the token as `Authorization: Bearer <token>`",
            )
        })?;
        let (claims, origin) = if is_jwt(token) {
            (self.verify(token).await?, Origin::Jwt)
        } else {
            (
                self.introspect(token, before_asking).await?,
                Origin::Introspection,
            )
        };
        Ok(self.principal_of(&claims, origin))
    }

    /// The claims of an opaque token, from the issuer's introspection endpoint
    /// ([`introspection`] says what its answer must hold).
    async fn introspect(
        &self,
        token: &str,
        before_asking: impl FnOnce() -> Result<(), ApiError>,
    ) -> Result<Value, ApiError> {
        let (Some(source), Some(introspection)) = (&self.issuer, &self.introspection) else {
            return Err(invalid("the token is not a signed JWT"));
        };
        introspection.claims(source, token, before_asking).await
    }

    /// The token's claims, once every check has passed.
    async fn verify(&self, token: &str) -> Result<Value, ApiError> {
        let header = jsonwebtoken::decode_header(token)
            .map_err(|_| invalid("the token is not a signed JWT"))?;
        if !ALLOWED_ALGORITHMS.contains(&header.alg) {
            return Err(invalid("the token's algorithm is not allowed"));
        }
        match header.typ.as_deref() {
            None | Some("JWT" | "at+jwt" | "application/at+jwt") => {}
            Some(_) => return Err(invalid("the token is not an access token")),
        }
        let dev_key = self
            .dev
            .as_ref()
            .filter(|_| header.kid.as_deref() == Some(dev::KEY_ID));
        let (key, algorithms, issuer) = if let Some(dev_key) = dev_key {
            (
                dev_key.verifying_key().clone(),
                vec![Algorithm::EdDSA],
                dev::ISSUER.to_owned(),
            )
        } else {
            let source = self
                .issuer
                .as_ref()
                .ok_or_else(|| invalid("no identity provider is configured"))?;
            let kid = header
                .kid
                .as_deref()
                .ok_or_else(|| invalid("the token names no key (kid)"))?;
            let key = source.key(kid).await?;
            (key.decoding, key.algorithms, source.issuer().to_owned())
        };
        if !algorithms.contains(&header.alg) {
            return Err(invalid("the token's algorithm does not match its key"));
        }
        let mut validation = Validation::new(header.alg);
        validation.algorithms = algorithms;
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[&self.config.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        validation.leeway = self.config.leeway_secs;
        validation.validate_nbf = true;
        let data = jsonwebtoken::decode::<Value>(token, &key, &validation).map_err(|err| {
            use jsonwebtoken::errors::ErrorKind;
            invalid(match err.kind() {
                ErrorKind::ExpiredSignature => "the token has expired",
                ErrorKind::ImmatureSignature => "the token is not valid yet",
                ErrorKind::InvalidAudience => "the token is for another audience",
                ErrorKind::InvalidIssuer => "the token is from another issuer",
                ErrorKind::InvalidSignature => "the token's signature does not verify",
                ErrorKind::MissingRequiredClaim(_) => "the token lacks iss, aud or exp",
                _ => "the token is malformed",
            })
        })?;
        if !says_access_token(&data.claims) {
            return Err(invalid("the token is not an access token"));
        }
        let issued_at = data.claims.get("iat").and_then(Value::as_u64);
        let now = jsonwebtoken::get_current_timestamp();
        if issued_at.is_some_and(|iat| iat > now + self.config.leeway_secs) {
            return Err(invalid("the token is issued in the future"));
        }
        Ok(data.claims)
    }

    /// The principal the claims describe: a machine client's when they carry the
    /// `AUTH_CLIENT_CLAIM` marker, a user's otherwise (see the module doc).
    fn principal_of(&self, claims: &Value, origin: Origin) -> Principal {
        // A claim name as it stands (Entra ID's `extn.municipality`), else a dotted path
        // (Keycloak's `realm_access.roles`).
        let claim = |path: &str| {
            claims.get(path).or_else(|| {
                path.split('.')
                    .try_fold(claims, |value, segment| value.get(segment))
            })
        };
        let municipality = claim(&self.config.municipality_claim).and_then(municipality_code);
        let role_values = strings(claim(&self.config.roles_claim));
        let text = |name: &str| claims.get(name).and_then(Value::as_str).map(str::to_owned);
        let is_machine = match self.config.client_claim.split_once('=') {
            Some((name, value)) => strings(claim(name)).iter().any(|held| held == value),
            // RFC 7662 answers name the client a token was issued to in `client_id`, users'
            // tokens included (Keycloak's do): there it marks a machine client only when the
            // token has no other subject (RFC 9068: a client credentials token's `sub` is the
            // client's id).
            None if origin == Origin::Introspection && self.config.client_claim == "client_id" => {
                text("client_id").is_some_and(|id| text("sub").is_none_or(|sub| sub == id))
            }
            None => claim(&self.config.client_claim).is_some_and(|value| !value.is_null()),
        };
        if !is_machine {
            return Principal::User {
                subject: text("sub").unwrap_or_default(),
                municipality,
                roles: role_values
                    .iter()
                    .filter_map(|role| Role::parse(role))
                    .collect(),
            };
        }
        // Entra ID v1 tokens name the client in `appid`, v2 tokens in `azp`.
        let client_id = text("client_id")
            .or_else(|| text("azp"))
            .or_else(|| text("appid"))
            .or_else(|| text("sub"));
        let granted: Vec<i32> = match claim(&self.config.municipalities_claim) {
            Some(Value::Array(items)) => items.iter().filter_map(municipality_code).collect(),
            Some(single) => municipality_code(single).into_iter().collect(),
            None => municipality.into_iter().collect(),
        };
        let mut scopes = strings(claims.get("scope"));
        scopes.extend(role_values);
        Principal::Client {
            client_id: client_id.unwrap_or_default(),
            scopes,
            municipalities: granted,
        }
    }
}

/// Whether claims (a JWT's payload, an introspection answer) say, where they say anything, that
/// they are an access token: `token_type` (RFC 7662) absent, `Bearer`, `access_token` or
/// `urn:ietf:params:oauth:token-type:access_token`; `typ` (Keycloak's payload marker) absent or
/// `Bearer` (not `Refresh`, `Offline` or `ID`); `token_use` (Ory Hydra, Amazon Cognito) absent,
/// `access` or `access_token`. Values are compared without regard to case; one that is not a
/// string fails.
fn says_access_token(claims: &Value) -> bool {
    let is_one_of = |name: &str, passing: &[&str]| match claims.get(name) {
        None => true,
        Some(Value::String(value)) => passing.iter().any(|ok| value.eq_ignore_ascii_case(ok)),
        Some(_) => false,
    };
    is_one_of(
        "token_type",
        &[
            "Bearer",
            "access_token",
            "urn:ietf:params:oauth:token-type:access_token",
        ],
    ) && is_one_of("typ", &["Bearer"])
        && is_one_of("token_use", &["access", "access_token"])
}

/// Where a token's claims come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// A JWT the server verified itself.
    Jwt,
    /// The issuer's introspection answer about an opaque token.
    Introspection,
}

/// The first header of a request that says a proxy forwarded it, if any.
fn forwarded_header(headers: &HeaderMap) -> Option<&str> {
    headers
        .keys()
        .map(axum::http::HeaderName::as_str)
        .find(|name| name.starts_with("x-forwarded-") || FORWARDED_HEADERS.contains(name))
}

/// Whether a token has the shape of a JWS (three base64url parts).
fn is_jwt(token: &str) -> bool {
    token.split('.').count() == 3
}

/// The token of an `Authorization: Bearer <token>` header (the scheme in any case).
fn bearer_token(value: &[u8]) -> Option<&str> {
    let value = std::str::from_utf8(value).ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token68 = |c: char| c.is_ascii_alphanumeric() || "-._~+/=".contains(c);
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() && token.chars().all(token68))
        .then_some(token)
}

/// A municipality code from a claim: a number, or digits in a string ("0183").
fn municipality_code(value: &Value) -> Option<i32> {
    match value {
        Value::Number(n) => n.as_i64().and_then(|n| i32::try_from(n).ok()),
        Value::String(text) if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) => {
            text.parse().ok()
        }
        _ => None,
    }
    .filter(|code| *code > 0)
}

/// A claim holding strings: an array of them, or one space-separated string (`scope`).
fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        Some(Value::String(text)) => text.split_whitespace().map(str::to_owned).collect(),
        _ => Vec::new(),
    }
}

fn invalid(reason: &'static str) -> ApiError {
    refuse("invalid_token", reason)
}

fn refuse(error: &'static str, reason: &'static str) -> ApiError {
    ApiError::Unauthenticated { error, reason }
}

/// Tokens' keys as `jsonwebtoken` needs them.
pub struct VerifyingKey {
    pub decoding: DecodingKey,
    /// The algorithms this key may verify (one, when the JWK names it; its family otherwise).
    pub algorithms: Vec<Algorithm>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{bearer_token, municipality_code};

    #[test]
    fn bearer_tokens_and_municipality_codes() {
        assert_eq!(bearer_token(b"Bearer abc.def-ghi"), Some("abc.def-ghi"));
        assert_eq!(bearer_token(b"bearer abc"), Some("abc"));
        for bad in [
            &b"Basic abc"[..],
            b"Bearer",
            b"Bearer ",
            b"Bearer a b",
            b"Token abc",
        ] {
            assert_eq!(
                bearer_token(bad),
                None,
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        assert_eq!(municipality_code(&json!(183)), Some(183));
        assert_eq!(municipality_code(&json!("0183")), Some(183));
        assert_eq!(municipality_code(&json!("18x")), None);
        assert_eq!(municipality_code(&json!(-1)), None);
    }
}
