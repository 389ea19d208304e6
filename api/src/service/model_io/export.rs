//! The document an export writes: the rows of a model with references by key.

use std::collections::{HashMap, HashSet};

use entities::{forum, identity, kinds::Kind};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::document::*;
use super::{import_plan::Reference, rows::Rows};
use crate::{error::ApiResult, service::Store, vocabulary::Visibility};

/// What an export writes for a reference to a record the caller may not see.
const HIDDEN: &str = "#hidden";

/// Keys of the records and of the reference data, by id, for writing a document.
pub(super) struct Names {
    records: HashMap<i32, String>,
    sources: HashMap<i32, String>,
    networks: HashMap<i32, String>,
    partners: HashMap<i32, String>,
    legal_bases: HashMap<i32, String>,
}

impl Names {
    /// The names of the records `exported` (the ones the caller may see) and of the reference
    /// data: a reference to a record the caller may not see shows as [`HIDDEN`], not by its key
    /// (which can say what the record is).
    pub(super) async fn load(store: &Store, code: i32, exported: &HashSet<i32>) -> ApiResult<Self> {
        let records = identity::Entity::find()
            .filter(identity::Column::MunicipalityCode.eq(code))
            .all(&store.db)
            .await?
            .into_iter()
            .filter(|row| exported.contains(&row.id))
            .map(|row| (row.id, row.key))
            .collect();
        let reference = Reference::load(store).await?;
        let invert = |map: HashMap<String, i32>| map.into_iter().map(|(k, v)| (v, k)).collect();
        Ok(Self {
            records,
            sources: invert(reference.sources),
            networks: invert(reference.networks),
            partners: invert(reference.partners),
            legal_bases: invert(reference.legal_bases),
        })
    }

    fn record(&self, id: i32) -> String {
        self.records
            .get(&id)
            .cloned()
            .unwrap_or_else(|| HIDDEN.to_owned())
    }
    fn record_opt(&self, id: Option<i32>) -> Option<String> {
        id.map(|id| self.record(id))
    }
    fn of(map: &HashMap<i32, String>, id: i32) -> String {
        map.get(&id).cloned().unwrap_or_else(|| format!("#{id}"))
    }
}

/// The visibility a record has when the document does not say.
pub(super) fn default_visibility(kind: Kind) -> Visibility {
    match kind {
        // Personal data.
        Kind::Contact => Visibility::Private,
        // The seeds are published documents.
        _ => Visibility::Public,
    }
}

/// Hours as a document writes them (`37`, `27.5`).
fn hours(minutes: i32) -> Decimal {
    (Decimal::from(minutes) / Decimal::from(60)).normalize()
}

/// øre as DKK with two decimals (`5280000.00`).
fn kroner(ore: i64) -> Decimal {
    Decimal::new(ore, 2)
}

/// Writes the provenance fields of a version into a record's (a macro: each record type has its
/// own fields of the same names).
macro_rules! record {
    ($type:ident { $($field:ident: $value:expr),* $(,)? }, $row:expr, $names:expr, $kind:expr) => {{
        let row = $row;
        $type {
            key: $names.record(row.id),
            $($field: $value,)*
            source: Names::of(&$names.sources, row.source_id),
            section: row.source_section.clone(),
            valid_from: row.valid_from,
            valid_to: row.valid_to,
            visibility: (row.visibility != default_visibility($kind).as_str())
                .then(|| row.visibility.clone()),
            note: row.note.clone(),
        }
    }};
}

impl Rows {
    /// The model as a document.
    pub(super) fn document(&self, code: i32, names: &Names) -> ModelFile {
        let legal_bases = |id: i32| -> Vec<String> {
            self.legal_bases
                .get(&id)
                .map(|ids| {
                    ids.iter()
                        .map(|b| Names::of(&names.legal_bases, *b))
                        .collect()
                })
                .unwrap_or_default()
        };
        let mut forums: Vec<ForumRecord> = self
            .forum
            .iter()
            .map(|row| {
                record!(
                    ForumRecord {
                        name: row.name.clone(),
                        scope: row.scope.clone(),
                        level: row.level.clone(),
                        cadence: row.cadence.clone(),
                        purpose: row.purpose.clone(),
                        network: row.network_id.map(|id| Names::of(&names.networks, id)),
                        legal_bases: legal_bases(row.id),
                        member: Vec::new(),
                    },
                    row,
                    names,
                    Kind::Forum
                )
            })
            .collect();
        // A member is listed under a version of its forum, and gives itself what of its
        // provenance differs from that version's. A document cannot say "no end" or "no start"
        // against a version that has one, so the version is one whose open ends the member
        // shares: the one with the member's validity, else one holding on the member's first
        // day, else any such; else (only then a document loses an open end) the forum's first.
        for row in &self.forum_member {
            let versions: Vec<&forum::Model> =
                self.forum.iter().filter(|f| f.id == row.forum_id).collect();
            let representable = |f: &forum::Model| {
                (row.valid_from.is_some() || f.valid_from.is_none())
                    && (row.valid_to.is_some() || f.valid_to.is_none())
            };
            let holds = |f: &forum::Model| {
                row.valid_from.is_some_and(|day| {
                    f.valid_from.is_none_or(|from| from <= day)
                        && f.valid_to.is_none_or(|to| day < to)
                })
            };
            let chosen = versions
                .iter()
                .find(|f| (f.valid_from, f.valid_to) == (row.valid_from, row.valid_to))
                .or_else(|| versions.iter().find(|f| representable(f) && holds(f)))
                .or_else(|| versions.iter().find(|f| representable(f)))
                .or(versions.first())
                .and_then(|chosen| self.forum.iter().position(|f| std::ptr::eq(f, *chosen)));
            let Some(index) = chosen else {
                // Its forum is not visible to the caller.
                continue;
            };
            let f = &self.forum[index];
            let differs = |mine: &str, theirs: &str| (mine != theirs).then(|| mine.to_owned());
            let member = ForumMemberRecord {
                key: names.record(row.id),
                unit: names.record_opt(row.unit_id),
                partner: row.partner_id.map(|id| Names::of(&names.partners, id)),
                role_title: row.role_title.clone(),
                source: (row.source_id != f.source_id)
                    .then(|| Names::of(&names.sources, row.source_id)),
                section: differs(&row.source_section, &f.source_section),
                valid_from: (row.valid_from != f.valid_from)
                    .then_some(row.valid_from)
                    .flatten(),
                valid_to: (row.valid_to != f.valid_to)
                    .then_some(row.valid_to)
                    .flatten(),
                visibility: differs(&row.visibility, &f.visibility),
                note: row.note.clone(),
            };
            forums[index].member.push(member);
        }
        let partners = |id: i32| -> Vec<InterventionPartnerRecord> {
            self.partners
                .get(&id)
                .map(|rows| {
                    rows.iter()
                        .map(|(unit, partner, role)| InterventionPartnerRecord {
                            unit: names.record_opt(*unit),
                            partner: partner.map(|p| Names::of(&names.partners, p)),
                            role: role.clone(),
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        let participants = |id: i32| -> Vec<ProjectParticipantRecord> {
            self.participants
                .get(&id)
                .map(|rows| {
                    rows.iter()
                        .map(|(code, role, ore, note)| ProjectParticipantRecord {
                            municipality: *code,
                            role: role.clone(),
                            contribution: ore.map(kroner),
                            contribution_note: note.clone(),
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        ModelFile {
            municipality: code,
            revision: None,
            committee: self
                .political_committee
                .iter()
                .map(|row| {
                    record!(
                        CommitteeRecord {
                            name: row.name.clone()
                        },
                        row,
                        names,
                        Kind::PoliticalCommittee
                    )
                })
                .collect(),
            plan: self
                .plan
                .iter()
                .map(|row| {
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
                            principles: crate::service::principles_of(row.principles.as_deref()),
                        },
                        row,
                        names,
                        Kind::Plan
                    )
                })
                .collect(),
            unit: self
                .unit
                .iter()
                .map(|row| {
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
                        Kind::Unit
                    )
                })
                .collect(),
            staff_role: self
                .staff_role
                .iter()
                .map(|row| {
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
                        Kind::StaffRole
                    )
                })
                .collect(),
            budget_line: self
                .budget_line
                .iter()
                .map(|row| {
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
                        Kind::BudgetLine
                    )
                })
                .collect(),
            forum: forums,
            goal: self
                .goal
                .iter()
                .map(|row| {
                    record!(
                        GoalRecord {
                            plan: row.plan.clone(),
                            part_of: names.record_opt(row.plan_id),
                            number: row.number,
                            title: row.title.clone(),
                        },
                        row,
                        names,
                        Kind::Goal
                    )
                })
                .collect(),
            intervention: self
                .intervention
                .iter()
                .map(|row| {
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
                            partner: partners(row.id),
                        },
                        row,
                        names,
                        Kind::Intervention
                    )
                })
                .collect(),
            shared_project: self
                .shared_project
                .iter()
                .map(|row| {
                    record!(
                        SharedProjectRecord {
                            name: row.name.clone(),
                            description: row.description.clone(),
                            participant: participants(row.id),
                        },
                        row,
                        names,
                        Kind::SharedProject
                    )
                })
                .collect(),
            contact: self
                .contact
                .iter()
                .map(|row| {
                    record!(
                        ContactRecord {
                            unit: names.record_opt(row.unit_id),
                            name: row.name.clone(),
                            role_title: row.role_title.clone(),
                            phone: row.phone.clone(),
                            email: row.email.clone(),
                        },
                        row,
                        names,
                        Kind::Contact
                    )
                })
                .collect(),
            key_indicator: self
                .key_indicator
                .iter()
                .map(|row| {
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
                        Kind::KeyIndicator
                    )
                })
                .collect(),
        }
    }
}
