//! The connection a [`Store`](super::Store) reads and writes through: the pool, or the one
//! transaction a request's mutations run in (so that what they write, and what the response
//! reads back, is one atomic change).

use std::{sync::Arc, time::Duration};

use sea_orm::{
    entity::prelude::async_trait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    DbBackend, DbErr, ExecResult, QueryResult, Statement, TransactionTrait,
};

/// The PostgreSQL advisory lock writers take in turn (any number unused elsewhere: "VSTG").
const WRITERS_LOCK: i64 = 0x5653_5447;

#[derive(Clone)]
pub enum Connection {
    Pool(DatabaseConnection),
    Transaction(Arc<DatabaseTransaction>),
}

impl Connection {
    /// A transaction on the pool (a transaction in a transaction is refused: a request has one),
    /// holding the writers' lock. Waits at most `lock_wait` for it: a writer that cannot have it
    /// by then fails with SQLite's busy error or PostgreSQL's `lock_not_available`, which the API
    /// answers with 503 `SERVICE_UNAVAILABLE` and `Retry-After`, so that one long write (a large
    /// import) holds the others up for that long at most.
    pub async fn begin(&self, lock_wait: Duration) -> Result<Self, DbErr> {
        let wait_ms = lock_wait.as_millis().max(1);
        match self {
            Self::Pool(pool) => {
                let transaction = pool.begin().await?;
                match transaction.get_database_backend() {
                    // Take SQLite's write lock now (as `BEGIN IMMEDIATE` would), waiting for other
                    // writers: a transaction that reads first and writes later cannot wait, and
                    // fails with "database is locked" when another wrote in between. The busy
                    // timeout is the connection's; every writer sets it here.
                    DbBackend::Sqlite => {
                        transaction
                            .execute_unprepared(&format!("PRAGMA busy_timeout = {wait_ms}"))
                            .await?;
                        transaction
                            .execute_unprepared("UPDATE identities SET revision = revision WHERE 0")
                            .await?;
                    }
                    // Writers take turns, as on SQLite, so that the change feed's sequence numbers
                    // are committed in the order they are drawn: a reader that has seen number n
                    // never later finds a smaller one committed (see `service::changes`). Taken
                    // first, so that no writer waits for it while holding a row another needs.
                    // The wait applies to the lock alone: other statements keep the session's.
                    DbBackend::Postgres => {
                        transaction
                            .execute_unprepared(&format!("SET LOCAL lock_timeout = {wait_ms}"))
                            .await?;
                        transaction
                            .execute_unprepared(&format!(
                                "SELECT pg_advisory_xact_lock({WRITERS_LOCK})"
                            ))
                            .await?;
                        transaction
                            .execute_unprepared("SET LOCAL lock_timeout = DEFAULT")
                            .await?;
                    }
                    DbBackend::MySql => {}
                }
                Ok(Self::Transaction(Arc::new(transaction)))
            }
            Self::Transaction(_) => Err(DbErr::Custom("already in a transaction".to_owned())),
        }
    }

    /// Commits the transaction; fails when anything else still holds it.
    pub async fn commit(self) -> Result<(), DbErr> {
        match self {
            Self::Pool(_) => Ok(()),
            Self::Transaction(transaction) => match Arc::try_unwrap(transaction) {
                Ok(transaction) => transaction.commit().await,
                Err(_) => Err(DbErr::Custom(
                    "the transaction is still in use and was not committed".to_owned(),
                )),
            },
        }
    }

    fn as_trait(&self) -> &dyn ConnectionTrait {
        match self {
            Self::Pool(pool) => pool,
            Self::Transaction(transaction) => transaction.as_ref(),
        }
    }
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
