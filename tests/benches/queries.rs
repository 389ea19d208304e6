//! Latency of the main read queries through the real router, in process, over a seeded SQLite
//! database (or PostgreSQL when `TEST_DATABASE_URL` is set). Prints figures; asserts nothing.
//!
//! `cargo bench -p vestegn-tests` (add `-- 500` for more iterations).

use std::time::{Duration, Instant};

use serde_json::json;
use vestegn_api::config::Limits;
use vestegn_tests::{postgres_url, Backend, TestApp};

const QUERIES: &[(&str, &str)] = &[
    (
        "compare 165/791/169",
        r#"{ compareMunicipalities(codes: [165, 791, 169], asOf: "2023-07-01") { municipality { name } placements { pathText } staffing { headcount { value } fte { min max } byPreventionLevel { level headcount { value } } } budgets { total { value } perInhabitant { value } } forumsByLevel { level count } } }"#,
    ),
    (
        "Ishøj model as of 2023",
        r#"{ municipality(code: 183, asOf: "2023-06-01") { units { name ancestors { name } staffRoles { title fteMin fteMax } } forums { name members { roleTitle unit { name } partner { name } } } } }"#,
    ),
    (
        "municipalities page, nested",
        r#"{ municipalities(first: 12) { edges { node { name networks { name } units { name children { name } } interventions { name partners { partner { name } } } } } } }"#,
    ),
];

#[tokio::main]
async fn main() {
    let iterations: usize = std::env::args()
        .skip(1)
        .find_map(|arg| arg.parse().ok())
        .unwrap_or(100);
    let backend = if postgres_url().is_some() {
        Backend::Postgres
    } else {
        Backend::Sqlite
    };
    let app = TestApp::start(backend, Limits::default(), true).await;
    let cleanup = app.cleanup_handle();
    println!(
        "backend: {}, iterations per query: {iterations}",
        app.label()
    );
    println!(
        "{:<32} {:>10} {:>10} {:>10} {:>12}",
        "query", "p50 ms", "p95 ms", "max ms", "statements"
    );
    for (name, query) in QUERIES {
        app.query(query, json!({})).await; // warm up
        app.reset_statements();
        app.query(query, json!({})).await;
        let statements = app.statements();
        let mut timings: Vec<Duration> = Vec::with_capacity(iterations);
        for _ in 0..iterations {
            let start = Instant::now();
            app.query(query, json!({})).await;
            timings.push(start.elapsed());
        }
        timings.sort();
        let at = |q: f64| timings[((timings.len() - 1) as f64 * q) as usize].as_secs_f64() * 1000.0;
        println!(
            "{name:<32} {:>10.2} {:>10.2} {:>10.2} {statements:>12}",
            at(0.5),
            at(0.95),
            at(1.0)
        );
    }
    drop(app);
    cleanup.run().await;
}
