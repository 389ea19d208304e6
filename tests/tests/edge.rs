//! The HTTP edge over real TCP connections: who first, then what (an import is refused before its
//! body is read), slow bodies hold no capacity, connections per client address are capped, and
//! every caller spends a points budget by cost (anonymous ones by address, `X-Forwarded-For` only
//! from a trusted proxy; signed-in ones by subject; opaque tokens count before they are looked up).

use std::{
    net::{IpAddr, SocketAddr},
    time::{Duration, Instant},
};

use axum::{routing, Router};
use serde_json::{json, Value};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpSocket, TcpStream},
};
use vestegn_api::{
    build_app,
    config::{AuthConfig, Limits},
    database::Database,
    with_layers, AppState,
};
use vestegn_tests::{
    issuer::TestIssuer, on_each_backend_with, read_response, RunningServer, TestApp,
};

const HERE: &str = "127.0.0.1";
const ELSEWHERE: &str = "127.0.0.2";

/// A response read off the wire.
#[derive(Debug)]
struct Answer {
    status: u16,
    /// The header section, names lowercased.
    head: String,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            (key == name).then(|| value.trim())
        })
    }

    fn remaining(&self) -> i64 {
        self.header("x-ratelimit-remaining")
            .and_then(|value| value.parse().ok())
            .unwrap_or_else(|| panic!("no x-ratelimit-remaining: {self:?}"))
    }

    fn code(&self) -> Value {
        let body: Value = serde_json::from_str(&self.body).unwrap_or(Value::Null);
        body["errors"][0]["extensions"]["code"].clone()
    }
}

/// A connection to `server` from the loopback address `from` (127.0.0.0/8 is all loopback).
async fn connect(server: SocketAddr, from: &str) -> TcpStream {
    let socket = TcpSocket::new_v4().expect("socket");
    let from: IpAddr = from.parse().expect("address");
    socket.bind(SocketAddr::new(from, 0)).expect("bind");
    socket.connect(server).await.expect("connect")
}

/// One request over a fresh connection from `from`, with extra header lines.
async fn send(
    server: SocketAddr,
    from: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Answer {
    let mut stream = connect(server, from).await;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nhost: test\r\nconnection: close\r\naccept: application/json\r\n\
         content-type: application/json\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    stream
        .write_all(format!("{head}\r\n{body}").as_bytes())
        .await
        .expect("send");
    read_answer(&mut stream).await
}

async fn read_answer(stream: &mut TcpStream) -> Answer {
    let (status, head, body) = read_response(stream).await;
    // Header names as lower case, whatever the server wrote.
    let head = head
        .lines()
        .map(|line| match line.split_once(':') {
            Some((name, value)) => format!("{}:{value}", name.to_ascii_lowercase()),
            None => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    Answer { status, head, body }
}

/// A GraphQL query as a request body.
fn query(text: &str) -> String {
    json!({ "query": text }).to_string()
}

const CHEAP: &str = "{ __typename }";

/// A comparison of every municipality of the seed dataset (what the comparison page asks for,
/// in part).
const COMPARISON: &str = r#"{ compareMunicipalities(codes: [151, 153, 159, 161, 163, 165, 167, 169, 175, 183, 187, 791], asOf: "2023-07-01") {
    municipality { code name units { id name kind } contacts { id name roleTitle } }
    staffing { headcount { value } fte { value } byPreventionLevel { level headcount { value } } }
    budgets { year total { value } }
    forumsByLevel { level count forums { name } }
    keyIndicators { id title value }
} }"#;

/// The real app over the test's database, served on a loopback port.
async fn serve(app: &TestApp, limits: &Limits, auth: &AuthConfig) -> RunningServer {
    let router = build_app(AppState::new(
        Database::ready(app.db.clone()),
        limits.clone(),
        auth,
    ));
    RunningServer::start(router, limits.clone()).await
}

/// A budget small enough to spend in a test: 12,000 points, 200 back a second.
fn small_budget() -> Limits {
    Limits {
        rate_limit_points_per_minute: 12_000,
        ..Limits::default()
    }
}

#[tokio::test]
async fn slow_bodies_hold_no_capacity_and_are_cut_off() {
    // Forty tricklers from one address (under the default connection cap of 64), ten times as
    // many as there are slots: they hold none while their bodies trickle.
    let limits = Limits {
        max_concurrent_requests: 4,
        ..Limits::default()
    };
    on_each_backend_with(limits.clone(), true, |app| {
        let limits = limits.clone();
        async move {
            let server = serve(&app, &limits, &AuthConfig::default()).await;
            let address = server.address;
            // Each declares a 1,000-byte body and sends a byte every 2 s.
            let tricklers: Vec<_> = (0..40)
                .map(|_| {
                    tokio::spawn(async move {
                        let mut stream = connect(address, HERE).await;
                        let started = Instant::now();
                        let head = "POST /graphql HTTP/1.1\r\nhost: t\r\ncontent-type: application/json\r\n\
                                    content-length: 1000\r\n\r\n";
                        stream.write_all(head.as_bytes()).await.expect("head");
                        let mut buffer = vec![0u8; 4096];
                        loop {
                            if stream.write_all(b" ").await.is_err() {
                                return (started.elapsed(), String::new());
                            }
                            tokio::select! {
                                read = stream.read(&mut buffer) => {
                                    let text = match read {
                                        Ok(n) => String::from_utf8_lossy(&buffer[..n]).into_owned(),
                                        Err(_) => String::new(),
                                    };
                                    return (started.elapsed(), text);
                                }
                                () = tokio::time::sleep(Duration::from_secs(2)) => {}
                            }
                            if started.elapsed() > Duration::from_secs(20) {
                                return (started.elapsed(), "still open".to_owned());
                            }
                        }
                    })
                })
                .collect();
            tokio::time::sleep(Duration::from_millis(300)).await;

            // Normal queries are answered while they trickle.
            for _ in 0..5 {
                let started = Instant::now();
                let answer = send(address, HERE, "POST", "/graphql", &[], &query(CHEAP)).await;
                assert_eq!(answer.status, 200, "{}: {answer:?}", app.label());
                assert!(answer.body.contains("Query"), "{answer:?}");
                assert!(started.elapsed() < Duration::from_secs(1), "{:?}", started.elapsed());
            }

            // Each trickler is cut off (408, or the connection closed) soon after the grace.
            let mut timed_out = 0;
            for trickler in tricklers {
                let (took, text) = trickler.await.expect("trickler");
                assert!(took < Duration::from_secs(8), "{took:?}: {text}");
                assert!(text.is_empty() || text.starts_with("HTTP/1.1 408"), "{text}");
                timed_out += usize::from(text.contains("REQUEST_TIMEOUT"));
            }
            assert!(timed_out > 0, "{}: no trickler got a 408", app.label());
        }
    })
    .await;
}

#[tokio::test]
async fn an_import_is_refused_before_its_body_is_read() {
    on_each_backend_with(Limits::default(), true, |app| async move {
        let issuer = TestIssuer::start().await;
        let auth = AuthConfig {
            issuer: Some(issuer.issuer()),
            ..AuthConfig::default()
        };
        let server = serve(&app, &Limits::default(), &auth).await;
        // A large body is declared and never sent: the answer must not wait for it.
        let put_without_body = |token: Option<String>, length: &'static str| {
            let address = server.address;
            async move {
                let mut stream = connect(address, HERE).await;
                let mut head = format!(
                    "PUT /models/183 HTTP/1.1\r\nhost: t\r\ncontent-type: application/toml\r\n\
                     content-length: {length}\r\n"
                );
                if let Some(token) = token {
                    head.push_str(&format!("authorization: Bearer {token}\r\n"));
                }
                stream
                    .write_all(format!("{head}\r\n").as_bytes())
                    .await
                    .expect("head");
                let started = Instant::now();
                let answer =
                    tokio::time::timeout(Duration::from_secs(10), read_answer(&mut stream))
                        .await
                        .expect("answered");
                (answer, started.elapsed())
            }
        };

        let (answer, took) = put_without_body(None, "4000000").await;
        assert_eq!(answer.status, 401, "{answer:?}");
        assert_eq!(answer.code(), "UNAUTHENTICATED");
        assert!(answer.header("www-authenticate").is_some(), "{answer:?}");
        assert!(took < Duration::from_secs(1), "{took:?}");

        for token in [
            issuer.user_token(165, &["editor"]),
            issuer.user_token(183, &["viewer"]),
        ] {
            let (answer, took) = put_without_body(Some(token), "4000000").await;
            assert_eq!(answer.status, 403, "{answer:?}");
            assert_eq!(answer.code(), "FORBIDDEN");
            assert!(took < Duration::from_secs(1), "{took:?}");
        }

        // An editor's import is read, but not waited for forever: over the limit at once...
        let editor = issuer.user_token(183, &["editor"]);
        let (answer, took) = put_without_body(Some(editor.clone()), "5000000").await;
        assert_eq!(answer.status, 413, "{answer:?}");
        assert!(took < Duration::from_secs(1), "{took:?}");
        // ...and a body that never comes once the minimum rate is missed.
        let (answer, took) = put_without_body(Some(editor), "4000000").await;
        assert_eq!(answer.status, 408, "{answer:?}");
        assert_eq!(answer.code(), "REQUEST_TIMEOUT");
        assert!(took < Duration::from_secs(5), "{took:?}");
    })
    .await;
}

#[tokio::test]
async fn anonymous_callers_spend_their_address_budget_by_cost() {
    let limits = small_budget();
    on_each_backend_with(limits.clone(), true, |app| {
        let limits = limits.clone();
        async move {
            let server = serve(&app, &limits, &AuthConfig::default()).await;
            let address = server.address;
            let ask = |from: &'static str,
                       text: &'static str,
                       headers: Vec<(&'static str, &'static str)>| async move {
                send(address, from, "POST", "/graphql", &headers, &query(text)).await
            };

            let first = ask(HERE, CHEAP, vec![]).await;
            assert_eq!(first.status, 200, "{first:?}");
            assert_eq!(first.header("x-ratelimit-limit"), Some("12000"));
            let compared = ask(HERE, COMPARISON, vec![]).await;
            assert_eq!(compared.status, 200, "{compared:?}");
            let cheap = ask(HERE, CHEAP, vec![]).await;
            // The budget refills by 200 points a second meanwhile.
            let comparison_cost = first.remaining() - compared.remaining();
            let cheap_cost = (compared.remaining() - cheap.remaining()).max(1);
            eprintln!(
                "{}: a comparison spent {comparison_cost} points, a cheap query {cheap_cost}",
                app.label()
            );
            assert!(
                comparison_cost > 100 * cheap_cost,
                "{comparison_cost} vs {cheap_cost}"
            );
            // A model document spends from the same budget: an export, 2,500 points.
            let export = send(address, HERE, "GET", "/models/183", &[], "").await;
            assert_eq!(export.status, 200, "{}", export.head);
            let export_cost = cheap.remaining() - export.remaining();
            assert!((2_000..=2_500).contains(&export_cost), "{export_cost}");

            // Comparisons until the budget is spent: 429 with Retry-After and the header.
            let mut refused = None;
            for _ in 0..30 {
                let answer = ask(HERE, COMPARISON, vec![]).await;
                if answer.status != 200 {
                    refused = Some(answer);
                    break;
                }
            }
            let refused = refused.expect("the budget runs out");
            assert_eq!(refused.status, 429, "{refused:?}");
            assert_eq!(refused.code(), "RATE_LIMITED");
            let retry_after: u64 = refused
                .header("retry-after")
                .and_then(|value| value.parse().ok())
                .expect("retry-after");
            assert!((1..=60).contains(&retry_after), "{retry_after}");
            assert!(refused.remaining() < comparison_cost, "{refused:?}");

            // Another address has its own budget; a client's own X-Forwarded-For is not believed.
            assert_eq!(ask(ELSEWHERE, COMPARISON, vec![]).await.status, 200);
            let spoofed = ask(HERE, COMPARISON, vec![("x-forwarded-for", "203.0.113.7")]).await;
            assert_eq!(spoofed.status, 429, "{spoofed:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn forwarded_for_is_believed_from_a_trusted_proxy() {
    let limits = Limits {
        trusted_proxies: vec!["127.0.0.1/32".parse().expect("network")],
        ..small_budget()
    };
    on_each_backend_with(limits.clone(), true, |app| {
        let limits = limits.clone();
        async move {
            let server = serve(&app, &limits, &AuthConfig::default()).await;
            let address = server.address;
            let via_proxy = |client: &'static str| async move {
                let headers = [("x-forwarded-for", client)];
                send(
                    address,
                    HERE,
                    "POST",
                    "/graphql",
                    &headers,
                    &query(COMPARISON),
                )
                .await
            };
            let mut spent = false;
            for _ in 0..30 {
                if via_proxy("203.0.113.7").await.status == 429 {
                    spent = true;
                    break;
                }
            }
            assert!(
                spent,
                "{}: the forwarded client's budget runs out",
                app.label()
            );
            // Another client behind the proxy, and the proxy itself, have budgets of their own.
            assert_eq!(via_proxy("203.0.113.8").await.status, 200);
            let direct = send(address, HERE, "POST", "/graphql", &[], &query(COMPARISON)).await;
            assert_eq!(direct.status, 200, "{direct:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn signed_in_callers_spend_their_own_budget_and_opaque_tokens_count_first() {
    // One point a minute: every request spends the whole budget, and none comes back meanwhile.
    let limits = Limits {
        rate_limit_points_per_minute: 1,
        ..Limits::default()
    };
    on_each_backend_with(limits.clone(), true, |app| {
        let limits = limits.clone();
        async move {
            let issuer = TestIssuer::start().await;
            let (client_id, secret) = TestIssuer::INTROSPECTION_CLIENT;
            let auth = AuthConfig {
                issuer: Some(issuer.issuer()),
                introspection_client_id: Some(client_id.to_owned()),
                introspection_client_secret: Some(vestegn_api::config::Secret(secret.to_owned())),
                ..AuthConfig::default()
            };
            let server = serve(&app, &limits, &auth).await;
            let address = server.address;
            let ask = |token: Option<String>| async move {
                let authorization = token.map(|token| format!("Bearer {token}"));
                let headers: Vec<(&str, &str)> = authorization
                    .as_deref()
                    .map(|value| vec![("authorization", value)])
                    .unwrap_or_default();
                send(address, HERE, "POST", "/graphql", &headers, &query(CHEAP)).await
            };
            let opaque = issuer.opaque_token(
                json!({ "sub": "opaque-user", "municipality": 183, "roles": ["viewer"] }),
            );
            // An opaque token costs the address a point before it is looked up...
            let looked_up = ask(Some(opaque.clone())).await;
            assert_eq!(looked_up.status, 200, "{}: {looked_up:?}", app.label());
            // ...so the address has nothing left, for strangers nor for opaque tokens, which are
            // then not looked up at all.
            for token in [None, Some(opaque), Some("random-string".to_owned())] {
                let answer = ask(token).await;
                assert_eq!(answer.status, 429, "{answer:?}");
                assert_eq!(answer.code(), "RATE_LIMITED");
            }
            // A signed-in user (a JWT, checked without the provider) spends a budget of its own.
            let viewer = issuer.user_token(183, &["viewer"]);
            let signed_in = ask(Some(viewer.clone())).await;
            assert_eq!(signed_in.status, 200, "{signed_in:?}");
            assert_eq!(signed_in.remaining(), 0);
            let refused = ask(Some(viewer)).await;
            assert_eq!(refused.status, 429, "{refused:?}");
            let retry_after: u64 = refused
                .header("retry-after")
                .and_then(|value| value.parse().ok())
                .expect("retry-after");
            assert!((30..=60).contains(&retry_after), "{retry_after}");
            assert_eq!(refused.remaining(), 0, "{refused:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn connections_per_client_address_are_capped() {
    let limits = Limits {
        max_connections_per_client: 3,
        ..Limits::default()
    };
    let routes = Router::new().route("/healthz", routing::get(|| async { "ok" }));
    let server = RunningServer::start(with_layers(routes, &limits), limits).await;
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(connect(server.address, HERE).await);
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    // The fourth is closed at once, unanswered.
    let mut fourth = connect(server.address, HERE).await;
    let _ = fourth
        .write_all(b"GET /healthz HTTP/1.1\r\nhost: t\r\n\r\n")
        .await;
    let answer = tokio::time::timeout(Duration::from_secs(2), read_answer(&mut fourth))
        .await
        .expect("closed at once");
    assert_eq!(answer.status, 0, "{answer:?}");
    // Another address is not affected; a connection that ends frees its place.
    let other = send(server.address, ELSEWHERE, "GET", "/healthz", &[], "").await;
    assert_eq!(other.status, 200);
    drop(held.pop());
    tokio::time::sleep(Duration::from_millis(100)).await;
    let freed = send(server.address, HERE, "GET", "/healthz", &[], "").await;
    assert_eq!(freed.status, 200, "{freed:?}");

    // A trusted proxy carries many clients: its connections are not capped.
    let limits = Limits {
        max_connections_per_client: 3,
        trusted_proxies: vec!["127.0.0.1/32".parse().expect("network")],
        ..Limits::default()
    };
    let routes = Router::new().route("/healthz", routing::get(|| async { "ok" }));
    let proxied = RunningServer::start(with_layers(routes, &limits), limits).await;
    let mut held = Vec::new();
    for _ in 0..5 {
        held.push(connect(proxied.address, HERE).await);
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let answer = send(proxied.address, HERE, "GET", "/healthz", &[], "").await;
    assert_eq!(answer.status, 200, "{answer:?}");
}
