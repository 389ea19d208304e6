//! `[[shared_project]]` and its `[[shared_project.participant]]`s: the cross-municipal projects
//! the municipality leads, and what each participant contributes.

use std::collections::HashSet;

use entities::{
    kinds::Kind,
    shared_project::{self, Model},
};
use rust_decimal::Decimal;

use super::{each, kroner, Section};
use crate::{
    error::FieldPath,
    service::{
        checks::ore,
        model_io::{document::*, export::Names, import_plan::ImportPlan, rows::Rows},
        project::MAX_PARTICIPANTS,
    },
    vocabulary::ProjectRole,
};

tenant_record! {
pub struct SharedProjectRecord {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The participants: they belong to the project, not to one version.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub participant: Vec<ProjectParticipantRecord>,
}
}

#[derive(Debug, Clone, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectParticipantRecord {
    pub municipality: i32,
    /// `lead` or `participant`.
    pub role: String,
    /// Contribution in DKK, exact decimal string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contribution: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contribution_note: Option<String>,
}

/// Whether `code` may take part in one of the document's projects as `role`: the municipality
/// of the document leads its projects, and no other does (the problem noted).
fn participant_role(plan: &mut ImportPlan, at: &FieldPath, code: i32, role: &str) -> bool {
    let lead = role == ProjectRole::Lead.as_str();
    if lead == (code == plan.code) {
        return true;
    }
    let message = if lead {
        format!("only municipality {} leads its projects", plan.code)
    } else {
        format!("municipality {code} leads the project: its role is \"lead\"")
    };
    plan.problem(at.field("role"), message);
    false
}

impl Section for SharedProjectRecord {
    const KIND: Kind = Kind::SharedProject;

    fn decode(plan: &mut ImportPlan, section: &FieldPath, records: &[Self], rows: &mut Rows) {
        // Each project's first version (where a missing lead is reported), in document order,
        // and the projects whose lead takes part.
        let mut first_versions: Vec<(i32, FieldPath)> = Vec::new();
        let mut led: HashSet<i32> = HashSet::new();
        let mut seen: HashSet<i32> = HashSet::new();
        for (at, r) in each(section, records) {
            let id = plan.id_of(&r.key);
            let common = plan.common(&at, Self::KIND, r.provenance());
            let name =
                plan.text::<shared_project::Entity>(&at, shared_project::Column::Name, &r.name);
            let description = plan.text_opt::<shared_project::Entity>(
                &at,
                shared_project::Column::Description,
                r.description.as_deref(),
            );
            if seen.insert(id) {
                first_versions.push((id, at.clone()));
            }
            let mut listed: Vec<i32> = Vec::new();
            for (j, p) in r.participant.iter().enumerate() {
                let at = at.field("participant").index(j);
                let code = p.municipality;
                if !plan.reference.municipalities.contains(&code) {
                    plan.problem(
                        at.field("municipality"),
                        format!("there is no municipality {code}"),
                    );
                }
                if listed.contains(&code) {
                    plan.problem(at.field("municipality"), format!("{code} is listed twice"));
                    continue;
                }
                listed.push(code);
                if code == plan.code {
                    led.insert(id);
                }
                let role = plan
                    .vocabulary(&at.field("role"), &p.role, ProjectRole::ALL)
                    .filter(|role| participant_role(plan, &at, code, role));
                let contribution = plan.check(ore(&at.field("contribution"), p.contribution));
                let note = plan.long_text(
                    at.field("contribution_note"),
                    p.contribution_note.as_deref(),
                );
                if let Some((role, contribution, note)) = all_checked!(role, contribution, note) {
                    let row = (code, role, contribution, note);
                    let participants = rows.participants.entry(id).or_default();
                    // Participants belong to the record: every version that lists one says the same.
                    match participants.iter().find(|earlier| earlier.0 == code) {
                        None => participants.push(row),
                        Some(earlier) if *earlier == row => {}
                        Some(_) => plan.problem(
                            at,
                            format!(
                                "another version of the record lists {code} differently: a \
                                 project's participants belong to the record, so every version \
                                 lists them alike"
                            ),
                        ),
                    }
                }
            }
            if listed.len() > MAX_PARTICIPANTS + 1 {
                plan.problem(
                    at.field("participant"),
                    format!(
                        "a project has at most {MAX_PARTICIPANTS} participants besides its lead"
                    ),
                );
            }
            if let Some((common, name, description)) = all_checked!(common, name, description) {
                rows.shared_project.push(version!(
                    shared_project {
                        name: name,
                        description: description
                    },
                    id,
                    common,
                    plan.recorded
                ));
            }
        }
        for (id, at) in first_versions {
            if !led.contains(&id) {
                plan.problem(
                    at.field("participant"),
                    format!(
                        "municipality {} leads the project, so it takes part (role \"lead\")",
                        plan.code
                    ),
                );
            }
        }
    }

    fn encode(rows: &Rows, names: &Names) -> Vec<Self> {
        rows.shared_project
            .iter()
            .map(|row: &Model| {
                let participant = rows
                    .participants
                    .get(&row.id)
                    .into_iter()
                    .flatten()
                    .map(|(code, role, ore, note)| ProjectParticipantRecord {
                        municipality: *code,
                        role: role.clone(),
                        contribution: ore.map(kroner),
                        contribution_note: note.clone(),
                    })
                    .collect();
                record!(
                    SharedProjectRecord {
                        name: row.name.clone(),
                        description: row.description.clone(),
                        participant: participant,
                    },
                    row,
                    names,
                    Self::KIND
                )
            })
            .collect()
    }
}
