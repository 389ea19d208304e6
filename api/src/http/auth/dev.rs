//! The development key: tokens for trying the server without an identity provider
//! (`vestegn dev-token`), accepted only by a server started with `--dev-auth` on a loopback
//! address. The key is public (it is in the source), so it proves nothing outside a laptop.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header};
use serde_json::{json, Value};

/// The `iss` of development tokens.
pub const ISSUER: &str = "urn:vestegn:dev";
/// The `kid` of the development key.
pub const KEY_ID: &str = "vestegn-dev";

const SIGNING_KEY: &str = include_str!("dev-signing-key.pem");
const VERIFYING_KEY: &str = include_str!("dev-verifying-key.pem");

pub fn verifying_key() -> DecodingKey {
    DecodingKey::from_ed_pem(VERIFYING_KEY.as_bytes()).expect("the development key parses")
}

/// A development access token for `audience`, valid for `lifetime_secs`, with `claims` added to
/// `iss`, `aud`, `iat` and `exp`.
pub fn token(audience: &str, lifetime_secs: u64, claims: Value) -> anyhow::Result<String> {
    let now = jsonwebtoken::get_current_timestamp();
    let mut body = json!({
        "iss": ISSUER,
        "aud": audience,
        "iat": now,
        "exp": now + lifetime_secs,
    });
    if let (Some(body), Value::Object(claims)) = (body.as_object_mut(), claims) {
        body.extend(claims);
    }
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(KEY_ID.to_owned());
    header.typ = Some("at+jwt".to_owned());
    let key = EncodingKey::from_ed_pem(SIGNING_KEY.as_bytes())?;
    Ok(jsonwebtoken::encode(&header, &body, &key)?)
}
