//! The web front end: the comparison page on `/` and GraphiQL on `GET /graphql` for browsers,
//! both built by `npm --prefix web run build` into the web directory (`--web-dir`) and served
//! from there, with their hashed assets under `/assets/`.
//!
//! The pages are clients of the public schema like any other; this module only serves files.
//! Every HTML page gets a Content-Security-Policy that allows no third-party origin (the
//! configured OpenID issuer excepted, which the page asks for tokens), so the pages work on a
//! closed network and an injected script cannot send data anywhere. Without a build, the routes
//! answer a page that says how to make one.

use std::{
    io::ErrorKind,
    path::{Path, PathBuf},
    sync::Arc,
};

use axum::{
    extract::{Request, State},
    http::{header, HeaderValue, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get_service,
    Router,
};
use percent_encoding::percent_decode_str;
use tower_http::services::ServeDir;

use super::{error_response, AppState, ResponseType};
use crate::error::ApiError;

/// The built front end on disk, and the policy its pages are served with.
#[derive(Debug, Clone)]
pub struct WebAssets {
    dir: Arc<PathBuf>,
    content_security_policy: HeaderValue,
}

/// The pages of the build.
#[derive(Debug, Clone, Copy)]
pub enum Page {
    /// The comparison page (`index.html`), on `/`.
    Comparison,
    /// GraphiQL (`graphiql.html`), on `GET /graphql` for browsers.
    Graphiql,
}

impl Page {
    fn file(self) -> &'static str {
        match self {
            Self::Comparison => "index.html",
            Self::Graphiql => "graphiql.html",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Self::Comparison => "Sammenligning af SSP-organisering",
            Self::Graphiql => "GraphiQL",
        }
    }
}

/// Hashed assets never change under their name: a browser may keep them for a year.
const IMMUTABLE: HeaderValue = HeaderValue::from_static("public, max-age=31536000, immutable");
/// Pages name the current assets: a browser must ask again each time.
const NO_CACHE: HeaderValue = HeaderValue::from_static("no-cache");

impl WebAssets {
    /// The build in `dir`; `issuer` is the OpenID issuer the pages may fetch tokens from.
    pub fn new(dir: impl Into<PathBuf>, issuer: Option<&str>) -> Self {
        Self {
            dir: Arc::new(dir.into()),
            content_security_policy: content_security_policy(issuer),
        }
    }

    /// A page of the build, or the page that says how to build it.
    pub async fn page(&self, page: Page) -> Response {
        let path = self.dir.join(page.file());
        match read(path.clone()).await {
            Ok(html) => self.html(StatusCode::OK, html),
            Err(err) if err.kind() == ErrorKind::NotFound => self.html(
                StatusCode::SERVICE_UNAVAILABLE,
                not_built(page, &path).into_bytes(),
            ),
            Err(err) => error_response(
                &ApiError::Internal(
                    anyhow::Error::new(err)
                        .context(format!("cannot read the web page {}", path.display())),
                ),
                ResponseType::Json,
            ),
        }
    }

    fn html(&self, status: StatusCode, body: Vec<u8>) -> Response {
        (
            status,
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                ),
                (header::CACHE_CONTROL, NO_CACHE),
                (
                    header::CONTENT_SECURITY_POLICY,
                    self.content_security_policy.clone(),
                ),
                // The sign-in brings an authorization code back in the page's URL.
                (
                    header::REFERRER_POLICY,
                    HeaderValue::from_static("no-referrer"),
                ),
                (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
            ],
            body,
        )
            .into_response()
    }

    /// `/assets/…`: the build's hashed files, served by tower-http's `ServeDir` (which keeps
    /// requests inside the directory, types files by their extension, answers conditional and
    /// range requests, and sends the build's `.br` and `.gz` siblings, compressed once at build
    /// time at the highest levels, to clients that accept them). Around it: hidden files
    /// (`.env`) and directories are not served, every refusal is the API's JSON, and what is
    /// served may be cached for a year. A file without a sibling is compressed on the fly like
    /// any answer.
    pub fn assets(&self) -> Router {
        let files = ServeDir::new(self.dir.join("assets"))
            .append_index_html_on_directories(false)
            .precompressed_br()
            .precompressed_gzip();
        Router::new()
            .fallback_service(get_service(files))
            .layer(middleware::from_fn(asset_answer))
    }
}

/// See [`WebAssets::assets`].
async fn asset_answer(request: Request, next: Next) -> Response {
    if !plain_path(request.uri().path()) {
        return error_response(&ApiError::RouteNotFound, ResponseType::Json);
    }
    let mut response = next.run(request).await;
    let status = response.status();
    if status.is_success() || status == StatusCode::NOT_MODIFIED {
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, IMMUTABLE);
        // Which file is sent depends on Accept-Encoding (a compressed sibling or not): caches
        // must keep one copy per encoding.
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        // The build writes UTF-8; say so for text (ServeDir gives the bare type).
        let utf8 = headers
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .filter(|value| value.starts_with("text/") && !value.contains("charset"))
            .and_then(|value| HeaderValue::from_str(&format!("{value}; charset=utf-8")).ok());
        if let Some(value) = utf8 {
            headers.insert(header::CONTENT_TYPE, value);
        }
        response
    } else if status == StatusCode::NOT_FOUND {
        error_response(&ApiError::RouteNotFound, ResponseType::Json)
    } else {
        response
    }
}

/// Whether every segment of the (percent-decoded) path is a name that does not start with a dot:
/// no hidden files, no empty segments.
fn plain_path(path: &str) -> bool {
    let Ok(decoded) = percent_decode_str(path.trim_start_matches('/')).decode_utf8() else {
        return false;
    };
    decoded
        .split(['/', '\\'])
        .all(|segment| !segment.is_empty() && !segment.starts_with('.') && !segment.contains('\0'))
}

/// `GET /`: the comparison page.
pub async fn comparison_page(State(state): State<AppState>) -> Response {
    state.web.page(Page::Comparison).await
}

/// Reads a whole file off the async runtime's threads (the files are a few MB at most).
async fn read(path: PathBuf) -> std::io::Result<Vec<u8>> {
    tokio::task::spawn_blocking(move || {
        if path.is_dir() {
            return Err(std::io::Error::from(ErrorKind::IsADirectory));
        }
        std::fs::read(path)
    })
    .await
    .map_err(std::io::Error::other)?
}

/// Only the server's own origin, and the issuer's for the token exchange. Styles may be inline
/// (the GraphiQL editor, Monaco, writes its styles at run time), and images and fonts may be
/// `data:` URLs (GraphiQL's stylesheet embeds its fonts so); scripts may only be the server's
/// own files.
fn content_security_policy(issuer: Option<&str>) -> HeaderValue {
    let issuer_origin = issuer
        .and_then(|issuer| reqwest::Url::parse(issuer).ok())
        .map(|url| url.origin().ascii_serialization())
        .filter(|origin| origin != "null");
    let connect = match issuer_origin {
        Some(origin) => format!("'self' {origin}"),
        None => "'self'".to_owned(),
    };
    let policy = format!(
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data:; font-src 'self' data:; connect-src {connect}; worker-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    );
    HeaderValue::from_str(&policy).unwrap_or_else(|_| {
        // An issuer origin is ASCII by construction; this is only the compiler's worry.
        HeaderValue::from_static("default-src 'self'; frame-ancestors 'none'")
    })
}

/// What a newcomer sees before the front end is built.
fn not_built(page: Page, path: &Path) -> String {
    let title = page.title();
    let path = escape(&path.display().to_string());
    format!(
        r#"<!doctype html>
<html lang="da">
<head><meta charset="utf-8"><title>{title}: ikke bygget</title></head>
<body>
<main>
<h1>{title} er ikke bygget</h1>
<p>Serveren finder ikke <code>{path}</code>. Byg web-siderne fra projektets rodmappe, og start
serveren igen:</p>
<pre>npm --prefix web ci &amp;&amp; npm --prefix web run build &amp;&amp; cargo run</pre>
<p>(The web front end is not built: run the command above from the repository root, or point
<code>--web-dir</code> / <code>WEB_DIR</code> at a build.) The GraphQL API itself answers on
<code>POST /graphql</code>.</p>
</main>
</body>
</html>
"#
    )
}

/// Text for HTML.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::{content_security_policy, plain_path};

    #[test]
    fn hidden_files_and_empty_segments_are_not_plain() {
        assert!(plain_path("/index-B1a_x-9.js"));
        assert!(plain_path("/fonts/codicon-Dx3.ttf"));
        for hidden in [
            "/.env",
            "/%2eenv",
            "/a//b",
            "/a/",
            "/",
            "/..",
            "/a%5c..%5cb",
            "/%00.js",
        ] {
            assert!(!plain_path(hidden), "{hidden:?} must be refused");
        }
    }

    #[test]
    fn the_policy_names_only_the_issuer_besides_self() {
        let policy = content_security_policy(Some("https://login.example.dk/realms/vestegn"));
        let policy = policy.to_str().unwrap_or_default();
        assert!(policy.contains("connect-src 'self' https://login.example.dk;"));
        let policy = content_security_policy(None);
        assert!(policy
            .to_str()
            .unwrap_or_default()
            .contains("connect-src 'self';"));
    }
}
