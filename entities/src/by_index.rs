//! Reading rows by column position.
//!
//! sea-orm's derived `FromQueryResult` looks every column up by name and allocates an error
//! message for every NULL it reads (`Option` fields turn that error into `None`). A request that
//! reads tens of thousands of rows spent about a third of its CPU there. The models (and the narrow
//! rows of reads that need a few columns) are declared with [`row!`](crate::row) and read
//! themselves by position instead, in the order of their fields: for a model, the order in which
//! `Entity::find()` selects its columns.

use sea_orm::{sqlx, FromQueryResult, RuntimeErr};
pub use sea_orm::{DbErr, QueryResult};

/// A row read by column position.
pub trait FromRow: Sized {
    /// The columns, by name, in the order they are read.
    const COLUMNS: &'static [&'static str];

    fn from_row(row: &QueryResult) -> Result<Self, DbErr>;

    /// The value of the integer column `column` (an id or a code), by name: what a relation is
    /// keyed by. `None` for a NULL, a column of another type, or no such column.
    fn key(&self, column: &str) -> Option<i32>;
}

/// A column's value as a relation's key: ids and codes are `i32`; other types key nothing.
pub trait KeyCell {
    fn key(&self) -> Option<i32> {
        None
    }
}

impl KeyCell for i32 {
    fn key(&self) -> Option<i32> {
        Some(*self)
    }
}

impl KeyCell for Option<i32> {
    fn key(&self) -> Option<i32> {
        *self
    }
}

impl KeyCell for i64 {}
impl KeyCell for Option<i64> {}
impl KeyCell for bool {}
impl KeyCell for String {}
impl KeyCell for Option<String> {}
impl KeyCell for sea_orm::prelude::Date {}
impl KeyCell for Option<sea_orm::prelude::Date> {}
impl KeyCell for sea_orm::prelude::DateTimeUtc {}

/// One column of a row, read by position from either database.
pub trait Cell: Sized {
    fn cell(row: &QueryResult, index: usize) -> Result<Self, DbErr>;
}

impl<T> Cell for T
where
    T: for<'r> sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
    T: for<'r> sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
{
    fn cell(row: &QueryResult, index: usize) -> Result<Self, DbErr> {
        use sqlx::Row;
        let read = if let Some(row) = row.try_as_pg_row() {
            row.try_get(index)
        } else if let Some(row) = row.try_as_sqlite_row() {
            row.try_get(index)
        } else {
            return Err(DbErr::Type(
                "rows are read by position from PostgreSQL and SQLite only".to_owned(),
            ));
        };
        read.map_err(|error| DbErr::Query(RuntimeErr::SqlxError(error)))
    }
}

/// A model read by position: select with `Entity::find()`, read with
/// `.into_model::<ByIndex<Model>>()`.
pub struct ByIndex<M>(pub M);

impl<M: FromRow> FromQueryResult for ByIndex<M> {
    fn from_query_result(row: &QueryResult, _prefix: &str) -> Result<Self, DbErr> {
        M::from_row(row).map(ByIndex)
    }
}

/// Declares a struct and how it is read by position ([`FromRow`]) from the one list of fields, so
/// that the two cannot drift apart: an entity's `Model`, or the few columns a read needs (select
/// them with [`FromRow::COLUMNS`]).
#[macro_export]
macro_rules! row {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $($(#[$field_meta:meta])* pub $field:ident: $ty:ty),* $(,)?
        }
    ) => {
        $(#[$meta])*
        pub struct $name {
            $($(#[$field_meta])* pub $field: $ty),*
        }

        impl $crate::by_index::FromRow for $name {
            const COLUMNS: &'static [&'static str] = &[$(stringify!($field)),*];

            fn from_row(
                row: &$crate::by_index::QueryResult,
            ) -> Result<Self, $crate::by_index::DbErr> {
                let mut next = 0usize;
                let mut index = || {
                    next += 1;
                    next - 1
                };
                Ok(Self {
                    $($field: $crate::by_index::Cell::cell(row, index())?),*
                })
            }

            fn key(&self, column: &str) -> Option<i32> {
                match column {
                    $(stringify!($field) => $crate::by_index::KeyCell::key(&self.$field),)*
                    _ => None,
                }
            }
        }
    };
}
