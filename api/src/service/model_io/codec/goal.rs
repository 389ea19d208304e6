//! `[[goal]]`: the numbered goals of a plan.

use entities::{
    goal::{self, Model},
    kinds::Kind,
};

use super::{each, Section};
use crate::{
    error::FieldPath,
    service::{
        checks::checked_goal_number,
        model_io::{document::*, export::Names, import_plan::ImportPlan, rows::Rows},
    },
};

tenant_record! {
pub struct GoalRecord {
    /// The name of the plan the goal belongs to ("Ishøj – En Tryg By").
    pub plan: String,
    /// The key of the plan record it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part_of: Option<String>,
    pub number: i32,
    pub title: String,
}
}

impl Section for GoalRecord {
    const KIND: Kind = Kind::Goal;

    fn decode(plan: &mut ImportPlan, section: &FieldPath, records: &[Self], rows: &mut Rows) {
        for (at, r) in each(section, records) {
            let common = plan.common(&at, Self::KIND, r.provenance());
            let plan_name = plan.text::<goal::Entity>(&at, goal::Column::Plan, &r.plan);
            let number = plan.check(checked_goal_number(&at.field("number"), r.number));
            let title = plan.text::<goal::Entity>(&at, goal::Column::Title, &r.title);
            let part_of = plan.reference(
                &at.field("part_of"),
                Kind::Plan,
                r.part_of.as_deref(),
                r.valid_from,
            );
            if let Some((common, plan_name, (), title, part_of)) =
                all_checked!(common, plan_name, number, title, part_of)
            {
                rows.goal.push(version!(
                    goal {
                        plan: plan_name,
                        number: r.number,
                        title: title,
                        plan_id: part_of,
                    },
                    plan.id_of(&r.key),
                    common,
                    plan.recorded
                ));
            }
        }
    }

    fn encode(rows: &Rows, names: &Names) -> Vec<Self> {
        rows.goal
            .iter()
            .map(|row: &Model| {
                record!(
                    GoalRecord {
                        plan: row.plan.clone(),
                        part_of: names.record_opt(row.plan_id),
                        number: row.number,
                        title: row.title.clone(),
                    },
                    row,
                    names,
                    Self::KIND
                )
            })
            .collect()
    }
}
