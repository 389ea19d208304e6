//! The model as rows: the versions of each table, and the rows that belong to a record.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use entities::{
    budget_line, contact, forum, forum_member, goal, intervention, key_indicator,
    political_committee, shared_project, staff_role, unit,
};
use serde_json::Value as Json;

/// A municipality's model as rows: versions of each table, and the rows that belong to a record
/// rather than to a version (by the record's identity).
#[derive(Default)]
pub(super) struct Rows {
    pub(super) committees: Vec<political_committee::Model>,
    pub(super) units: Vec<unit::Model>,
    pub(super) staff_roles: Vec<staff_role::Model>,
    pub(super) budget_lines: Vec<budget_line::Model>,
    pub(super) forums: Vec<forum::Model>,
    pub(super) forum_members: Vec<forum_member::Model>,
    pub(super) goals: Vec<goal::Model>,
    pub(super) interventions: Vec<intervention::Model>,
    pub(super) shared_projects: Vec<shared_project::Model>,
    pub(super) contacts: Vec<contact::Model>,
    pub(super) key_indicators: Vec<key_indicator::Model>,
    /// Legal bases by forum.
    pub(super) legal_bases: HashMap<i32, Vec<i32>>,
    pub(super) partners: HashMap<i32, Vec<Partner>>,
    pub(super) participants: HashMap<i32, Vec<Participant>>,
}

impl Rows {
    /// The identities of the records the rows are versions of.
    pub(super) fn ids(&self) -> HashSet<i32> {
        let mut ids = HashSet::new();
        ids.extend(self.committees.iter().map(|v| v.id));
        ids.extend(self.units.iter().map(|v| v.id));
        ids.extend(self.staff_roles.iter().map(|v| v.id));
        ids.extend(self.budget_lines.iter().map(|v| v.id));
        ids.extend(self.forums.iter().map(|v| v.id));
        ids.extend(self.forum_members.iter().map(|v| v.id));
        ids.extend(self.goals.iter().map(|v| v.id));
        ids.extend(self.interventions.iter().map(|v| v.id));
        ids.extend(self.shared_projects.iter().map(|v| v.id));
        ids.extend(self.contacts.iter().map(|v| v.id));
        ids.extend(self.key_indicators.iter().map(|v| v.id));
        ids
    }
}

/// A version's validity, `[valid_from, valid_to)`.
pub(super) type Validity = (Option<NaiveDate>, Option<NaiveDate>);

/// A partner of an intervention: unit, partner organisation, role.
type Partner = (Option<i32>, Option<i32>, Option<String>);

/// A participant of a shared project: municipality, role, contribution in øre, its note.
type Participant = (i32, String, Option<i64>, Option<String>);

impl Rows {
    /// A municipality's document does not decide what other municipalities contribute to its
    /// shared projects: each participant writes its own part (`setProjectContribution`), which
    /// stays as stored (none for a new participant). The seed dataset writes them all.
    pub(super) fn keep_contributions_of_others(&mut self, code: i32, stored: &Rows) {
        for (project, rows) in &mut self.participants {
            for row in rows.iter_mut().filter(|row| row.0 != code) {
                let kept = stored
                    .participants
                    .get(project)
                    .and_then(|rows| rows.iter().find(|stored| stored.0 == row.0));
                row.2 = kept.and_then(|stored| stored.2);
                row.3 = kept.and_then(|stored| stored.3.clone());
            }
        }
    }

    pub(super) fn legal_bases_json(&self) -> HashMap<i32, Json> {
        self.legal_bases
            .iter()
            .map(|(id, v)| (*id, serde_json::json!(v)))
            .collect()
    }
    pub(super) fn partners_json(&self) -> HashMap<i32, Json> {
        self.partners
            .iter()
            .map(|(id, v)| (*id, serde_json::json!(v)))
            .collect()
    }
    pub(super) fn participants_json(&self) -> HashMap<i32, Json> {
        self.participants
            .iter()
            .map(|(id, v)| (*id, serde_json::json!(v)))
            .collect()
    }
}
