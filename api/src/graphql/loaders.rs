//! Related records, at the reader's day, loaded in batches.
//!
//! Every nested list or reference goes through [`Related`], so a query costs one statement per
//! relation and level, not one per row (the batch executor, [`batch`], decides when; the
//! relations themselves are the data-access layer's, `service::relations`); and because
//! `Related` starts from the parent record and wraps what it loads at the parent's day, a record
//! reached from one read `asOf` a day is read at that day too. A resolver never handles the date
//! itself. Loaded rows are kept for the rest of the request and shared (`Arc`), never copied.

use std::sync::Arc;

use async_graphql::Context;
use chrono::NaiveDate;
use entities::by_index::FromRow;
use sea_orm::{EntityTrait, IdenStatic};

use super::{
    batch::{self, Key, Load, ReadRows},
    scalars::Date,
};
pub use crate::service::relations::*;
use crate::{
    error::ApiError,
    service::{Scoped, Store},
};

type Row<E> = <E as Scoped>::Row;

/// Rows loaded once for a request and shared by every record made from them.
pub type Rows<E> = Arc<[Arc<Row<E>>]>;

/// Something read at a day: every GraphQL record (declared by `dated_record!`) and the parts of a
/// comparison.
pub trait Dated {
    /// The day the reader asked for (`asOf`); none: every period.
    fn as_of(&self) -> Option<NaiveDate>;

    /// The way to this record's related records, which are read at the same day.
    fn related<'a, 'ctx>(&self, ctx: &'a Context<'ctx>) -> Related<'a, 'ctx> {
        Related {
            ctx,
            as_of: self.as_of(),
        }
    }

    /// The record of a related row already at hand (nothing to load), read at the same day.
    fn record<R: Record>(&self, row: impl Into<Arc<Row<R::Entity>>>) -> R {
        R::read_at(row, self.as_of())
    }
}

/// A GraphQL record: one row of `Entity`, read at a day.
pub trait Record: Dated + Sized {
    type Entity: Scoped<Model: Sync>;

    /// The record of `row` read at `as_of`. Only query roots call this, with the day of their
    /// `asOf` argument (or none); everything below a root is reached through [`Dated::related`] or
    /// [`Dated::record`], which pass the root's day on.
    fn read_at(row: impl Into<Arc<Row<Self::Entity>>>, as_of: Option<NaiveDate>) -> Self;

    /// The record of a whole row (a version as a write or a difference has it), read at `as_of`.
    fn of_model(model: <Self::Entity as EntityTrait>::Model, as_of: Option<NaiveDate>) -> Self {
        Self::read_at(Arc::new(Row::<Self::Entity>::from(model)), as_of)
    }
}

/// Every relation of the data-access layer is loaded in batches: its rows are read by the
/// caller's [`Store`], for all the keys asked for at once, and kept as shared rows.
impl<L: Link> Load for L {
    type Source = Store;
    type Row = Arc<Row<L::Entity>>;

    fn dated() -> bool {
        L::Entity::validity().is_some()
    }

    fn load(
        &self,
        store: Arc<Store>,
        values: Vec<i32>,
        as_of: Option<NaiveDate>,
    ) -> ReadRows<Self::Row> {
        let condition = self.condition();
        Box::pin(async move {
            let rows = store
                .list_by_column::<L::Entity>(L::column(), &values, condition, as_of)
                .await?;
            Ok(rows
                .into_iter()
                .filter_map(|row| Some((row.key(L::column().as_str())?, Arc::new(row))))
                .collect())
        })
    }
}

/// The request's batch loader, reading through the caller's [`Store`].
pub type Batcher = batch::Batcher<Store>;

/// The records related to a parent record, read at its day: what [`Dated::related`] returns.
#[derive(Clone, Copy)]
pub struct Related<'a, 'ctx> {
    ctx: &'a Context<'ctx>,
    as_of: Option<NaiveDate>,
}

impl<'a, 'ctx> Related<'a, 'ctx> {
    /// The way to records from a query root, which has no parent record: read at `as_of` (the
    /// root's `asOf`; none: every period).
    pub fn from_root(ctx: &'a Context<'ctx>, as_of: Option<NaiveDate>) -> Self {
        Self { ctx, as_of }
    }

    /// Read at the field's own `asOf` argument when it is given, else at the parent's day (a list
    /// with an `asOf` argument starts a new reading for everything below it).
    pub fn as_of(self, day: Option<Date>) -> Self {
        Self {
            as_of: Date::day(day).or(self.as_of),
            ..self
        }
    }

    fn batcher(&self) -> async_graphql::Result<&Arc<Batcher>> {
        self.ctx
            .data::<Arc<Batcher>>()
            .map_err(|_| ApiError::Internal(anyhow::anyhow!("no batcher in the request")).into())
    }

    /// The bare rows related through `link` to `value`: for link tables that are not records
    /// themselves (memberships), whose rows only lead on to records.
    pub async fn rows<L: Link>(
        &self,
        link: L,
        value: i32,
    ) -> async_graphql::Result<Rows<L::Entity>> {
        let key = Key::new(link, value, self.as_of);
        let mut loaded = self.batcher()?.load(&[key]).await?;
        Ok(loaded.pop().unwrap_or_else(|| Arc::new([])))
    }

    /// The records related through `link` to `value`.
    pub async fn many<L: Link, R: Record<Entity = L::Entity>>(
        &self,
        link: L,
        value: i32,
    ) -> async_graphql::Result<Vec<R>> {
        let rows = self.rows(link, value).await?;
        Ok(rows.iter().map(|row| self.wrap(row.clone())).collect())
    }

    /// The one record related through `link` to `value` (by id), if the caller may see it and it
    /// is valid at the day.
    pub async fn one<L: Link, R: Record<Entity = L::Entity>>(
        &self,
        link: L,
        value: i32,
    ) -> async_graphql::Result<Option<R>> {
        let rows = self.rows(link, value).await?;
        Ok(rows.first().map(|row| self.wrap(row.clone())))
    }

    /// The record related through `link` to `value` when there is a value (an optional foreign
    /// key).
    pub async fn optional<L: Link, R: Record<Entity = L::Entity>>(
        &self,
        link: L,
        value: Option<i32>,
    ) -> async_graphql::Result<Option<R>> {
        match value {
            Some(value) => self.one(link, value).await,
            None => Ok(None),
        }
    }

    /// The records for each of `values` (a by-id link), in the order of `values`, in one batch;
    /// rows the caller may not see, or not valid at the day, are left out.
    pub async fn each<L: Link, R: Record<Entity = L::Entity>>(
        &self,
        link: L,
        values: impl IntoIterator<Item = i32>,
    ) -> async_graphql::Result<Vec<R>> {
        let keys: Vec<Key<L>> = values
            .into_iter()
            .map(|value| Key::new(link.clone(), value, self.as_of))
            .collect();
        let loaded = self.batcher()?.load(&keys).await?;
        Ok(loaded
            .iter()
            .filter_map(|rows| rows.first())
            .map(|row| self.wrap(row.clone()))
            .collect())
    }

    fn wrap<R: Record>(&self, row: Arc<Row<R::Entity>>) -> R {
        R::read_at(row, self.as_of)
    }
}
