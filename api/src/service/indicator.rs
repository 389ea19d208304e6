//! Writing key indicators (nøgletal): a measure over a period of whole years (both ends or
//! neither), and a value of a kind: a count, a change in per cent or a lower bound, exact to two
//! decimals; or a finding the source states without a number, kept as its text and never as a
//! number.

use chrono::NaiveDate;
use entities::key_indicator;
use rust_decimal::{prelude::ToPrimitive, Decimal};
use sea_orm::ActiveValue::Set;

use super::{
    checks::{checked_long_text, checked_year, Origin, Text, Texts},
    writes::no_references,
    Store,
};
use crate::{
    error::{ApiError, ApiResult, FieldPath},
    vocabulary::{IndicatorKind, Measure},
};

/// The largest value either way: far above any count of a municipality, well within the column.
const MAX_VALUE: i64 = 1_000_000_000_000;

record_input! {
    /// A new key indicator.
    new NewKeyIndicator {
        municipality_code: i32,
    }
    /// Changes to a key indicator: `None` keeps a field, `Some` sets it (`Some(None)` clears it).
    /// The period, the kind, the value and the finding are checked together, as they will be.
    changes KeyIndicatorChanges;
    fields {
        measure: Measure,
        title: String,
        period_start: Option<i32>,
        period_end: Option<i32>,
        kind: IndicatorKind,
        value: Option<Decimal>,
        unit: Option<String>,
        finding: Option<String>,
    }
}

/// What a key indicator states: its period, and its value or finding.
pub(super) struct Figure {
    pub period_start: Option<i32>,
    pub period_end: Option<i32>,
    pub kind: IndicatorKind,
    pub value: Option<Decimal>,
    pub finding: Option<String>,
}

/// A figure as stored: the value in hundredths, the finding trimmed.
pub(super) struct CheckedFigure {
    pub value_hundredths: Option<i64>,
    pub finding: Option<String>,
}

impl Texts for key_indicator::Entity {
    const TEXTS: &'static [(key_indicator::Column, Text)] = &[
        (key_indicator::Column::Title, Text::Name),
        (key_indicator::Column::Unit, Text::Name),
    ];
}

impl Store {
    /// Creates a key indicator of the editor's municipality, `private` until shared.
    pub async fn create_key_indicator(
        &self,
        new: NewKeyIndicator,
        at: impl Into<FieldPath>,
    ) -> ApiResult<key_indicator::Model> {
        let at: &FieldPath = &at.into();
        let record = self
            .new_record(
                at,
                (new.municipality_code, Some("municipality_code")),
                &new.version,
            )
            .await?;
        let figure = checked_figure(
            at,
            Figure {
                period_start: new.period_start,
                period_end: new.period_end,
                kind: new.kind,
                value: new.value,
                finding: new.finding,
            },
        )?;
        let version = key_indicator::ActiveModel {
            measure: Set(new.measure.as_str().to_owned()),
            title: Set(new.title),
            period_start: Set(new.period_start),
            period_end: Set(new.period_end),
            value_kind: Set(new.kind.as_str().to_owned()),
            value_hundredths: Set(figure.value_hundredths),
            unit: Set(new.unit),
            finding: Set(figure.finding),
            ..Default::default()
        };
        self.create::<key_indicator::Entity>(version, record, no_references)
            .await
    }

    /// Changes the key indicator `id` from `from` on.
    pub async fn update_key_indicator(
        &self,
        id: i32,
        revision: i32,
        from: NaiveDate,
        changes: KeyIndicatorChanges,
        origin: Origin,
        at: impl Into<FieldPath>,
    ) -> ApiResult<key_indicator::Model> {
        let at: &FieldPath = &at.into();
        let field = |name: &str| at.field(name);
        self.owner_for_edit::<key_indicator::Entity>(id).await?;
        let change = self.change_from(at, from, &origin).await?;
        // The figure as it will be: the changed fields, and the others as they are on `from`.
        let current = self.holding_from::<key_indicator::Entity>(id, from).await?;
        let kind = match changes.kind {
            Some(kind) => kind,
            None => IndicatorKind::parse(&current.value_kind).ok_or_else(|| {
                ApiError::bad_input(field("kind"), "the stored kind is unknown: give the kind")
            })?,
        };
        let period_start = changes.period_start.unwrap_or(current.period_start);
        let period_end = changes.period_end.unwrap_or(current.period_end);
        let figure = checked_figure(
            at,
            Figure {
                period_start,
                period_end,
                kind,
                value: changes
                    .value
                    .unwrap_or_else(|| current.value_hundredths.map(|h| Decimal::new(h, 2))),
                finding: changes.finding.unwrap_or(current.finding),
            },
        )?;
        let mut changed = key_indicator::ActiveModel {
            period_start: Set(period_start),
            period_end: Set(period_end),
            value_kind: Set(kind.as_str().to_owned()),
            value_hundredths: Set(figure.value_hundredths),
            finding: Set(figure.finding),
            ..Default::default()
        };
        set_changed!(changed {
            measure: changes.measure.map(|measure| measure.as_str().to_owned()),
            title: changes.title,
            unit: changes.unit,
        });
        self.update_from::<key_indicator::Entity>(id, revision, change, changed, no_references)
            .await
    }
}

/// Checks a figure; errors name the field at fault under `at`.
pub(super) fn checked_figure(at: &FieldPath, figure: Figure) -> ApiResult<CheckedFigure> {
    let field = |name: &str| at.field(name);
    match (figure.period_start, figure.period_end) {
        (Some(start), Some(end)) => {
            checked_year(&field("period_start"), start)?;
            checked_year(&field("period_end"), end)?;
            if end < start {
                return Err(ApiError::bad_input(
                    field("period_end"),
                    "the period ends before it starts",
                ));
            }
        }
        (Some(_), None) | (None, Some(_)) => {
            let missing = if figure.period_end.is_none() {
                "period_end"
            } else {
                "period_start"
            };
            return Err(ApiError::bad_input(
                field(missing),
                "a period gives its first and last year (the same for one year), or neither",
            ));
        }
        (None, None) => {}
    }
    if figure.kind == IndicatorKind::Finding {
        if figure.value.is_some() {
            return Err(ApiError::bad_input(
                field("value"),
                "a finding has no number: give its text in finding, and value null",
            ));
        }
        let Some(finding) = figure.finding else {
            return Err(ApiError::bad_input(
                field("finding"),
                "a finding needs its text, as the source states it",
            ));
        };
        let finding = checked_long_text(&field("finding"), &finding)?;
        return Ok(CheckedFigure {
            value_hundredths: None,
            finding: Some(finding),
        });
    }
    if figure.finding.is_some() {
        return Err(ApiError::bad_input(
            field("finding"),
            "only a key indicator of kind FINDING has a finding; this one has a value",
        ));
    }
    let Some(value) = figure.value else {
        return Err(ApiError::bad_input(
            field("value"),
            "needs a value (a finding without a number is of kind FINDING)",
        ));
    };
    let value_hundredths = hundredths(&field("value"), figure.kind, value)?;
    Ok(CheckedFigure {
        value_hundredths: Some(value_hundredths),
        finding: None,
    })
}

/// A value of `kind` in hundredths: at most two decimals, at most [`MAX_VALUE`] either way; a
/// count or a lower bound not negative, and a fall of at most 100 %.
fn hundredths(field: &FieldPath, kind: IndicatorKind, value: Decimal) -> ApiResult<i64> {
    if value.abs() > Decimal::from(MAX_VALUE) {
        return Err(ApiError::bad_input(
            field,
            format!("must be at most {MAX_VALUE} either way"),
        ));
    }
    match kind {
        IndicatorKind::Count | IndicatorKind::LowerBound if value < Decimal::ZERO => {
            return Err(ApiError::bad_input(
                field,
                "a count or a lower bound is not negative",
            ));
        }
        IndicatorKind::PercentChange if value < Decimal::from(-100) => {
            return Err(ApiError::bad_input(
                field,
                "a fall is at most 100 per cent (-100)",
            ));
        }
        _ => {}
    }
    let scaled = value * Decimal::ONE_HUNDRED;
    if !scaled.fract().is_zero() {
        return Err(ApiError::bad_input(field, "has more than two decimals"));
    }
    scaled
        .to_i64()
        .ok_or_else(|| ApiError::bad_input(field, "is out of range"))
}
