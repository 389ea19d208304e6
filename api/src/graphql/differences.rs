//! What changed in a municipality's model between two days: units added, moved, renamed and
//! ended, and the differences in staffing and budget lines, each side with its source.

use async_graphql::{Context, Enum, Object, OutputType, Result};

use super::{
    budget::BudgetLine,
    list_size,
    loaders::Record,
    organisation::{StaffRole, Unit},
    scalars::Date,
    store,
};
use crate::service::{self, Between, Compared};

/// How a record differs between the two days.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum DifferenceKind {
    /// Holds on the second day, not on the first.
    Added,
    /// Held on the first day, not on the second (terminated, or outside the caller's view).
    Ended,
    /// Holds on both days, with other attributes (see `fields`).
    Changed,
}

/// A record that differs between the two days: the version of each day as the caller sees it,
/// each with its provenance (source, section, validity).
pub struct Difference<R> {
    before: Option<R>,
    after: Option<R>,
    fields: Vec<&'static str>,
}

#[Object(
    concrete(name = "UnitDifference", params(Unit)),
    concrete(name = "StaffRoleDifference", params(StaffRole)),
    concrete(name = "BudgetLineDifference", params(BudgetLine))
)]
impl<R: OutputType> Difference<R> {
    async fn kind(&self) -> DifferenceKind {
        match (&self.before, &self.after) {
            (None, _) => DifferenceKind::Added,
            (_, None) => DifferenceKind::Ended,
            _ => DifferenceKind::Changed,
        }
    }
    /// The attributes that differ, by their field names (`name`: renamed, `parent`: a unit
    /// moved, `headcount`, `amount`, …); empty when the record was added or ended.
    async fn fields(&self) -> &[&'static str] {
        &self.fields
    }
    /// The record as it was on `from` (none when added since).
    async fn before(&self) -> Option<&R> {
        self.before.as_ref()
    }
    /// The record as it is on `to` (none when ended since).
    async fn after(&self) -> Option<&R> {
        self.after.as_ref()
    }
}

/// A municipality's model on two days, compared.
pub struct ModelDifferences(Between);

impl ModelDifferences {
    async fn of<E, R>(&self, ctx: &Context<'_>) -> Result<Vec<Difference<R>>>
    where
        E: Compared,
        R: Record<Entity = E>,
        E::Model: Sync,
    {
        let between = self.0;
        let differences = store(ctx)?.differences::<E>(between).await?;
        Ok(differences
            .into_iter()
            .map(|difference: service::Difference<E::Model>| Difference {
                before: difference
                    .before
                    .map(|row| R::of_model(row, Some(between.from))),
                after: difference
                    .after
                    .map(|row| R::of_model(row, Some(between.to))),
                fields: difference.fields,
            })
            .collect())
    }
}

#[Object]
impl ModelDifferences {
    async fn municipality_code(&self) -> i32 {
        self.0.municipality
    }
    async fn from(&self) -> Date {
        Date(self.0.from)
    }
    async fn to(&self) -> Date {
        Date(self.0.to)
    }
    /// Units added, ended, renamed (`name`), moved (`parent`) or otherwise changed.
    #[graphql(directive = list_size::apply(30, None))]
    async fn units(&self, ctx: &Context<'_>) -> Result<Vec<Difference<Unit>>> {
        self.of::<entities::unit::Entity, Unit>(ctx).await
    }
    /// Staff roles added, ended or changed (headcount, hours, unit, …).
    #[graphql(directive = list_size::apply(30, None))]
    async fn staff_roles(&self, ctx: &Context<'_>) -> Result<Vec<Difference<StaffRole>>> {
        self.of::<entities::staff_role::Entity, StaffRole>(ctx)
            .await
    }
    /// Budget lines added, ended or changed (amount, phase, …).
    #[graphql(directive = list_size::apply(30, None))]
    async fn budget_lines(&self, ctx: &Context<'_>) -> Result<Vec<Difference<BudgetLine>>> {
        self.of::<entities::budget_line::Entity, BudgetLine>(ctx)
            .await
    }
}

#[derive(Default)]
pub struct DifferencesQuery;

#[Object]
impl DifferencesQuery {
    /// What changed in a municipality's model from one day to a later one, as far as the caller
    /// may see it: each record that differs, with its version on each day and their sources.
    async fn model_differences(
        &self,
        ctx: &Context<'_>,
        municipality_code: i32,
        from: Date,
        to: Date,
    ) -> Result<ModelDifferences> {
        let between = store(ctx)?.between(municipality_code, from.0, to.0).await?;
        Ok(ModelDifferences(between))
    }
}
