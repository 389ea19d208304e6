//! The web front end as the server serves it, through the real router over a build of the test's
//! own (a few files in a temporary directory): content types, caching, the Content-Security-Policy,
//! what `/` answers before a build, and no way out of the directory. The pages themselves are
//! tested in a real browser (tests/browser).

use std::path::{Path, PathBuf};

use axum::{
    body::Body,
    http::{header, HeaderMap, Request, StatusCode},
    Router,
};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;
use vestegn_api::config::{AuthConfig, Limits};
use vestegn_tests::{Backend, TestApp};

/// A build in a fresh directory: two pages and some assets, and a secret beside them that must
/// never be served.
struct Build {
    root: PathBuf,
    dist: PathBuf,
}

impl Build {
    fn new() -> Self {
        let root = std::env::temp_dir().join(format!(
            "vestegn-web-test-{}",
            uuid::Uuid::new_v4().simple()
        ));
        let dist = root.join("dist");
        let files: [(&str, &str); 8] = [
            ("index.html", "<!doctype html><title>Sammenligning</title>"),
            ("graphiql.html", "<!doctype html><title>GraphiQL</title>"),
            ("assets/index-B1a_x9.js", "console.log('page')"),
            ("assets/index-C2b.css", "body{}"),
            ("assets/codicon-D3c.ttf", "font"),
            ("assets/sub/worker-E4d.js", "self.onmessage=null"),
            // Stand-ins for the build's compressed siblings: served as they are.
            ("assets/index-B1a_x9.js.br", "BROTLI-BYTES"),
            ("assets/index-B1a_x9.js.gz", "GZIP-BYTES"),
        ];
        for (path, content) in files {
            let path = dist.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, content).unwrap();
        }
        std::fs::write(dist.join("assets/big-G6f.js"), "let x = 1;\n".repeat(200)).unwrap();
        std::fs::write(dist.join("secret.txt"), "SECRET-IN-DIST").unwrap();
        std::fs::write(root.join("secret.txt"), "SECRET-OUTSIDE").unwrap();
        std::fs::write(dist.join("assets/.env"), "SECRET-HIDDEN").unwrap();
        Self { root, dist }
    }
}

impl Drop for Build {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

async fn app() -> TestApp {
    TestApp::start(Backend::Sqlite, Limits::default(), true).await
}

async fn send(router: &Router, path: &str, accept: &str) -> (StatusCode, HeaderMap, String) {
    send_accepting(router, path, accept, None).await
}

async fn send_accepting(
    router: &Router,
    path: &str,
    accept: &str,
    accept_encoding: Option<&str>,
) -> (StatusCode, HeaderMap, String) {
    let mut request = Request::get(path).header(header::ACCEPT, accept);
    if let Some(encodings) = accept_encoding {
        request = request.header(header::ACCEPT_ENCODING, encodings);
    }
    let request = request.body(Body::empty()).unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .map(|value| value.to_str().unwrap())
        .unwrap_or_else(|| panic!("no {name} header in {headers:?}"))
}

/// Every source a policy allows: the server's own origin, and only `extra` besides.
fn assert_no_third_party_origin(policy: &str, extra: &[&str]) {
    for directive in policy.split(';').map(str::trim).filter(|d| !d.is_empty()) {
        let mut parts = directive.split_whitespace();
        let name = parts.next().unwrap();
        for source in parts {
            let allowed = ["'self'", "'none'", "'unsafe-inline'"].contains(&source)
                || (source == "data:" && (name == "img-src" || name == "font-src"))
                || extra.contains(&source);
            assert!(allowed, "{name} allows {source}: {policy}");
        }
    }
    for needed in [
        "default-src 'self'",
        "script-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ] {
        assert!(policy.contains(needed), "{needed} missing: {policy}");
    }
}

fn assert_page_headers(headers: &HeaderMap) {
    assert_eq!(header(headers, "content-type"), "text/html; charset=utf-8");
    assert_eq!(header(headers, "cache-control"), "no-cache");
    assert_eq!(header(headers, "x-content-type-options"), "nosniff");
    assert_eq!(header(headers, "referrer-policy"), "no-referrer");
    assert_no_third_party_origin(header(headers, "content-security-policy"), &[]);
}

#[tokio::test]
async fn serves_the_pages_and_assets_with_their_types_caching_and_policy() {
    let app = app().await;
    let build = Build::new();
    let router = app.router_with_web(&AuthConfig::default(), &build.dist);

    let (status, headers, body) = send(&router, "/", "text/html").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "<!doctype html><title>Sammenligning</title>");
    assert_page_headers(&headers);

    // Browsers get the bundled GraphiQL on /graphql; no CDN page.
    let (status, headers, body) =
        send(&router, "/graphql", "text/html,application/xhtml+xml").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "<!doctype html><title>GraphiQL</title>");
    assert_page_headers(&headers);

    for (path, content_type) in [
        ("/assets/index-B1a_x9.js", "text/javascript; charset=utf-8"),
        ("/assets/index-C2b.css", "text/css; charset=utf-8"),
        ("/assets/codicon-D3c.ttf", "font/ttf"),
        (
            "/assets/sub/worker-E4d.js",
            "text/javascript; charset=utf-8",
        ),
    ] {
        let (status, headers, _) = send(&router, path, "*/*").await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(header(&headers, "content-type"), content_type, "{path}");
        assert_eq!(
            header(&headers, "cache-control"),
            "public, max-age=31536000, immutable",
            "{path}"
        );
        assert_eq!(header(&headers, "x-content-type-options"), "nosniff");
    }

    let (status, headers, body) = send(&router, "/assets/missing-F5e.js", "*/*").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(header(&headers, "content-type").starts_with("application/json"));
    assert!(body.contains("ROUTE_NOT_FOUND"), "{body}");
}

#[tokio::test]
async fn assets_compressed_at_build_time_are_sent_to_clients_that_accept_them() {
    let app = app().await;
    let build = Build::new();
    let router = app.router_with_web(&AuthConfig::default(), &build.dist);
    let path = "/assets/index-B1a_x9.js";
    for (accept_encoding, encoding, body) in [
        (Some("gzip, deflate, br"), Some("br"), "BROTLI-BYTES"),
        (Some("gzip"), Some("gzip"), "GZIP-BYTES"),
        (Some("identity"), None, "console.log('page')"),
        (None, None, "console.log('page')"),
    ] {
        let (status, headers, sent) = send_accepting(&router, path, "*/*", accept_encoding).await;
        assert_eq!(status, StatusCode::OK, "{accept_encoding:?}");
        assert_eq!(
            headers
                .get(header::CONTENT_ENCODING)
                .map(|value| value.to_str().unwrap()),
            encoding,
            "{accept_encoding:?}"
        );
        // The sibling as built: not compressed again on the way out.
        assert_eq!(sent, body, "{accept_encoding:?}");
        assert_eq!(
            header(&headers, "content-type"),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(
            header(&headers, "cache-control"),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(
            headers.get_all(header::VARY).iter().collect::<Vec<_>>(),
            ["accept-encoding"],
            "{accept_encoding:?}"
        );
    }
    // A file with no sibling is compressed on the way out, and says so once.
    let (_, headers, _) = send_accepting(&router, "/assets/big-G6f.js", "*/*", Some("gzip")).await;
    assert_eq!(header(&headers, "content-encoding"), "gzip");
    assert_eq!(
        headers.get_all(header::VARY).iter().collect::<Vec<_>>(),
        ["accept-encoding"]
    );
}

#[tokio::test]
async fn programs_get_graphql_on_get_as_before() {
    let app = app().await;
    let build = Build::new();
    let router = app.router_with_web(&AuthConfig::default(), &build.dist);
    for accept in [
        "application/json",
        "application/graphql-response+json",
        "*/*",
    ] {
        let (status, headers, body) =
            send(&router, "/graphql?query=%7B__typename%7D", accept).await;
        assert_eq!(status, StatusCode::OK, "{accept}");
        assert!(!header(&headers, "content-type").starts_with("text/html"));
        let body: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["data"]["__typename"], "Query");
    }
    // Without a query, a program gets the spec's error, not a page.
    let (status, _, body) = send(&router, "/graphql", "application/json").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("BAD_REQUEST"), "{body}");
}

#[tokio::test]
async fn without_a_build_the_pages_say_how_to_make_one() {
    let app = app().await;
    let missing = Path::new("/nonexistent/vestegn-web-dist");
    let router = app.router_with_web(&AuthConfig::default(), missing);
    for (path, name) in [("/", "Sammenligning"), ("/graphql", "GraphiQL")] {
        let (status, headers, body) = send(&router, path, "text/html").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{path}");
        assert_page_headers(&headers);
        assert!(body.contains(name), "{path}: {body}");
        assert!(
            body.contains("npm --prefix web ci &amp;&amp; npm --prefix web run build"),
            "{path}: {body}"
        );
        assert!(body.contains("/nonexistent/vestegn-web-dist/"), "{body}");
    }
}

#[tokio::test]
async fn no_request_leaves_the_assets_directory() {
    let app = app().await;
    let build = Build::new();
    let router = app.router_with_web(&AuthConfig::default(), &build.dist);
    for path in [
        "/assets/../secret.txt",
        "/assets/../../secret.txt",
        "/assets/%2e%2e/secret.txt",
        "/assets/%2E%2E%2Fsecret.txt",
        "/assets/..%2f..%2fsecret.txt",
        "/assets/sub/..%2f..%2fsecret.txt",
        "/assets/%2fetc%2fpasswd",
        "/assets//etc/passwd",
        "/assets/..%5csecret.txt",
        "/assets/.env",
        "/assets/sub",
        "/assets/sub/",
        "/assets/",
        "/assets/%00.js",
        "/secret.txt",
        "/index.html/../secret.txt",
    ] {
        let (status, _, body) = send(&router, path, "*/*").await;
        assert!(
            status == StatusCode::NOT_FOUND || status == StatusCode::BAD_REQUEST,
            "{path}: {status}"
        );
        assert!(!body.contains("SECRET"), "{path} leaked: {body}");
    }
}

#[tokio::test]
async fn the_schema_tells_clients_how_to_sign_in_and_the_policy_allows_the_issuer() {
    let app = app().await;
    let build = Build::new();
    let query = "{ signIn { issuer publicClientId developmentTokens } }";

    // Anonymous only: nothing to sign in with.
    let data = app.query(query, json!({})).await;
    assert_eq!(
        data["signIn"],
        json!({ "issuer": null, "publicClientId": null, "developmentTokens": false })
    );

    let auth = AuthConfig {
        issuer: Some("https://login.example.dk/realms/vestegn".to_owned()),
        public_client_id: Some("vestegn-web".to_owned()),
        dev_auth: true,
        ..AuthConfig::default()
    };
    let router = app.router_with_web(&auth, &build.dist);
    let request = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(json!({ "query": query }).to_string()))
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        body["data"]["signIn"],
        json!({
            "issuer": "https://login.example.dk/realms/vestegn",
            "publicClientId": "vestegn-web",
            "developmentTokens": true,
        })
    );

    // The page exchanges the code at the issuer: its origin, and only it, may be connected to.
    let (_, headers, _) = send(&router, "/", "text/html").await;
    let policy = header(&headers, "content-security-policy");
    assert!(
        policy.contains("connect-src 'self' https://login.example.dk;"),
        "{policy}"
    );
    assert_no_third_party_origin(policy, &["https://login.example.dk"]);
}
