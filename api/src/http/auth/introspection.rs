//! Opaque (non-JWT) access tokens: asked about at the issuer's introspection endpoint (RFC 7662)
//! as the configured client, and the answer cached briefly per replica, so that a busy client
//! does not cost one call to the provider per request.

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use serde_json::Value;
use tokio::sync::Mutex;

use super::{invalid, jwks::KeySource};
use crate::{config::Secret, error::ApiError};

/// How long an introspection answer is reused (never past the token's `exp`).
const CACHE_FOR: Duration = Duration::from_secs(30);

/// The introspecting client and its cache.
pub struct Introspection {
    client_id: String,
    client_secret: Secret,
    cache: Mutex<HashMap<String, (Value, Instant)>>,
}

impl Introspection {
    pub fn new(client_id: String, client_secret: Secret) -> Self {
        Self {
            client_id,
            client_secret,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The claims of an active token; refused when the issuer says it is not active.
    pub async fn claims(&self, source: &KeySource, token: &str) -> Result<Value, ApiError> {
        let now = Instant::now();
        {
            let mut cache = self.cache.lock().await;
            cache.retain(|_, (_, until)| *until > now);
            if let Some((claims, _)) = cache.get(token) {
                return Ok(claims.clone());
            }
        }
        let endpoint = source
            .introspection_endpoint()
            .await?
            .ok_or_else(|| invalid("the identity provider offers no token introspection"))?;
        let request = source
            .http()
            .post(&endpoint)
            .basic_auth(&self.client_id, Some(&self.client_secret.0))
            .form(&[("token", token), ("token_type_hint", "access_token")]);
        let answer: Value = source.ask("token introspection", request).await?;
        if answer.get("active") != Some(&Value::Bool(true)) {
            return Err(invalid("the token is not active"));
        }
        let seconds_left = answer
            .get("exp")
            .and_then(Value::as_u64)
            .map(|exp| exp.saturating_sub(jsonwebtoken::get_current_timestamp()));
        let keep = seconds_left.map_or(CACHE_FOR, |left| CACHE_FOR.min(Duration::from_secs(left)));
        self.cache
            .lock()
            .await
            .insert(token.to_owned(), (answer.clone(), now + keep));
        Ok(answer)
    }
}
