//! Budget lines: exact DKK amounts (stored as øre), by year, category and phase.

use async_graphql::{Context, InputObject, MaybeUndefined, Object, Result, ID};
use entities::budget_line;
use rust_decimal::Decimal;

use super::{
    edits::{
        key_of, nullable, optional_key_of, required, revision_of, ProvenanceInput, VersionInput,
    },
    ids::{GlobalId, Kind},
    loaders::*,
    municipality::Municipality,
    organisation::Unit,
    pagination::{paginate, List},
    scalars::Date,
    source::{provenance_of, Provenance},
    store,
};
use crate::{
    service::{BudgetLineChanges, BudgetLineFilter, BudgetLineSlice, NewBudgetLine},
    vocabulary::{BudgetCategory, BudgetPhase},
};

dated_record!(
    /// A budget line.
    BudgetLine, budget_line
);

#[Object]
impl BudgetLine {
    pub(crate) async fn id(&self) -> ID {
        Kind::BudgetLine.id(self.row.id)
    }
    /// Counts the writes to the record; a write sends back the revision it read.
    async fn revision(&self, ctx: &Context<'_>) -> Result<i32> {
        revision_of(self, ctx, self.row.id).await
    }
    /// The fiscal (calendar) year.
    async fn year(&self) -> i32 {
        self.row.year
    }
    async fn category(&self) -> Option<BudgetCategory> {
        BudgetCategory::parse(&self.row.category)
    }
    async fn phase(&self) -> Option<BudgetPhase> {
        BudgetPhase::parse(&self.row.phase)
    }
    /// The amount in DKK, exact to the øre; null when the source names the line without an amount.
    async fn amount(&self) -> Option<Decimal> {
        self.row.amount_ore.map(|ore| Decimal::new(ore, 2))
    }
    /// Function code of the municipal chart of accounts (`x.yy.zz`), when known.
    async fn function_code(&self) -> Option<&str> {
        self.row.function_code.as_deref()
    }
    async fn description(&self) -> &str {
        &self.row.description
    }
    async fn unit(&self, ctx: &Context<'_>) -> Result<Option<Unit>> {
        self.related(ctx).optional(UnitById, self.row.unit_id).await
    }
    async fn municipality(&self, ctx: &Context<'_>) -> Result<Option<Municipality>> {
        self.related(ctx)
            .one(MunicipalityByCode, self.row.municipality_code)
            .await
    }
    async fn provenance(&self) -> Provenance {
        provenance_of!(self)
    }
}

/// Which budget lines to list.
#[derive(Default, InputObject)]
pub struct BudgetLineFilterInput {
    pub municipality_codes: Option<Vec<i32>>,
    pub year: Option<i32>,
    pub category: Option<BudgetCategory>,
    pub phase: Option<BudgetPhase>,
    /// Function code of the municipal chart of accounts, e.g. "5.28.20".
    pub function_code: Option<String>,
}

#[derive(Default)]
pub struct BudgetQuery;

#[Object]
impl BudgetQuery {
    /// Budget lines across the municipalities the caller may see (for integrations: stable
    /// order by id, keyset cursors).
    async fn budget_lines(
        &self,
        ctx: &Context<'_>,
        filter: Option<BudgetLineFilterInput>,
        as_of: Option<Date>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<List<BudgetLine>> {
        let as_of = Date::day(as_of);
        let filter = filter.unwrap_or_default();
        let filter = BudgetLineFilter {
            municipality_codes: filter.municipality_codes,
            function_code: filter.function_code,
            slice: BudgetLineSlice {
                year: filter.year,
                category: filter.category,
                phase: filter.phase,
            },
        };
        paginate(
            ctx,
            &filter,
            as_of,
            first,
            after,
            |row| row.id,
            |row| BudgetLine::read_at(row, as_of),
        )
        .await
    }
}

/// A new budget line.
#[derive(InputObject)]
pub struct CreateBudgetLineInput {
    /// The municipality (the editor's own).
    pub municipality_code: i32,
    /// The unit the line belongs to, if any.
    pub unit_id: Option<ID>,
    /// The fiscal (calendar) year.
    pub year: i32,
    pub category: BudgetCategory,
    pub phase: BudgetPhase,
    /// DKK, at most two decimals; none when the source names the line without an amount.
    pub amount: Option<Decimal>,
    /// Function code of the municipal chart of accounts (`x.yy.zz`).
    pub function_code: Option<String>,
    pub description: String,
    #[graphql(flatten)]
    pub version: VersionInput,
}

/// Changes to a budget line: a field not given keeps its value, `null` clears it.
#[derive(InputObject, Default)]
pub struct BudgetLineChangesInput {
    pub unit_id: MaybeUndefined<ID>,
    pub year: MaybeUndefined<i32>,
    pub category: MaybeUndefined<BudgetCategory>,
    pub phase: MaybeUndefined<BudgetPhase>,
    pub amount: MaybeUndefined<Decimal>,
    pub function_code: MaybeUndefined<String>,
    pub description: MaybeUndefined<String>,
}

#[derive(Default)]
pub struct BudgetMutation;

#[Object]
impl BudgetMutation {
    /// Creates a budget line of the editor's municipality (`private` until shared).
    async fn create_budget_line(
        &self,
        ctx: &Context<'_>,
        input: CreateBudgetLineInput,
    ) -> Result<BudgetLine> {
        let valid_from = input.version.valid_from.0;
        let new = NewBudgetLine {
            municipality_code: input.municipality_code,
            unit_id: optional_key_of(input.unit_id.as_ref(), Kind::Unit, "input.unitId")?,
            year: input.year,
            category: input.category,
            phase: input.phase,
            amount: input.amount,
            function_code: input.function_code,
            description: input.description,
            version: input.version.into(),
        };
        let row = store(ctx)?.create_budget_line(new, "input").await?;
        Ok(BudgetLine::of_model(row, Some(valid_from)))
    }

    /// Changes a budget line from `from` on; as of the day before it reads as it was.
    async fn update_budget_line(
        &self,
        ctx: &Context<'_>,
        id: ID,
        revision: i32,
        from: Date,
        changes: BudgetLineChangesInput,
        provenance: ProvenanceInput,
    ) -> Result<BudgetLine> {
        let key = key_of(&id, Kind::BudgetLine, "id")?;
        let changes = BudgetLineChanges {
            unit_id: nullable(changes.unit_id)
                .map(|id| optional_key_of(id.as_ref(), Kind::Unit, "changes.unitId"))
                .transpose()?,
            year: required(changes.year, "changes.year")?,
            category: required(changes.category, "changes.category")?,
            phase: required(changes.phase, "changes.phase")?,
            amount: nullable(changes.amount),
            function_code: nullable(changes.function_code),
            description: required(changes.description, "changes.description")?,
        };
        let row = store(ctx)?
            .update_budget_line(key, revision, from.0, changes, provenance.into(), "changes")
            .await?;
        Ok(BudgetLine::of_model(row, Some(from.0)))
    }
}
