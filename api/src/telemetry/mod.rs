//! What operators see: logs (`RUST_LOG` filters, default `info`; text for people or JSON lines
//! for production), the metrics ([`metrics`]) and the figures each request gathers for them
//! ([`request`]).

pub mod metrics;
pub mod request;

use tracing_subscriber::{fmt, EnvFilter};

/// Installs the global subscriber, and a panic hook that logs each panic once, through it, with
/// its location (the HTTP layer turns a panicking request into 500 `INTERNAL`). Safe to call more
/// than once (later calls do nothing).
pub fn init(json: bool) {
    std::panic::set_hook(Box::new(|panic| {
        let location = panic
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let message = panic
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        tracing::error!(panic.location = %location, panic.message = %message, "panic");
    }));
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let builder = fmt().with_env_filter(filter).with_target(true);
    let _already_set = if json {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.try_init()
    };
}

/// A quiet subscriber for tests: warnings and errors only, written through the test harness.
pub fn init_for_tests() {
    let _already_set = fmt()
        .with_env_filter(EnvFilter::new("warn"))
        .with_test_writer()
        .try_init();
}
