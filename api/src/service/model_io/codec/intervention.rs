//! `[[intervention]]` and its `[[intervention.partner]]`s: what the municipality does, for whom,
//! under which goal and plan, and with whom.

use entities::{
    intervention::{self, Model},
    kinds::Kind,
};

use super::{each, Section};
use crate::{
    error::FieldPath,
    service::{
        checks::checked_ages,
        model_io::{document::*, export::Names, import_plan::ImportPlan, rows::Rows},
    },
    vocabulary::PreventionLevel,
};

tenant_record! {
pub struct InterventionRecord {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goal: Option<String>,
    /// The key of the plan it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part_of: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead_unit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prevention_level: Option<String>,
    /// The target group as the source words it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_group: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_min: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_max: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub funding: Option<String>,
    /// The partners: they belong to the intervention, not to one version.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partner: Vec<InterventionPartnerRecord>,
}
}

/// A partner of an intervention: one of `unit` (own municipality) or `partner` (organisation).
#[derive(Debug, Clone, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct InterventionPartnerRecord {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

impl InterventionPartnerRecord {
    /// Adds the partner to the intervention `id`'s (once), every field checked.
    fn decode(&self, plan: &mut ImportPlan, at: &FieldPath, id: i32, rows: &mut Rows) {
        // A partner belongs to no version, so to no day.
        let party = plan.party(
            at,
            "partner",
            (self.unit.as_deref(), self.partner.as_deref()),
            None,
        );
        let role = plan.short_text(at.field("role"), self.role.as_deref());
        if let Some(((unit, partner), role)) = all_checked!(party, role) {
            let partners = rows.partners.entry(id).or_default();
            if !partners.contains(&(unit, partner, role.clone())) {
                partners.push((unit, partner, role));
            }
        }
    }
}

impl Section for InterventionRecord {
    const KIND: Kind = Kind::Intervention;

    fn decode(plan: &mut ImportPlan, section: &FieldPath, records: &[Self], rows: &mut Rows) {
        for (at, r) in each(section, records) {
            let id = plan.id_of(&r.key);
            let common = plan.common(&at, Self::KIND, r.provenance());
            let name = plan.text::<intervention::Entity>(&at, intervention::Column::Name, &r.name);
            let description = plan.text_opt::<intervention::Entity>(
                &at,
                intervention::Column::Description,
                r.description.as_deref(),
            );
            let level = plan.vocabulary_opt(
                &at.field("prevention_level"),
                r.prevention_level.as_deref(),
                PreventionLevel::ALL,
            );
            let target_group = plan.text_opt::<intervention::Entity>(
                &at,
                intervention::Column::TargetGroup,
                r.target_group.as_deref(),
            );
            let ages = plan.check(checked_ages(&at, r.age_min, r.age_max));
            let funding = plan.text_opt::<intervention::Entity>(
                &at,
                intervention::Column::Funding,
                r.funding.as_deref(),
            );
            let day = r.valid_from;
            let goal = plan.reference(&at.field("goal"), Kind::Goal, r.goal.as_deref(), day);
            let part_of =
                plan.reference(&at.field("part_of"), Kind::Plan, r.part_of.as_deref(), day);
            let lead = plan.reference(
                &at.field("lead_unit"),
                Kind::Unit,
                r.lead_unit.as_deref(),
                day,
            );
            for (j, partner) in r.partner.iter().enumerate() {
                partner.decode(plan, &at.field("partner").index(j), id, rows);
            }
            if let Some((
                common,
                name,
                description,
                level,
                target_group,
                (),
                funding,
                goal,
                part_of,
                lead,
            )) = all_checked!(
                common,
                name,
                description,
                level,
                target_group,
                ages,
                funding,
                goal,
                part_of,
                lead,
            ) {
                rows.intervention.push(version!(
                    intervention {
                        goal_id: goal,
                        lead_unit_id: lead,
                        name: name,
                        description: description,
                        prevention_level: level,
                        target_group: target_group,
                        age_min: r.age_min,
                        age_max: r.age_max,
                        funding: funding,
                        plan_id: part_of,
                    },
                    id,
                    common,
                    plan.recorded
                ));
            }
        }
    }

    fn encode(rows: &Rows, names: &Names) -> Vec<Self> {
        rows.intervention
            .iter()
            .map(|row: &Model| {
                let partner = rows
                    .partners
                    .get(&row.id)
                    .into_iter()
                    .flatten()
                    .map(|(unit, partner, role)| InterventionPartnerRecord {
                        unit: names.record_opt(*unit),
                        partner: partner.map(|p| names.partner(p)),
                        role: role.clone(),
                    })
                    .collect();
                record!(
                    InterventionRecord {
                        name: row.name.clone(),
                        description: row.description.clone(),
                        goal: names.record_opt(row.goal_id),
                        part_of: names.record_opt(row.plan_id),
                        lead_unit: names.record_opt(row.lead_unit_id),
                        prevention_level: row.prevention_level.clone(),
                        target_group: row.target_group.clone(),
                        age_min: row.age_min,
                        age_max: row.age_max,
                        funding: row.funding.clone(),
                        partner: partner,
                    },
                    row,
                    names,
                    Self::KIND
                )
            })
            .collect()
    }
}
