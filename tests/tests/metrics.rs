//! The metrics listener (`GET /metrics`, Prometheus' text format) counts what the main listener
//! answered: by route template, method and `extensions.code`; GraphQL operations by name, type and
//! code; the statements and write transactions behind them (mutations and imports); refusals;
//! and, read when scraped, the pool, the concurrency slots and the change feed's newest entry.
//! Labels stay bounded: route templates, never paths with ids, and a fixed budget of operation
//! names per replica.

use std::collections::{BTreeMap, BTreeSet};

use axum::http::StatusCode;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{json, Value};
use vestegn_api::{
    build_app,
    config::{AuthConfig, Limits},
    database::Database,
    http::metrics,
    telemetry::metrics::MAX_OPERATION_NAMES,
    AppState,
};
use vestegn_tests::{
    documents,
    editing::{ask, ask_for_answer, ISHOEJ},
    issuer::TestIssuer,
    on_each_backend, on_each_backend_with, raw_request, RunningServer, TestApp,
};

/// One sample of a scrape: its name, labels and value.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// The samples of a scrape; every line that is not a comment must be a well-formed sample.
fn samples(text: &str) -> Vec<Sample> {
    text.lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let (series, value) = line
                .rsplit_once(' ')
                .unwrap_or_else(|| panic!("a sample: {line}"));
            let value: f64 = value.parse().unwrap_or_else(|_| panic!("a value: {line}"));
            let (name, labels) = match series.split_once('{') {
                Some((name, labels)) => {
                    let labels = labels
                        .strip_suffix('}')
                        .unwrap_or_else(|| panic!("labels: {line}"));
                    let labels = labels
                        .split("\",")
                        .filter(|pair| !pair.is_empty())
                        .map(|pair| {
                            let (key, value) = pair
                                .split_once("=\"")
                                .unwrap_or_else(|| panic!("a label: {line}"));
                            (key.to_owned(), value.trim_end_matches('"').to_owned())
                        })
                        .collect();
                    (name, labels)
                }
                None => (series, BTreeMap::new()),
            };
            assert!(
                name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
                "a metric name: {line}"
            );
            Sample {
                name: name.to_owned(),
                labels,
                value,
            }
        })
        .collect()
}

/// The value of the sample `name` with (at least) `labels`; 0 when there is none.
fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> f64 {
    let found: Vec<&Sample> = samples
        .iter()
        .filter(|sample| {
            sample.name == name
                && labels
                    .iter()
                    .all(|(key, value)| sample.labels.get(*key).map(String::as_str) == Some(value))
        })
        .collect();
    assert!(
        found.len() <= 1,
        "{name} {labels:?} is ambiguous: {found:?}"
    );
    found.first().map_or(0.0, |sample| sample.value)
}

/// The values a label takes in the samples of `name`.
fn label_values(samples: &[Sample], name: &str, label: &str) -> BTreeSet<String> {
    samples
        .iter()
        .filter(|sample| sample.name == name)
        .filter_map(|sample| sample.labels.get(label).cloned())
        .collect()
}

/// The main router and the metrics listener of one replica over the app's database.
struct Replica {
    router: axum::Router,
    metrics: RunningServer,
}

impl Replica {
    async fn start(app: &TestApp, limits: Limits, auth: &AuthConfig) -> Self {
        let state = AppState::new(Database::ready(app.db.clone()), limits.clone(), auth);
        Self {
            router: build_app(state.clone()),
            metrics: RunningServer::start(metrics::router(state), limits).await,
        }
    }

    /// Scrapes the metrics listener over TCP: the samples, after checking the answer's type.
    async fn scrape(&self) -> Vec<Sample> {
        let (status, head, body) = self.metrics.request("GET", "/metrics", None).await;
        assert_eq!(status, 200, "{head}\n{body}");
        assert!(
            head.to_lowercase()
                .contains("content-type: text/plain; version=0.0.4"),
            "{head}"
        );
        samples(&body)
    }
}

const UNITS: &str =
    "query Units { municipality(code: 183) { units { name staffRoles { title } } } }";
const ADD_COMMITTEE: &str = r#"mutation AddCommittee($input: CreatePoliticalCommitteeInput!) {
  createPoliticalCommittee(input: $input) { id }
}"#;

#[tokio::test]
async fn answers_operations_statements_and_writes_are_counted() {
    on_each_backend(|app| async move {
        let label = app.label();
        let issuer = TestIssuer::start().await;
        let auth = AuthConfig {
            issuer: Some(issuer.issuer()),
            ..AuthConfig::default()
        };
        let editor = issuer.user_token(ISHOEJ, &["editor"]);
        let limits = Limits::default();
        let replica = Replica::start(&app, limits.clone(), &auth).await;
        let router = &replica.router;

        for _ in 0..3 {
            let answer = ask(router, None, UNITS, json!({})).await;
            assert!(answer["errors"].is_null(), "{label}: {answer}");
        }
        let (status, _, _) = ask_for_answer(router, None, "{ nope }", json!({})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{label}");
        let anonymous_write = ask(
            router,
            None,
            "mutation { deleteRecord(id: \"x\", revision: 1) { id } }",
            json!({}),
        )
        .await;
        assert_eq!(
            anonymous_write["errors"][0]["extensions"]["code"],
            "UNAUTHENTICATED"
        );
        let input = json!({
            "municipalityCode": ISHOEJ,
            "name": "Udvalget for metrikker",
            "validFrom": "2024-01-01",
            "provenance": { "source": "002", "section": "Organisering" }
        });
        let created = ask(
            router,
            Some(&editor),
            ADD_COMMITTEE,
            json!({ "input": input }),
        )
        .await;
        assert!(created["errors"].is_null(), "{label}: {created}");
        // A field error inside a 200 answer: counted by its code.
        let (status, _, missing) = ask_for_answer(
            router,
            None,
            "query Missing { municipality(code: 99999) { name } }",
            json!({}),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(missing["errors"][0]["extensions"]["code"], "NOT_FOUND");
        // An import that changes a unit's name.
        let (document, tag) = documents::export_tagged(router, ISHOEJ, Some(&editor)).await;
        let mut model = documents::parse(&document);
        model.unit[0].name.push_str(" (omdøbt)");
        let (status, _, body) = documents::import_with(
            router,
            ISHOEJ,
            (Some(&editor), Some(&tag)),
            &documents::write(&model),
            false,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{label}: {body}");
        let (status, _) = documents::send(
            router,
            axum::http::Method::GET,
            "/nowhere/183".into(),
            None,
            String::new(),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        let s = replica.scrape().await;
        let requests = |route: &str, method: &str, code: &str| {
            value(
                &s,
                "vestegn_http_requests_total",
                &[("route", route), ("method", method), ("code", code)],
            )
        };
        // Three queries and the committee.
        assert_eq!(requests("/graphql", "POST", "OK"), 4.0, "{label}");
        assert_eq!(requests("/graphql", "POST", "NOT_FOUND"), 1.0);
        assert_eq!(
            requests("/graphql", "POST", "GRAPHQL_VALIDATION_FAILED"),
            1.0
        );
        assert_eq!(requests("/graphql", "POST", "UNAUTHENTICATED"), 1.0);
        assert_eq!(requests("/models/{code}", "GET", "OK"), 1.0);
        assert_eq!(requests("/models/{code}", "PUT", "OK"), 1.0);
        assert_eq!(requests("unmatched", "GET", "ROUTE_NOT_FOUND"), 1.0);
        // Routes are templates: no path with a municipality's code or an id.
        let routes = label_values(&s, "vestegn_http_requests_total", "route");
        let expected: BTreeSet<String> = ["/graphql", "/models/{code}", "unmatched"]
            .map(str::to_owned)
            .into();
        assert_eq!(routes, expected, "{label}");

        let operations = |operation: &str, kind: &str, code: &str| {
            value(
                &s,
                "vestegn_graphql_operations_total",
                &[("operation", operation), ("type", kind), ("code", code)],
            )
        };
        assert_eq!(operations("Units", "query", "OK"), 3.0, "{label}");
        assert_eq!(operations("AddCommittee", "mutation", "OK"), 1.0);
        assert_eq!(
            operations("__anonymous", "query", "GRAPHQL_VALIDATION_FAILED"),
            1.0
        );
        assert_eq!(
            operations("__anonymous", "mutation", "UNAUTHENTICATED"),
            1.0
        );
        assert_eq!(operations("Missing", "query", "NOT_FOUND"), 1.0);
        assert_eq!(
            value(
                &s,
                "vestegn_graphql_operation_duration_seconds_count",
                &[("operation", "Units"), ("type", "query")]
            ),
            3.0
        );
        assert_eq!(
            value(
                &s,
                "vestegn_http_request_duration_seconds_count",
                &[("route", "/graphql"), ("method", "POST")]
            ),
            7.0
        );

        // The response cache: the first Units stored, the next two hit; the rest ran.
        let lookups = |result: &str| {
            value(
                &s,
                "vestegn_response_cache_lookups_total",
                &[("result", result)],
            )
        };
        assert_eq!(lookups("stored"), 1.0, "{label}");
        assert_eq!(lookups("hit"), 2.0, "{label}");
        // The unauthenticated mutation was refused before it ran; the committee and Missing ran.
        assert_eq!(lookups("uncacheable"), 2.0, "{label}");
        assert!(value(&s, "vestegn_response_cache_entries", &[]) >= 1.0);
        assert!(value(&s, "vestegn_response_cache_bytes", &[]) > 100.0);

        // Statements: every answered GraphQL read ran some; the export ran one per kind at least.
        let graphql = [("route", "/graphql"), ("method", "POST")];
        assert!(value(&s, "vestegn_db_statements_per_request_count", &graphql) >= 4.0);
        assert!(value(&s, "vestegn_db_statements_per_request_sum", &graphql) >= 4.0);
        let export = [("route", "/models/{code}"), ("method", "GET")];
        assert!(
            value(&s, "vestegn_db_statements_per_request_sum", &export) >= 10.0,
            "{label}"
        );

        // One write each through GraphQL and the import: their waits and durations.
        let import = [("route", "/models/{code}"), ("method", "PUT")];
        for labels in [&graphql, &import] {
            for name in [
                "vestegn_db_pool_wait_seconds_count",
                "vestegn_write_lock_wait_seconds_count",
                "vestegn_write_duration_seconds_count",
            ] {
                assert_eq!(value(&s, name, labels), 1.0, "{label}: {name} {labels:?}");
            }
            assert!(value(&s, "vestegn_write_duration_seconds_sum", labels) > 0.0);
        }

        // Read when scraped.
        assert_eq!(value(&s, "vestegn_http_requests_in_flight", &[]), 0.0);
        assert_eq!(value(&s, "vestegn_database_ready", &[]), 1.0);
        assert_eq!(value(&s, "vestegn_db_pool_max_connections", &[]), 5.0);
        assert!(value(&s, "vestegn_db_pool_connections", &[("state", "idle")]) >= 1.0);
        assert_eq!(value(&s, "vestegn_model_requests_in_flight", &[]), 0.0);
        assert_eq!(
            value(&s, "vestegn_model_requests_max_in_flight", &[]),
            limits.max_concurrent_requests as f64
        );
        let newest = app
            .db
            .query_one(Statement::from_string(
                app.db.get_database_backend(),
                "SELECT MAX(sequence) AS newest FROM outbox",
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get::<i32>("", "newest")
            .unwrap();
        assert!(
            newest >= 2,
            "{label}: the committee and the import are in the feed"
        );
        assert_eq!(
            value(&s, "vestegn_change_feed_newest_sequence", &[]),
            f64::from(newest),
            "{label}"
        );
        let recorded = value(&s, "vestegn_change_feed_newest_timestamp_seconds", &[]);
        let now = chrono::Utc::now().timestamp() as f64;
        assert!(
            (now - recorded).abs() < 120.0,
            "{label}: {recorded} vs {now}"
        );

        // The public listener does not serve the metrics, and scrapes are not counted.
        let (status, _) = documents::send(
            router,
            axum::http::Method::GET,
            "/metrics".into(),
            None,
            String::new(),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let again = replica.scrape().await;
        assert_eq!(
            value(
                &again,
                "vestegn_http_requests_total",
                &[("route", "unmatched")]
            ),
            2.0,
            "{label}: the second unmatched request is /metrics on the public listener"
        );
        assert_eq!(
            label_values(&again, "vestegn_http_requests_total", "route"),
            expected
        );
    })
    .await;
}

#[tokio::test]
async fn operation_names_are_a_bounded_label() {
    on_each_backend(|app| async move {
        let replica = Replica::start(&app, Limits::default(), &AuthConfig::default()).await;
        let extra = 20;
        for i in 0..MAX_OPERATION_NAMES + extra {
            let answer = ask(
                &replica.router,
                None,
                &format!("query Named{i} {{ __typename }}"),
                json!({}),
            )
            .await;
            assert_eq!(answer["data"]["__typename"], "Query");
        }
        // Too long to be a label, even with names left in the budget of a fresh replica.
        let fresh = Replica::start(&app, Limits::default(), &AuthConfig::default()).await;
        let long = format!("query {} {{ __typename }}", "L".repeat(65));
        ask(&fresh.router, None, &long, json!({})).await;

        let s = replica.scrape().await;
        let names = label_values(&s, "vestegn_graphql_operations_total", "operation");
        assert_eq!(names.len(), MAX_OPERATION_NAMES + 1, "{names:?}");
        assert!(names.contains("Named0") && names.contains("__other"));
        assert!(!names.contains(&format!("Named{}", MAX_OPERATION_NAMES)));
        assert_eq!(
            value(
                &s,
                "vestegn_graphql_operations_total",
                &[("operation", "__other"), ("type", "query"), ("code", "OK")]
            ),
            extra as f64
        );
        let s = fresh.scrape().await;
        assert_eq!(
            label_values(&s, "vestegn_graphql_operations_total", "operation"),
            BTreeSet::from(["__other".to_owned()])
        );
    })
    .await;
}

#[tokio::test]
async fn refusals_are_counted_by_reason() {
    // One point a minute: after the first request, a client is refused until the minute is over.
    let limits = Limits {
        rate_limit_points_per_minute: 1,
        ..Limits::default()
    };
    on_each_backend_with(limits.clone(), true, |app| {
        let limits = limits.clone();
        async move {
            let replica = Replica::start(&app, limits.clone(), &AuthConfig::default()).await;
            let server = RunningServer::start(replica.router.clone(), limits).await;
            let body = json!({ "query": "{ __typename }" }).to_string();
            let mut refused = 0;
            for _ in 0..4 {
                let (status, _, answer) = server.request("POST", "/graphql", Some(&body)).await;
                if status == 429 {
                    let answer: Value = serde_json::from_str(&answer).unwrap();
                    assert_eq!(answer["errors"][0]["extensions"]["code"], "RATE_LIMITED");
                    refused += 1;
                }
            }
            assert!(refused >= 3, "{refused}");
            // Health checks spend no budget and are answered.
            let (status, _, _) = raw_request(server.address, "GET", "/healthz", None).await;
            assert_eq!(status, 200);

            let s = replica.scrape().await;
            assert_eq!(
                value(
                    &s,
                    "vestegn_requests_refused_total",
                    &[("reason", "rate_limited")]
                ),
                f64::from(refused)
            );
            assert_eq!(
                value(
                    &s,
                    "vestegn_http_requests_total",
                    &[
                        ("route", "/graphql"),
                        ("method", "POST"),
                        ("code", "RATE_LIMITED")
                    ]
                ),
                f64::from(refused)
            );
            assert_eq!(
                value(
                    &s,
                    "vestegn_http_requests_total",
                    &[("route", "/healthz"), ("method", "GET"), ("code", "OK")]
                ),
                1.0
            );
        }
    })
    .await;
}
