//! The server loop over real TCP connections: header-read timeout, work dropped when the client
//! disconnects, bounded graceful shutdown, overload refused at once, and `/healthz` answering
//! while the GraphQL route is flooded. (Slow bodies, connections per client and the rate limit:
//! `edge.rs`.)

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use axum::{routing, Router};
use serde_json::{json, Value};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};
use vestegn_api::{
    build_app,
    config::{AuthConfig, Limits},
    database::Database,
    with_layers, AppState,
};
use vestegn_tests::{fragment_bomb, on_each_backend_with, RunningServer};

/// Sets its flag when dropped: tells whether a handler's work was abandoned.
struct DropFlag(Arc<AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// A router whose `/hang` never answers and records when its work is dropped.
fn hanging_router(limits: &Limits, dropped: Arc<AtomicBool>) -> Router {
    let routes = Router::new()
        .route(
            "/hang",
            routing::get(move || {
                let flag = DropFlag(dropped.clone());
                async move {
                    tokio::time::sleep(Duration::from_secs(600)).await;
                    drop(flag);
                    "never"
                }
            }),
        )
        .route("/healthz", routing::get(|| async { "ok" }));
    with_layers(routes, limits)
}

async fn wait_until(flag: &AtomicBool, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if flag.load(Ordering::SeqCst) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    flag.load(Ordering::SeqCst)
}

#[tokio::test]
async fn a_client_that_trickles_its_header_is_cut_off() {
    let limits = Limits {
        header_read_timeout_secs: 1,
        ..Limits::default()
    };
    let server = RunningServer::start(hanging_router(&limits, Arc::default()), limits).await;
    let mut stream = TcpStream::connect(server.address).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    let mut closed = false;
    // One header line every 300 ms, for up to 10 s: the server must close the connection.
    for i in 0..33 {
        if stream
            .write_all(format!("x-trickle-{i}: y\r\n").as_bytes())
            .await
            .is_err()
        {
            closed = true;
            break;
        }
        let mut buffer = [0u8; 1024];
        match tokio::time::timeout(Duration::from_millis(300), stream.read(&mut buffer)).await {
            Ok(Ok(0) | Err(_)) => {
                closed = true;
                break;
            }
            Ok(Ok(_)) => {
                closed = true; // answered (408) and closed
                break;
            }
            Err(_) => {}
        }
    }
    assert!(
        closed,
        "the connection stayed open for {:?}",
        started.elapsed()
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

/// A request to `/hang` on a fresh connection, left hanging for a moment; its connection.
async fn hang_a_request(server: &RunningServer) -> TcpStream {
    let mut stream = TcpStream::connect(server.address).await.unwrap();
    stream
        .write_all(b"GET /hang HTTP/1.1\r\nhost: test\r\n\r\n")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    stream
}

#[tokio::test]
async fn the_work_of_a_client_that_disconnects_stops() {
    let limits = Limits::default();
    let dropped = Arc::new(AtomicBool::new(false));
    let server = RunningServer::start(hanging_router(&limits, dropped.clone()), limits).await;
    let stream = hang_a_request(&server).await;
    assert!(
        !dropped.load(Ordering::SeqCst),
        "still working while connected"
    );
    drop(stream);
    assert!(
        wait_until(&dropped, Duration::from_secs(5)).await,
        "the handler kept running after the client left"
    );
}

#[tokio::test]
async fn shutdown_drains_for_a_bounded_time_then_returns() {
    let limits = Limits {
        shutdown_grace_secs: 1,
        ..Limits::default()
    };
    let dropped = Arc::new(AtomicBool::new(false));
    let mut server = RunningServer::start(hanging_router(&limits, dropped.clone()), limits).await;
    // Held open: the request is still running when the server shuts down.
    let _stream = hang_a_request(&server).await;
    let started = Instant::now();
    server.shut_down();
    tokio::time::timeout(Duration::from_secs(10), &mut server.stopped)
        .await
        .expect("serve returns after the grace period")
        .unwrap();
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(900),
        "it waited for the request: {took:?}"
    );
    assert!(took < Duration::from_secs(5), "{took:?}");
    // New connections are refused once it has stopped.
    assert!(TcpStream::connect(server.address).await.is_err());
}

#[tokio::test]
async fn overload_is_refused_at_once_and_healthz_answers_under_load() {
    let limits = Limits {
        max_concurrent_requests: 4,
        ..Limits::default()
    };
    on_each_backend_with(limits.clone(), true, |app| {
        let limits = limits.clone();
        async move {
            // No free slot (as when requests run long: slow bodies hold none, see `edge.rs`)...
            let full = Limits {
                max_concurrent_requests: 0,
                ..limits.clone()
            };
            let router = build_app(AppState::new(
                Database::ready(app.db.clone()),
                full.clone(),
                &AuthConfig::default(),
            ));
            let server = RunningServer::start(router, full).await;
            // ...so a request is refused at once, with a GraphQL body and Retry-After.
            let started = Instant::now();
            let (status, head, body) = server
                .request("POST", "/graphql", Some(r#"{"query":"{ __typename }"}"#))
                .await;
            assert_eq!(status, 503, "{head}\n{body}");
            assert!(
                started.elapsed() < Duration::from_secs(1),
                "{:?}",
                started.elapsed()
            );
            assert!(
                head.to_ascii_lowercase().contains("retry-after: 1"),
                "{head}"
            );
            let body: Value = serde_json::from_str(&body).unwrap();
            assert_eq!(body["errors"][0]["extensions"]["code"], "OVERLOADED");
            // An export or import of a model shares the limit.
            let (status, _, body) = server.request("GET", "/models/183", None).await;
            assert_eq!(status, 503, "{body}");
            assert!(body.contains("OVERLOADED"), "{body}");
            // /healthz needs no slot.
            let (status, _, _) = server.request("GET", "/healthz", None).await;
            assert_eq!(status, 200);

            let router = build_app(AppState::new(
                Database::ready(app.db.clone()),
                limits.clone(),
                &AuthConfig::default(),
            ));
            let server = RunningServer::start(router, limits).await;
            // Flood the GraphQL route with fragment bombs and heavy queries; /healthz still
            // answers promptly (figures in the benchmark; here only that it is not starved).
            let bomb = json!({ "query": fragment_bomb(30) }).to_string();
            let flood: Vec<_> = (0..40)
                .map(|_| {
                    let (address, bomb) = (server.address, bomb.clone());
                    tokio::spawn(async move {
                        vestegn_tests::raw_request(address, "POST", "/graphql", Some(&bomb)).await
                    })
                })
                .collect();
            let mut slowest = Duration::ZERO;
            for _ in 0..10 {
                let started = Instant::now();
                let (status, _, _) = server.request("GET", "/healthz", None).await;
                assert_eq!(status, 200);
                slowest = slowest.max(started.elapsed());
            }
            for request in flood {
                // Legacy `application/json` clients get 200 for refused documents.
                let (status, _, body) = request.await.unwrap();
                let body: Value = serde_json::from_str(&body).unwrap();
                let code = &body["errors"][0]["extensions"]["code"];
                assert!(
                    (status == 200 && code == "QUERY_TOO_COMPLEX")
                        || (status == 503 && code == "OVERLOADED"),
                    "{status}: {body}"
                );
            }
            eprintln!(
                "{}: slowest /healthz under the flood: {slowest:?}",
                app.label()
            );
            assert!(slowest < Duration::from_secs(1), "{slowest:?}");
        }
    })
    .await;
}
