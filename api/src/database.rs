//! The database: the connection pool, bringing its schema up to date, and whether it is ready.
//!
//! The server starts and answers `/healthz` while the database is down: the pool connects lazily,
//! and a background task migrates (and seeds) once the database answers, logging the real cause
//! while it does not. Until then, and whenever the database cannot be reached, requests are
//! answered at once with 503 `SERVICE_UNAVAILABLE` instead of waiting out their deadline.

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::Duration,
};

use anyhow::Context;
use migration::{Migrator, MigratorTrait};
use sea_orm::{sqlx, ConnectOptions, DatabaseConnection};

use crate::{config::Config, error::ApiError, seed, telemetry};

/// How long the start-up task waits between attempts to reach the database.
const RETRY_INTERVAL: Duration = Duration::from_secs(1);

/// The pool, and whether the schema is in place (per replica: each migrates or waits on its own).
#[derive(Clone)]
pub struct Database {
    connection: DatabaseConnection,
    ready: Arc<AtomicBool>,
}

impl Database {
    /// A database whose schema is known to be in place (tests, and after [`connect_and_migrate`]).
    pub fn ready(connection: DatabaseConnection) -> Self {
        Self {
            connection,
            ready: Arc::new(AtomicBool::new(true)),
        }
    }

    /// A pool that connects on first use: returns at once, whether or not the database is up.
    /// Call [`Database::prepare_in_background`] to migrate it.
    pub async fn connect_lazily(config: &Config) -> anyhow::Result<Self> {
        let mut options = pool_options(config);
        options.connect_lazy(true);
        let mut connection = sea_orm::Database::connect(options)
            .await
            .with_context(|| format!("bad DATABASE_URL {}", config.redacted_database_url()))?;
        count_statements(&mut connection);
        Ok(Self {
            connection,
            ready: Arc::new(AtomicBool::new(false)),
        })
    }

    /// The pool for a request: refused at once while the schema is not in place.
    pub fn connection(&self) -> Result<&DatabaseConnection, ApiError> {
        if self.ready.load(Ordering::Acquire) {
            Ok(&self.connection)
        } else {
            Err(ApiError::ServiceUnavailable(anyhow::anyhow!(
                "the database is not migrated yet"
            )))
        }
    }

    /// Connections open in the pool, of them idle, and the most it opens (for the metrics).
    pub fn pool_use(&self) -> Option<(u32, u32, u32)> {
        macro_rules! pool_use {
            ($pool:expr) => {{
                let pool = $pool;
                let idle = u32::try_from(pool.num_idle()).unwrap_or(u32::MAX);
                (pool.size(), idle, pool.options().get_max_connections())
            }};
        }
        match &self.connection {
            DatabaseConnection::SqlxSqlitePoolConnection(_) => {
                Some(pool_use!(self.connection.get_sqlite_connection_pool()))
            }
            DatabaseConnection::SqlxPostgresPoolConnection(_) => {
                Some(pool_use!(self.connection.get_postgres_connection_pool()))
            }
            _ => None,
        }
    }

    /// Whether the schema is in place (without asking the database).
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// For `/readyz`: ready when migrated and the database answers; otherwise why not.
    pub async fn check(&self) -> Result<(), &'static str> {
        if !self.ready.load(Ordering::Acquire) {
            return Err("starting");
        }
        self.connection.ping().await.map_err(|err| {
            // Load balancers poll this: the requests that fail log the cause at warn.
            tracing::debug!(error = %err, "database not reachable");
            "unreachable"
        })
    }

    /// Migrates (and seeds, if asked) as soon as the database answers, retrying until it does;
    /// logs each new cause of failure once.
    pub fn prepare_in_background(&self, config: Config) -> tokio::task::JoinHandle<()> {
        let database = self.clone();
        tokio::spawn(async move {
            let attempt_timeout = Duration::from_secs(config.database_connect_timeout_secs);
            let mut last_cause = String::new();
            loop {
                let attempt = tokio::time::timeout(attempt_timeout, database.prepare(&config));
                let cause = match attempt.await {
                    Ok(Ok(())) => {
                        database.ready.store(true, Ordering::Release);
                        tracing::info!("database ready");
                        return;
                    }
                    Ok(Err(err)) => format!("{err:#}"),
                    Err(_) => format!("no answer within {attempt_timeout:?}"),
                };
                if cause != last_cause {
                    tracing::warn!(
                        database.url = %config.redacted_database_url(),
                        cause = %cause,
                        "database not ready; retrying every {RETRY_INTERVAL:?}"
                    );
                    last_cause = cause;
                }
                tokio::time::sleep(RETRY_INTERVAL).await;
            }
        })
    }

    async fn prepare(&self, config: &Config) -> anyhow::Result<()> {
        probe(config).await?;
        migrate(&self.connection, config)
            .await
            .context("migration failed")?;
        if config.should_load_seed() && seed::load_if_empty(&self.connection).await? {
            tracing::info!("seed dataset loaded into the empty database");
        }
        Ok(())
    }
}

/// Connects with the configured pool and runs the pending migrations, failing with the real cause
/// when the database cannot be reached (for commands, and tests).
pub async fn connect_and_migrate(config: &Config) -> anyhow::Result<DatabaseConnection> {
    probe(config).await?;
    let mut connection = sea_orm::Database::connect(pool_options(config)).await?;
    count_statements(&mut connection);
    migrate(&connection, config).await?;
    Ok(connection)
}

/// The PostgreSQL advisory lock held while a replica migrates ("VSMG"; apart from the writers'
/// locks, which take two numbers).
const MIGRATION_LOCK: i64 = 0x5653_4D47;

/// Runs the pending migrations. On PostgreSQL, replicas that start together take turns (a
/// session lock on a connection of its own, outside the pool): migrations are not safe to run
/// twice at once, and the second finds nothing left to do.
async fn migrate(connection: &DatabaseConnection, config: &Config) -> anyhow::Result<()> {
    use sqlx::Connection;
    if config.is_sqlite() {
        return Ok(Migrator::up(connection, None).await?);
    }
    let mut lock = sqlx::PgConnection::connect(&config.database_url)
        .await
        .context("cannot connect to the database to migrate")?;
    sqlx::query("SELECT pg_advisory_lock($1)")
        .bind(MIGRATION_LOCK)
        .execute(&mut lock)
        .await?;
    let migrated = Migrator::up(connection, None).await;
    // Closing the session releases the lock, also when unlocking fails.
    lock.close().await.ok();
    Ok(migrated?)
}

/// Counts every statement for the request that runs it (see [`telemetry::request`]). A caller
/// that installs a callback of its own calls [`telemetry::request::statement_ran`] from it.
pub fn count_statements(connection: &mut DatabaseConnection) {
    connection.set_metric_callback(|_| telemetry::request::statement_ran());
}

/// Rows an SQLite connection's thread may hand over before the request takes them: more than
/// the largest read (the comparison of 98 municipalities reads 17,640 staff roles at once).
const SQLITE_ROW_BUFFER: usize = 65_536;

fn pool_options(config: &Config) -> ConnectOptions {
    let mut options = ConnectOptions::new(config.database_url.clone());
    options
        .max_connections(config.database_max_connections)
        // The pool wait: what a request waits for a connection, including reconnecting.
        .acquire_timeout(Duration::from_millis(config.database_acquire_timeout_ms))
        .sqlx_logging(false);
    if config.is_sqlite() {
        // Each SQLite connection runs on a thread of its own that hands rows to the request
        // through a channel. Every read collects all its rows (sea-orm's `all`), so bounding
        // the channel saves no memory: at sqlx's 50 the thread waits for the request to take
        // rows, and each row taken wakes it again (thousands of futex calls per request).
        options.map_sqlx_sqlite_opts(|sqlite| sqlite.row_buffer_size(SQLITE_ROW_BUFFER));
        // A pool pings each connection it hands out; SQLite's connection is a file opened by
        // that thread, which does not go away as a server's does, and the ping is a round trip
        // to the thread before every statement.
        options.test_before_acquire(false);
    }
    options
}

/// Opens and closes one connection outside the pool, whose error, unlike the pool's "timed out",
/// says why the database cannot be reached (refused, unknown host, authentication, no database).
async fn probe(config: &Config) -> anyhow::Result<()> {
    use sqlx::Connection;
    if config.is_sqlite() {
        return Ok(());
    }
    let connect = sqlx::PgConnection::connect(&config.database_url);
    let connection = tokio::time::timeout(
        Duration::from_secs(config.database_connect_timeout_secs),
        connect,
    )
    .await
    .map_err(|_| anyhow::anyhow!("no answer from the database"))?
    .context("cannot connect to the database")?;
    connection.close().await.ok();
    Ok(())
}

/// `postgres://user@host:port/old?options` with the database replaced by `name` (for tools that
/// make a database of their own on a server: the tests, the benchmark).
pub fn url_with_database_name(server_url: &str, name: &str) -> anyhow::Result<String> {
    let mut url = url::Url::parse(server_url).context("the server's URL is not a URL")?;
    url.set_path(name);
    Ok(url.into())
}
