//! Key indicators (nøgletal): the outcome figures the sources report next to the organisation.

use async_graphql::{Context, InputObject, Object, Result, ID};
use entities::key_indicator;
use rust_decimal::Decimal;

use super::{
    edits::revision_of,
    ids::NodeKind,
    loaders::*,
    municipality::Municipality,
    pagination::{paginate, List},
    scalars::Date,
    source::{provenance_of, Provenance},
};
use crate::{
    service::{KeyIndicatorFilter, KeyIndicatorSlice},
    vocabulary::{IndicatorKind, Measure},
};

dated_record!(
    /// An outcome figure a source reports for a municipality (reported crime −23.5 % from 2019 to
    /// 2021), or a finding it states without a number.
    KeyIndicator, key_indicator::Model
);

#[Object]
impl KeyIndicator {
    pub(crate) async fn id(&self) -> ID {
        NodeKind::KeyIndicator.id(self.row.id)
    }
    /// Counts the writes to the record; a write sends back the revision it read.
    async fn revision(&self, ctx: &Context<'_>) -> Result<i32> {
        revision_of(self, ctx, self.row.id).await
    }
    /// What is measured; null if the stored value is not one this server knows.
    async fn measure(&self) -> Option<Measure> {
        Measure::parse(&self.row.measure)
    }
    /// The measure as the source words it.
    async fn title(&self) -> &str {
        &self.row.title
    }
    /// First year of the period (inclusive); null when the source gives none.
    async fn period_start(&self) -> Option<i32> {
        self.row.period_start
    }
    /// Last year of the period (inclusive).
    async fn period_end(&self) -> Option<i32> {
        self.row.period_end
    }
    /// What kind of value it is: a count, a change in per cent, a lower bound, or a finding.
    async fn kind(&self) -> Option<IndicatorKind> {
        IndicatorKind::parse(&self.row.value_kind)
    }
    /// The value, exact; null for a finding, which has a text instead.
    async fn value(&self) -> Option<Decimal> {
        self.row
            .value_hundredths
            .map(|hundredths| Decimal::new(hundredths, 2).normalize())
    }
    /// What the value counts ("%", "hændelser om året").
    async fn unit(&self) -> Option<&str> {
        self.row.unit.as_deref()
    }
    /// The finding as the source states it, when it gives no number.
    async fn finding(&self) -> Option<&str> {
        self.row.finding.as_deref()
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

/// Which key indicators to list.
#[derive(Default, InputObject)]
pub struct KeyIndicatorFilterInput {
    pub municipality_codes: Option<Vec<i32>>,
    pub measure: Option<Measure>,
    /// Only indicators whose period takes in this year.
    pub year: Option<i32>,
}

#[derive(Default)]
pub struct IndicatorQuery;

#[Object]
impl IndicatorQuery {
    /// Key indicators across the municipalities the caller may see.
    async fn key_indicators(
        &self,
        ctx: &Context<'_>,
        filter: Option<KeyIndicatorFilterInput>,
        as_of: Option<Date>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<List<KeyIndicator>> {
        let as_of = Date::day(as_of);
        let filter = filter.unwrap_or_default();
        let filter = KeyIndicatorFilter {
            municipality_codes: filter.municipality_codes,
            slice: KeyIndicatorSlice {
                measure: filter.measure,
                year: filter.year,
            },
        };
        paginate(
            ctx,
            &filter,
            as_of,
            first,
            after,
            |row| row.id,
            |row| KeyIndicator::read_at(row, as_of),
        )
        .await
    }
}
