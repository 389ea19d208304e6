//! The server loop: HTTP/1.1 connections with a header-read timeout, at most
//! `MAX_CONNECTIONS_PER_CLIENT` open connections per client address (an IPv6 address by its /64;
//! trusted proxies exempt), and a graceful shutdown that drains in-flight requests for a bounded
//! time, then returns. Each request carries its connection's peer address (`ConnectInfo`), for
//! the rate limit.
//!
//! A client that disconnects mid-request closes its connection, and hyper then drops the
//! request's future, so its work stops at the next await (its database statements still finish).

use std::{
    collections::HashMap,
    future::Future,
    net::{IpAddr, SocketAddr},
    sync::{Arc, Mutex, PoisonError},
};

use axum::{extract::ConnectInfo, Router};
use hyper::{body::Incoming, server::conn::http1, Request};
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    server::graceful::GracefulShutdown,
    service::TowerToHyperService,
};
use tokio::net::TcpListener;
use tower::ServiceExt;

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
    let open = OpenConnections::default();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(accepted) => accepted,
                    Err(err) => {
                        // Out of file descriptors and the like: pause rather than spin.
                        tracing::warn!(error = %err, "cannot accept a connection");
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let counted = if limits.is_trusted_proxy(peer.ip().to_canonical()) {
                    None
                } else {
                    let client = super::rate_limit::subscriber(peer.ip());
                    match open.admit(client, limits.max_connections_per_client) {
                        Some(counted) => Some(counted),
                        None => {
                            // Dropping the stream closes it: nothing is read from it.
                            tracing::debug!(client.address = %client, "too many connections from one client");
                            continue;
                        }
                    }
                };
                let service = app.clone().map_request(move |mut request: Request<Incoming>| {
                    request.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
                    request
                });
                let service = TowerToHyperService::new(service);
                let connection = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
                tokio::spawn(async move {
                    if let Err(err) = connection.await {
                        tracing::debug!(error = %err, "connection ended with an error");
                    }
                    drop(counted);
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

/// Open connections per client address, on this replica.
#[derive(Clone, Default)]
struct OpenConnections(Arc<Mutex<HashMap<IpAddr, usize>>>);

/// One counted connection; uncounted when dropped (when the connection ends).
struct Counted {
    open: OpenConnections,
    client: IpAddr,
}

impl OpenConnections {
    /// Counts a new connection from `client`, unless it already has `max` open (0: no cap).
    fn admit(&self, client: IpAddr, max: usize) -> Option<Counted> {
        let mut open = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let count = open.entry(client).or_default();
        if max > 0 && *count >= max {
            return None;
        }
        *count += 1;
        Some(Counted {
            open: self.clone(),
            client,
        })
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        let mut open = self.open.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = open.get_mut(&self.client) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.client);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::OpenConnections;

    #[test]
    fn connections_are_capped_per_client_and_released() {
        let open = OpenConnections::default();
        let a = "10.0.0.1".parse().expect("address");
        let b = "10.0.0.2".parse().expect("address");
        let first = open.admit(a, 2);
        let second = open.admit(a, 2);
        assert!(first.is_some() && second.is_some());
        assert!(open.admit(a, 2).is_none());
        assert!(open.admit(b, 2).is_some(), "per address");
        drop(first);
        assert!(
            open.admit(a, 2).is_some(),
            "released when a connection ends"
        );
        assert!(open.admit(a, 0).is_some(), "0: no cap");
    }
}
