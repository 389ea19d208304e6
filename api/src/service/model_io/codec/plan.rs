//! `[[plan]]`: crime-prevention strategies and action plans, and the plans they are part of.

use chrono::NaiveDate;
use entities::{
    kinds::Kind,
    plan::{self, Model},
};

use super::{each, Section};
use crate::{
    error::FieldPath,
    service::{
        checks::checked_day,
        model_io::{document::*, export::Names, import_plan::ImportPlan, rows::Rows},
        plan::{checked_period, checked_principles},
        principles_of,
        tree::Placement,
    },
    vocabulary::{PlanDecision, PlanKind},
};

tenant_record! {
/// A crime-prevention strategy or action plan.
pub struct PlanRecord {
    /// `strategy` or `action_plan`.
    pub kind: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_year: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_year: Option<i32>,
    /// The key of the plan it carries out or belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part_of: Option<String>,
    /// `adopted` or `noted`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<String>,
    /// The body that adopted or noted it, as the source names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<String>,
    /// The key of that body, when it is one of the municipality's committees.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub committee: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub principles: Vec<String>,
}
}

impl Section for PlanRecord {
    const KIND: Kind = Kind::Plan;

    fn decode(plan: &mut ImportPlan, section: &FieldPath, records: &[Self], rows: &mut Rows) {
        let mut placements: Vec<(Placement, FieldPath)> = Vec::new();
        for (at, r) in each(section, records) {
            let common = plan.common(&at, Self::KIND, r.provenance());
            let kind = plan.vocabulary(&at.field("kind"), &r.kind, PlanKind::ALL);
            let title = plan.text::<plan::Entity>(&at, plan::Column::Title, &r.title);
            let period = plan.check(checked_period(&at, r.first_year, r.last_year));
            let decision = plan.vocabulary_opt(
                &at.field("decision"),
                r.decision.as_deref(),
                PlanDecision::ALL,
            );
            let decided_by = plan.text_opt::<plan::Entity>(
                &at,
                plan::Column::DecidedBy,
                r.decided_by.as_deref(),
            );
            let decided_on = match r.decided_on {
                Some(day) => plan
                    .check(checked_day(&at.field("decided_on"), day))
                    .map(Some),
                None => Some(None),
            };
            let principles = plan.check(checked_principles(&at.field("principles"), &r.principles));
            let day = r.valid_from;
            let part_of =
                plan.reference(&at.field("part_of"), Kind::Plan, r.part_of.as_deref(), day);
            let committee = plan.reference(
                &at.field("committee"),
                Kind::PoliticalCommittee,
                r.committee.as_deref(),
                day,
            );
            if let Some(Some(part_of)) = part_of {
                let placement = Placement {
                    unit: plan.id_of(&r.key),
                    parent: Some(part_of),
                    valid_from: r.valid_from,
                    valid_to: r.valid_to,
                };
                placements.push((placement, at.field("part_of")));
            }
            if let Some((
                common,
                kind,
                title,
                (),
                decision,
                decided_by,
                decided_on,
                principles,
                part_of,
                committee,
            )) = all_checked!(
                common, kind, title, period, decision, decided_by, decided_on, principles, part_of,
                committee,
            ) {
                rows.plan.push(version!(
                    plan {
                        kind: kind,
                        title: title,
                        first_year: r.first_year,
                        last_year: r.last_year,
                        part_of_id: part_of,
                        decision: decision,
                        decided_by: decided_by,
                        committee_id: committee,
                        decided_on: decided_on,
                        principles: principles,
                    },
                    plan.id_of(&r.key),
                    common,
                    plan.recorded
                ));
            }
        }
        plan.check_tree(
            &placements,
            "plan",
            "a plan cannot be part of itself or of one of its own parts",
        );
    }

    fn encode(rows: &Rows, names: &Names) -> Vec<Self> {
        rows.plan
            .iter()
            .map(|row: &Model| {
                record!(
                    PlanRecord {
                        kind: row.kind.clone(),
                        title: row.title.clone(),
                        first_year: row.first_year,
                        last_year: row.last_year,
                        part_of: names.record_opt(row.part_of_id),
                        decision: row.decision.clone(),
                        decided_by: row.decided_by.clone(),
                        committee: names.record_opt(row.committee_id),
                        decided_on: row.decided_on,
                        principles: principles_of(row.principles.as_deref()),
                    },
                    row,
                    names,
                    Self::KIND
                )
            })
            .collect()
    }
}
