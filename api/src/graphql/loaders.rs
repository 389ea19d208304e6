//! Batched loading of related records: every nested list or reference goes through here, so a
//! query costs one statement per relation and level, not one per row.

use std::{collections::HashMap, hash::Hash, time::Duration};

use async_graphql::{
    dataloader::{DataLoader, Loader},
    Context,
};
use chrono::NaiveDate;
use entities::*;
use sea_orm::EntityTrait;

use crate::{
    error::ApiError,
    service::{int_value, Scoped, Store},
};

/// A relation: rows of `Entity` whose `column()` equals a key.
pub trait Link: Copy + Eq + Hash + Send + Sync + 'static {
    type Entity: Scoped<Model: Sync>;
    fn column() -> <Self::Entity as EntityTrait>::Column;
}

type ModelOf<L> = <<L as Link>::Entity as EntityTrait>::Model;

/// What to load: the rows of link `L` for `value`, valid at `as_of`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key<L> {
    value: i32,
    as_of: Option<NaiveDate>,
    link: L,
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
    type Value = Vec<ModelOf<L>>;
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

fn loader<'a>(ctx: &'a Context<'_>) -> async_graphql::Result<&'a DataLoader<StoreLoader>> {
    ctx.data::<DataLoader<StoreLoader>>()
        .map_err(|_| ApiError::Internal(anyhow::anyhow!("no loader in the request")).into())
}

/// The rows related through `link` to `value`, valid at `as_of` (ignored for undated tables).
pub async fn load_many<L: Link>(
    ctx: &Context<'_>,
    link: L,
    value: i32,
    as_of: Option<NaiveDate>,
) -> async_graphql::Result<Vec<ModelOf<L>>> {
    let as_of = as_of.filter(|_| L::Entity::validity().is_some());
    let rows = loader(ctx)?.load_one(Key { value, as_of, link }).await?;
    Ok(rows.unwrap_or_default())
}

/// The one row related through `link` to `value` (by id), if the caller may see it.
pub async fn load_one<L: Link>(
    ctx: &Context<'_>,
    link: L,
    value: i32,
    as_of: Option<NaiveDate>,
) -> async_graphql::Result<Option<ModelOf<L>>> {
    Ok(load_many(ctx, link, value, as_of).await?.into_iter().next())
}

/// The row related through `link` to `value` when there is a value (an optional foreign key).
pub async fn load_optional<L: Link>(
    ctx: &Context<'_>,
    link: L,
    value: Option<i32>,
    as_of: Option<NaiveDate>,
) -> async_graphql::Result<Option<ModelOf<L>>> {
    match value {
        Some(value) => load_one(ctx, link, value, as_of).await,
        None => Ok(None),
    }
}

/// The rows for each of `values` (a by-id link), in the order of `values`, in one batch; rows the
/// caller may not see are left out.
pub async fn load_each<L: Link>(
    ctx: &Context<'_>,
    link: L,
    values: impl IntoIterator<Item = i32>,
    as_of: Option<NaiveDate>,
) -> async_graphql::Result<Vec<ModelOf<L>>> {
    let as_of = as_of.filter(|_| L::Entity::validity().is_some());
    let keys: Vec<Key<L>> = values
        .into_iter()
        .map(|value| Key { value, as_of, link })
        .collect();
    let loaded = loader(ctx)?.load_many(keys.iter().copied()).await?;
    Ok(keys
        .iter()
        .filter_map(|key| loaded.get(key).and_then(|rows| rows.first().cloned()))
        .collect())
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
