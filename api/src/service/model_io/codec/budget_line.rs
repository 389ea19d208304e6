//! `[[budget_line]]`: budget figures by year, category and phase, of the municipality or a unit.

use entities::{
    budget_line::{self, Model},
    kinds::Kind,
};
use rust_decimal::Decimal;

use super::{each, kroner, Section};
use crate::{
    error::FieldPath,
    service::{
        checks::{checked_year, ore},
        model_io::{document::*, export::Names, import_plan::ImportPlan, rows::Rows},
    },
    vocabulary::{BudgetCategory, BudgetPhase},
};

tenant_record! {
pub struct BudgetLineRecord {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    pub year: i32,
    /// `frame` (the total frame), `salaries`, `pool`, `project_funds`, `external_funding`.
    pub category: String,
    /// `proposed`, `adopted`, `adjusted`, `actual`.
    pub phase: String,
    /// Amount in DKK as an exact decimal string ("5280000.00"); none when the source gives none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function_code: Option<String>,
    pub description: String,
}
}

impl Section for BudgetLineRecord {
    const KIND: Kind = Kind::BudgetLine;

    fn decode(plan: &mut ImportPlan, section: &FieldPath, records: &[Self], rows: &mut Rows) {
        for (at, r) in each(section, records) {
            let common = plan.common(&at, Self::KIND, r.provenance());
            let year = plan.check(checked_year(&at.field("year"), r.year));
            let category = plan.vocabulary(&at.field("category"), &r.category, BudgetCategory::ALL);
            let phase = plan.vocabulary(&at.field("phase"), &r.phase, BudgetPhase::ALL);
            let amount = plan.check(ore(&at.field("amount"), r.amount));
            let function_code = plan.text_opt::<budget_line::Entity>(
                &at,
                budget_line::Column::FunctionCode,
                r.function_code.as_deref(),
            );
            let description = plan.text::<budget_line::Entity>(
                &at,
                budget_line::Column::Description,
                &r.description,
            );
            let unit = plan.reference(
                &at.field("unit"),
                Kind::Unit,
                r.unit.as_deref(),
                r.valid_from,
            );
            if let Some((common, (), category, phase, amount, function_code, description, unit)) = all_checked!(
                common,
                year,
                category,
                phase,
                amount,
                function_code,
                description,
                unit
            ) {
                rows.budget_line.push(version!(
                    budget_line {
                        unit_id: unit,
                        year: r.year,
                        category: category,
                        phase: phase,
                        amount_ore: amount,
                        function_code: function_code,
                        description: description,
                    },
                    plan.id_of(&r.key),
                    common,
                    plan.recorded
                ));
            }
        }
    }

    fn encode(rows: &Rows, names: &Names) -> Vec<Self> {
        rows.budget_line
            .iter()
            .map(|row: &Model| {
                record!(
                    BudgetLineRecord {
                        unit: names.record_opt(row.unit_id),
                        year: row.year,
                        category: row.category.clone(),
                        phase: row.phase.clone(),
                        amount: row.amount_ore.map(kroner),
                        function_code: row.function_code.clone(),
                        description: row.description.clone(),
                    },
                    row,
                    names,
                    Self::KIND
                )
            })
            .collect()
    }
}
