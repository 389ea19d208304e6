//! Key indicators (nøgletal): the outcome figures the sources report next to the organisation.

use async_graphql::{Context, InputObject, MaybeUndefined, Object, Result, ID};
use entities::key_indicator;
use rust_decimal::Decimal;

use super::{
    edits::{key_of, nullable, required, revision_of, ProvenanceInput, VersionInput},
    ids::{GlobalId, Kind},
    loaders::*,
    municipality::Municipality,
    pagination::{paginate, List},
    scalars::Date,
    source::{provenance_of, Provenance},
    store,
};
use crate::{
    service::{KeyIndicatorChanges, KeyIndicatorFilter, KeyIndicatorSlice, NewKeyIndicator},
    vocabulary::{IndicatorKind, Measure},
};

dated_record!(
    /// An outcome figure a source reports for a municipality (reported crime −23.5 % from 2019 to
    /// 2021), or a finding it states without a number.
    KeyIndicator, key_indicator
);

#[Object]
impl KeyIndicator {
    pub(crate) async fn id(&self) -> ID {
        Kind::KeyIndicator.id(self.row.id)
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

/// A new key indicator: a value of a kind over a period, or a finding without a number.
#[derive(InputObject)]
pub struct CreateKeyIndicatorInput {
    /// The municipality (the editor's own).
    pub municipality_code: i32,
    pub measure: Measure,
    /// The measure as the source words it.
    pub title: String,
    /// First and last year of the period (inclusive; the same for one year): both, or neither.
    pub period_start: Option<i32>,
    pub period_end: Option<i32>,
    pub kind: IndicatorKind,
    /// The value, at most two decimals; none for a `FINDING`. A `COUNT` or `LOWER_BOUND` is not
    /// negative, a `PERCENT_CHANGE` not below -100.
    pub value: Option<Decimal>,
    /// What the value counts ("%", "henvendelser om året").
    pub unit: Option<String>,
    /// The finding as the source states it: only, and always, for a `FINDING`.
    pub finding: Option<String>,
    #[graphql(flatten)]
    pub version: VersionInput,
}

/// Changes to a key indicator: a field not given keeps its value, `null` clears it. The period,
/// kind, value and finding must fit together as they will be.
#[derive(InputObject, Default)]
pub struct KeyIndicatorChangesInput {
    pub measure: MaybeUndefined<Measure>,
    pub title: MaybeUndefined<String>,
    pub period_start: MaybeUndefined<i32>,
    pub period_end: MaybeUndefined<i32>,
    pub kind: MaybeUndefined<IndicatorKind>,
    pub value: MaybeUndefined<Decimal>,
    pub unit: MaybeUndefined<String>,
    pub finding: MaybeUndefined<String>,
}

#[derive(Default)]
pub struct IndicatorMutation;

#[Object]
impl IndicatorMutation {
    /// Creates a key indicator of the editor's municipality (`private` until shared).
    async fn create_key_indicator(
        &self,
        ctx: &Context<'_>,
        input: CreateKeyIndicatorInput,
    ) -> Result<KeyIndicator> {
        let valid_from = input.version.valid_from.0;
        let new = NewKeyIndicator {
            municipality_code: input.municipality_code,
            measure: input.measure,
            title: input.title,
            period_start: input.period_start,
            period_end: input.period_end,
            kind: input.kind,
            value: input.value,
            unit: input.unit,
            finding: input.finding,
            version: input.version.into(),
        };
        let row = store(ctx)?.create_key_indicator(new, "input").await?;
        Ok(KeyIndicator::of_model(row, Some(valid_from)))
    }

    /// Changes a key indicator from `from` on; as of the day before it reads as it was.
    async fn update_key_indicator(
        &self,
        ctx: &Context<'_>,
        id: ID,
        revision: i32,
        from: Date,
        changes: KeyIndicatorChangesInput,
        provenance: ProvenanceInput,
    ) -> Result<KeyIndicator> {
        let key = key_of(&id, Kind::KeyIndicator, "id")?;
        let changes = KeyIndicatorChanges {
            measure: required(changes.measure, "changes.measure")?,
            title: required(changes.title, "changes.title")?,
            period_start: nullable(changes.period_start),
            period_end: nullable(changes.period_end),
            kind: required(changes.kind, "changes.kind")?,
            value: nullable(changes.value),
            unit: nullable(changes.unit),
            finding: nullable(changes.finding),
        };
        let row = store(ctx)?
            .update_key_indicator(key, revision, from.0, changes, provenance.into(), "changes")
            .await?;
        Ok(KeyIndicator::of_model(row, Some(from.0)))
    }
}
