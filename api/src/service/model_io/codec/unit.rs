//! `[[unit]]`: the municipality's units and their place in its tree.

use entities::{
    kinds::Kind,
    unit::{self, Model},
};

use super::{each, Section};
use crate::{
    error::FieldPath,
    service::{
        model_io::{document::*, export::Names, import_plan::ImportPlan, rows::Rows},
        tree::Placement,
    },
    vocabulary::Archetype,
};

tenant_record! {
pub struct UnitRecord {
    pub name: String,
    /// `executive_board`, `centre`, `department`, `staff_unit`, `team`, `school`, `youth_school`,
    /// `working_group`, `other`.
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Key of the political committee the unit reports to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub committee: Option<String>,
    /// `clear_line_of_command`, `professional_pillars` or `integrated`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archetype: Option<String>,
    /// Why the archetype is what it is (or why it is unknown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archetype_note: Option<String>,
    /// True for the unit(s) where the municipality's SSP / crime-prevention work sits.
    #[serde(default, skip_serializing_if = "is_false")]
    pub hosts_crime_prevention: bool,
}
}

impl Section for UnitRecord {
    const KIND: Kind = Kind::Unit;

    fn decode(plan: &mut ImportPlan, section: &FieldPath, records: &[Self], rows: &mut Rows) {
        let mut placements: Vec<(Placement, FieldPath)> = Vec::new();
        for (at, r) in each(section, records) {
            let common = plan.common(&at, Self::KIND, r.provenance());
            let name = plan.text::<unit::Entity>(&at, unit::Column::Name, &r.name);
            let kind = plan.text::<unit::Entity>(&at, unit::Column::Kind, &r.kind);
            let archetype = plan.vocabulary_opt(
                &at.field("archetype"),
                r.archetype.as_deref(),
                Archetype::ALL,
            );
            let archetype_note = plan.text_opt::<unit::Entity>(
                &at,
                unit::Column::ArchetypeNote,
                r.archetype_note.as_deref(),
            );
            let day = r.valid_from;
            let parent = plan.reference(&at.field("parent"), Kind::Unit, r.parent.as_deref(), day);
            let committee = plan.reference(
                &at.field("committee"),
                Kind::PoliticalCommittee,
                r.committee.as_deref(),
                day,
            );
            let id = plan.id_of(&r.key);
            if let Some(parent) = parent {
                let placement = Placement {
                    unit: id,
                    parent,
                    valid_from: r.valid_from,
                    valid_to: r.valid_to,
                };
                placements.push((placement, at.field("parent")));
            }
            if let Some((common, name, kind, archetype, archetype_note, parent, committee)) = all_checked!(
                common,
                name,
                kind,
                archetype,
                archetype_note,
                parent,
                committee
            ) {
                rows.unit.push(version!(
                    unit {
                        parent_id: parent,
                        committee_id: committee,
                        name: name,
                        kind: kind,
                        archetype: archetype,
                        archetype_note: archetype_note,
                        hosts_crime_prevention: r.hosts_crime_prevention,
                    },
                    id,
                    common,
                    plan.recorded
                ));
            }
        }
        plan.check_tree(
            &placements,
            "unit",
            "a unit cannot be placed under itself or one of its own units",
        );
    }

    fn encode(rows: &Rows, names: &Names) -> Vec<Self> {
        rows.unit
            .iter()
            .map(|row: &Model| {
                record!(
                    UnitRecord {
                        name: row.name.clone(),
                        kind: row.kind.clone(),
                        parent: names.record_opt(row.parent_id),
                        committee: names.record_opt(row.committee_id),
                        archetype: row.archetype.clone(),
                        archetype_note: row.archetype_note.clone(),
                        hosts_crime_prevention: row.hosts_crime_prevention,
                    },
                    row,
                    names,
                    Self::KIND
                )
            })
            .collect()
    }
}
