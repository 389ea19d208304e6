//! The request's caller, built once for the model's routes (`/graphql`, `/models/{code}`), in an
//! order that keeps what a stranger can make the server do small — who first, then what:
//!
//! 1. the client's address: the TCP peer, or what `X-Forwarded-For` says when the peer is a
//!    trusted proxy (`TRUSTED_PROXIES`);
//! 2. an opaque (non-JWT) bearer token whose verdict is not cached costs the address
//!    [`OPAQUE_TOKEN_COST`] points before the identity provider is asked about it, so random
//!    strings cannot make the server call the provider at will (a cached verdict costs nothing);
//! 3. the token → the principal;
//! 4. the route's up-front cost from the caller's budget ([`super::rate_limit`]): 429 when spent;
//! 5. the route's own check, which reads nothing stored (an import: an editor or admin of that
//!    municipality);
//! 6. the body, under its own deadline and minimum rate ([`super::body`]);
//! 7. a concurrency permit (503 `OVERLOADED` when none is free), held until the answer;
//! 8. the store, whose caller is resolved against the database (the municipality's peers).
//!
//! The handler spends the rest of the request's cost once it knows it ([`Admitted::spend`]) and
//! sends the budget's headers with its answer ([`Admitted::answer`]); a refusal here carries them
//! too.

use std::{
    future::Future,
    marker::PhantomData,
    net::{IpAddr, SocketAddr},
    sync::Arc,
};

use axum::{
    body::Bytes,
    extract::{ConnectInfo, FromRequest, Request},
    http::{request::Parts, HeaderName, HeaderValue},
    response::Response,
};
use tokio::sync::OwnedSemaphorePermit;

use super::{
    body, error_response,
    negotiation::ResponseType,
    rate_limit::{BudgetKey, RateLimit, Remaining},
    AppState,
};
use crate::{
    config::Limits,
    error::ApiError,
    service::{Caller, Principal, Store},
};

/// The budget's size, in points.
pub const LIMIT_HEADER: HeaderName = HeaderName::from_static("x-ratelimit-limit");
/// What is left of the caller's budget after this request, in points.
pub const REMAINING_HEADER: HeaderName = HeaderName::from_static("x-ratelimit-remaining");

/// Points an opaque bearer token costs its sender's address when the identity provider is asked
/// about it (a verdict not cached; besides what the request then costs its principal): with the
/// default budget, at most 400 lookups a minute per address.
pub const OPAQUE_TOKEN_COST: u64 = 500;

/// What a route asks of a request before its handler runs.
pub trait Route {
    /// Points spent before the body is read (at least one).
    const UP_FRONT_COST: u64;

    /// The largest body the route accepts.
    fn max_body_bytes(limits: &Limits) -> usize;

    /// Whether the route's answers may come from the response cache: then the data's version is
    /// read before the caller's visibility (see [`Admitted::data_version`]).
    const CACHED: bool = false;

    /// Whether the principal may make this request at all, decided without reading stored data.
    fn authorize(
        principal: &Principal,
        parts: &mut Parts,
        state: &AppState,
    ) -> impl Future<Output = Result<(), ApiError>> + Send;
}

/// A request admitted to a route `R`: its caller known and within budget, its body read, a
/// concurrency permit held.
pub struct Admitted<R> {
    pub body: Bytes,
    pub store: Store,
    /// The data's version, read before the caller's visibility was (the peers a municipality
    /// sees are data too) and before anything the request reads: what the request reads is at
    /// least that new, so an answer may be cached under it. `None` when the route is not cached
    /// or the cache is off.
    pub data_version: Option<i64>,
    rate_limit: Arc<RateLimit>,
    key: BudgetKey,
    /// Points the request has spent so far.
    spent: u64,
    remaining: Option<Remaining>,
    _permit: OwnedSemaphorePermit,
    _route: PhantomData<fn() -> R>,
}

impl<R> Admitted<R> {
    /// Brings what the request has spent from the caller's budget up to `cost`, its whole cost
    /// now that it is known (never more than a full budget, so that any request can run on one).
    pub fn spend(&mut self, cost: u64) -> Result<(), ApiError> {
        let cost = cost
            .min(self.rate_limit.capacity())
            .saturating_sub(self.spent);
        if cost == 0 {
            return Ok(());
        }
        match charge(&self.rate_limit, &self.key, cost) {
            Ok(remaining) => {
                self.spent += cost;
                self.remaining = remaining;
                Ok(())
            }
            Err((error, remaining)) => {
                self.remaining = remaining;
                Err(error)
            }
        }
    }

    /// The handler's answer, with the budget's headers.
    pub fn answer(&self, response: Response) -> Response {
        with_budget(response, self.remaining)
    }
}

/// Spends `cost` from `key`'s budget: what is left, or the refusal with what is left.
fn charge(
    rate_limit: &RateLimit,
    key: &BudgetKey,
    cost: u64,
) -> Result<Option<Remaining>, (ApiError, Option<Remaining>)> {
    rate_limit.spend(key, cost).map_err(|error| {
        let remaining = match &error {
            ApiError::RateLimited { retry_after_secs } => {
                Some(rate_limit.remaining_when_refused(cost, *retry_after_secs))
            }
            _ => None,
        };
        (error, remaining)
    })
}

fn with_budget(mut response: Response, remaining: Option<Remaining>) -> Response {
    if let Some(Remaining { limit, remaining }) = remaining {
        let headers = response.headers_mut();
        headers.insert(LIMIT_HEADER, HeaderValue::from(limit));
        headers.insert(REMAINING_HEADER, HeaderValue::from(remaining));
    }
    response
}

impl<R: Route> FromRequest<AppState> for Admitted<R> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        let response_type = ResponseType::negotiate(&parts.headers).unwrap_or(ResponseType::Json);
        let refuse = |error: ApiError, remaining: Option<Remaining>| {
            with_budget(error_response(&error, response_type), remaining)
        };
        let limits = &state.limits;
        let address = client_address(&parts, limits);

        // An opaque token whose verdict is not cached costs a call to the identity provider: the
        // address pays for it first. What it has left then goes with a refusal of the token.
        let mut address_remaining = None;
        let pay_for_asking = || {
            charge(
                &state.rate_limit,
                &BudgetKey::address(address),
                OPAQUE_TOKEN_COST,
            )
            .map(|remaining| address_remaining = remaining)
            .map_err(|(error, remaining)| {
                address_remaining = remaining;
                error
            })
        };
        let principal = state
            .auth
            .principal_asking(&parts.headers, pay_for_asking)
            .await
            .map_err(|error| refuse(error, address_remaining))?;
        tracing::Span::current().record("caller", principal.kind());
        let key = match principal.id() {
            Some(id) => BudgetKey::Principal(id),
            None => BudgetKey::address(address),
        };
        let remaining = charge(&state.rate_limit, &key, R::UP_FRONT_COST)
            .map_err(|(error, remaining)| refuse(error, remaining))?;
        R::authorize(&principal, &mut parts, state)
            .await
            .map_err(|error| refuse(error, remaining))?;

        let body = body::read(&parts.headers, body, R::max_body_bytes(limits), limits)
            .await
            .map_err(|error| refuse(error, remaining))?;

        let permit = Arc::clone(&state.in_flight)
            .try_acquire_owned()
            .map_err(|_| refuse(ApiError::Overloaded, remaining))?;

        let (store, data_version) = async {
            let db = state.db.connection()?;
            let data_version = match state.response_cache.as_deref() {
                Some(cache) if R::CACHED => Some(cache.data_version(db).await?),
                _ => None,
            };
            let caller = Caller::of(db, &principal).await?;
            let store = Store::for_principal(db.clone(), caller, principal)
                .with_lock_wait(limits.write_lock_wait());
            Ok::<_, ApiError>((store, data_version))
        }
        .await
        .map_err(|error| refuse(error, remaining))?;

        Ok(Self {
            body,
            store,
            data_version,
            rate_limit: Arc::clone(&state.rate_limit),
            key,
            spent: R::UP_FRONT_COST.min(state.rate_limit.capacity()),
            remaining,
            _permit: permit,
            _route: PhantomData,
        })
    }
}

/// The client's address: the TCP peer, unless that is a trusted proxy; then the nearest address
/// in `X-Forwarded-For` (read from the right) that is not a trusted proxy. `None` for a request
/// that came without a peer address (in process).
pub fn client_address(parts: &Parts, limits: &Limits) -> Option<IpAddr> {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()?
        .0
        .ip()
        .to_canonical();
    if !limits.is_trusted_proxy(peer) {
        return Some(peer);
    }
    let forwarded = parts
        .headers
        .get_all(HeaderName::from_static("x-forwarded-for"))
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .collect::<Vec<_>>();
    let mut client = peer;
    for entry in forwarded.iter().rev() {
        let Ok(address) = entry.trim().parse::<IpAddr>() else {
            // Garbage, or a port we do not expect: believe nothing further left.
            break;
        };
        client = address.to_canonical();
        if !limits.is_trusted_proxy(client) {
            break;
        }
    }
    Some(client)
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;

    use axum::{extract::ConnectInfo, http::Request};

    use super::client_address;
    use crate::config::Limits;

    fn address_of(peer: &str, forwarded: &[&str], trusted: &[&str]) -> Option<String> {
        let mut request = Request::builder();
        for value in forwarded {
            request = request.header("x-forwarded-for", *value);
        }
        let (mut parts, ()) = request.body(()).expect("request").into_parts();
        let peer: SocketAddr = peer.parse().expect("peer");
        parts.extensions.insert(ConnectInfo(peer));
        let limits = Limits {
            trusted_proxies: trusted
                .iter()
                .map(|net| net.parse().expect("network"))
                .collect(),
            ..Limits::default()
        };
        client_address(&parts, &limits).map(|address| address.to_string())
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let some = |text: &str| Some(text.to_owned());
        assert_eq!(address_of("1.2.3.4:5", &["9.9.9.9"], &[]), some("1.2.3.4"));
        assert_eq!(
            address_of("10.0.0.2:5", &["9.9.9.9"], &["10.0.0.0/8"]),
            some("9.9.9.9")
        );
        // A client's own X-Forwarded-For entries are left of what the proxies appended.
        assert_eq!(
            address_of(
                "10.0.0.2:5",
                &["6.6.6.6, 9.9.9.9, 10.0.0.7"],
                &["10.0.0.0/8"]
            ),
            some("9.9.9.9")
        );
        assert_eq!(
            address_of("10.0.0.2:5", &["6.6.6.6", "9.9.9.9"], &["10.0.0.0/8"]),
            some("9.9.9.9")
        );
        assert_eq!(
            address_of("10.0.0.2:5", &["nonsense"], &["10.0.0.0/8"]),
            some("10.0.0.2")
        );
        assert_eq!(
            address_of("[::ffff:10.0.0.2]:5", &["9.9.9.9"], &["10.0.0.0/8"]),
            some("9.9.9.9")
        );
    }
}
