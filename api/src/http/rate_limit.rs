//! Requests per signed-in principal (user or machine client): a token bucket per principal that
//! holds a minute's worth of requests and refills continuously. Held in memory, per replica.
//! Anonymous callers are limited by the concurrency limit alone.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use crate::error::ApiError;

/// Buckets idle this long are full again and are dropped, so the map stays small.
const IDLE: Duration = Duration::from_secs(120);

pub struct RateLimit {
    /// Requests per minute; 0: no limit.
    per_minute: u32,
    buckets: Mutex<HashMap<String, Bucket>>,
}

struct Bucket {
    tokens: f64,
    updated: Instant,
}

impl RateLimit {
    pub fn per_minute(per_minute: u32) -> Self {
        Self {
            per_minute,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from `principal`'s bucket, or says how long to wait.
    pub fn check(&self, principal: &str) -> Result<(), ApiError> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let capacity = f64::from(self.per_minute);
        let per_second = capacity / 60.0;
        let now = Instant::now();
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if buckets.len() > 10_000 {
            buckets.retain(|_, bucket| now.duration_since(bucket.updated) < IDLE);
        }
        let bucket = buckets.entry(principal.to_owned()).or_insert(Bucket {
            tokens: capacity,
            updated: now,
        });
        let elapsed = now.duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * per_second).min(capacity);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let wait = ((1.0 - bucket.tokens) / per_second).ceil();
            Err(ApiError::RateLimited {
                retry_after_secs: (wait as u64).max(1),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RateLimit;

    #[test]
    fn a_minute_of_requests_then_refused_per_principal() {
        let limit = RateLimit::per_minute(3);
        for _ in 0..3 {
            assert!(limit.check("user:a").is_ok());
        }
        assert!(limit.check("user:a").is_err());
        assert!(limit.check("client:b").is_ok(), "buckets are per principal");
        assert!(RateLimit::per_minute(0).check("user:a").is_ok());
    }
}
