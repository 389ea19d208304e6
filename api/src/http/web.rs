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
    extract::{Path as UrlPath, State},
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};

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

    /// A file under `assets/`, by its path below it.
    async fn asset(&self, path: &str) -> Response {
        let Some(relative) = asset_path(path) else {
            return error_response(&ApiError::RouteNotFound, ResponseType::Json);
        };
        let file = self.dir.join("assets").join(relative);
        match read(file.clone()).await {
            Ok(bytes) => (
                [
                    (
                        header::CONTENT_TYPE,
                        HeaderValue::from_static(content_type(path)),
                    ),
                    (header::CACHE_CONTROL, IMMUTABLE),
                ],
                bytes,
            )
                .into_response(),
            // Also a directory's name: nothing but files is served.
            Err(err) if matches!(err.kind(), ErrorKind::NotFound | ErrorKind::IsADirectory) => {
                error_response(&ApiError::RouteNotFound, ResponseType::Json)
            }
            Err(err) => error_response(
                &ApiError::Internal(
                    anyhow::Error::new(err)
                        .context(format!("cannot read the asset {}", file.display())),
                ),
                ResponseType::Json,
            ),
        }
    }
}

/// `GET /`: the comparison page.
pub async fn comparison_page(State(state): State<AppState>) -> Response {
    state.web.page(Page::Comparison).await
}

/// `GET /assets/{*path}`: the build's hashed scripts, styles, fonts and workers.
pub async fn asset(State(state): State<AppState>, UrlPath(path): UrlPath<String>) -> Response {
    state.web.asset(&path).await
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

/// The path below `assets/` if every segment is a plain file or folder name: letters, digits,
/// `_`, `-` and dots, not starting with a dot. That leaves out `..`, hidden files, absolute
/// paths and backslashes, so a request can never leave the directory, whatever its encoding
/// (the router has decoded `%2e%2e%2f` to `../` by now).
fn asset_path(path: &str) -> Option<&Path> {
    let plain = |segment: &str| {
        !segment.is_empty()
            && !segment.starts_with('.')
            && segment
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    };
    path.split('/').all(plain).then(|| Path::new(path))
}

/// The media type of a build file, by its extension.
fn content_type(path: &str) -> &'static str {
    let extension = path.rsplit_once('.').map(|(_, extension)| extension);
    match extension.unwrap_or_default() {
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "html" => "text/html; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        "wasm" => "application/wasm",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
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
    use super::{asset_path, content_security_policy, content_type};

    #[test]
    fn asset_paths_stay_inside_the_directory() {
        assert!(asset_path("index-B1a_x-9.js").is_some());
        assert!(asset_path("fonts/codicon-Dx3.ttf").is_some());
        for bad in [
            "",
            "..",
            "../index.html",
            "a/../../etc/passwd",
            "/etc/passwd",
            ".env",
            "a//b",
            "a\\..\\b",
            "a b.js",
            "a%2e.js",
        ] {
            assert!(asset_path(bad).is_none(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn content_types_by_extension() {
        assert_eq!(content_type("a.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("a.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("a.ttf"), "font/ttf");
        assert_eq!(content_type("a"), "application/octet-stream");
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
