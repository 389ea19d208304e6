//! One typed configuration, from command-line flags or the environment (flags win).
//! Secrets (the database password inside `DATABASE_URL`) are never logged: see [`Config::redacted_database_url`].

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use clap::{Args, Parser, Subcommand};
use ipnet::IpNet;

/// The defaults, in one place for the flags and for [`Config::for_database`] / [`Limits::default`].
mod defaults {
    use std::net::{IpAddr, Ipv4Addr, SocketAddr};

    // The standard introspection query of graphql-js 16 is 15 levels deep (nine `ofType`s).
    pub const MAX_QUERY_DEPTH: usize = 15;
    pub const MAX_QUERY_COMPLEXITY: u64 = 50_000;
    pub const MAX_QUERY_ALIASES: u64 = 30;
    pub const MAX_QUERY_FIELDS: u64 = 2_000;
    pub const MAX_STRING_CHARS: usize = 2_000;
    pub const PAGE_SIZE: u64 = 10;
    pub const MAX_PAGE_SIZE: u64 = 100;
    pub const MAX_BODY_BYTES: usize = 64 * 1024;
    pub const MAX_IMPORT_BYTES: usize = 4 * 1024 * 1024;
    pub const MAX_URI_BYTES: usize = 16 * 1024;
    pub const MAX_HEADER_BYTES: usize = 16 * 1024;
    pub const REQUEST_TIMEOUT_SECS: u64 = 30;
    pub const HEADER_READ_TIMEOUT_SECS: u64 = 10;
    pub const SHUTDOWN_GRACE_SECS: u64 = 20;
    pub const WRITE_LOCK_WAIT_MS: u64 = 2_000;
    pub const MAX_CONCURRENT_REQUESTS: usize = 32;
    pub const RATE_LIMIT_POINTS_PER_MINUTE: u32 = 200_000;
    pub const BODY_READ_TIMEOUT_SECS: u64 = 10;
    pub const BODY_MIN_BYTES_PER_SEC: u64 = 1_024;
    pub const MAX_CONNECTIONS_PER_CLIENT: usize = 64;
    pub const RESPONSE_CACHE_MB: u64 = 32;
    pub const DATABASE_MAX_CONNECTIONS: u32 = 10;
    pub const DATABASE_ACQUIRE_TIMEOUT_MS: u64 = 2_000;
    pub const DATABASE_CONNECT_TIMEOUT_SECS: u64 = 5;
    pub const BIND_ADDRESS: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 8080);
    /// Where `npm --prefix web run build` writes the web front end, from the repository root.
    pub const WEB_DIR: &str = "web/dist";
}

pub use defaults::{WEB_DIR as DEFAULT_WEB_DIR, WRITE_LOCK_WAIT_MS as DEFAULT_WRITE_LOCK_WAIT_MS};

/// How the development key's file ends (`.gitignore` names it: `*.dev-key.pem`).
const DEV_KEY_EXTENSION: &str = "dev-key.pem";

/// The Vestegn GraphQL server.
#[derive(Debug, Parser)]
#[command(name = "vestegn", version, about)]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What to do; `serve` when none is given.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Migrate the database and serve the API (the default).
    Serve,
    /// Migrate the database and load the seed dataset into it, if it holds none yet.
    Seed,
    /// Print the GraphQL schema (SDL) to standard output.
    PrintSchema,
    /// Print a development access token, signed with this machine's development key (the one a
    /// server started with `--dev-auth` made: the same `DEV_KEY_FILE`, or the same SQLite
    /// `DATABASE_URL`), and accepted only by such a server.
    DevToken(DevTokenArgs),
    /// Pull budget lines from a Vestegn server as an integration (OAuth2 client credentials).
    PullBudgets(budget_client::PullBudgetsArgs),
}

/// What a development token says.
#[derive(Debug, Clone, Args)]
pub struct DevTokenArgs {
    /// The municipality the caller acts for (kommunekode).
    #[arg(long)]
    pub municipality: Option<i32>,
    /// A role of the user: viewer, editor, admin or platform-admin (repeatable). Without a role,
    /// the token is a machine client's (it carries the `AUTH_CLIENT_CLAIM` marker).
    #[arg(long = "role")]
    pub roles: Vec<String>,
    /// Scopes of a machine client, e.g. `budgets:read` (repeatable).
    #[arg(long = "scope")]
    pub scopes: Vec<String>,
    /// Municipalities a machine client is granted (repeatable; default: `--municipality`).
    #[arg(long = "grant")]
    pub grants: Vec<i32>,
    /// The subject (user or client id).
    #[arg(long, default_value = "dev-user")]
    pub subject: String,
    /// Lifetime in seconds.
    #[arg(long, default_value_t = 3600)]
    pub expires_in: u64,
}

/// A secret from the configuration: shown as `***` in debug output.
#[derive(Clone)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(Self(text.to_owned()))
    }
}

/// Who may call: the OpenID Connect issuer whose tokens are accepted, and how its claims are read.
#[derive(Debug, Clone, Args)]
pub struct AuthConfig {
    /// The issuer URL; its keys come from its OpenID discovery document. Without it (and without
    /// `--dev-auth`), every caller is anonymous and any token is refused.
    #[arg(long = "auth-issuer", env = "AUTH_ISSUER")]
    pub issuer: Option<String>,
    /// The audience tokens must name in `aud`.
    #[arg(
        long = "auth-audience",
        env = "AUTH_AUDIENCE",
        default_value = "vestegn-api"
    )]
    pub audience: String,
    /// The claim with the municipality code the caller acts for (a dotted path allowed).
    #[arg(
        long = "auth-municipality-claim",
        env = "AUTH_MUNICIPALITY_CLAIM",
        default_value = "municipality"
    )]
    pub municipality_claim: String,
    /// The claim with the user's roles (a dotted path: Keycloak's is `realm_access.roles`).
    #[arg(
        long = "auth-roles-claim",
        env = "AUTH_ROLES_CLAIM",
        default_value = "roles"
    )]
    pub roles_claim: String,
    /// What marks a machine client's token (client credentials grant) apart from a user's: `name`
    /// (the claim is present) or `name=value` (the claim, or one of its values, equals `value`).
    /// The default, `client_id`, is what Keycloak puts into service accounts' tokens only (its
    /// `service_account` client scope); for Entra ID use `idtyp=app` (with the optional claim
    /// `idtyp` added to the API's access tokens). Every other token is a user's.
    #[arg(
        long = "auth-client-claim",
        env = "AUTH_CLIENT_CLAIM",
        default_value = "client_id"
    )]
    pub client_claim: String,
    /// The claim with the municipalities a machine client is granted.
    #[arg(
        long = "auth-municipalities-claim",
        env = "AUTH_MUNICIPALITIES_CLAIM",
        default_value = "municipalities"
    )]
    pub municipalities_claim: String,
    /// Clock skew allowed on `exp`, `nbf` and `iat`, in seconds.
    #[arg(
        long = "auth-leeway-secs",
        env = "AUTH_LEEWAY_SECS",
        default_value_t = 30
    )]
    pub leeway_secs: u64,
    /// The client the server introspects opaque (non-JWT) tokens as (RFC 7662, at the issuer's
    /// `introspection_endpoint`). Without it, opaque tokens are refused.
    #[arg(
        long = "auth-introspection-client-id",
        env = "AUTH_INTROSPECTION_CLIENT_ID"
    )]
    pub introspection_client_id: Option<String>,
    /// That client's secret (never logged).
    #[arg(
        long = "auth-introspection-client-secret",
        env = "AUTH_INTROSPECTION_CLIENT_SECRET"
    )]
    pub introspection_client_secret: Option<Secret>,
    /// The least time between two fetches of the issuer's keys prompted by unknown key ids, in
    /// seconds (tokens naming made-up `kid`s must not hammer the provider).
    #[arg(
        long = "auth-jwks-min-refetch-secs",
        env = "AUTH_JWKS_MIN_REFETCH_SECS",
        default_value_t = 10
    )]
    pub jwks_min_refetch_secs: u64,
    /// The public client (no secret) that browser clients such as the comparison page sign in
    /// as, with the authorization code flow and PKCE. Published in the schema's `signIn`, so
    /// that every client finds it; without it, clients offer no sign-in through the issuer.
    #[arg(long = "auth-public-client-id", env = "AUTH_PUBLIC_CLIENT_ID")]
    pub public_client_id: Option<String>,
    /// Accept development tokens (`vestegn dev-token`), signed with this machine's development
    /// key. Refused unless the server listens on a loopback address; requests that came through a
    /// proxy (forwarded headers) are refused while it is on.
    #[arg(long = "dev-auth", env = "DEV_AUTH", default_value_t = false)]
    pub dev_auth: bool,
    /// The development key's file (an Ed25519 private key, PEM), made with mode 0600 by the
    /// first server started with `--dev-auth`. Default: beside the SQLite database
    /// (`vestegn.db` → `vestegn.dev-key.pem`), or `vestegn.dev-key.pem` in the working directory
    /// for PostgreSQL or an in-memory database. Never commit it.
    #[arg(long = "dev-key-file", env = "DEV_KEY_FILE")]
    pub dev_key_file: Option<PathBuf>,
    /// The development key itself, once read: set by the binary at start-up (or by a test), never
    /// from the command line. Without it, development tokens are refused even with `dev_auth`.
    #[arg(skip)]
    pub dev_key: Option<std::sync::Arc<crate::http::auth::dev::DevKey>>,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            issuer: None,
            audience: "vestegn-api".to_owned(),
            municipality_claim: "municipality".to_owned(),
            roles_claim: "roles".to_owned(),
            municipalities_claim: "municipalities".to_owned(),
            client_claim: "client_id".to_owned(),
            leeway_secs: 30,
            introspection_client_id: None,
            introspection_client_secret: None,
            jwks_min_refetch_secs: 10,
            public_client_id: None,
            dev_auth: false,
            dev_key_file: None,
            dev_key: None,
        }
    }
}

/// Settings of the server.
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Database to use: `sqlite://…` (the embedded default) or `postgres://…`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://vestegn.db?mode=rwc"
    )]
    pub database_url: String,

    /// Address to listen on.
    #[arg(long, env = "BIND_ADDRESS", default_value_t = defaults::BIND_ADDRESS)]
    pub bind_address: SocketAddr,

    /// Address of the metrics listener (`GET /metrics`, Prometheus' text format), apart from the
    /// public one so that a load balancer does not expose it; unset: no metrics listener.
    #[arg(long, env = "METRICS_ADDRESS")]
    pub metrics_address: Option<SocketAddr>,

    /// Send traces (OpenTelemetry, OTLP over HTTP) to this collector, e.g. `http://127.0.0.1:4318`
    /// (spans go to `/v1/traces` under it); unset: no traces.
    #[arg(long, env = "OTEL_EXPORTER_OTLP_ENDPOINT")]
    pub otlp_endpoint: Option<String>,

    /// The service's name in traces.
    #[arg(long, env = "OTEL_SERVICE_NAME", default_value = "vestegn")]
    pub otel_service_name: String,

    /// Load the seed dataset on start when the database holds none yet. Defaults to on for SQLite
    /// (the embedded default) and off for PostgreSQL, where `vestegn seed` loads it explicitly.
    #[arg(long, env = "LOAD_SEED")]
    pub load_seed: Option<bool>,

    /// Log as JSON lines (for production) instead of human-readable text.
    #[arg(long, env = "LOG_JSON", default_value_t = false)]
    pub log_json: bool,

    /// Maximum connections in the database pool (per replica).
    #[arg(long, env = "DATABASE_MAX_CONNECTIONS", default_value_t = defaults::DATABASE_MAX_CONNECTIONS)]
    pub database_max_connections: u32,

    /// How long a request waits for a pooled database connection, in milliseconds, before it is
    /// answered with 503 `SERVICE_UNAVAILABLE`. Short on purpose: an unreachable database must not
    /// hold requests until their deadline.
    #[arg(long, env = "DATABASE_ACQUIRE_TIMEOUT_MS", default_value_t = defaults::DATABASE_ACQUIRE_TIMEOUT_MS)]
    pub database_acquire_timeout_ms: u64,

    /// How long one attempt to reach the database may take at start-up, in seconds, before the
    /// server logs the cause and tries again (it serves `/healthz` meanwhile).
    #[arg(long, env = "DATABASE_CONNECT_TIMEOUT_SECS", default_value_t = defaults::DATABASE_CONNECT_TIMEOUT_SECS)]
    pub database_connect_timeout_secs: u64,

    /// The built web front end (the comparison page and GraphiQL): `npm --prefix web run build`
    /// writes it. Served from disk, read on every request for HTML (assets are cached by
    /// browsers, their names change with their content).
    #[arg(long, env = "WEB_DIR", default_value = defaults::WEB_DIR)]
    pub web_dir: PathBuf,

    #[command(flatten)]
    pub auth: AuthConfig,

    #[command(flatten)]
    pub limits: Limits,
}

/// Protective limits, applied where the schema and the router are built.
#[derive(Debug, Clone, Args)]
pub struct Limits {
    /// Maximum depth of a GraphQL query (fields nested in fields, fragments included).
    #[arg(long, env = "MAX_QUERY_DEPTH", default_value_t = defaults::MAX_QUERY_DEPTH)]
    pub max_depth: usize,
    /// Maximum complexity of a GraphQL query: its fields, each multiplied by the rows the lists
    /// around it can return (a connection's page size, a nested list's declared `@listSize`).
    #[arg(long, env = "MAX_QUERY_COMPLEXITY", default_value_t = defaults::MAX_QUERY_COMPLEXITY)]
    pub max_complexity: u64,
    /// Maximum number of aliased fields in a GraphQL document, after expanding its fragments.
    #[arg(long, env = "MAX_QUERY_ALIASES", default_value_t = defaults::MAX_QUERY_ALIASES)]
    pub max_aliases: u64,
    /// Maximum number of fields in a GraphQL document after expanding its fragments.
    #[arg(long, env = "MAX_QUERY_FIELDS", default_value_t = defaults::MAX_QUERY_FIELDS)]
    pub max_fields: u64,
    /// Longest string a client may send as an argument or variable, in characters.
    #[arg(long, env = "MAX_STRING_CHARS", default_value_t = defaults::MAX_STRING_CHARS)]
    pub max_string_chars: usize,
    /// Page size when `first` is not given.
    #[arg(long, env = "DEFAULT_PAGE_SIZE", default_value_t = defaults::PAGE_SIZE)]
    pub default_page_size: u64,
    /// Largest page size a client may ask for.
    #[arg(long, env = "MAX_PAGE_SIZE", default_value_t = defaults::MAX_PAGE_SIZE)]
    pub max_page_size: u64,
    /// Largest request body, in bytes.
    #[arg(long, env = "MAX_BODY_BYTES", default_value_t = defaults::MAX_BODY_BYTES)]
    pub max_body_bytes: usize,
    /// Largest model document a `PUT /models/{code}` may send, in bytes (the other routes keep
    /// `MAX_BODY_BYTES`).
    #[arg(long, env = "MAX_IMPORT_BYTES", default_value_t = defaults::MAX_IMPORT_BYTES)]
    pub max_import_bytes: usize,
    /// Longest URL (path and query), in bytes; longer ones get 414.
    #[arg(long, env = "MAX_URI_BYTES", default_value_t = defaults::MAX_URI_BYTES)]
    pub max_uri_bytes: usize,
    /// Largest total size of a request's header fields, in bytes; larger ones get 431.
    #[arg(long, env = "MAX_HEADER_BYTES", default_value_t = defaults::MAX_HEADER_BYTES)]
    pub max_header_bytes: usize,
    /// Time a request may take, in seconds (parsing, validation and execution), before it is
    /// answered with 408 and its work is dropped.
    #[arg(long, env = "REQUEST_TIMEOUT_SECS", default_value_t = defaults::REQUEST_TIMEOUT_SECS)]
    pub request_timeout_secs: u64,
    /// How long a write waits for the writers' lock while another write holds it, in
    /// milliseconds, before it is answered with 503 `SERVICE_UNAVAILABLE` and `Retry-After`
    /// (nothing written).
    #[arg(long, env = "WRITE_LOCK_WAIT_MS", default_value_t = defaults::WRITE_LOCK_WAIT_MS)]
    pub write_lock_wait_ms: u64,
    /// Time a client has to send a request's header, in seconds, before the connection is closed.
    #[arg(long, env = "HEADER_READ_TIMEOUT_SECS", default_value_t = defaults::HEADER_READ_TIMEOUT_SECS)]
    pub header_read_timeout_secs: u64,
    /// On shutdown, how long in-flight requests may finish, in seconds, before the process exits.
    #[arg(long, env = "SHUTDOWN_GRACE_SECS", default_value_t = defaults::SHUTDOWN_GRACE_SECS)]
    pub shutdown_grace_secs: u64,
    /// Requests to the model (`/graphql`, `/models`) served at once by this replica, counted from
    /// when their body has been read; more are answered at once with 503 `OVERLOADED` and
    /// `Retry-After` instead of queueing into timeouts.
    #[arg(long, env = "MAX_CONCURRENT_REQUESTS", default_value_t = defaults::MAX_CONCURRENT_REQUESTS)]
    pub max_concurrent_requests: usize,
    /// Points a caller may spend per minute on this replica (signed-in callers by subject or client
    /// id, anonymous ones by client address): a GraphQL request spends its complexity (at least
    /// 1), a model export or import a fixed amount, never more than the whole budget. The budget
    /// refills continuously and holds at most a minute's worth. Held in memory per replica: with
    /// N replicas behind a load balancer, up to N times this. Past it: 429 `RATE_LIMITED` with
    /// `Retry-After`. 0 turns the limit off.
    #[arg(long, env = "RATE_LIMIT_POINTS_PER_MINUTE", default_value_t = defaults::RATE_LIMIT_POINTS_PER_MINUTE)]
    pub rate_limit_points_per_minute: u32,
    /// Addresses or networks (CIDR, comma-separated) of reverse proxies whose `X-Forwarded-For`
    /// is believed; from anyone else the TCP peer is the client. Their connections are not
    /// capped by `MAX_CONNECTIONS_PER_CLIENT` (they carry many clients'). Default: none.
    #[arg(long, env = "TRUSTED_PROXIES", value_delimiter = ',', value_parser = parse_trusted_proxy)]
    pub trusted_proxies: Vec<IpNet>,
    /// Time a client has to send a request's body, in seconds, before it is answered with 408
    /// (the body is read before the request takes one of `MAX_CONCURRENT_REQUESTS`).
    #[arg(long, env = "BODY_READ_TIMEOUT_SECS", default_value_t = defaults::BODY_READ_TIMEOUT_SECS)]
    pub body_read_timeout_secs: u64,
    /// Slowest a request's body may arrive, in bytes per second, after a grace of
    /// [`BODY_GRACE`] for the first bytes; slower clients get 408. 0 turns the check off.
    #[arg(long, env = "BODY_MIN_BYTES_PER_SEC", default_value_t = defaults::BODY_MIN_BYTES_PER_SEC)]
    pub body_min_bytes_per_sec: u64,
    /// Open connections one client address (IPv6: its /64) may hold on this replica; further ones
    /// are closed at once. Trusted proxies are exempt. 0 turns the cap off.
    #[arg(long, env = "MAX_CONNECTIONS_PER_CLIENT", default_value_t = defaults::MAX_CONNECTIONS_PER_CLIENT)]
    pub max_connections_per_client: usize,
    /// Memory this replica keeps for answers to repeated GraphQL queries of unchanged data, in
    /// MiB (answers and their keys; the least used go first when it is full). A write through any
    /// replica makes every earlier answer stale at once. 0 turns the cache off.
    #[arg(long, env = "RESPONSE_CACHE_MB", default_value_t = defaults::RESPONSE_CACHE_MB)]
    pub response_cache_mb: u64,
    /// Which callers must send registered GraphQL documents (our own clients', see
    /// `http::trusted_documents`) and are refused any other: `nobody` (the default),
    /// `anonymous` (callers without a token) or `everyone`.
    #[arg(long, env = "REQUIRE_TRUSTED_DOCUMENTS", value_enum, default_value_t = RequireTrustedDocuments::Nobody)]
    pub require_trusted_documents: RequireTrustedDocuments,
}

/// Which callers must send registered GraphQL documents (`http::trusted_documents`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RequireTrustedDocuments {
    /// Anyone may send any document (the default; GraphiQL and ad-hoc clients work).
    Nobody,
    /// Callers without a token may run registered documents only (production mode for
    /// anonymous traffic); signed-in callers may send any document.
    Anonymous,
    /// Every caller may run registered documents only.
    Everyone,
}

/// How long a body's first bytes may take before `BODY_MIN_BYTES_PER_SEC` applies: a client on a
/// fresh connection may still be slow to start (TCP slow start, a phone waking its radio).
pub const BODY_GRACE: Duration = Duration::from_secs(2);

/// An address (`10.0.0.1`, one host) or a network (`10.0.0.0/8`).
fn parse_trusted_proxy(text: &str) -> Result<IpNet, String> {
    let text = text.trim();
    text.parse::<IpNet>()
        .or_else(|_| text.parse::<std::net::IpAddr>().map(IpNet::from))
        .map_err(|_| format!("`{text}` is neither an IP address nor a CIDR network"))
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_depth: defaults::MAX_QUERY_DEPTH,
            max_complexity: defaults::MAX_QUERY_COMPLEXITY,
            max_aliases: defaults::MAX_QUERY_ALIASES,
            max_fields: defaults::MAX_QUERY_FIELDS,
            max_string_chars: defaults::MAX_STRING_CHARS,
            default_page_size: defaults::PAGE_SIZE,
            max_page_size: defaults::MAX_PAGE_SIZE,
            max_body_bytes: defaults::MAX_BODY_BYTES,
            max_import_bytes: defaults::MAX_IMPORT_BYTES,
            max_uri_bytes: defaults::MAX_URI_BYTES,
            max_header_bytes: defaults::MAX_HEADER_BYTES,
            request_timeout_secs: defaults::REQUEST_TIMEOUT_SECS,
            write_lock_wait_ms: defaults::WRITE_LOCK_WAIT_MS,
            header_read_timeout_secs: defaults::HEADER_READ_TIMEOUT_SECS,
            shutdown_grace_secs: defaults::SHUTDOWN_GRACE_SECS,
            max_concurrent_requests: defaults::MAX_CONCURRENT_REQUESTS,
            rate_limit_points_per_minute: defaults::RATE_LIMIT_POINTS_PER_MINUTE,
            trusted_proxies: Vec::new(),
            body_read_timeout_secs: defaults::BODY_READ_TIMEOUT_SECS,
            body_min_bytes_per_sec: defaults::BODY_MIN_BYTES_PER_SEC,
            max_connections_per_client: defaults::MAX_CONNECTIONS_PER_CLIENT,
            response_cache_mb: defaults::RESPONSE_CACHE_MB,
            require_trusted_documents: RequireTrustedDocuments::Nobody,
        }
    }
}

impl Limits {
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs)
    }

    pub fn response_cache_bytes(&self) -> u64 {
        self.response_cache_mb.saturating_mul(1024 * 1024)
    }

    pub fn write_lock_wait(&self) -> Duration {
        Duration::from_millis(self.write_lock_wait_ms)
    }

    pub fn header_read_timeout(&self) -> Duration {
        Duration::from_secs(self.header_read_timeout_secs)
    }

    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_secs(self.shutdown_grace_secs)
    }

    pub fn body_read_timeout(&self) -> Duration {
        Duration::from_secs(self.body_read_timeout_secs)
    }

    /// Whether `address` is one of the trusted proxies.
    pub fn is_trusted_proxy(&self, address: std::net::IpAddr) -> bool {
        self.trusted_proxies
            .iter()
            .any(|proxy| proxy.contains(&address))
    }
}

impl Config {
    /// A configuration for the given database with every other setting at its default.
    pub fn for_database(database_url: impl Into<String>) -> Self {
        Self {
            database_url: database_url.into(),
            bind_address: defaults::BIND_ADDRESS,
            metrics_address: None,
            otlp_endpoint: None,
            otel_service_name: "vestegn".to_owned(),
            load_seed: None,
            log_json: false,
            database_max_connections: defaults::DATABASE_MAX_CONNECTIONS,
            database_acquire_timeout_ms: defaults::DATABASE_ACQUIRE_TIMEOUT_MS,
            database_connect_timeout_secs: defaults::DATABASE_CONNECT_TIMEOUT_SECS,
            web_dir: PathBuf::from(defaults::WEB_DIR),
            auth: AuthConfig::default(),
            limits: Limits::default(),
        }
    }

    /// Refuses settings that must not run together.
    pub fn check(&self) -> anyhow::Result<()> {
        if self.auth.dev_auth && !self.bind_address.ip().is_loopback() {
            anyhow::bail!(
                "--dev-auth accepts tokens anyone can make: it is refused on {}, which is not a \
                 loopback address",
                self.bind_address
            );
        }
        Ok(())
    }

    /// Where the development key lives: `DEV_KEY_FILE`, else beside the SQLite database file,
    /// else `vestegn.dev-key.pem` in the working directory.
    pub fn dev_key_file(&self) -> PathBuf {
        if let Some(file) = &self.auth.dev_key_file {
            return file.clone();
        }
        let database_file = self
            .database_url
            .strip_prefix("sqlite://")
            .or_else(|| self.database_url.strip_prefix("sqlite:"))
            .filter(|rest| !rest.contains("mode=memory"))
            .map(|rest| rest.split('?').next().unwrap_or_default())
            .filter(|path| !path.is_empty() && *path != ":memory:");
        match database_file {
            Some(path) => PathBuf::from(path).with_extension(DEV_KEY_EXTENSION),
            None => PathBuf::from(format!("vestegn.{DEV_KEY_EXTENSION}")),
        }
    }

    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }

    /// Whether to load the seed dataset into an empty database on start.
    pub fn should_load_seed(&self) -> bool {
        self.load_seed.unwrap_or_else(|| self.is_sqlite())
    }

    /// The database URL with any secret replaced, for logs: the password of the user information
    /// (`postgres://user:secret@host/db`) and the value of any query parameter whose name holds
    /// `password`, `secret` or `token` (`?password=secret`, `sslpassword=`). The `url` crate
    /// reads the URL, so what is the password is decided as the database driver decides it.
    pub fn redacted_database_url(&self) -> String {
        let Ok(mut url) = url::Url::parse(&self.database_url) else {
            // Not a URL (`sqlite::memory:`, or a typo): without a parse nothing says where a
            // secret ends, so only what comes before the first `:` is shown.
            let scheme = self.database_url.split(':').next().unwrap_or_default();
            return format!("{scheme}:***");
        };
        if url.password().is_some() {
            url.set_password(Some("***")).ok();
        }
        let secret = |name: &str| {
            let name = name.to_ascii_lowercase();
            ["password", "secret", "token"]
                .iter()
                .any(|word| name.contains(word))
        };
        if url.query().is_some() {
            let pairs: Vec<(String, String)> = url
                .query_pairs()
                .map(|(name, value)| {
                    let value = if secret(&name) { "***".into() } else { value };
                    (name.into_owned(), value.into_owned())
                })
                .collect();
            url.query_pairs_mut().clear().extend_pairs(pairs);
        }
        url.into()
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::Config;

    #[test]
    fn the_subcommand_parses_next_to_the_servers_flags() {
        use budget_client::OutputFormat;
        use clap::Parser;

        use super::{Cli, Command};

        let cli = Cli::try_parse_from([
            "vestegn",
            "pull-budgets",
            "--year",
            "2023",
            "--municipality",
            "169",
            "--municipality",
            "183",
            "--format",
            "json",
            "--token-url",
            "http://127.0.0.1:1/token",
            "--client-id",
            "budget-sync",
            "--client-secret",
            "very-secret",
        ]);
        let Ok(Cli {
            command: Some(Command::PullBudgets(args)),
            ..
        }) = cli
        else {
            panic!("not parsed as pull-budgets: {cli:?}");
        };
        assert_eq!(args.year, 2023);
        assert_eq!(args.municipalities, vec![169, 183]);
        assert_eq!(args.format, OutputFormat::Json);
        assert_eq!(args.scope, "budgets:read");
        assert_eq!(args.page_size, 100);
    }

    #[test]
    fn passwords_never_reach_the_logs() {
        let redacted = |url: &str| Config::for_database(url).redacted_database_url();
        assert_eq!(
            redacted("postgres://vestegn:s3cret@db:5432/vestegn"),
            "postgres://vestegn:***@db:5432/vestegn"
        );
        assert_eq!(
            redacted("postgres://db/vestegn?user=vestegn&password=s3cret&sslmode=require"),
            "postgres://db/vestegn?user=vestegn&password=***&sslmode=require"
        );
        assert_eq!(
            redacted("postgres://u:p@db/v?sslpassword=k@y&application_name=vestegn"),
            "postgres://u:***@db/v?sslpassword=***&application_name=vestegn"
        );
        assert_eq!(redacted("postgres://u:p@x@db/v"), "postgres://u:***@db/v");
        // A password with a `/` or `?` unescaped does not parse: nothing after the scheme shows.
        for url in ["postgres://u:pa/ss@db/v", "postgres://u:p?x@db/v"] {
            assert_eq!(redacted(url), "postgres:***", "{url}");
        }
        assert_eq!(
            redacted("sqlite://vestegn.db?mode=rwc"),
            "sqlite://vestegn.db?mode=rwc"
        );
        assert_eq!(redacted("sqlite::memory:"), "sqlite::memory:");
    }

    #[test]
    fn dev_auth_only_on_loopback() {
        let mut config = Config::for_database("sqlite::memory:");
        config.auth.dev_auth = true;
        assert!(config.check().is_ok(), "127.0.0.1 is loopback");
        config.bind_address = "0.0.0.0:8080".parse().unwrap_or(config.bind_address);
        assert!(config.check().is_err());
        config.bind_address = "[::1]:8080".parse().unwrap_or(config.bind_address);
        assert!(config.check().is_ok());
    }

    #[test]
    fn trusted_proxies_are_addresses_or_networks() {
        use clap::Parser;
        let cli = super::Cli::try_parse_from([
            "vestegn",
            "--trusted-proxies",
            "10.0.0.0/8, 192.168.1.7,::1",
        ])
        .expect("parses");
        let limits = cli.config.limits;
        assert_eq!(limits.trusted_proxies.len(), 3);
        for address in ["10.1.2.3", "192.168.1.7", "::1"] {
            assert!(limits.is_trusted_proxy(address.parse().expect("an address")));
        }
        assert!(!limits.is_trusted_proxy("192.168.1.8".parse().expect("an address")));
        assert!(super::Cli::try_parse_from(["vestegn", "--trusted-proxies", "nope"]).is_err());
    }

    #[test]
    fn the_development_key_lives_beside_the_database() {
        let key_file = |url: &str| Config::for_database(url).dev_key_file();
        assert_eq!(
            key_file("sqlite://vestegn.db?mode=rwc"),
            PathBuf::from("vestegn.dev-key.pem")
        );
        assert_eq!(
            key_file("sqlite:///srv/data/browser.db?mode=rwc"),
            PathBuf::from("/srv/data/browser.dev-key.pem")
        );
        assert_eq!(
            key_file("sqlite:data/x.sqlite"),
            PathBuf::from("data/x.dev-key.pem")
        );
        for elsewhere in [
            "sqlite::memory:",
            "sqlite://file?mode=memory",
            "postgres://u@h/db",
        ] {
            assert_eq!(
                key_file(elsewhere),
                PathBuf::from("vestegn.dev-key.pem"),
                "{elsewhere}"
            );
        }
        let mut config = Config::for_database("sqlite://vestegn.db");
        config.auth.dev_key_file = Some(PathBuf::from("/run/key.pem"));
        assert_eq!(config.dev_key_file(), PathBuf::from("/run/key.pem"));
    }
}
