//! The replica's metrics in Prometheus' text format: what it answered (by route, method and
//! `extensions.code`), how long it took, what it refused, the GraphQL operations it ran, the SQL
//! statements and write transactions behind them, and, read when scraped, the database pool, the
//! model routes' concurrency slots and the change feed's newest entry.
//!
//! Every label value comes from a fixed set (route templates, methods, the API's codes) except
//! GraphQL operation names, which clients choose: the first [`MAX_OPERATION_NAMES`] names a
//! replica sees are labels of their own, later ones are counted as `__other`, so that no client
//! can grow the metrics without bound. Record ids and query texts are never labels.
//! Counters are per replica (Prometheus adds the replicas up).

use std::{
    collections::HashSet,
    sync::{atomic::AtomicU64, Mutex, PoisonError},
    time::Duration,
};

use prometheus_client::{
    encoding::{prometheus_text, EncodeLabelSet},
    metrics::{
        counter::Counter,
        family::Family,
        gauge::Gauge,
        histogram::{exponential_buckets, Histogram},
    },
    registry::Registry,
};

use super::request::{Figures, Operation};

/// The `Content-Type` of [`Metrics::encode`]'s text.
pub const CONTENT_TYPE: &str = prometheus_text::CONTENT_TYPE;

/// How many distinct GraphQL operation names a replica labels its metrics with.
pub const MAX_OPERATION_NAMES: usize = 100;
/// Operation names longer than this are counted as `__other`.
const MAX_OPERATION_NAME_CHARS: usize = 64;
/// The label of operations without a name. (Names starting with `__` are reserved by GraphQL.)
const ANONYMOUS: &str = "__anonymous";
/// The label of operations past the replica's budget of names.
const OTHER: &str = "__other";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct AnswerLabels {
    route: String,
    method: String,
    code: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
    method: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RefusalLabels {
    reason: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationLabels {
    operation: String,
    r#type: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationCodeLabels {
    operation: String,
    r#type: String,
    code: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CacheLabels {
    result: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    state: String,
}

type Histograms<L> = Family<L, Histogram, fn() -> Histogram>;

/// Seconds, from 1 ms to about 16 s.
fn seconds() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

/// Counts, from 1 to 512.
fn counts() -> Histogram {
    Histogram::new(exponential_buckets(1.0, 2.0, 10))
}

/// A request as answered, for [`Metrics::observe`].
pub struct Answered<'a> {
    /// The route's template (`/models/{code}`), never the path itself.
    pub route: &'a str,
    pub method: &'a str,
    /// `OK`, or the answer's `extensions.code`.
    pub code: &'a str,
    /// Why the request was turned away, when it was (`rate_limited`, `overloaded`, …).
    pub refusal: Option<&'static str>,
    pub elapsed: Duration,
    pub figures: &'a Figures,
}

/// What is read when the metrics are scraped rather than counted as requests go.
pub struct Snapshot {
    pub database_ready: bool,
    /// Connections open in the pool, of them idle, and the most it opens.
    pub pool: Option<(u32, u32, u32)>,
    /// The model routes' concurrency slots taken, and their number.
    pub model_slots: (usize, usize),
    /// The change feed's newest entry: its sequence number and when it was recorded (Unix
    /// seconds); `None` while the feed is empty or could not be read.
    pub newest_feed_entry: Option<(i64, f64)>,
    /// The response cache's bytes and answers; `None` when it is off.
    pub response_cache: Option<(u64, u64)>,
}

/// The metrics of this replica.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    answers: Family<AnswerLabels, Counter>,
    durations: Histograms<RouteLabels>,
    in_flight: Gauge,
    refusals: Family<RefusalLabels, Counter>,
    operations: Family<OperationCodeLabels, Counter>,
    operation_durations: Histograms<OperationLabels>,
    cache_lookups: Family<CacheLabels, Counter>,
    cache_bytes: Gauge,
    cache_entries: Gauge,
    statements: Histograms<RouteLabels>,
    connection_waits: Histograms<RouteLabels>,
    lock_waits: Histograms<RouteLabels>,
    writes: Histograms<RouteLabels>,
    database_ready: Gauge,
    pool_connections: Family<PoolLabels, Gauge>,
    pool_max: Gauge,
    model_slots_taken: Gauge,
    model_slots: Gauge,
    feed_newest_sequence: Gauge,
    feed_newest_recorded: Gauge<f64, AtomicU64>,
    operation_names: Mutex<HashSet<String>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("vestegn");
        macro_rules! register {
            ($name:literal, $help:literal, $metric:expr) => {{
                let metric = $metric;
                registry.register($name, $help, metric.clone());
                metric
            }};
        }
        Self {
            answers: register!(
                "http_requests",
                "Requests answered, by route template, method and extensions.code (OK when none)",
                Family::default()
            ),
            durations: register!(
                "http_request_duration_seconds",
                "Time from a request's arrival to its answer",
                Histograms::new_with_constructor(seconds as fn() -> Histogram)
            ),
            in_flight: register!(
                "http_requests_in_flight",
                "Requests being handled now",
                Gauge::default()
            ),
            refusals: register!(
                "requests_refused",
                "Requests turned away: rate_limited (the caller's budget), overloaded (shed: no \
                 concurrency slot), writers_busy (the writers' lock not had in time), timeout \
                 (the request's deadline)",
                Family::default()
            ),
            operations: register!(
                "graphql_operations",
                "GraphQL operations run, by operation name, type and extensions.code of the first \
                 error (OK when none)",
                Family::default()
            ),
            operation_durations: register!(
                "graphql_operation_duration_seconds",
                "Time from a GraphQL request's arrival to its answer, by operation",
                Histograms::new_with_constructor(seconds as fn() -> Histogram)
            ),
            cache_lookups: register!(
                "response_cache_lookups",
                "GraphQL requests the response cache was asked for, by result: hit (answered \
                 from it), stored (run, answer kept), uncacheable (run: an error, a mutation, the \
                 audit log)",
                Family::default()
            ),
            cache_bytes: register!(
                "response_cache_bytes",
                "Bytes of answers and keys the response cache holds",
                Gauge::default()
            ),
            cache_entries: register!(
                "response_cache_entries",
                "Answers the response cache holds",
                Gauge::default()
            ),
            statements: register!(
                "db_statements_per_request",
                "SQL statements a request ran",
                Histograms::new_with_constructor(counts as fn() -> Histogram)
            ),
            connection_waits: register!(
                "db_pool_wait_seconds",
                "Time a write waited for a pooled connection to begin its transaction",
                Histograms::new_with_constructor(seconds as fn() -> Histogram)
            ),
            lock_waits: register!(
                "write_lock_wait_seconds",
                "Time a write waited for its municipality's writers' lock (the database's on \
                 SQLite)",
                Histograms::new_with_constructor(seconds as fn() -> Histogram)
            ),
            writes: register!(
                "write_duration_seconds",
                "Time a write (a mutation request or an import) held the writers' lock, commit \
                 included",
                Histograms::new_with_constructor(seconds as fn() -> Histogram)
            ),
            database_ready: register!(
                "database_ready",
                "1 when the database is migrated and answers (as /readyz), else 0",
                Gauge::default()
            ),
            pool_connections: register!(
                "db_pool_connections",
                "Connections open in the pool, by state (idle, in_use)",
                Family::default()
            ),
            pool_max: register!(
                "db_pool_max_connections",
                "The most connections the pool opens",
                Gauge::default()
            ),
            model_slots_taken: register!(
                "model_requests_in_flight",
                "Requests to /graphql and /models holding a concurrency slot",
                Gauge::default()
            ),
            model_slots: register!(
                "model_requests_max_in_flight",
                "Concurrency slots of /graphql and /models (more are shed as overloaded)",
                Gauge::default()
            ),
            feed_newest_sequence: register!(
                "change_feed_newest_sequence",
                "Sequence number of the change feed's newest entry: a follower's lag is this \
                 minus the last number it read",
                Gauge::default()
            ),
            feed_newest_recorded: register!(
                "change_feed_newest_timestamp_seconds",
                "When the change feed's newest entry was recorded, in Unix seconds",
                Gauge::<f64, AtomicU64>::default()
            ),
            operation_names: Mutex::new(HashSet::new()),
            registry,
        }
    }

    /// Counts a request as in flight until the guard is dropped (answered, or abandoned).
    pub fn in_flight(&self) -> InFlight<'_> {
        self.in_flight.inc();
        InFlight(&self.in_flight)
    }

    /// Records an answered request.
    pub fn observe(&self, answered: &Answered<'_>) {
        let route = RouteLabels {
            route: answered.route.to_owned(),
            method: answered.method.to_owned(),
        };
        let seconds = answered.elapsed.as_secs_f64();
        self.answers
            .get_or_create(&AnswerLabels {
                route: route.route.clone(),
                method: route.method.clone(),
                code: answered.code.to_owned(),
            })
            .inc();
        self.durations.get_or_create(&route).observe(seconds);
        if let Some(reason) = answered.refusal {
            self.refusals
                .get_or_create(&RefusalLabels {
                    reason: reason.to_owned(),
                })
                .inc();
        }
        let figures = answered.figures;
        if let Some(operation) = figures.operation() {
            let labels = OperationLabels {
                operation: self.operation_label(&operation),
                r#type: operation.kind.to_owned(),
            };
            self.operations
                .get_or_create(&OperationCodeLabels {
                    operation: labels.operation.clone(),
                    r#type: labels.r#type.clone(),
                    code: answered.code.to_owned(),
                })
                .inc();
            self.operation_durations
                .get_or_create(&labels)
                .observe(seconds);
        }
        if let Some(lookup) = figures.cache() {
            self.cache_lookups
                .get_or_create(&CacheLabels {
                    result: lookup.label().to_owned(),
                })
                .inc();
        }
        let statements = figures.statements();
        if statements > 0 {
            self.statements
                .get_or_create(&route)
                .observe(statements as f64);
        }
        let write = figures.write();
        let observe = |family: &Histograms<RouteLabels>, duration: Option<Duration>| {
            if let Some(duration) = duration {
                family.get_or_create(&route).observe(duration.as_secs_f64());
            }
        };
        observe(&self.connection_waits, write.connection_wait);
        observe(&self.lock_waits, write.lock_wait);
        observe(&self.writes, write.duration);
    }

    /// The label of `operation`: its name while the replica's budget of names lasts.
    fn operation_label(&self, operation: &Operation) -> String {
        let Some(name) = &operation.name else {
            return ANONYMOUS.to_owned();
        };
        if name.chars().count() > MAX_OPERATION_NAME_CHARS {
            return OTHER.to_owned();
        }
        let mut names = self
            .operation_names
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if names.contains(name) || names.len() < MAX_OPERATION_NAMES && names.insert(name.clone()) {
            name.clone()
        } else {
            OTHER.to_owned()
        }
    }

    /// The metrics as Prometheus' text format (version 0.0.4), with `snapshot`'s figures.
    pub fn encode(&self, snapshot: &Snapshot) -> String {
        self.database_ready.set(i64::from(snapshot.database_ready));
        if let Some((size, idle, max)) = snapshot.pool {
            let state = |state: &str| PoolLabels {
                state: state.to_owned(),
            };
            self.pool_connections
                .get_or_create(&state("idle"))
                .set(i64::from(idle));
            self.pool_connections
                .get_or_create(&state("in_use"))
                .set(i64::from(size.saturating_sub(idle)));
            self.pool_max.set(i64::from(max));
        }
        let (taken, slots) = snapshot.model_slots;
        self.model_slots_taken
            .set(i64::try_from(taken).unwrap_or(i64::MAX));
        self.model_slots
            .set(i64::try_from(slots).unwrap_or(i64::MAX));
        if let Some((sequence, recorded)) = snapshot.newest_feed_entry {
            self.feed_newest_sequence.set(sequence);
            self.feed_newest_recorded.set(recorded);
        }
        if let Some((bytes, entries)) = snapshot.response_cache {
            self.cache_bytes
                .set(i64::try_from(bytes).unwrap_or(i64::MAX));
            self.cache_entries
                .set(i64::try_from(entries).unwrap_or(i64::MAX));
        }
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_text::encode(&mut text, &self.registry);
        text
    }
}

/// A request in flight; see [`Metrics::in_flight`].
pub struct InFlight<'a>(&'a Gauge);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.dec();
    }
}
