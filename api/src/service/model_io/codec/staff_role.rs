//! `[[staff_role]]`: the roles of a unit's staff: title, headcount, weekly hours, level.

use entities::{
    kinds::Kind,
    staff_role::{self, Model},
};
use rust_decimal::Decimal;

use super::{each, hours, Section};
use crate::{
    error::FieldPath,
    service::{
        checks::{checked_headcount, checked_hours},
        model_io::{document::*, export::Names, import_plan::ImportPlan, rows::Rows},
    },
    vocabulary::{Pillar, PreventionLevel},
};

tenant_record! {
pub struct StaffRoleRecord {
    pub unit: String,
    pub title: String,
    /// People in the role; none when the source gives no number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headcount: Option<i32>,
    /// Weekly hours per person: `weekly_hours` when exact, or `weekly_hours_min`/`_max` for a range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weekly_hours: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weekly_hours_min: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weekly_hours_max: Option<Decimal>,
    /// `general`, `targeted` or `individual`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prevention_level: Option<String>,
    /// `proactive`, `operative` or `reactive` (the pillars of the professional archetype).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pillar: Option<String>,
}
}

impl StaffRoleRecord {
    /// The weekly minutes per person, min and max: one exact figure, or a range.
    fn minutes(&self, plan: &mut ImportPlan, at: &FieldPath) -> Option<(Option<i32>, Option<i32>)> {
        match (
            self.weekly_hours,
            self.weekly_hours_min,
            self.weekly_hours_max,
        ) {
            (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
                plan.problem(
                    at.field("weekly_hours"),
                    "give weekly_hours or a min/max range, not both",
                );
                None
            }
            (Some(exact), None, None) => {
                let field = at.field("weekly_hours");
                plan.check(checked_hours((&field, Some(exact)), (&field, Some(exact))))
            }
            (None, min, max) => plan.check(checked_hours(
                (&at.field("weekly_hours_min"), min),
                (&at.field("weekly_hours_max"), max),
            )),
        }
    }
}

impl Section for StaffRoleRecord {
    const KIND: Kind = Kind::StaffRole;

    fn decode(plan: &mut ImportPlan, section: &FieldPath, records: &[Self], rows: &mut Rows) {
        for (at, r) in each(section, records) {
            let common = plan.common(&at, Self::KIND, r.provenance());
            let title = plan.text::<staff_role::Entity>(&at, staff_role::Column::Title, &r.title);
            let headcount = plan.check(checked_headcount(&at.field("headcount"), r.headcount));
            let minutes = r.minutes(plan, &at);
            let level = plan.vocabulary_opt(
                &at.field("prevention_level"),
                r.prevention_level.as_deref(),
                PreventionLevel::ALL,
            );
            let pillar = plan.vocabulary_opt(&at.field("pillar"), r.pillar.as_deref(), Pillar::ALL);
            let unit = plan.reference(&at.field("unit"), Kind::Unit, Some(&r.unit), r.valid_from);
            if let Some((common, title, (), (min, max), level, pillar, Some(unit))) =
                all_checked!(common, title, headcount, minutes, level, pillar, unit)
            {
                rows.staff_role.push(version!(
                    staff_role {
                        unit_id: unit,
                        title: title,
                        headcount: r.headcount,
                        weekly_minutes_min: min,
                        weekly_minutes_max: max,
                        prevention_level: level,
                        pillar: pillar,
                    },
                    plan.id_of(&r.key),
                    common,
                    plan.recorded
                ));
            }
        }
    }

    fn encode(rows: &Rows, names: &Names) -> Vec<Self> {
        rows.staff_role
            .iter()
            .map(|row: &Model| {
                let (exact, min, max) = match (row.weekly_minutes_min, row.weekly_minutes_max) {
                    (Some(min), Some(max)) if min == max => (Some(hours(min)), None, None),
                    (min, max) => (None, min.map(hours), max.map(hours)),
                };
                record!(
                    StaffRoleRecord {
                        unit: names.record(row.unit_id),
                        title: row.title.clone(),
                        headcount: row.headcount,
                        weekly_hours: exact,
                        weekly_hours_min: min,
                        weekly_hours_max: max,
                        prevention_level: row.prevention_level.clone(),
                        pillar: row.pillar.clone(),
                    },
                    row,
                    names,
                    Self::KIND
                )
            })
            .collect()
    }
}
