//! Batched loading of related records, at the reader's day.
//!
//! Every nested list or reference goes through [`Related`], so a query costs one statement per
//! relation and level, not one per row; and because `Related` starts from the parent record and
//! wraps what it loads at the parent's day, a record reached from one read `asOf` a day is read at
//! that day too. A resolver never handles the date itself.

use std::{collections::HashMap, hash::Hash, time::Duration};

use async_graphql::{
    dataloader::{DataLoader, Loader},
    Context,
};
use chrono::NaiveDate;
use entities::*;
use sea_orm::EntityTrait;

use super::scalars::Date;
use crate::{
    error::ApiError,
    service::{int_value, Scoped, Store},
};

type Row<E> = <E as EntityTrait>::Model;

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
    fn record<R: Record>(&self, row: Row<R::Entity>) -> R {
        R::read_at(row, self.as_of())
    }
}

/// A GraphQL record: one row of `Entity`, read at a day.
pub trait Record: Dated + Sized {
    type Entity: Scoped<Model: Sync>;

    /// The record of `row` read at `as_of`. Only query roots call this, with the day of their
    /// `asOf` argument (or none); everything below a root is reached through [`Dated::related`] or
    /// [`Dated::record`], which pass the root's day on.
    fn read_at(row: Row<Self::Entity>, as_of: Option<NaiveDate>) -> Self;
}

/// A relation: rows of `Entity` whose `column()` equals a key.
pub trait Link: Copy + Eq + Hash + Send + Sync + 'static {
    type Entity: Scoped<Model: Sync>;
    fn column() -> <Self::Entity as EntityTrait>::Column;
}

/// What to load: the rows of link `L` for `value`, valid at `as_of`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key<L> {
    value: i32,
    as_of: Option<NaiveDate>,
    link: L,
}

impl<L: Link> Key<L> {
    /// The key of `value` at `as_of`; undated tables drop the day, so that every reading shares
    /// one load of them.
    fn new(link: L, value: i32, as_of: Option<NaiveDate>) -> Self {
        let as_of = as_of.filter(|_| L::Entity::validity().is_some());
        Self { value, as_of, link }
    }
}

/// The request's loader: reads through the caller's [`Store`].
pub struct StoreLoader {
    store: Store,
}

impl StoreLoader {
    /// A loader that collects keys for `window` before it queries.
    pub fn new(store: Store, window: Duration) -> DataLoader<Self> {
        DataLoader::new(Self { store }, tokio::spawn).delay(window)
    }
}

impl<L: Link> Loader<Key<L>> for StoreLoader {
    type Value = Vec<Row<L::Entity>>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[Key<L>]) -> Result<HashMap<Key<L>, Self::Value>, Self::Error> {
        let mut by_date: HashMap<Option<NaiveDate>, Vec<i32>> = HashMap::new();
        for key in keys {
            by_date.entry(key.as_of).or_default().push(key.value);
        }
        let mut loaded: HashMap<Key<L>, Self::Value> = HashMap::new();
        for (as_of, values) in by_date {
            let rows = self
                .store
                .list_by_column::<L::Entity>(L::column(), &values, as_of)
                .await
                .map_err(async_graphql::Error::from)?;
            for row in rows {
                if let Some(value) = int_value(&row, L::column()) {
                    let key = Key {
                        value,
                        as_of,
                        link: keys[0].link,
                    };
                    loaded.entry(key).or_default().push(row);
                }
            }
        }
        Ok(loaded)
    }
}

/// The records related to a parent record, read at its day: what [`Dated::related`] returns.
#[derive(Clone, Copy)]
pub struct Related<'a, 'ctx> {
    ctx: &'a Context<'ctx>,
    as_of: Option<NaiveDate>,
}

impl Related<'_, '_> {
    /// Read at the field's own `asOf` argument when it is given, else at the parent's day (a list
    /// with an `asOf` argument starts a new reading for everything below it).
    pub fn as_of(self, day: Option<Date>) -> Self {
        Self {
            as_of: Date::day(day).or(self.as_of),
            ..self
        }
    }

    fn loader(&self) -> async_graphql::Result<&DataLoader<StoreLoader>> {
        self.ctx
            .data::<DataLoader<StoreLoader>>()
            .map_err(|_| ApiError::Internal(anyhow::anyhow!("no loader in the request")).into())
    }

    /// The bare rows related through `link` to `value`: for link tables that are not records
    /// themselves (memberships), whose rows only lead on to records.
    pub async fn rows<L: Link>(
        &self,
        link: L,
        value: i32,
    ) -> async_graphql::Result<Vec<Row<L::Entity>>> {
        let key = Key::new(link, value, self.as_of);
        Ok(self.loader()?.load_one(key).await?.unwrap_or_default())
    }

    /// The records related through `link` to `value`.
    pub async fn many<L: Link, R: Record<Entity = L::Entity>>(
        &self,
        link: L,
        value: i32,
    ) -> async_graphql::Result<Vec<R>> {
        let rows = self.rows(link, value).await?;
        Ok(rows.into_iter().map(|row| self.wrap(row)).collect())
    }

    /// The one record related through `link` to `value` (by id), if the caller may see it and it
    /// is valid at the day.
    pub async fn one<L: Link, R: Record<Entity = L::Entity>>(
        &self,
        link: L,
        value: i32,
    ) -> async_graphql::Result<Option<R>> {
        Ok(self.many(link, value).await?.into_iter().next())
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
            .map(|value| Key::new(link, value, self.as_of))
            .collect();
        let loaded = self.loader()?.load_many(keys.iter().copied()).await?;
        Ok(keys
            .iter()
            .filter_map(|key| loaded.get(key).and_then(|rows| rows.first().cloned()))
            .map(|row| self.wrap(row))
            .collect())
    }

    fn wrap<R: Record>(&self, row: Row<R::Entity>) -> R {
        R::read_at(row, self.as_of)
    }
}

/// Declares link marker types: `Name: module => Column`.
macro_rules! links {
    ($($(#[$meta:meta])* $name:ident: $module:ident => $column:ident),* $(,)?) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name;

        impl Link for $name {
            type Entity = $module::Entity;
            fn column() -> $module::Column {
                $module::Column::$column
            }
        }
    )*};
}

links!(
    SourceById: source => Id,
    MunicipalityByCode: municipality => Code,
    NetworkById: network => Id,
    MembershipsByMunicipality: network_membership => MunicipalityCode,
    MembershipsByNetwork: network_membership => NetworkId,
    PartnerById: partner_organisation => Id,
    LegalBasisById: legal_basis => Id,
    CommitteeById: political_committee => Id,
    CommitteesByMunicipality: political_committee => MunicipalityCode,
    UnitById: unit => Id,
    UnitsByParent: unit => ParentId,
    UnitsByMunicipality: unit => MunicipalityCode,
    UnitsByCommittee: unit => CommitteeId,
    StaffRolesByUnit: staff_role => UnitId,
    StaffRolesByMunicipality: staff_role => MunicipalityCode,
    BudgetLinesByMunicipality: budget_line => MunicipalityCode,
    BudgetLinesByUnit: budget_line => UnitId,
    ForumsByMunicipality: forum => MunicipalityCode,
    ForumsByNetwork: forum => NetworkId,
    MembersByForum: forum_member => ForumId,
    LegalBasesByForum: forum_legal_basis => ForumId,
    GoalById: goal => Id,
    GoalsByMunicipality: goal => MunicipalityCode,
    InterventionsByMunicipality: intervention => MunicipalityCode,
    InterventionsByGoal: intervention => GoalId,
    PartnersByIntervention: intervention_partner => InterventionId,
    ProjectById: shared_project => Id,
    ProjectsByOwner: shared_project => MunicipalityCode,
    ParticipantsByProject: project_participant => ProjectId,
    ParticipationsByMunicipality: project_participant => ParticipantCode,
    ContactsByMunicipality: contact => MunicipalityCode,
    ContactsByUnit: contact => UnitId,
);
