//! Budget lines: exact DKK amounts (stored as øre), by year, category and phase.

use async_graphql::{Context, InputObject, Object, Result, ID};
use entities::budget_line;
use rust_decimal::Decimal;

use super::{
    ids::NodeKind,
    loaders::*,
    municipality::Municipality,
    organisation::Unit,
    pagination::{paginate, List},
    scalars::Date,
    source::{provenance_of, Provenance},
};
use crate::{
    service::{BudgetLineFilter, BudgetLineSlice},
    vocabulary::{BudgetCategory, BudgetPhase},
};

dated_record!(
    /// A budget line.
    BudgetLine, budget_line::Model
);

#[Object]
impl BudgetLine {
    pub(crate) async fn id(&self) -> ID {
        NodeKind::BudgetLine.id(self.row.id)
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
