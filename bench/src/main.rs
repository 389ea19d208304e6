//! `vestegn-bench`: generates the synthetic dataset into a fresh SQLite file or PostgreSQL
//! database, starts the release server on it, loads it with `oha` per query and concurrency, and
//! prints requests per second, p50, p99, errors, the server's RSS and the SQL statements per
//! request. A benchmark, not a test: it prints figures and fails only when it cannot run.
//!
//! `cargo build --release -p vestegn-api -p vestegn-bench && target/release/vestegn-bench
//! --database sqlite` (see `--help`).

mod dataset;
mod load;
mod queries;

use std::{
    collections::BTreeMap,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use anyhow::{bail, Context};
use axum::{
    body::Body,
    http::{header, Request, StatusCode},
    Router,
};
use clap::Parser;
use http_body_util::BodyExt;
use sea_orm::{ConnectionTrait, Database as Connection};
use serde_json::Value;
use tower::ServiceExt;
use vestegn_api::{
    build_app,
    config::{AuthConfig, Config, Limits},
    database::{self, Database},
    AppState,
};

use crate::load::{LoadResult, Server};

/// The server's limits: the defaults, with the complexity, concurrency and rate limits raised so
/// that the benchmark measures the work, not the protection.
const MAX_QUERY_COMPLEXITY: u64 = 1_000_000;
const MAX_CONCURRENT_REQUESTS: usize = 1_024;
/// 0: off (every client of the benchmark comes from one address).
const RATE_LIMIT_POINTS_PER_MINUTE: u32 = 0;
/// oha's clients, and the one that counts statements, all connect from loopback.
const MAX_CONNECTIONS_PER_CLIENT: usize = 0;
const DATABASE_MAX_CONNECTIONS: u32 = 10;

/// [`server_limits`] as the server's environment, with the response cache on (its default
/// size) or off.
fn server_environment(cache: Cache) -> Vec<(&'static str, String)> {
    let cache_mb = match cache {
        Cache::On => Limits::default().response_cache_mb,
        Cache::Off => 0,
    };
    vec![
        ("RESPONSE_CACHE_MB", cache_mb.to_string()),
        ("MAX_QUERY_COMPLEXITY", MAX_QUERY_COMPLEXITY.to_string()),
        (
            "MAX_CONCURRENT_REQUESTS",
            MAX_CONCURRENT_REQUESTS.to_string(),
        ),
        (
            "RATE_LIMIT_POINTS_PER_MINUTE",
            RATE_LIMIT_POINTS_PER_MINUTE.to_string(),
        ),
        (
            "MAX_CONNECTIONS_PER_CLIENT",
            MAX_CONNECTIONS_PER_CLIENT.to_string(),
        ),
        (
            "DATABASE_MAX_CONNECTIONS",
            DATABASE_MAX_CONNECTIONS.to_string(),
        ),
    ]
}

fn server_limits() -> Limits {
    Limits {
        max_complexity: MAX_QUERY_COMPLEXITY,
        max_concurrent_requests: MAX_CONCURRENT_REQUESTS,
        rate_limit_points_per_minute: RATE_LIMIT_POINTS_PER_MINUTE,
        max_connections_per_client: MAX_CONNECTIONS_PER_CLIENT,
        ..Limits::default()
    }
}

#[derive(Parser, Debug)]
#[command(about = "Load benchmark of the release server over a synthetic 98-municipality dataset")]
struct Args {
    /// `sqlite` (a new file in the temp directory) or a PostgreSQL server URL such as
    /// `postgres://postgres@127.0.0.1:5432/postgres` (a new database `vestegn_bench_<pid>` on it,
    /// dropped at the end).
    #[arg(long, default_value = "sqlite")]
    database: String,
    /// How long each measured run lasts, in seconds (`20` or `20s`).
    #[arg(long, default_value = "20s", value_parser = parse_seconds)]
    duration: Duration,
    /// How long the warm-up before each measured run lasts, in seconds.
    #[arg(long, default_value = "3s", value_parser = parse_seconds)]
    warmup: Duration,
    /// Concurrent clients, comma-separated; each query runs once at each.
    #[arg(long, value_delimiter = ',', default_value = "16,64")]
    concurrency: Vec<usize>,
    /// Only the queries whose name contains this text.
    #[arg(long)]
    only: Option<String>,
    /// Writes a second during every run (0: none): each changes one unit's note and moves the
    /// data's version on in one transaction, straight in the database, as a write's commit does;
    /// the reads around it miss the response cache once after each.
    #[arg(long, default_value_t = 0)]
    writes_per_sec: u32,
    /// The server's response cache: `on` (warm: the data does not change, so after the warm-up
    /// every answer comes from it) or `off` (cold: every request runs).
    #[arg(long, value_enum, default_value = "on")]
    cache: Cache,
    /// The server binary; by default `vestegn` beside this one (`cargo build --release -p
    /// vestegn-api -p vestegn-bench` builds both).
    #[arg(long)]
    server_bin: Option<std::path::PathBuf>,
    /// After each measured run, one more of the same length with `strace -c -f` attached to the
    /// server: its system calls per answered request (futex first), where wake-ups come from.
    #[arg(long)]
    syscalls: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Cache {
    On,
    Off,
}

fn parse_seconds(text: &str) -> Result<Duration, String> {
    let number = text.strip_suffix('s').unwrap_or(text);
    number
        .parse::<f64>()
        .ok()
        .filter(|s| *s >= 0.0)
        .map(Duration::from_secs_f64)
        .ok_or_else(|| format!("{text:?} is not a number of seconds"))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let oha = load::oha_version()?;
    let target = BenchDatabase::create(&args.database).await?;
    let result = run(&args, &target, &oha).await;
    target.drop_database().await;
    result
}

async fn run(args: &Args, target: &BenchDatabase, oha: &str) -> anyhow::Result<()> {
    let mut config = Config::for_database(target.url.clone());
    config.limits = server_limits();
    config.database_max_connections = DATABASE_MAX_CONNECTIONS;
    let mut db = database::connect_and_migrate(&config).await?;
    let started = Instant::now();
    let (counts, ids) = dataset::generate(&db).await?;
    println!(
        "dataset: {} municipalities, {} units, {} staff roles, {} budget lines, {} forums, \
         {} forum members; generated in {:.1} s on {}",
        counts.municipalities,
        counts.units,
        counts.staff_roles,
        counts.budget_lines,
        counts.forums,
        counts.forum_members,
        started.elapsed().as_secs_f64(),
        target.label(),
    );

    // Statements per request: each query once through the real router in process.
    let statements = Arc::new(AtomicUsize::new(0));
    let counter = statements.clone();
    db.set_metric_callback(move |_| {
        counter.fetch_add(1, Ordering::Relaxed);
    });
    let app = InProcess {
        // Without the response cache: the statements a request runs when it runs.
        router: build_app(AppState::new(
            Database::ready(db.clone()),
            Limits {
                response_cache_mb: 0,
                ..config.limits.clone()
            },
            &AuthConfig::default(),
        )),
        statements,
    };
    let walk = app.walk_units().await?;
    println!(
        "page walk: units(first: 100) over {} pages, {} statements in all; the load test fetches page {}",
        walk.pages,
        walk.statements,
        walk.middle_page + 1
    );
    let queries: Vec<_> = queries::all(&ids, &walk.middle_cursor)
        .into_iter()
        .filter(|q| args.only.as_ref().is_none_or(|only| q.name.contains(only)))
        .collect();
    let mut per_request = Vec::new();
    for query in &queries {
        per_request.push(
            app.statements_for(&query.body)
                .await
                .with_context(|| format!("{} does not run in process", query.name))?,
        );
    }
    drop(app);
    db.close().await.ok();

    let writer = (args.writes_per_sec > 0).then(|| {
        tokio::spawn(write_steadily(
            target.url.clone(),
            ids.units.clone(),
            args.writes_per_sec,
        ))
    });
    let binary = match &args.server_bin {
        Some(path) => path.clone(),
        None => load::server_beside_this_binary()?,
    };
    let environment = server_environment(args.cache);
    let server = Server::start(&binary, &target.url, &environment).await?;
    println!(
        "server: {} (pid {}), {}; load: {oha}, {:?} per run after a {:?} warm-up",
        binary.display(),
        server.pid(),
        environment
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join(" "),
        args.duration,
        args.warmup,
    );
    println!(
        "compareMunicipalities is capped at {} codes (service::comparison::MAX_COMPARED): the \
         comparison runs over {} of the 98 municipalities",
        vestegn_api::service::comparison::MAX_COMPARED,
        queries::compared_codes().len()
    );
    println!(
        "{:<34} {:>4} {:>10} {:>9} {:>9} {:>7} {:>9} {:>9} {:>10} {:>10} {:>6}",
        "query",
        "c",
        "req/s",
        "p50 ms",
        "p99 ms",
        "errors",
        "RSS MiB",
        "SQL/req",
        "user ms/req",
        "sys ms/req",
        "hits"
    );
    for (query, statements) in queries.iter().zip(&per_request) {
        let single = query.single_client.then_some(1);
        for clients in single.into_iter().chain(args.concurrency.iter().copied()) {
            let body = query.body.to_string();
            // oha blocks this thread: nothing else runs in this process meanwhile.
            load::oha(&server.graphql_url(), &body, clients, args.warmup)?;
            let cpu_before = server.cpu_seconds()?;
            let lookups_before = server.cache_lookups().await?;
            let LoadResult {
                answered,
                requests_per_sec,
                p50,
                p99,
                errors,
                error_kinds,
            } = load::oha(&server.graphql_url(), &body, clients, args.duration)?;
            // The server's CPU per answered request (requests cut off at the end add a little).
            let cpu = server.cpu_seconds()? - cpu_before;
            let per_request = |seconds: f64| 1000.0 * seconds / answered.max(1) as f64;
            let rss = server.rss_kib()?;
            let lookups = server.cache_lookups().await?;
            let (hits, asked) = (lookups.0 - lookups_before.0, lookups.1 - lookups_before.1);
            let hit_rate = match asked {
                0 => "-".to_owned(),
                _ => format!("{:.0}%", 100.0 * hits as f64 / asked as f64),
            };
            println!(
                "{:<34} {clients:>4} {requests_per_sec:>10.1} {:>9} {:>9} {errors:>7} {:>9.1} {statements:>9} {:>11.3} {:>10.3} {hit_rate:>6}",
                query.name,
                milliseconds(p50),
                milliseconds(p99),
                rss as f64 / 1024.0,
                per_request(cpu.user),
                per_request(cpu.system),
            );
            if errors > 0 {
                println!("{:<39} errors: {error_kinds}", "");
            }
            if args.syscalls {
                let (traced, calls) = server.count_syscalls(|| {
                    load::oha(&server.graphql_url(), &body, clients, args.duration)
                })?;
                println!(
                    "{:<39} {}",
                    "",
                    syscalls_per_request(&calls, traced.answered)
                );
            }
        }
    }
    println!(
        "server peak RSS: {:.1} MiB",
        server.peak_rss_kib()? as f64 / 1024.0
    );
    if let Some(writer) = writer {
        writer.abort();
        println!(
            "writes: {} a second throughout (one unit's note and the data's version each)",
            args.writes_per_sec
        );
    }
    drop(server);
    Ok(())
}

/// `strace: 12.3 futex/req, 40.1 calls/req (futex 12.3, sendto 2.0, …)` for a traced run.
fn syscalls_per_request(calls: &BTreeMap<String, u64>, answered: u64) -> String {
    let per_request = |count: u64| count as f64 / answered.max(1) as f64;
    let mut busiest: Vec<(&String, &u64)> = calls.iter().collect();
    busiest.sort_by(|a, b| b.1.cmp(a.1));
    let top = busiest
        .iter()
        .take(5)
        .map(|(name, count)| format!("{name} {:.1}", per_request(**count)))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "under strace ({answered} answered): {:.1} futex/req, {:.1} calls/req ({top})",
        per_request(calls.get("futex").copied().unwrap_or(0)),
        per_request(calls.values().sum()),
    )
}

/// Changes one of `units` `per_sec` times a second until aborted: its note, and the data's
/// version in the same transaction (a failed write is retried at the next tick).
async fn write_steadily(url: String, units: Vec<i32>, per_sec: u32) {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let Ok(db) = sea_orm::Database::connect(&url).await else {
        eprintln!("the writer cannot connect to {url}");
        return;
    };
    let mut tick = tokio::time::interval(Duration::from_secs(1) / per_sec.max(1));
    for n in 0usize.. {
        tick.tick().await;
        let unit = units[n % units.len().max(1)];
        let write = async {
            let transaction = db.begin().await?;
            transaction
                .execute_unprepared(&format!(
                    "UPDATE units SET note = 'benchmark write {n}' WHERE id = {unit} AND latest"
                ))
                .await?;
            transaction
                .execute_unprepared("UPDATE data_version SET version = version + 1 WHERE id = 1")
                .await?;
            transaction.commit().await
        };
        if let Err(error) = write.await {
            eprintln!("a benchmark write failed: {error}");
        }
    }
}

/// Seconds as milliseconds to 2 decimals; `-` when oha had no answer to measure.
fn milliseconds(seconds: f64) -> String {
    if seconds.is_finite() {
        format!("{:.2}", seconds * 1000.0)
    } else {
        "-".to_owned()
    }
}

/// The router in this process, counting the SQL statements each request runs.
struct InProcess {
    router: Router,
    statements: Arc<AtomicUsize>,
}

/// What walking the `units` connection page by page found.
struct Walk {
    pages: usize,
    statements: usize,
    middle_page: usize,
    middle_cursor: String,
}

impl InProcess {
    /// Sends `body` to `/graphql`; fails unless the answer is 200 without errors.
    async fn post(&self, body: &Value) -> anyhow::Result<Value> {
        let request = Request::post("/graphql")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))?;
        let response = self.router.clone().oneshot(request).await?;
        let status = response.status();
        let bytes = response.into_body().collect().await?.to_bytes();
        let answer: Value = serde_json::from_slice(&bytes)
            .with_context(|| format!("{status}: {}", String::from_utf8_lossy(&bytes)))?;
        if status != StatusCode::OK || answer.get("errors").is_some() {
            bail!("{status}: {answer}");
        }
        Ok(answer)
    }

    /// The SQL statements one request with `body` runs (after one warm-up request).
    async fn statements_for(&self, body: &Value) -> anyhow::Result<usize> {
        self.post(body).await?;
        self.statements.store(0, Ordering::Relaxed);
        self.post(body).await?;
        Ok(self.statements.load(Ordering::Relaxed))
    }

    /// Walks `units(first: 100)` to the end.
    async fn walk_units(&self) -> anyhow::Result<Walk> {
        self.statements.store(0, Ordering::Relaxed);
        let mut cursors: Vec<String> = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let answer = self
                .post(&queries::units_page_body(cursor.as_deref()))
                .await?;
            let page_info = &answer["data"]["units"]["pageInfo"];
            if page_info["hasNextPage"] != Value::Bool(true) {
                break;
            }
            let next = page_info["endCursor"]
                .as_str()
                .context("a page with a next page has an end cursor")?
                .to_owned();
            cursors.push(next.clone());
            cursor = Some(next);
        }
        let pages = cursors.len() + 1;
        let middle_page = pages / 2;
        Ok(Walk {
            pages,
            statements: self.statements.load(Ordering::Relaxed),
            middle_page,
            middle_cursor: cursors
                .get(middle_page - 1)
                .cloned()
                .context("more than one page")?,
        })
    }
}

/// The fresh database the benchmark runs on, removed at the end.
struct BenchDatabase {
    url: String,
    kind: Target,
}

enum Target {
    Sqlite(std::path::PathBuf),
    Postgres { server_url: String, name: String },
}

impl BenchDatabase {
    async fn create(database: &str) -> anyhow::Result<Self> {
        let pid = std::process::id();
        if database == "sqlite" {
            let path = std::env::temp_dir().join(format!("vestegn-bench-{pid}.db"));
            return Ok(Self {
                url: format!("sqlite://{}?mode=rwc", path.display()),
                kind: Target::Sqlite(path),
            });
        }
        if !database.starts_with("postgres") {
            bail!("--database is `sqlite` or a postgres:// URL, not {database:?}");
        }
        let name = format!("vestegn_bench_{pid}");
        let server = Connection::connect(database)
            .await
            .context("cannot connect to the PostgreSQL server")?;
        server
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await?;
        server.close().await.ok();
        Ok(Self {
            url: vestegn_api::database::url_with_database_name(database, &name)?,
            kind: Target::Postgres {
                server_url: database.to_owned(),
                name,
            },
        })
    }

    fn label(&self) -> &'static str {
        match self.kind {
            Target::Sqlite(_) => "SQLite",
            Target::Postgres { .. } => "PostgreSQL",
        }
    }

    async fn drop_database(&self) {
        match &self.kind {
            Target::Sqlite(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut file = path.clone().into_os_string();
                    file.push(suffix);
                    let _ = std::fs::remove_file(file);
                }
            }
            Target::Postgres { server_url, name } => {
                if let Ok(server) = Connection::connect(server_url).await {
                    let _ = server
                        .execute_unprepared(&format!(
                            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                        ))
                        .await;
                }
            }
        }
    }
}
