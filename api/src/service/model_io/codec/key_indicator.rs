//! `[[key_indicator]]`: the outcome figures and findings the sources report.

use entities::{
    key_indicator::{self, Model},
    kinds::Kind,
};
use rust_decimal::Decimal;

use super::{each, kroner, Section};
use crate::{
    error::FieldPath,
    service::{
        indicator::{checked_figure, Figure},
        model_io::{document::*, export::Names, import_plan::ImportPlan, rows::Rows},
    },
    vocabulary::{IndicatorKind, Measure},
};

tenant_record! {
/// An outcome figure the source reports, or a finding it states without a number.
pub struct KeyIndicatorRecord {
    /// `reported_crime`, `selected_penal_code_offences`, `charged_young_people`,
    /// `section_115_reports`.
    pub measure: String,
    /// The measure as the source words it.
    pub title: String,
    /// First and last year of the period (inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_start: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_end: Option<i32>,
    /// `count`, `percent_change`, `lower_bound` or `finding`.
    pub kind: String,
    /// The number, at most two decimals ("-23.5"); none for a finding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Decimal>,
    /// What the value counts ("%", "hændelser om året").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// A finding without a number, as the source states it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finding: Option<String>,
}
}

impl Section for KeyIndicatorRecord {
    const KIND: Kind = Kind::KeyIndicator;

    fn decode(plan: &mut ImportPlan, section: &FieldPath, records: &[Self], rows: &mut Rows) {
        for (at, r) in each(section, records) {
            let common = plan.common(&at, Self::KIND, r.provenance());
            let measure = plan.vocabulary(&at.field("measure"), &r.measure, Measure::ALL);
            let title =
                plan.text::<key_indicator::Entity>(&at, key_indicator::Column::Title, &r.title);
            let unit = plan.text_opt::<key_indicator::Entity>(
                &at,
                key_indicator::Column::Unit,
                r.unit.as_deref(),
            );
            let kind = plan.vocabulary(&at.field("kind"), &r.kind, IndicatorKind::ALL);
            let figure = kind
                .as_deref()
                .and_then(IndicatorKind::parse)
                .and_then(|kind| {
                    plan.check(checked_figure(
                        &at,
                        Figure {
                            period_start: r.period_start,
                            period_end: r.period_end,
                            kind,
                            value: r.value,
                            finding: r.finding.clone(),
                        },
                    ))
                });
            if let Some((common, measure, title, unit, kind, figure)) =
                all_checked!(common, measure, title, unit, kind, figure)
            {
                rows.key_indicator.push(version!(
                    key_indicator {
                        measure: measure,
                        title: title,
                        period_start: r.period_start,
                        period_end: r.period_end,
                        value_kind: kind,
                        value_hundredths: figure.value_hundredths,
                        unit: unit,
                        finding: figure.finding,
                    },
                    plan.id_of(&r.key),
                    common,
                    plan.recorded
                ));
            }
        }
    }

    fn encode(rows: &Rows, names: &Names) -> Vec<Self> {
        rows.key_indicator
            .iter()
            .map(|row: &Model| {
                record!(
                    KeyIndicatorRecord {
                        measure: row.measure.clone(),
                        title: row.title.clone(),
                        period_start: row.period_start,
                        period_end: row.period_end,
                        kind: row.value_kind.clone(),
                        value: row.value_hundredths.map(|v| kroner(v).normalize()),
                        unit: row.unit.clone(),
                        finding: row.finding.clone(),
                    },
                    row,
                    names,
                    Self::KIND
                )
            })
            .collect()
    }
}
