//! Cost-based rate limits, for every caller: a budget of points per caller that refills
//! continuously (`RATE_LIMIT_POINTS_PER_MINUTE`) and holds at most a minute's worth. A request
//! spends what it costs, as GitHub's and Shopify's GraphQL points do: one point before anything
//! else is done for it, then the rest of its measured cost (a GraphQL query's complexity, from the
//! gate) once that is known. Signed-in callers are counted by subject (user) or client id; anonymous
//! callers by client address, IPv6 by its /64 (one subscriber's usual allocation), so that a
//! stranger cannot take a fresh budget per address.
//!
//! The budgets are held in memory, per replica: behind a load balancer with N replicas, a caller
//! can spend up to N times the budget (a shared store would put a network round trip in front
//! of every request; the limit is there to keep one caller from starving the others on a replica,
//! which a per-replica budget does).
//!
//! The budget is `governor`'s keyed GCRA limiter: `check_key_n` spends n cells at once or none,
//! which is exactly "spend the cost"; its state snapshot gives the remaining budget for the
//! `X-RateLimit-Remaining` header.

use std::{
    net::IpAddr,
    num::NonZeroU32,
    sync::atomic::{AtomicU32, Ordering},
    time::Duration,
};

use governor::{
    clock::{Clock, DefaultClock},
    middleware::StateInformationMiddleware,
    state::keyed::DefaultKeyedStateStore,
    Quota, RateLimiter,
};

use crate::error::ApiError;

/// Whom a budget belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum BudgetKey {
    /// A signed-in principal, by [`crate::service::Principal::id`].
    Principal(String),
    /// An anonymous caller's address (IPv6: its /64); `None` when the request came without one
    /// (only in-process, as in tests, never through the server loop).
    Address(Option<IpAddr>),
}

impl BudgetKey {
    pub fn address(address: Option<IpAddr>) -> Self {
        Self::Address(address.map(subscriber))
    }
}

/// The part of an address that one subscriber holds: an IPv4 address, or an IPv6 address's /64
/// (a subscriber's usual allocation, so that one cannot count as 2^64 clients).
pub fn subscriber(address: IpAddr) -> IpAddr {
    match address.to_canonical() {
        IpAddr::V6(v6) => {
            let [a, b, c, d, ..] = v6.segments();
            IpAddr::V6(std::net::Ipv6Addr::new(a, b, c, d, 0, 0, 0, 0))
        }
        v4 => v4,
    }
}

type Limiter = RateLimiter<
    BudgetKey,
    DefaultKeyedStateStore<BudgetKey>,
    DefaultClock,
    StateInformationMiddleware,
>;

/// Checks between two sweeps of budgets that are full again.
const SWEEP_EVERY: u32 = 1_024;

/// The points budgets of this replica.
pub struct RateLimit {
    /// None: no limit.
    limiter: Option<Limiter>,
    /// The budget's size, for `X-RateLimit-Limit`.
    capacity: u32,
    /// Points the budget regains per second.
    per_second: f64,
    checks: AtomicU32,
}

/// What is left of a budget after a request spent from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Remaining {
    /// The budget's size.
    pub limit: u32,
    pub remaining: u32,
}

impl RateLimit {
    /// Budgets of `points_per_minute`, each holding a minute's worth; 0: no limit.
    pub fn new(points_per_minute: u32) -> Self {
        let limiter = NonZeroU32::new(points_per_minute).and_then(|rate| {
            let period = Duration::from_secs(60) / rate.get();
            Quota::with_period(period.max(Duration::from_nanos(1)))
                .map(|quota| quota.allow_burst(rate))
                .map(|quota| {
                    RateLimiter::keyed(quota).with_middleware::<StateInformationMiddleware>()
                })
        });
        Self {
            limiter,
            capacity: points_per_minute,
            per_second: f64::from(points_per_minute) / 60.0,
            checks: AtomicU32::new(0),
        }
    }

    /// Spends `cost` points of `key`'s budget (at least one, at most the whole budget, so that
    /// any request can run on a full budget); or says how long to wait, having spent nothing.
    /// `None` when there is no limit.
    pub fn spend(&self, key: &BudgetKey, cost: u64) -> Result<Option<Remaining>, ApiError> {
        let Some(limiter) = &self.limiter else {
            return Ok(None);
        };
        if self
            .checks
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(SWEEP_EVERY)
        {
            // Budgets that are full again are indistinguishable from new ones: drop them, so
            // that the map holds only callers of the last minute.
            limiter.retain_recent();
        }
        let cost = u32::try_from(cost)
            .unwrap_or(u32::MAX)
            .clamp(1, self.capacity);
        let n = NonZeroU32::new(cost).unwrap_or(NonZeroU32::MIN);
        match limiter.check_key_n(key, n) {
            Ok(Ok(snapshot)) => Ok(Some(Remaining {
                limit: self.capacity,
                remaining: snapshot.remaining_burst_capacity(),
            })),
            Ok(Err(not_until)) => {
                let wait = not_until.wait_time_from(limiter.clock().now());
                Err(ApiError::RateLimited {
                    retry_after_secs: wait.as_secs_f64().ceil().max(1.0) as u64,
                })
            }
            // Not reached: the cost is clamped to the capacity.
            Err(_) => Err(ApiError::RateLimited {
                retry_after_secs: 60,
            }),
        }
    }

    /// The most a request can cost: the whole budget (`u64::MAX` when there is no limit).
    pub fn capacity(&self) -> u64 {
        match self.limiter {
            Some(_) => u64::from(self.capacity),
            None => u64::MAX,
        }
    }

    /// What is left of `key`'s budget when a request costing `cost` was refused after waiting
    /// `retry_after_secs` would have sufficed (an estimate, for the header of a 429).
    pub fn remaining_when_refused(&self, cost: u64, retry_after_secs: u64) -> Remaining {
        let cost = cost.min(u64::from(self.capacity));
        let missing = (self.per_second * retry_after_secs as f64).ceil() as u64;
        Remaining {
            limit: self.capacity,
            remaining: u32::try_from(cost.saturating_sub(missing)).unwrap_or(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{BudgetKey, RateLimit};

    fn user(name: &str) -> BudgetKey {
        BudgetKey::Principal(format!("user:{name}"))
    }

    #[test]
    fn a_budget_is_spent_by_cost_per_caller() {
        let limit = RateLimit::new(1_000);
        let spent = limit.spend(&user("a"), 600).expect("within budget");
        assert_eq!(spent.map(|s| s.remaining), Some(400));
        assert!(limit.spend(&user("a"), 600).is_err(), "400 left");
        let left = limit.spend(&user("a"), 100).expect("a cheaper one fits");
        assert!(left.is_some_and(|s| s.remaining <= 300));
        assert!(
            limit.spend(&user("b"), 600).is_ok(),
            "budgets are per caller"
        );
        assert!(RateLimit::new(0)
            .spend(&user("a"), 1)
            .expect("no limit")
            .is_none());
    }

    #[test]
    fn a_request_costs_at_most_the_whole_budget() {
        let limit = RateLimit::new(100);
        let spent = limit.spend(&user("a"), 5_000).expect("a full budget");
        assert_eq!(spent.map(|s| s.remaining), Some(0));
        assert!(limit.spend(&user("a"), 1).is_err());
    }

    #[test]
    fn ipv6_callers_share_their_64() {
        let a = BudgetKey::address(Some("2001:db8:1:2::1".parse().expect("v6")));
        let b = BudgetKey::address(Some("2001:db8:1:2:ffff::9".parse().expect("v6")));
        let c = BudgetKey::address(Some("2001:db8:1:3::1".parse().expect("v6")));
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}
