//! The server loop: HTTP/1.1 connections with a header-read timeout, and a graceful shutdown that
//! drains in-flight requests for a bounded time, then returns.
//!
//! A client that disconnects mid-request closes its connection, and hyper then drops the
//! request's future, so its work stops at the next await (its database statements still finish).

use std::future::Future;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    server::graceful::GracefulShutdown,
    service::TowerToHyperService,
};
use tokio::net::TcpListener;

use crate::config::Limits;

/// Header lines hyper accepts before answering 431 itself (with an empty body); the configured
/// `max_header_bytes` is enforced below this, with a GraphQL-shaped 431.
const MAX_HEADER_LINES: usize = 1_000;

/// Serves `app` on `listener` until `shutdown` resolves, then stops accepting, gives in-flight
/// requests `limits.shutdown_grace()` to finish, and returns.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: &Limits,
    shutdown: impl Future<Output = ()>,
) {
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout())
        .max_headers(MAX_HEADER_LINES)
        // Room for the configured limits, so that our own layers answer when they are exceeded.
        .max_buf_size((limits.max_uri_bytes + limits.max_header_bytes).max(8192) * 4);
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(err) => {
                        // Out of file descriptors and the like: pause rather than spin.
                        tracing::warn!(error = %err, "cannot accept a connection");
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let service = TowerToHyperService::new(app.clone());
                let connection = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
                tokio::spawn(async move {
                    if let Err(err) = connection.await {
                        tracing::debug!(error = %err, "connection ended with an error");
                    }
                });
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    let grace = limits.shutdown_grace();
    tokio::select! {
        () = graceful.shutdown() => tracing::info!("all connections drained"),
        () = tokio::time::sleep(grace) => {
            tracing::warn!("connections still open after {grace:?}; exiting anyway");
        }
    }
}
