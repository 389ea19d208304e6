//! An OpenID provider of the tests' own, so that the server validates tokens as in production.
//!
//! [`TestIssuer::start`] serves, on a free port of 127.0.0.1 over real HTTP:
//! - `GET /.well-known/openid-configuration` (and the same document at
//!   `/.well-known/oauth-authorization-server`): the discovery document;
//! - `GET /jwks`: the published public keys, real RSA keys from `tests/fixtures/keys/`;
//! - `POST /token`: the client credentials grant (RFC 6749 §4.4) for registered machine clients,
//!   authenticated by HTTP Basic or by `client_id`/`client_secret` in the form;
//! - `POST /introspect`: token introspection (RFC 7662) for the resource server, which
//!   authenticates as [`TestIssuer::INTROSPECTION_CLIENT`]; [`TestIssuer::introspections`] counts
//!   the calls.
//!
//! Tests mint tokens directly too: good ones ([`TestIssuer::sign`], [`TestIssuer::user_token`])
//! and bad ones ([`TestIssuer::sign_with`] any header and key, [`TestIssuer::unsigned`]). The
//! issuer signs with `key-1` until [`TestIssuer::rotate`], then with `key-2`; `key-3` is never
//! published. The server stops when the [`TestIssuer`] is dropped.

use std::{
    collections::HashMap,
    net::Ipv4Addr,
    sync::{Arc, Mutex, MutexGuard},
};

use axum::{
    extract::{Query, State},
    http::{header, HeaderMap, StatusCode, Uri},
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use base64::{
    engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD},
    Engine,
};
use jsonwebtoken::{
    decode, decode_header, encode, get_current_timestamp,
    jwk::{Jwk, JwkSet, PublicKeyUse},
    Algorithm, AlgorithmFamily, DecodingKey, EncodingKey, Header, Validation,
};
use serde_json::{json, Map, Value};
use tokio::{net::TcpListener, task::JoinHandle};

/// How long the tokens the issuer mints are valid, in seconds.
const LIFETIME: u64 = 300;

/// A running OpenID provider; see the module documentation.
pub struct TestIssuer {
    shared: Arc<Shared>,
    server: JoinHandle<()>,
}

/// Which of the issuer's keys signs a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestKey {
    /// The key the issuer signs with now: `key-1`, or `key-2` after [`TestIssuer::rotate`].
    Current,
    /// `key-1`, published until [`TestIssuer::retire_old_key`].
    Key1,
    /// `key-2`, published from [`TestIssuer::rotate`] on.
    Key2,
    /// `key-3`, a real RSA key that is never published.
    Unpublished,
}

impl TestIssuer {
    /// The audience tokens are minted for.
    pub const AUDIENCE: &'static str = "vestegn-api";

    /// Credentials the resource server must present to `/introspect` (HTTP Basic). The secret
    /// holds characters that RFC 6749 §2.3.1 has clients form-encode before Base64, so a client
    /// that sends it raw is refused.
    pub const INTROSPECTION_CLIENT: (&'static str, &'static str) =
        ("vestegn-api", "introspection secret: 100%/ok");

    /// Serves the provider on a free port of 127.0.0.1 until dropped: `GET
    /// /.well-known/openid-configuration`, `GET /jwks`, `POST /token` (client credentials) and
    /// `POST /introspect` (RFC 7662).
    pub async fn start() -> Self {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .expect("bind the issuer to a free port");
        let address = listener.local_addr().expect("the issuer's address");
        let shared = Arc::new(Shared::new(format!("http://{address}")));
        let router = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/.well-known/oauth-authorization-server", get(discovery))
            .route("/jwks", get(jwks))
            .route("/token", post(token))
            .route("/introspect", post(introspect))
            .with_state(Arc::clone(&shared));
        let server = tokio::spawn(async move {
            axum::serve(listener, router)
                .await
                .expect("the issuer serves until dropped");
        });
        Self { shared, server }
    }

    /// The issuer's URL, `http://127.0.0.1:PORT`: exactly the `iss` of its tokens.
    pub fn issuer(&self) -> String {
        self.shared.issuer.clone()
    }

    /// The URL of the discovery document.
    pub fn discovery_url(&self) -> String {
        format!("{}/.well-known/openid-configuration", self.shared.issuer)
    }

    /// The URL of the published keys.
    pub fn jwks_uri(&self) -> String {
        format!("{}/jwks", self.shared.issuer)
    }

    /// The URL of the token endpoint.
    pub fn token_endpoint(&self) -> String {
        format!("{}/token", self.shared.issuer)
    }

    /// The URL of the introspection endpoint.
    pub fn introspection_endpoint(&self) -> String {
        format!("{}/introspect", self.shared.issuer)
    }

    /// A signed access token (RS256 with the current key, header `kid` and `typ: at+jwt`) carrying
    /// `claims` merged over the defaults: `iss`, `aud` = [`Self::AUDIENCE`], `iat` = now, `exp` =
    /// now + 300, `sub` = `test-user`. A claim given overrides its default (a past `exp`, another
    /// `aud`…); a claim set to `null` is left out.
    pub fn sign(&self, claims: Value) -> String {
        self.shared.sign_current(self.shared.claims(claims))
    }

    /// A token of a user of `municipality` with `roles` (claims `municipality`, a number, and
    /// `roles`, an array).
    pub fn user_token(&self, municipality: i32, roles: &[&str]) -> String {
        self.sign(json!({ "municipality": municipality, "roles": roles }))
    }

    /// A token with an explicit header, signed with one of the keys, published or not, for tests of
    /// bad tokens (unknown `kid`, algorithm swaps). With an HMAC algorithm (`HS256`…) the secret is
    /// the key's public PEM: the classic confusion attack on servers that trust the header's `alg`.
    /// Claims are merged over the defaults as in [`Self::sign`].
    pub fn sign_with(&self, header: Header, key: TestKey, claims: Value) -> String {
        self.shared
            .sign(&header, self.shared.key(key), &self.shared.claims(claims))
    }

    /// A token with `alg: none` and no signature, claims merged over the defaults as in
    /// [`Self::sign`].
    pub fn unsigned(&self, claims: Value) -> String {
        let header = json!({ "alg": "none", "typ": "at+jwt" });
        let claims = Value::Object(self.shared.claims(claims));
        format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        )
    }

    /// The PEM of the current public key.
    pub fn public_key_pem(&self) -> String {
        self.shared.key(TestKey::Current).public_pem.to_owned()
    }

    /// Starts signing with `key-2` and publishes it (key rotation without a restart); `key-1`
    /// stays published until [`Self::retire_old_key`].
    pub fn rotate(&self) {
        self.shared.state().rotation = Rotation::Rotated;
    }

    /// Stops publishing `key-1` (and signs with `key-2`, rotating first if that was not done).
    pub fn retire_old_key(&self) {
        self.shared.state().rotation = Rotation::Retired;
    }

    /// How many times `/introspect` was asked about a token.
    pub fn introspections(&self) -> usize {
        self.shared.state().introspections
    }

    /// How many times the keys were fetched from `/jwks`.
    pub fn jwks_fetches(&self) -> usize {
        self.shared.state().jwks_fetches
    }

    /// The W3C `traceparent` the last fetch of the keys came with (the API's trace, when traces
    /// are on).
    pub fn jwks_traceparent(&self) -> Option<String> {
        self.shared.state().jwks_traceparent.clone()
    }

    /// An access token for a registered client, by the client credentials grant over HTTP.
    pub async fn client_token(&self, id: &str, secret: &str) -> String {
        let answer: Value = reqwest::Client::new()
            .post(self.token_endpoint())
            .header(header::AUTHORIZATION, basic_authorization(id, secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .expect("the token endpoint answers")
            .json()
            .await
            .expect("a JSON token response");
        answer["access_token"]
            .as_str()
            .expect("an access token")
            .to_owned()
    }

    /// Registers a machine client for the client credentials grant. Its tokens carry `client_id`
    /// (the API's default marker of a machine client) and `sub` = `id`, the granted `scope` (space-separated; all of `scope` unless the request
    /// names fewer) and `municipalities` (an array of codes). `id` and `secret` must be made of
    /// unreserved characters (letters, digits, `-._~`), which HTTP Basic sends as they are.
    pub fn register_client(&self, id: &str, secret: &str, scope: &str, municipalities: &[i32]) {
        let unreserved = |text: &str| {
            text.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-._~".contains(c))
        };
        assert!(
            unreserved(id) && unreserved(secret),
            "client id and secret must be made of unreserved characters: {id:?}, {secret:?}"
        );
        let client = Client {
            secret: secret.to_owned(),
            scopes: scope.split_whitespace().map(str::to_owned).collect(),
            municipalities: municipalities.to_vec(),
        };
        self.shared.state().clients.insert(id.to_owned(), client);
    }

    /// An opaque (not a JWT) access token that `/introspect` knows, standing for `claims` merged
    /// over the defaults as in [`Self::sign`].
    pub fn opaque_token(&self, claims: Value) -> String {
        let token = format!("opaque-{}", uuid::Uuid::new_v4().simple());
        let claims = self.shared.claims(claims);
        self.shared
            .state()
            .opaque_tokens
            .insert(token.clone(), Opaque::InForce(claims));
        token
    }

    /// An opaque token that `/introspect` calls active whatever its claims say, as a careless
    /// provider might: `claims` merged over the defaults as in [`Self::sign`] (so a past `exp`,
    /// no `aud` or a `token_type` of a refresh token reach the API as they are).
    pub fn opaque_token_always_active(&self, claims: Value) -> String {
        let token = format!("opaque-{}", uuid::Uuid::new_v4().simple());
        let claims = self.shared.claims(claims);
        self.shared
            .state()
            .opaque_tokens
            .insert(token.clone(), Opaque::AlwaysActive(claims));
        token
    }
}

/// An opaque token `/introspect` knows.
#[derive(Clone)]
enum Opaque {
    /// Active while its `exp` and `nbf` hold.
    InForce(Map<String, Value>),
    /// Active whatever its claims say.
    AlwaysActive(Map<String, Value>),
}

impl Drop for TestIssuer {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// What the handlers and the [`TestIssuer`] share.
struct Shared {
    issuer: String,
    key_1: SigningKey,
    key_2: SigningKey,
    key_3: SigningKey,
    state: Mutex<IssuerState>,
}

/// What changes while the issuer runs.
#[derive(Default)]
struct IssuerState {
    rotation: Rotation,
    jwks_fetches: usize,
    /// The `traceparent` of the last `/jwks` request, if it had one.
    jwks_traceparent: Option<String>,
    introspections: usize,
    clients: HashMap<String, Client>,
    opaque_tokens: HashMap<String, Opaque>,
}

/// Where the key rotation stands.
#[derive(Debug, Clone, Copy, Default)]
enum Rotation {
    /// Signing with `key-1`, the only key published.
    #[default]
    Initial,
    /// Signing with `key-2`; both keys published.
    Rotated,
    /// Signing with `key-2`, the only key published.
    Retired,
}

impl Rotation {
    fn current(self) -> TestKey {
        match self {
            Rotation::Initial => TestKey::Key1,
            Rotation::Rotated | Rotation::Retired => TestKey::Key2,
        }
    }

    fn published(self) -> &'static [TestKey] {
        match self {
            Rotation::Initial => &[TestKey::Key1],
            Rotation::Rotated => &[TestKey::Key1, TestKey::Key2],
            Rotation::Retired => &[TestKey::Key2],
        }
    }
}

/// A registered machine client.
#[derive(Clone)]
struct Client {
    secret: String,
    scopes: Vec<String>,
    municipalities: Vec<i32>,
}

/// One RSA key pair and its public JWK.
struct SigningKey {
    kid: &'static str,
    public_pem: &'static str,
    encoding: EncodingKey,
    decoding: DecodingKey,
    jwk: Jwk,
}

impl SigningKey {
    fn load(kid: &'static str, private_pem: &str, public_pem: &'static str) -> Self {
        let encoding = EncodingKey::from_rsa_pem(private_pem.as_bytes()).expect(kid);
        let decoding = DecodingKey::from_rsa_pem(public_pem.as_bytes()).expect(kid);
        let mut jwk = Jwk::from_encoding_key(&encoding, Algorithm::RS256).expect(kid);
        jwk.common.key_id = Some(kid.to_owned());
        jwk.common.public_key_use = Some(PublicKeyUse::Signature);
        Self {
            kid,
            public_pem,
            encoding,
            decoding,
            jwk,
        }
    }
}

impl Shared {
    fn new(issuer: String) -> Self {
        Self {
            issuer,
            key_1: SigningKey::load(
                "key-1",
                include_str!("../fixtures/keys/key-1.pem"),
                include_str!("../fixtures/keys/key-1.pub.pem"),
            ),
            key_2: SigningKey::load(
                "key-2",
                include_str!("../fixtures/keys/key-2.pem"),
                include_str!("../fixtures/keys/key-2.pub.pem"),
            ),
            key_3: SigningKey::load(
                "key-3",
                include_str!("../fixtures/keys/key-3.pem"),
                include_str!("../fixtures/keys/key-3.pub.pem"),
            ),
            state: Mutex::new(IssuerState::default()),
        }
    }

    /// The state; held only briefly, never across an `await` or a call that takes it again.
    fn state(&self) -> MutexGuard<'_, IssuerState> {
        self.state.lock().expect("the issuer's state")
    }

    fn key(&self, which: TestKey) -> &SigningKey {
        match which {
            TestKey::Current => {
                let current = self.state().rotation.current();
                self.key(current)
            }
            TestKey::Key1 => &self.key_1,
            TestKey::Key2 => &self.key_2,
            TestKey::Unpublished => &self.key_3,
        }
    }

    /// `overrides` merged over the default claims; a `null` removes a claim.
    fn claims(&self, overrides: Value) -> Map<String, Value> {
        let Value::Object(overrides) = overrides else {
            panic!("claims must be a JSON object, not {overrides}");
        };
        let now = get_current_timestamp();
        let mut claims = Map::from_iter([
            ("iss".to_owned(), json!(self.issuer)),
            ("aud".to_owned(), json!(TestIssuer::AUDIENCE)),
            ("iat".to_owned(), json!(now)),
            ("exp".to_owned(), json!(now + LIFETIME)),
            ("sub".to_owned(), json!("test-user")),
        ]);
        for (name, value) in overrides {
            if value.is_null() {
                claims.remove(&name);
            } else {
                claims.insert(name, value);
            }
        }
        claims
    }

    /// Signs as the issuer does for real: RS256 with the current key, `typ: at+jwt` (RFC 9068).
    fn sign_current(&self, claims: Map<String, Value>) -> String {
        let key = self.key(TestKey::Current);
        let mut header = Header::new(Algorithm::RS256);
        header.typ = Some("at+jwt".to_owned());
        header.kid = Some(key.kid.to_owned());
        self.sign(&header, key, &claims)
    }

    fn sign(&self, header: &Header, key: &SigningKey, claims: &Map<String, Value>) -> String {
        let hmac_secret;
        let encoding = match header.alg.family() {
            AlgorithmFamily::Hmac => {
                hmac_secret = EncodingKey::from_secret(key.public_pem.as_bytes());
                &hmac_secret
            }
            _ => &key.encoding,
        };
        encode(header, claims, encoding)
            .unwrap_or_else(|error| panic!("sign with {:?} and {}: {error}", header.alg, key.kid))
    }

    /// The claims of a token this issuer stands behind now, or `None` (RFC 7662 `active: false`).
    fn introspect(&self, token: &str) -> Option<Map<String, Value>> {
        let opaque = self.state().opaque_tokens.get(token).cloned();
        match opaque {
            Some(Opaque::InForce(claims)) => in_force(&claims).then_some(claims),
            Some(Opaque::AlwaysActive(claims)) => Some(claims),
            None => self.verify(token),
        }
    }

    /// The claims of a JWT signed with a published key, unexpired, from this issuer. The audience
    /// is left to the resource server, which RFC 7662 makes the judge of it.
    fn verify(&self, token: &str) -> Option<Map<String, Value>> {
        let kid = decode_header(token).ok()?.kid?;
        let published = self.state().rotation.published();
        let key = published
            .iter()
            .map(|&which| self.key(which))
            .find(|key| key.kid == kid)?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[&self.issuer]);
        validation.validate_aud = false;
        validation.validate_nbf = true;
        validation.leeway = 0;
        decode::<Map<String, Value>>(token, &key.decoding, &validation)
            .ok()
            .map(|data| data.claims)
    }
}

/// Whether an opaque token's `exp` and `nbf`, when it has them, hold now.
fn in_force(claims: &Map<String, Value>) -> bool {
    let now = get_current_timestamp();
    let time = |name| claims.get(name).and_then(Value::as_u64);
    time("exp").is_none_or(|exp| now <= exp) && time("nbf").is_none_or(|nbf| nbf <= now)
}

async fn discovery(State(shared): State<Arc<Shared>>) -> Json<Value> {
    let issuer = &shared.issuer;
    Json(json!({
        "issuer": issuer,
        // Required by OpenID Connect Discovery but not served: the tests have no users to log in.
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/jwks"),
        "introspection_endpoint": format!("{issuer}/introspect"),
        "grant_types_supported": ["client_credentials"],
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic"],
    }))
}

async fn jwks(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Json<JwkSet> {
    let published = {
        let mut state = shared.state();
        state.jwks_fetches += 1;
        state.jwks_traceparent = headers
            .get("traceparent")
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        state.rotation.published()
    };
    let keys = published
        .iter()
        .map(|&which| shared.key(which).jwk.clone())
        .collect();
    Json(JwkSet { keys })
}

async fn token(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: String) -> Response {
    let Some(form) = read_form(&body) else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request");
    };
    match form.get("grant_type").map(String::as_str) {
        Some("client_credentials") => {}
        Some(_) => return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type"),
        None => return oauth_error(StatusCode::BAD_REQUEST, "invalid_request"),
    }
    let credentials = basic_credentials(&headers).or_else(|| {
        Some((
            form.get("client_id")?.clone(),
            form.get("client_secret")?.clone(),
        ))
    });
    let Some((id, client)) = credentials.and_then(|(id, secret)| {
        let client = shared.state().clients.get(&id)?.clone();
        (client.secret == secret).then_some((id, client))
    }) else {
        return invalid_client();
    };
    let granted: Vec<&str> = match form.get("scope") {
        Some(requested) => requested.split_whitespace().collect(),
        None => client.scopes.iter().map(String::as_str).collect(),
    };
    if !granted
        .iter()
        .all(|scope| client.scopes.iter().any(|own| own == scope))
    {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_scope");
    }
    let scope = granted.join(" ");
    let access_token = shared.sign_current(shared.claims(json!({
        "sub": id,
        "client_id": id,
        "scope": scope,
        "municipalities": client.municipalities,
    })));
    let answer = json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": LIFETIME,
        "scope": scope,
    });
    ([(header::CACHE_CONTROL, "no-store")], Json(answer)).into_response()
}

async fn introspect(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let (id, secret) = TestIssuer::INTROSPECTION_CLIENT;
    if basic_credentials(&headers) != Some((id.to_owned(), secret.to_owned())) {
        return invalid_client();
    }
    let Some(token) = read_form(&body).and_then(|mut form| form.remove("token")) else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request");
    };
    shared.state().introspections += 1;
    let answer = match shared.introspect(&token) {
        Some(claims) => {
            let mut answer = Map::from_iter([("active".to_owned(), json!(true))]);
            answer.extend(claims);
            Value::Object(answer)
        }
        None => json!({ "active": false }),
    };
    Json(answer).into_response()
}

/// The fields of an `application/x-www-form-urlencoded` body. The workspace builds axum without its
/// `form` feature; a form body is encoded exactly as a query string, which `Query` reads.
fn read_form(body: &str) -> Option<HashMap<String, String>> {
    let uri: Uri = format!("/?{body}").parse().ok()?;
    Query::try_from_uri(&uri).ok().map(|Query(form)| form)
}

/// The client id and secret of an `Authorization: Basic` header, each form-decoded (RFC 6749
/// §2.3.1).
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    // Decoded, and refused unless the sender encoded it (`:`, `%`, ` ` sent raw fail).
    let form_decoded = |part: &str| {
        let (decoded, _) = form_urlencoded::parse(part.as_bytes()).next()?;
        let encoded: String = form_urlencoded::byte_serialize(decoded.as_bytes()).collect();
        (encoded == part).then(|| decoded.into_owned())
    };
    Some((form_decoded(id)?, form_decoded(secret)?))
}

/// An `Authorization: Basic` value for a client, its id and secret form-encoded first as RFC 6749
/// §2.3.1 asks.
pub fn basic_authorization(id: &str, secret: &str) -> String {
    let encode = |part: &str| form_urlencoded::byte_serialize(part.as_bytes()).collect::<String>();
    format!(
        "Basic {}",
        STANDARD.encode(format!("{}:{}", encode(id), encode(secret)))
    )
}

/// An error answer of RFC 6749 §5.2.
fn oauth_error(status: StatusCode, error: &str) -> Response {
    (status, Json(json!({ "error": error }))).into_response()
}

/// The answer to a client that failed to authenticate.
fn invalid_client() -> Response {
    let mut response = oauth_error(StatusCode::UNAUTHORIZED, "invalid_client");
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static("Basic realm=\"test-issuer\""),
    );
    response
}
