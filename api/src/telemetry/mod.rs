//! What operators see: logs (`RUST_LOG` filters, default `info`; text for people or JSON lines
//! for production), the metrics ([`metrics`]) and the figures each request gathers for them
//! ([`request`]).

pub mod metrics;
pub mod request;
pub mod traces;

use tracing_subscriber::{fmt, layer::SubscriberExt, util::SubscriberInitExt, EnvFilter, Layer};

pub use traces::Traces;

/// Where traces go: a collector's base URL (OTLP over HTTP), and the service's name in them.
#[derive(Debug, Clone)]
pub struct TraceExport {
    pub endpoint: String,
    pub service_name: String,
}

/// Installs the global subscriber (logs, and traces when `traces` says where to send them), and a
/// panic hook that logs each panic once, through it, with its location (the HTTP layer turns a
/// panicking request into 500 `INTERNAL`). Safe to call more than once (later calls do nothing).
/// Keep the returned [`Traces`] until the end: dropping it sends the last spans.
pub fn init(json: bool, traces: Option<&TraceExport>) -> anyhow::Result<Option<Traces>> {
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
    let logs = if json {
        fmt::layer().json().flatten_event(true).boxed()
    } else {
        fmt::layer().with_target(true).boxed()
    };
    let (traces_layer, traces) = match traces {
        Some(export) => {
            let (layer, traces) = traces::layer(&export.endpoint, &export.service_name)?;
            (Some(layer), Some(traces))
        }
        None => (None, None),
    };
    let _already_set = tracing_subscriber::registry()
        .with(filter)
        .with(traces_layer)
        .with(logs)
        .try_init();
    Ok(traces)
}

/// A quiet subscriber for tests: warnings and errors only, written through the test harness.
pub fn init_for_tests() {
    let _already_set = fmt()
        .with_env_filter(EnvFilter::new("warn"))
        .with_test_writer()
        .try_init();
}
