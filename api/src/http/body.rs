//! Reading a request's body under its own limits: a size (413 at once when `Content-Length`
//! already says too much), a deadline (`BODY_READ_TIMEOUT_SECS`) and a minimum rate
//! (`BODY_MIN_BYTES_PER_SEC`, after [`BODY_GRACE`]), each answered with 408 `REQUEST_TIMEOUT`.
//! The body is read before the request takes a concurrency permit, so a client that trickles
//! its body holds only its own connection (capped per address in [`super::server`]).

use axum::{
    body::{Body, Bytes},
    http::{header, HeaderMap},
};
use http_body_util::BodyExt;
use tokio::time::Instant;

use crate::{
    config::{Limits, BODY_GRACE},
    error::ApiError,
};

/// The whole body, at most `max_bytes` of it.
pub async fn read(
    headers: &HeaderMap,
    body: Body,
    max_bytes: usize,
    limits: &Limits,
) -> Result<Bytes, ApiError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > max_bytes as u64) {
        return Err(ApiError::PayloadTooLarge);
    }
    let started = Instant::now();
    let timeout = started + limits.body_read_timeout();
    let mut body = body;
    let mut received: Vec<u8> = Vec::new();
    loop {
        let due = due_by(started, received.len(), limits.body_min_bytes_per_sec).min(timeout);
        let frame = match tokio::time::timeout_at(due, body.frame()).await {
            Err(_) => return Err(ApiError::Timeout),
            Ok(None) => break,
            Ok(Some(Err(_))) => {
                return Err(ApiError::BadRequest(
                    "the request body could not be read".to_owned(),
                ))
            }
            Ok(Some(Ok(frame))) => frame,
        };
        if let Some(data) = frame.data_ref() {
            if received.len() + data.len() > max_bytes {
                return Err(ApiError::PayloadTooLarge);
            }
            received.extend_from_slice(data);
        }
    }
    Ok(Bytes::from(received))
}

/// When the byte after the first `received` must have arrived, at `min_rate` bytes per second
/// after the grace period (never, without a minimum rate).
fn due_by(started: Instant, received: usize, min_rate: u64) -> Instant {
    if min_rate == 0 {
        return started + std::time::Duration::from_secs(86_400);
    }
    let allowed = (received as f64 + 1.0) / min_rate as f64;
    started + BODY_GRACE + std::time::Duration::from_secs_f64(allowed)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::due_by;
    use crate::config::BODY_GRACE;

    #[test]
    fn the_minimum_rate_starts_after_the_grace() {
        let started = tokio::time::Instant::now();
        let first = due_by(started, 0, 1_000) - started;
        assert!(first > BODY_GRACE && first < BODY_GRACE + Duration::from_millis(2));
        let later = due_by(started, 10_000, 1_000) - started;
        assert!(later > BODY_GRACE + Duration::from_secs(10));
    }
}
