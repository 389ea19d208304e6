//! Test support: the real router over a fresh database per test.
//!
//! Every test runs on SQLite (a new file per test) and, when `TEST_DATABASE_URL` names a
//! PostgreSQL server, on PostgreSQL too (a new database per test, dropped at the end).

pub mod documents;
pub mod editing;
pub mod issuer;
pub mod pg_cluster;

use std::{
    future::Future,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
};

use axum::{
    body::Body,
    http::{header, HeaderMap, Request, StatusCode},
    Router,
};
use http_body_util::BodyExt;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::{json, Value};
use tower::ServiceExt;
use vestegn_api::{
    build_app,
    config::{AuthConfig, Config, Limits},
    database::{self, Database as AppDatabase},
    graphql, seed,
    service::{Caller, Store},
    telemetry, AppState,
};

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A running app over its own database.
pub struct TestApp {
    pub backend: Backend,
    pub db: DatabaseConnection,
    pub router: Router,
    statements: Arc<AtomicUsize>,
    cleanup: Cleanup,
}

enum Cleanup {
    /// The SQLite file, removed when the app is dropped.
    File(std::path::PathBuf),
    /// The PostgreSQL database, dropped by [`CleanupHandle::run`] (dropping needs async).
    Database { server_url: String, name: String },
}

/// Removes the SQLite file. (Implementing `Drop` also makes test closures that use only
/// `app.db` capture the whole app, so nothing is cleaned up while a test still runs.)
impl Drop for TestApp {
    fn drop(&mut self) {
        if let Cleanup::File(path) = &self.cleanup {
            for suffix in ["", "-wal", "-shm"] {
                let mut file = path.clone().into_os_string();
                file.push(suffix);
                let _ = std::fs::remove_file(file);
            }
        }
    }
}

/// The PostgreSQL server to test against, if any.
pub fn postgres_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|url| !url.is_empty())
}

/// Runs `test` on every available backend, each time on a fresh, seeded database.
pub async fn on_each_backend<F, Fut>(test: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: Future<Output = ()>,
{
    on_each_backend_with(Limits::default(), true, test).await;
}

/// Like [`on_each_backend`], with limits of the test's choosing and, optionally, an empty database.
pub async fn on_each_backend_with<F, Fut>(limits: Limits, seeded: bool, test: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: Future<Output = ()>,
{
    let mut backends = vec![Backend::Sqlite];
    if postgres_url().is_some() {
        backends.push(Backend::Postgres);
    }
    for backend in backends {
        let app = TestApp::start(backend, limits.clone(), seeded).await;
        let cleanup = app.cleanup_handle();
        test(app).await;
        cleanup.run().await;
    }
}

/// What must be removed after a test.
pub struct CleanupHandle(Option<(String, String)>);

impl CleanupHandle {
    /// Drops the test's PostgreSQL database, if it had one.
    pub async fn run(self) {
        if let Some((server_url, name)) = self.0 {
            if let Ok(server) = Database::connect(&server_url).await {
                let _ = server
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .await;
            }
        }
    }
}

impl TestApp {
    /// Starts the app on `backend` over a new database (migrated, and seeded if asked).
    pub async fn start(backend: Backend, limits: Limits, seeded: bool) -> Self {
        telemetry::init_for_tests();
        let unique = uuid::Uuid::new_v4().simple().to_string();
        let (url, cleanup) = match backend {
            Backend::Sqlite => {
                let path = std::env::temp_dir().join(format!("vestegn-test-{unique}.db"));
                let url = format!("sqlite://{}?mode=rwc", path.display());
                (url, Cleanup::File(path))
            }
            Backend::Postgres => {
                let server_url = postgres_url().expect("TEST_DATABASE_URL is set");
                let name = format!("vestegn_test_{unique}");
                let server = Database::connect(&server_url)
                    .await
                    .expect("connect to PostgreSQL");
                server
                    .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                    .await
                    .expect("create the test database");
                let url = database::url_with_database_name(&server_url, &name)
                    .expect("TEST_DATABASE_URL is a URL");
                (url, Cleanup::Database { server_url, name })
            }
        };
        let mut config = Config::for_database(url);
        config.database_max_connections = 5;
        config.limits = limits.clone();
        let mut db = database::connect_and_migrate(&config)
            .await
            .expect("migrate");
        if seeded {
            assert!(seed::load_if_empty(&db).await.expect("seed"), "seed loaded");
        }
        let statements = Arc::new(AtomicUsize::new(0));
        let counter = statements.clone();
        db.set_metric_callback(move |info| {
            if std::env::var_os("PRINT_SQL").is_some() {
                eprintln!("SQL {}", info.statement.sql);
            }
            counter.fetch_add(1, Ordering::SeqCst);
            vestegn_api::telemetry::request::statement_ran();
        });
        let router = build_app(AppState::new(
            AppDatabase::ready(db.clone()),
            limits,
            &AuthConfig::default(),
        ));
        Self {
            backend,
            db,
            router,
            statements,
            cleanup,
        }
    }

    /// What to remove once the app is done with (its PostgreSQL database).
    pub fn cleanup_handle(&self) -> CleanupHandle {
        CleanupHandle(match &self.cleanup {
            Cleanup::Database { server_url, name } => Some((server_url.clone(), name.clone())),
            Cleanup::File(_) => None,
        })
    }

    /// The real router over this app's database, checking tokens as `auth` says.
    pub fn router_with_auth(&self, auth: &AuthConfig) -> Router {
        self.router_with(auth, Limits::default())
    }

    /// The real router over this app's database, with `auth` and `limits`.
    pub fn router_with(&self, auth: &AuthConfig, limits: Limits) -> Router {
        build_app(AppState::new(
            AppDatabase::ready(self.db.clone()),
            limits,
            auth,
        ))
    }

    /// The real router over this app's database, serving the web front end built in `web_dir`
    /// and checking tokens as `auth` says.
    pub fn router_with_web(&self, auth: &AuthConfig, web_dir: &std::path::Path) -> Router {
        build_app(
            AppState::new(AppDatabase::ready(self.db.clone()), Limits::default(), auth)
                .with_web_dir(web_dir),
        )
    }

    /// SQL statements run since the counter was last reset.
    pub fn statements(&self) -> usize {
        self.statements.load(Ordering::SeqCst)
    }

    pub fn reset_statements(&self) {
        self.statements.store(0, Ordering::SeqCst);
    }

    /// Sends a request through the real router.
    pub async fn send(&self, request: Request<Body>) -> (StatusCode, HeaderMap, String) {
        let (status, headers, bytes) = self.send_for_bytes(request).await;
        (
            status,
            headers,
            String::from_utf8_lossy(&bytes).into_owned(),
        )
    }

    /// Like [`send`](Self::send), the body as the bytes sent (compressed ones too).
    pub async fn send_for_bytes(&self, request: Request<Body>) -> (StatusCode, HeaderMap, Vec<u8>) {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        (status, headers, bytes.to_vec())
    }

    /// POSTs a GraphQL request (as `application/json`, accepting the new response type).
    pub async fn post(&self, query: &str, variables: Value) -> (StatusCode, Value) {
        let body = json!({ "query": query, "variables": variables }).to_string();
        let request = Request::post("/graphql")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT, "application/graphql-response+json")
            .body(Body::from(body))
            .expect("request");
        let (status, _, body) = self.send(request).await;
        (
            status,
            serde_json::from_str(&body).unwrap_or(Value::String(body)),
        )
    }

    /// Runs a query that must succeed and returns its `data`.
    pub async fn query(&self, query: &str, variables: Value) -> Value {
        let (status, body) = self.post(query, variables).await;
        assert_eq!(status, StatusCode::OK, "{}: {body:#}", self.label());
        assert!(
            body.get("errors").is_none(),
            "{}: errors: {body:#}",
            self.label()
        );
        body["data"].clone()
    }

    /// Runs a query that must fail and returns its first error.
    pub async fn query_error(&self, query: &str, variables: Value) -> Value {
        let (_, body) = self.post(query, variables).await;
        body["errors"][0].clone()
    }

    /// Runs a query as `caller` (bypassing HTTP, which is anonymous until authentication lands).
    pub async fn query_as(&self, caller: Caller, query: &str) -> Value {
        let limits = Limits::default();
        let schema = graphql::build_schema(&limits);
        let store = Store::new(self.db.clone(), caller);
        let request = async_graphql::Request::new(query);
        let response = graphql::execute(&schema, request, store).await;
        assert!(
            response.errors.is_empty(),
            "{}: {:?}",
            self.label(),
            response.errors
        );
        response.data.into_json().expect("json")
    }

    /// Names the backend in assertion messages.
    pub fn label(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A server of the test's own on a loopback port, run by the real server loop.
pub struct RunningServer {
    pub address: std::net::SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    pub stopped: tokio::task::JoinHandle<()>,
}

impl RunningServer {
    /// Serves `app` with `limits` (header-read timeout, shutdown grace) on a free port.
    pub async fn start(app: Router, limits: Limits) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        let address = listener.local_addr().expect("local address");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let stopped = tokio::spawn(async move {
            vestegn_api::http::server::serve(listener, app, &limits, async {
                let _ = stopped.await;
            })
            .await;
        });
        Self {
            address,
            stop: Some(stop),
            stopped,
        }
    }

    /// Starts the graceful shutdown; await `stopped` for its end.
    pub fn shut_down(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }

    /// Sends one HTTP/1.1 request (`Connection: close`) and returns status, headers and body.
    pub async fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<&str>,
    ) -> (u16, String, String) {
        raw_request(self.address, method, path, body).await
    }
}

/// One HTTP/1.1 request over a fresh connection: status, header section and body.
pub async fn raw_request(
    address: std::net::SocketAddr,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> (u16, String, String) {
    use tokio::io::AsyncWriteExt;
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    let body = body.unwrap_or_default();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nhost: test\r\nconnection: close\r\naccept: application/json\r\n\
         content-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    stream
        .write_all(format!("{head}{body}").as_bytes())
        .await
        .expect("send");
    read_response(&mut stream).await
}

/// Reads an HTTP/1.1 answer to the end of the connection: status (0 when there is none), header
/// section and body.
pub async fn read_response(stream: &mut tokio::net::TcpStream) -> (u16, String, String) {
    use tokio::io::AsyncReadExt;
    let mut response = Vec::new();
    // A connection the server closes early still answers what it sent before.
    let _ = stream.read_to_end(&mut response).await;
    let response = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = response
        .split_once("\r\n\r\n")
        .unwrap_or((response.as_str(), ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    (status, head.to_owned(), body.to_owned())
}

/// A fragment bomb: `n` fragments, each spreading the next one twice (2^n fields once expanded).
pub fn fragment_bomb(n: usize) -> String {
    let mut document = String::from("query { ...F0 }\n");
    for i in 0..n {
        document.push_str(&format!(
            "fragment F{i} on Query {{ ...F{} ...F{} }}\n",
            i + 1,
            i + 1
        ));
    }
    document + &format!("fragment F{n} on Query {{ __typename }}\n")
}
