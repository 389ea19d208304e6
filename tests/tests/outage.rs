//! PostgreSQL going away and coming back, on a cluster of the test's own: the server starts and
//! serves `/healthz` while the database is down, says why in the start-up error, answers GraphQL
//! with 503 `SERVICE_UNAVAILABLE` quickly instead of waiting out the deadline, and becomes ready
//! without a restart once the database is back.

use std::time::{Duration, Instant};

use serde_json::Value;
use vestegn_api::{
    build_app,
    config::Config,
    database::{self, Database},
    AppState,
};
use vestegn_tests::{pg_cluster::PgCluster, RunningServer};

const QUERY: &str = r#"{"query":"{ municipality(code: 183) { name } }"}"#;

async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(work)
        .await
        .expect("blocking task")
}

/// Polls `/readyz` until it answers `want`, for at most `within`.
async fn wait_for_readyz(server: &RunningServer, want: u16, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if server.request("GET", "/readyz", None).await.0 == want {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    false
}

fn code_of(body: &str) -> Value {
    let body: Value = serde_json::from_str(body).unwrap_or_else(|_| panic!("not JSON: {body}"));
    body["errors"][0]["extensions"]["code"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_rides_out_a_database_outage() {
    vestegn_api::telemetry::init_for_tests();
    let mut cluster = blocking(|| {
        let mut cluster = PgCluster::start()?;
        cluster.stop()?;
        anyhow::Ok(cluster)
    })
    .await
    .expect("a PostgreSQL cluster of the test's own");
    let mut config = Config::for_database(cluster.url());
    config.load_seed = Some(true);

    // A command that needs the database says why it cannot have it.
    let error = database::connect_and_migrate(&config).await.unwrap_err();
    assert!(
        format!("{error:#}").to_lowercase().contains("refused"),
        "the real cause: {error:#}"
    );

    // The server starts anyway and answers what needs no database.
    let db = Database::connect_lazily(&config).await.expect("lazy pool");
    db.prepare_in_background(config.clone());
    let server = RunningServer::start(
        build_app(AppState::new(db, config.limits.clone(), &config.auth)),
        config.limits.clone(),
    )
    .await;
    assert_eq!(server.request("GET", "/healthz", None).await.0, 200);
    let (status, _, body) = server.request("GET", "/readyz", None).await;
    assert_eq!(status, 503, "{body}");
    let started = Instant::now();
    let (status, head, body) = server.request("POST", "/graphql", Some(QUERY)).await;
    assert_eq!(
        (status, code_of(&body)),
        (503, "SERVICE_UNAVAILABLE".into()),
        "{body}"
    );
    assert!(head.to_ascii_lowercase().contains("retry-after"), "{head}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );

    // The database comes up: the server migrates, seeds and serves, with no restart.
    let mut cluster_up = blocking(move || cluster.start_again().map(|()| cluster))
        .await
        .expect("start the cluster again");
    assert!(
        wait_for_readyz(&server, 200, Duration::from_secs(60)).await,
        "ready once the database answers"
    );
    let (status, _, body) = server.request("POST", "/graphql", Some(QUERY)).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Ishøj"), "{body}");

    // It goes away again: 503 within the pool wait (2 s), not the 30 s deadline.
    cluster_up = blocking(move || cluster_up.stop().map(|()| cluster_up))
        .await
        .expect("stop the cluster");
    let started = Instant::now();
    let (status, _, body) = server.request("POST", "/graphql", Some(QUERY)).await;
    let took = started.elapsed();
    assert_eq!(
        (status, code_of(&body)),
        (503, "SERVICE_UNAVAILABLE".into()),
        "{body}"
    );
    // The pool wait once: requests that share a failed read of the data's version do not each
    // wait it out again.
    assert!(took < Duration::from_secs(3), "answered after {took:?}");
    eprintln!("SERVICE_UNAVAILABLE after {took:?}");
    assert_eq!(server.request("GET", "/readyz", None).await.0, 503);
    assert_eq!(server.request("GET", "/healthz", None).await.0, 200);

    // And back: served again without a restart.
    let _cluster = blocking(move || cluster_up.start_again().map(|()| cluster_up))
        .await
        .expect("start the cluster again");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (status, _, body) = server.request("POST", "/graphql", Some(QUERY)).await;
        if status == 200 {
            assert!(body.contains("Ishøj"), "{body}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not served again: {status} {body}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
