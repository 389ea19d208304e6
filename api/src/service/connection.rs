//! The connection a [`Store`](super::Store) reads and writes through: the pool, or the one
//! transaction a request's mutations run in (so that what they write, and what the response
//! reads back, is one atomic change).
//!
//! Writers take turns per municipality, not for the whole database, so that a long write of one
//! municipality (a large import) does not hold up another's:
//! - on PostgreSQL a write transaction takes its municipality's advisory lock when it begins
//!   (platform writes take one of their own), and the change feed's entries are inserted only at
//!   commit, under one short lock for the whole feed: sequence numbers are drawn in commit order,
//!   so a follower that has seen number n never later finds a smaller one committed (see
//!   `service::changes`);
//! - SQLite has one writer at a time whatever we do: the transaction takes the database's write
//!   lock when it begins.
//!
//! Every lock is waited for at most the store's `lock_wait`; a writer that cannot have it by then
//! fails with SQLite's busy error or PostgreSQL's `lock_not_available`, answered with 503
//! `SERVICE_UNAVAILABLE` and `Retry-After` (nothing written).

use std::{
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant},
};

use entities::outbox;
use futures::future::{BoxFuture, FutureExt, Shared};
use sea_orm::{
    entity::prelude::async_trait, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, DbBackend, DbErr, EntityTrait, ExecResult, QueryResult, QuerySelect,
    Statement, TransactionTrait,
};

use crate::{
    error::{ApiError, ApiResult},
    telemetry,
};

/// The class of the PostgreSQL advisory locks writers of one municipality take, keyed by its code
/// (0: the platform's own records). Any number unused elsewhere: "VSTG".
const WRITERS_LOCK_CLASS: i32 = 0x5653_5447;

/// The PostgreSQL advisory lock held while a transaction adds its change-feed entries and
/// commits ("VSFD"; the one-number key space is apart from the two-number one above).
const FEED_LOCK: i64 = 0x5653_4644;

/// Moves the data's version on: every write transaction runs it just before it commits, so that
/// the version moves in the transaction that changes the data, and a reader that has read the
/// version before it reads the data reads data at least that new.
const MOVE_DATA_VERSION_ON: &str = "UPDATE data_version SET version = version + 1 WHERE id = 1";

/// The data's version now: a number that every committed write has moved on (one indexed read).
/// Answers computed after reading it are at least as new as it; a response cache keys them by it.
pub async fn data_version(db: &DatabaseConnection) -> Result<i64, DbErr> {
    let row = db
        .query_one(Statement::from_string(
            db.get_database_backend(),
            "SELECT version FROM data_version WHERE id = 1",
        ))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("the data's version row".to_owned()))?;
    row.try_get_by_index(0)
}

/// Reads the data's version for many requests at once. Each request needs a read that began
/// after it asked (then it sees every write committed before it arrived, through any replica);
/// requests that ask while a read is running share the next one, which begins when that one
/// ends. So under load one statement answers many requests, and alone a request reads at once.
#[derive(Default, Clone)]
pub struct DataVersionReader {
    rounds: Arc<Rounds>,
}

#[derive(Default)]
struct Rounds {
    /// The read that has not begun yet: who asks now joins it.
    next: Mutex<Option<SharedRead>>,
    /// Held by the read that is running.
    running: tokio::sync::Mutex<()>,
}

/// A read's version, or its failure.
type SharedRead = Shared<BoxFuture<'static, Result<i64, Arc<DbErr>>>>;

impl DataVersionReader {
    /// The data's version as of a read that began after this call.
    pub async fn read(&self, db: &DatabaseConnection) -> ApiResult<i64> {
        let round = {
            let mut next = self
                .rounds
                .next
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            next.get_or_insert_with(|| Self::round(Arc::clone(&self.rounds), db.clone()))
                .clone()
        };
        // A failed read fails every request that shared it, at once: reading again would make
        // each wait out the pool a second time while the database cannot be reached.
        round
            .await
            .map_err(|failure| ApiError::from_shared(&failure))
    }

    /// Waits for the running read to end, closes this round to newcomers, then reads.
    fn round(rounds: Arc<Rounds>, db: DatabaseConnection) -> SharedRead {
        async move {
            let _running = rounds.running.lock().await;
            // No await since the lock: this round is still the next one.
            rounds
                .next
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
            data_version(&db).await.map_err(Arc::new)
        }
        .boxed()
        .shared()
    }
}

/// Whose writers a write transaction takes turns with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writers {
    /// Those of one municipality's model.
    Municipality(i32),
    /// Those of the platform's own records (municipalities, networks, partner organisations).
    Platform,
}

#[derive(Clone)]
pub enum Connection {
    Pool(DatabaseConnection),
    Transaction(Arc<Transaction>),
}

/// A write transaction, and the change-feed entries it adds when it commits.
pub struct Transaction {
    inner: DatabaseTransaction,
    feed: Mutex<Vec<outbox::ActiveModel>>,
    /// When it had the writers' lock.
    locked: Instant,
}

impl Connection {
    /// A transaction on the pool (a transaction in a transaction is refused: a request has one),
    /// taking turns with `writers`, waiting at most `lock_wait` for its turn.
    pub async fn begin(&self, writers: Writers, lock_wait: Duration) -> Result<Self, DbErr> {
        let Self::Pool(pool) = self else {
            return Err(DbErr::Custom("already in a transaction".to_owned()));
        };
        let asked = Instant::now();
        let transaction = pool.begin().await?;
        let began = Instant::now();
        match transaction.get_database_backend() {
            // Take SQLite's write lock now (as `BEGIN IMMEDIATE` would), waiting for other
            // writers: a transaction that reads first and writes later cannot wait, and fails
            // with "database is locked" when another wrote in between. The busy timeout is the
            // connection's; every writer sets it here.
            DbBackend::Sqlite => {
                transaction
                    .execute_unprepared(&format!("PRAGMA busy_timeout = {}", millis(lock_wait)))
                    .await?;
                transaction
                    .execute_unprepared("UPDATE identities SET revision = revision WHERE 0")
                    .await?;
            }
            // Taken first, so that no writer waits for it while holding a row another needs.
            // The wait bounds every lock of the transaction, rows too: a writer of one
            // municipality that touches another's rows (a participant's part of a shared
            // project) waits for that municipality's writer no longer than for its turn.
            DbBackend::Postgres => {
                let key = match writers {
                    Writers::Municipality(code) => code,
                    Writers::Platform => 0,
                };
                transaction
                    .execute_unprepared(&format!("SET LOCAL lock_timeout = {}", millis(lock_wait)))
                    .await?;
                transaction
                    .execute_unprepared(&format!(
                        "SELECT pg_advisory_xact_lock({WRITERS_LOCK_CLASS}, {key})"
                    ))
                    .await?;
            }
            DbBackend::MySql => {}
        }
        let locked = Instant::now();
        telemetry::request::began_writing(began - asked, locked - began);
        Ok(Self::Transaction(Arc::new(Transaction {
            inner: transaction,
            feed: Mutex::new(Vec::new()),
            locked,
        })))
    }

    /// Adds a change-feed entry: at commit in a transaction (see the module doc), at once
    /// otherwise.
    pub async fn add_to_feed(&self, entry: outbox::ActiveModel) -> Result<(), DbErr> {
        match self {
            Self::Pool(pool) => {
                outbox::Entity::insert(entry).exec(pool).await?;
            }
            Self::Transaction(transaction) => transaction
                .feed
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(entry),
        }
        Ok(())
    }

    /// The change-feed entries the transaction will add at commit, to change before then.
    pub fn with_pending_feed(&self, change: impl FnOnce(&mut Vec<outbox::ActiveModel>)) {
        if let Self::Transaction(transaction) = self {
            change(
                &mut transaction
                    .feed
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner),
            );
        }
    }

    /// Adds the transaction's change-feed entries and commits; the sequence number of the last
    /// entry added, if any. Fails when anything else still holds the transaction.
    pub async fn commit(self) -> Result<Option<i32>, DbErr> {
        let Self::Transaction(transaction) = self else {
            return Ok(None);
        };
        let Ok(Transaction {
            inner,
            feed,
            locked,
        }) = Arc::try_unwrap(transaction)
        else {
            return Err(DbErr::Custom(
                "the transaction is still in use and was not committed".to_owned(),
            ));
        };
        let feed = feed.into_inner().unwrap_or_else(PoisonError::into_inner);
        let mut last = None;
        if !feed.is_empty() {
            if inner.get_database_backend() == DbBackend::Postgres {
                inner
                    .execute_unprepared(&format!("SELECT pg_advisory_xact_lock({FEED_LOCK})"))
                    .await?;
            }
            outbox::Entity::insert_many(feed).exec(&inner).await?;
            // No other writer adds entries until this one commits: the last is this one's.
            last = outbox::Entity::find()
                .select_only()
                .column_as(outbox::Column::Sequence.max(), "last")
                .into_tuple::<Option<i32>>()
                .one(&inner)
                .await?
                .flatten();
        }
        // Last, so that the row is locked only while the transaction commits.
        inner.execute_unprepared(MOVE_DATA_VERSION_ON).await?;
        inner.commit().await?;
        telemetry::request::wrote(locked.elapsed());
        Ok(last)
    }

    fn as_trait(&self) -> &dyn ConnectionTrait {
        match self {
            Self::Pool(pool) => pool,
            Self::Transaction(transaction) => &transaction.inner,
        }
    }
}

/// A wait in whole milliseconds, at least one (0 would mean "wait for ever" to both databases).
fn millis(wait: Duration) -> u128 {
    wait.as_millis().max(1)
}

#[async_trait::async_trait]
impl ConnectionTrait for Connection {
    fn get_database_backend(&self) -> DbBackend {
        self.as_trait().get_database_backend()
    }
    async fn execute(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.as_trait().execute(stmt).await
    }
    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.as_trait().execute_unprepared(sql).await
    }
    async fn query_one(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.as_trait().query_one(stmt).await
    }
    async fn query_all(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.as_trait().query_all(stmt).await
    }
    fn support_returning(&self) -> bool {
        self.as_trait().support_returning()
    }
}
