//! One typed configuration, from command-line flags or the environment (flags win).
//! Secrets (the database password inside `DATABASE_URL`) are never logged: see [`Config::redacted_database_url`].

use std::{net::SocketAddr, time::Duration};

use clap::{Args, Parser, Subcommand};

/// The defaults, in one place for the flags and for [`Config::for_database`] / [`Limits::default`].
mod defaults {
    use std::net::{IpAddr, Ipv4Addr, SocketAddr};

    pub const MAX_QUERY_DEPTH: usize = 12;
    pub const MAX_QUERY_COMPLEXITY: usize = 2000;
    pub const MAX_QUERY_ALIASES: usize = 30;
    pub const PAGE_SIZE: u64 = 10;
    pub const MAX_PAGE_SIZE: u64 = 100;
    pub const MAX_BODY_BYTES: usize = 64 * 1024;
    pub const REQUEST_TIMEOUT_SECS: u64 = 30;
    pub const BATCH_WINDOW_MS: u64 = 2;
    pub const DATABASE_MAX_CONNECTIONS: u32 = 10;
    pub const BIND_ADDRESS: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 8080);
}

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

    /// Load the seed dataset on start when the database holds none yet. Defaults to on for SQLite
    /// (the embedded default) and off for PostgreSQL, where `vestegn seed` loads it explicitly.
    #[arg(long, env = "LOAD_SEED")]
    pub load_seed: Option<bool>,

    /// Log as JSON lines (for production) instead of human-readable text.
    #[arg(long, env = "LOG_JSON", default_value_t = false)]
    pub log_json: bool,

    /// Maximum connections in the database pool.
    #[arg(long, env = "DATABASE_MAX_CONNECTIONS", default_value_t = defaults::DATABASE_MAX_CONNECTIONS)]
    pub database_max_connections: u32,

    #[command(flatten)]
    pub limits: Limits,
}

/// Protective limits, applied where the schema and the router are built.
#[derive(Debug, Clone, Args)]
pub struct Limits {
    /// Maximum depth of a GraphQL query.
    #[arg(long, env = "MAX_QUERY_DEPTH", default_value_t = defaults::MAX_QUERY_DEPTH)]
    pub max_depth: usize,
    /// Maximum complexity (weighted field count) of a GraphQL query.
    #[arg(long, env = "MAX_QUERY_COMPLEXITY", default_value_t = defaults::MAX_QUERY_COMPLEXITY)]
    pub max_complexity: usize,
    /// Maximum number of aliased fields in a GraphQL document.
    #[arg(long, env = "MAX_QUERY_ALIASES", default_value_t = defaults::MAX_QUERY_ALIASES)]
    pub max_aliases: usize,
    /// Page size when `first` is not given.
    #[arg(long, env = "DEFAULT_PAGE_SIZE", default_value_t = defaults::PAGE_SIZE)]
    pub default_page_size: u64,
    /// Largest page size a client may ask for.
    #[arg(long, env = "MAX_PAGE_SIZE", default_value_t = defaults::MAX_PAGE_SIZE)]
    pub max_page_size: u64,
    /// Largest request body, in bytes.
    #[arg(long, env = "MAX_BODY_BYTES", default_value_t = defaults::MAX_BODY_BYTES)]
    pub max_body_bytes: usize,
    /// Time a request may take, in seconds, before it is answered with 408.
    #[arg(long, env = "REQUEST_TIMEOUT_SECS", default_value_t = defaults::REQUEST_TIMEOUT_SECS)]
    pub request_timeout_secs: u64,
    /// How long, in milliseconds, the batch loaders collect keys before they query: longer means
    /// fewer, larger statements for nested lists at the cost of latency per nesting level.
    #[arg(long, env = "BATCH_WINDOW_MS", default_value_t = defaults::BATCH_WINDOW_MS)]
    pub batch_window_ms: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_depth: defaults::MAX_QUERY_DEPTH,
            max_complexity: defaults::MAX_QUERY_COMPLEXITY,
            max_aliases: defaults::MAX_QUERY_ALIASES,
            default_page_size: defaults::PAGE_SIZE,
            max_page_size: defaults::MAX_PAGE_SIZE,
            max_body_bytes: defaults::MAX_BODY_BYTES,
            request_timeout_secs: defaults::REQUEST_TIMEOUT_SECS,
            batch_window_ms: defaults::BATCH_WINDOW_MS,
        }
    }
}

impl Limits {
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs)
    }

    pub fn batch_window(&self) -> Duration {
        Duration::from_millis(self.batch_window_ms)
    }
}

impl Config {
    /// A configuration for the given database with every other setting at its default.
    pub fn for_database(database_url: impl Into<String>) -> Self {
        Self {
            database_url: database_url.into(),
            bind_address: defaults::BIND_ADDRESS,
            load_seed: None,
            log_json: false,
            database_max_connections: defaults::DATABASE_MAX_CONNECTIONS,
            limits: Limits::default(),
        }
    }

    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }

    /// Whether to load the seed dataset into an empty database on start.
    pub fn should_load_seed(&self) -> bool {
        self.load_seed.unwrap_or_else(|| self.is_sqlite())
    }

    /// The database URL with any password replaced, for logs.
    pub fn redacted_database_url(&self) -> String {
        match (self.database_url.find("://"), self.database_url.rfind('@')) {
            (Some(scheme_end), Some(at)) if at > scheme_end => {
                let credentials = &self.database_url[scheme_end + 3..at];
                let user = credentials.split(':').next().unwrap_or_default();
                format!(
                    "{}{user}:***{}",
                    &self.database_url[..scheme_end + 3],
                    &self.database_url[at..]
                )
            }
            _ => self.database_url.clone(),
        }
    }
}
