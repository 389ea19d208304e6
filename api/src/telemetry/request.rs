//! What one request did below the HTTP layer: the SQL statements it ran, and for a write how long
//! it waited for a pooled connection and for the writers' lock, and how long its transaction took.
//!
//! The layers below only record ([`statement_ran`], [`began_writing`], [`wrote`]); the HTTP
//! layer runs each request in a [`scope`] and hands the figures to the metrics once it has
//! answered. Outside a request (the CLI, the seed, the start-up migration) recording does nothing.
//! Task-local rather than passed along: the statements are counted in the database driver's
//! callback, which knows nothing of requests.

use std::{
    future::Future,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex, PoisonError,
    },
    time::Duration,
};

tokio::task_local! {
    static FIGURES: Arc<Figures>;
}

/// The figures of one request, filled in while it runs.
#[derive(Debug, Default)]
pub struct Figures {
    statements: AtomicU64,
    write: Mutex<Write>,
    operation: Mutex<Option<Operation>>,
    cache: Mutex<Option<CacheLookup>>,
}

/// What the response cache did for a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheLookup {
    /// Answered from the cache.
    Hit,
    /// Not there: run, and its answer kept.
    Stored,
    /// Not there: run, and its answer not kept (an error, or the audit log).
    Uncacheable,
}

impl CacheLookup {
    pub fn label(self) -> &'static str {
        match self {
            Self::Hit => "hit",
            Self::Stored => "stored",
            Self::Uncacheable => "uncacheable",
        }
    }
}

/// The GraphQL operation a request ran, as its metrics name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    /// The operation's name in the document; `None` for an anonymous one.
    pub name: Option<String>,
    /// `query` or `mutation`.
    pub kind: &'static str,
}

/// A write transaction's timings (the last one's, should a request ever run several).
#[derive(Debug, Default, Clone, Copy)]
pub struct Write {
    /// Waiting for a connection from the pool to begin the transaction on.
    pub connection_wait: Option<Duration>,
    /// Waiting for the writers' lock once the transaction had begun.
    pub lock_wait: Option<Duration>,
    /// From taking the lock to the end of the commit.
    pub duration: Option<Duration>,
}

impl Figures {
    /// SQL statements the request ran.
    pub fn statements(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    /// Its write transaction's timings, if it wrote.
    pub fn write(&self) -> Write {
        *self.write.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// What the response cache did for it, if it was asked.
    pub fn cache(&self) -> Option<CacheLookup> {
        *self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The GraphQL operation it ran, once the gate had admitted one.
    pub fn operation(&self) -> Option<Operation> {
        self.operation
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// Runs `request` with fresh figures, and returns them with its output.
pub async fn scope<F: Future>(request: F) -> (F::Output, Arc<Figures>) {
    let figures = Arc::new(Figures::default());
    let output = FIGURES.scope(Arc::clone(&figures), request).await;
    (output, figures)
}

fn with_figures(record: impl FnOnce(&Figures)) {
    let _outside_a_request = FIGURES.try_with(|figures| record(figures));
}

/// The database driver ran a statement for the current request.
pub fn statement_ran() {
    with_figures(|figures| {
        figures.statements.fetch_add(1, Ordering::Relaxed);
    });
}

/// A write transaction began after `connection_wait` for a connection, then `lock_wait` for the
/// writers' lock.
pub fn began_writing(connection_wait: Duration, lock_wait: Duration) {
    with_figures(|figures| {
        let mut write = figures.write.lock().unwrap_or_else(PoisonError::into_inner);
        write.connection_wait = Some(connection_wait);
        write.lock_wait = Some(lock_wait);
    });
}

/// A write transaction committed `duration` after it had the writers' lock.
pub fn wrote(duration: Duration) {
    with_figures(|figures| {
        figures
            .write
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .duration = Some(duration);
    });
}

/// The request runs this GraphQL operation.
pub fn runs_operation(operation: Operation) {
    with_figures(|figures| {
        *figures
            .operation
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(operation);
    });
}

/// The response cache answered the current request, or was asked and could not.
pub fn looked_up_cache(lookup: CacheLookup) {
    with_figures(|figures| {
        *figures.cache.lock().unwrap_or_else(PoisonError::into_inner) = Some(lookup);
    });
}

/// The GraphQL operation the current request runs, once the gate has found it.
pub fn current_operation() -> Option<Operation> {
    FIGURES
        .try_with(|figures| figures.operation())
        .ok()
        .flatten()
}
