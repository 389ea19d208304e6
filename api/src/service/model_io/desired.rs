//! The document as rows ([`ImportPlan::desired`]), every field checked.

use std::collections::HashSet;

use entities::{
    budget_line, contact, forum, forum_member, goal, intervention, key_indicator, kinds::Kind,
    plan, political_committee, shared_project, staff_role, unit,
};

use super::{
    document::*,
    import_plan::{Common, ImportPlan},
    rows::Rows,
};
use crate::{
    error::FieldPath,
    service::{
        checks::{
            checked_ages, checked_day, checked_email, checked_goal_number, checked_headcount,
            checked_hours, checked_optional, checked_phone, checked_year, ore,
        },
        indicator::{checked_figure, Figure},
        plan::{checked_period, checked_principles},
        project::MAX_PARTICIPANTS,
        tree::Placement,
    },
    vocabulary::{
        Archetype, BudgetCategory, BudgetPhase, ForumLevel, ForumScope, IndicatorKind, Measure,
        Pillar, PlanDecision, PlanKind, PreventionLevel, ProjectRole,
    },
};

/// A version's model from its own columns and a [`Common`]; the identity columns are set when it
/// is written.
macro_rules! version {
    ($module:ident { $($field:ident: $value:expr),* $(,)? }, $id:expr, $common:expr, $recorded:expr) => {{
        let common: Common = $common;
        $module::Model {
            id: $id,
            version: 0,
            latest: false,
            $($field: $value,)*
            municipality_code: common.municipality_code,
            visibility: common.visibility,
            valid_from: common.valid_from,
            valid_to: common.valid_to,
            source_id: common.source_id,
            source_section: common.source_section,
            note: common.note,
            recorded_at: $recorded.at,
            recorded_by: $recorded.by.clone(),
        }
    }};
}

impl ImportPlan {
    /// Whether `code` may take part in one of the document's projects as `role`: the
    /// municipality of the document leads its projects, and no other does (the problem noted).
    fn participant_role(&mut self, at: &FieldPath, code: i32, role: &str) -> bool {
        let lead = role == ProjectRole::Lead.as_str();
        if lead == (code == self.code) {
            return true;
        }
        let message = if lead {
            format!("only municipality {} leads its projects", self.code)
        } else {
            format!("municipality {code} leads the project: its role is \"lead\"")
        };
        self.problem(at.field("role"), message);
        false
    }

    /// The document as rows, every field checked (problems noted; rows with problems left out).
    pub(super) fn desired(&mut self, d: &ModelFile) -> Rows {
        let mut model = Rows::default();
        let recorded = self.recorded.clone();
        for (i, r) in d.committee.iter().enumerate() {
            let at = FieldPath::new("committee").index(i);
            let name = self.name(at.field("name"), &r.name);
            let common = self.common(&at, Kind::PoliticalCommittee, r.provenance());
            if let (Some(name), Some(common)) = (name, common) {
                model.political_committee.push(version!(
                    political_committee { name: name },
                    self.id_of(&r.key),
                    common,
                    recorded
                ));
            }
        }
        let mut plan_placements: Vec<(Placement, FieldPath)> = Vec::new();
        for (i, r) in d.plan.iter().enumerate() {
            let at = FieldPath::new("plan").index(i);
            let kind = self.vocabulary(&at.field("kind"), &r.kind, PlanKind::ALL);
            let title = self.name(at.field("title"), &r.title);
            let period = self.check(checked_period(&at, r.first_year, r.last_year));
            let part_of =
                self.reference_opt(&at.field("part_of"), Kind::Plan, r.part_of.as_deref());
            if let Some(Some(part_of)) = part_of {
                let placement = Placement {
                    unit: self.id_of(&r.key),
                    parent: Some(part_of),
                    valid_from: r.valid_from,
                    valid_to: r.valid_to,
                };
                plan_placements.push((placement, at.field("part_of")));
            }
            let decision = self.vocabulary_opt(
                &at.field("decision"),
                r.decision.as_deref(),
                PlanDecision::ALL,
            );
            let decided_by = self.short_text(at.field("decided_by"), r.decided_by.as_deref());
            let committee = self.reference_opt(
                &at.field("committee"),
                Kind::PoliticalCommittee,
                r.committee.as_deref(),
            );
            let decided_on = match r.decided_on {
                Some(day) => self
                    .check(checked_day(&at.field("decided_on"), day))
                    .map(Some),
                None => Some(None),
            };
            let principles = self.check(checked_principles(&at.field("principles"), &r.principles));
            let common = self.common(&at, Kind::Plan, r.provenance());
            if let (
                Some(kind),
                Some(title),
                Some(()),
                Some(part_of),
                Some(decision),
                Some(decided_by),
                Some(committee),
                Some(decided_on),
                Some(principles),
                Some(common),
            ) = (
                kind, title, period, part_of, decision, decided_by, committee, decided_on,
                principles, common,
            ) {
                model.plan.push(version!(
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
                    self.id_of(&r.key),
                    common,
                    recorded
                ));
            }
        }
        self.check_tree(
            &plan_placements,
            "plan",
            "a plan cannot be part of itself or of one of its own parts",
        );
        let mut placements: Vec<(Placement, FieldPath)> = Vec::new();
        for (i, r) in d.unit.iter().enumerate() {
            let at = FieldPath::new("unit").index(i);
            let name = self.name(at.field("name"), &r.name);
            let kind = self.name(at.field("kind"), &r.kind);
            let parent = self.reference_opt(&at.field("parent"), Kind::Unit, r.parent.as_deref());
            let committee = self.reference_opt(
                &at.field("committee"),
                Kind::PoliticalCommittee,
                r.committee.as_deref(),
            );
            let archetype = self.vocabulary_opt(
                &at.field("archetype"),
                r.archetype.as_deref(),
                Archetype::ALL,
            );
            let archetype_note =
                self.long_text(at.field("archetype_note"), r.archetype_note.as_deref());
            let common = self.common(&at, Kind::Unit, r.provenance());
            let id = self.id_of(&r.key);
            if let Some(parent) = parent {
                let placement = Placement {
                    unit: id,
                    parent,
                    valid_from: r.valid_from,
                    valid_to: r.valid_to,
                };
                placements.push((placement, at.field("parent")));
            }
            if let (
                Some(name),
                Some(kind),
                Some(parent),
                Some(committee),
                Some(archetype),
                Some(archetype_note),
                Some(common),
            ) = (
                name,
                kind,
                parent,
                committee,
                archetype,
                archetype_note,
                common,
            ) {
                model.unit.push(version!(
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
                    recorded
                ));
            }
        }
        self.check_tree(
            &placements,
            "unit",
            "a unit cannot be placed under itself or one of its own units",
        );
        for (i, r) in d.staff_role.iter().enumerate() {
            let at = FieldPath::new("staff_role").index(i);
            let unit = self.reference(&at.field("unit"), Kind::Unit, &r.unit);
            let title = self.name(at.field("title"), &r.title);
            let headcount = self.check(checked_headcount(&at.field("headcount"), r.headcount));
            let minutes = match (r.weekly_hours, r.weekly_hours_min, r.weekly_hours_max) {
                (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
                    self.problem(
                        at.field("weekly_hours"),
                        "give weekly_hours or a min/max range, not both",
                    );
                    None
                }
                (Some(exact), None, None) => {
                    let field = at.field("weekly_hours");
                    self.check(checked_hours((&field, Some(exact)), (&field, Some(exact))))
                }
                (None, min, max) => self.check(checked_hours(
                    (&at.field("weekly_hours_min"), min),
                    (&at.field("weekly_hours_max"), max),
                )),
            };
            let level = self.vocabulary_opt(
                &at.field("prevention_level"),
                r.prevention_level.as_deref(),
                PreventionLevel::ALL,
            );
            let pillar = self.vocabulary_opt(&at.field("pillar"), r.pillar.as_deref(), Pillar::ALL);
            let common = self.common(&at, Kind::StaffRole, r.provenance());
            if let (
                Some(unit),
                Some(title),
                Some(()),
                Some((min, max)),
                Some(level),
                Some(pillar),
                Some(common),
            ) = (unit, title, headcount, minutes, level, pillar, common)
            {
                model.staff_role.push(version!(
                    staff_role {
                        unit_id: unit,
                        title: title,
                        headcount: r.headcount,
                        weekly_minutes_min: min,
                        weekly_minutes_max: max,
                        prevention_level: level,
                        pillar: pillar,
                    },
                    self.id_of(&r.key),
                    common,
                    recorded
                ));
            }
        }
        for (i, r) in d.budget_line.iter().enumerate() {
            let at = FieldPath::new("budget_line").index(i);
            let unit = self.reference_opt(&at.field("unit"), Kind::Unit, r.unit.as_deref());
            let year = self.check(checked_year(&at.field("year"), r.year));
            let category = self.vocabulary(&at.field("category"), &r.category, BudgetCategory::ALL);
            let phase = self.vocabulary(&at.field("phase"), &r.phase, BudgetPhase::ALL);
            let amount = self.check(ore(&at.field("amount"), r.amount));
            let function_code =
                self.short_text(at.field("function_code"), r.function_code.as_deref());
            let description = self.name(at.field("description"), &r.description);
            let common = self.common(&at, Kind::BudgetLine, r.provenance());
            if let (
                Some(unit),
                Some(()),
                Some(category),
                Some(phase),
                Some(amount),
                Some(function_code),
                Some(description),
                Some(common),
            ) = (
                unit,
                year,
                category,
                phase,
                amount,
                function_code,
                description,
                common,
            ) {
                model.budget_line.push(version!(
                    budget_line {
                        unit_id: unit,
                        year: r.year,
                        category: category,
                        phase: phase,
                        amount_ore: amount,
                        function_code: function_code,
                        description: description,
                    },
                    self.id_of(&r.key),
                    common,
                    recorded
                ));
            }
        }
        for (i, r) in d.forum.iter().enumerate() {
            let at = FieldPath::new("forum").index(i);
            let id = self.id_of(&r.key);
            let name = self.name(at.field("name"), &r.name);
            let scope = self.vocabulary(&at.field("scope"), &r.scope, ForumScope::ALL);
            let level = self.vocabulary(&at.field("level"), &r.level, ForumLevel::ALL);
            let cadence = self.short_text(at.field("cadence"), r.cadence.as_deref());
            let purpose = self.long_text(at.field("purpose"), r.purpose.as_deref());
            let network = match r.network.as_deref() {
                None => Some(None),
                Some(key) => {
                    let field = at.field("network");
                    let found = self.named(&field, "network", key);
                    if found.is_some_and(|n| !self.reference.own_networks.contains(&n)) {
                        self.problem(
                            &field,
                            format!("municipality {} is not in the network", self.code),
                        );
                    }
                    found.map(Some)
                }
            };
            for (j, basis) in r.legal_bases.iter().enumerate() {
                if let Some(basis) =
                    self.named(&at.field("legal_bases").index(j), "legal basis", basis)
                {
                    let bases = model.legal_bases.entry(id).or_default();
                    if !bases.contains(&basis) {
                        bases.push(basis);
                    }
                }
            }
            let common = self.common(&at, Kind::Forum, r.provenance());
            for (j, m) in r.member.iter().enumerate() {
                let at = at.field("member").index(j);
                let unit = self.reference_opt(&at.field("unit"), Kind::Unit, m.unit.as_deref());
                let partner = match m.partner.as_deref() {
                    None => Some(None),
                    Some(key) => self
                        .named(&at.field("partner"), "partner organisation", key)
                        .map(Some),
                };
                if m.unit.is_some() == m.partner.is_some() {
                    self.problem(
                        at.field("unit"),
                        "a member names exactly one of unit or partner",
                    );
                }
                let role_title = self.name(at.field("role_title"), &m.role_title);
                let provenance = Provenance {
                    source: m.source.as_deref().unwrap_or(&r.source),
                    section: m.section.as_deref().unwrap_or(&r.section),
                    valid_from: m.valid_from.or(r.valid_from),
                    valid_to: m.valid_to.or(r.valid_to),
                    visibility: m.visibility.as_deref().or(r.visibility.as_deref()),
                    note: m.note.as_deref(),
                };
                let member_common = self.common(&at, Kind::ForumMember, provenance);
                if let (Some(unit), Some(partner), Some(role_title), Some(common)) =
                    (unit, partner, role_title, member_common)
                {
                    model.forum_member.push(version!(
                        forum_member {
                            forum_id: id,
                            unit_id: unit,
                            partner_id: partner,
                            role_title: role_title,
                        },
                        self.id_of(&m.key),
                        common,
                        recorded
                    ));
                }
            }
            if let (
                Some(name),
                Some(scope),
                Some(level),
                Some(cadence),
                Some(purpose),
                Some(network),
                Some(common),
            ) = (name, scope, level, cadence, purpose, network, common)
            {
                model.forum.push(version!(
                    forum {
                        network_id: network,
                        name: name,
                        scope: scope,
                        level: level,
                        cadence: cadence,
                        purpose: purpose,
                    },
                    id,
                    common,
                    recorded
                ));
            }
        }
        for (i, r) in d.goal.iter().enumerate() {
            let at = FieldPath::new("goal").index(i);
            let plan = self.name(at.field("plan"), &r.plan);
            let number = self.check(checked_goal_number(&at.field("number"), r.number));
            let title = self.name(at.field("title"), &r.title);
            let part_of =
                self.reference_opt(&at.field("part_of"), Kind::Plan, r.part_of.as_deref());
            let common = self.common(&at, Kind::Goal, r.provenance());
            if let (Some(plan), Some(()), Some(title), Some(part_of), Some(common)) =
                (plan, number, title, part_of, common)
            {
                model.goal.push(version!(
                    goal {
                        plan: plan,
                        number: r.number,
                        title: title,
                        plan_id: part_of,
                    },
                    self.id_of(&r.key),
                    common,
                    recorded
                ));
            }
        }
        for (i, r) in d.intervention.iter().enumerate() {
            let at = FieldPath::new("intervention").index(i);
            let id = self.id_of(&r.key);
            let name = self.name(at.field("name"), &r.name);
            let description = self.long_text(at.field("description"), r.description.as_deref());
            let goal = self.reference_opt(&at.field("goal"), Kind::Goal, r.goal.as_deref());
            let part_of =
                self.reference_opt(&at.field("part_of"), Kind::Plan, r.part_of.as_deref());
            let lead =
                self.reference_opt(&at.field("lead_unit"), Kind::Unit, r.lead_unit.as_deref());
            let level = self.vocabulary_opt(
                &at.field("prevention_level"),
                r.prevention_level.as_deref(),
                PreventionLevel::ALL,
            );
            let target_group = self.long_text(at.field("target_group"), r.target_group.as_deref());
            let ages = self.check(checked_ages(&at, r.age_min, r.age_max));
            let funding = self.long_text(at.field("funding"), r.funding.as_deref());
            for (j, p) in r.partner.iter().enumerate() {
                let at = at.field("partner").index(j);
                let unit = self.reference_opt(&at.field("unit"), Kind::Unit, p.unit.as_deref());
                let partner = match p.partner.as_deref() {
                    None => Some(None),
                    Some(key) => self
                        .named(&at.field("partner"), "partner organisation", key)
                        .map(Some),
                };
                if p.unit.is_some() == p.partner.is_some() {
                    self.problem(
                        at.field("unit"),
                        "a partner names exactly one of unit or partner",
                    );
                }
                let role = self.short_text(at.field("role"), p.role.as_deref());
                if let (Some(unit), Some(partner), Some(role)) = (unit, partner, role) {
                    let partners = model.partners.entry(id).or_default();
                    if !partners.contains(&(unit, partner, role.clone())) {
                        partners.push((unit, partner, role));
                    }
                }
            }
            let common = self.common(&at, Kind::Intervention, r.provenance());
            if let (
                Some(name),
                Some(description),
                Some(goal),
                Some(part_of),
                Some(lead),
                Some(level),
                Some(target_group),
                Some(()),
                Some(funding),
                Some(common),
            ) = (
                name,
                description,
                goal,
                part_of,
                lead,
                level,
                target_group,
                ages,
                funding,
                common,
            ) {
                model.intervention.push(version!(
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
                    recorded
                ));
            }
        }
        // Each project's first version (where a missing lead is reported), in document order,
        // and the projects whose lead takes part.
        let mut first_versions: Vec<(i32, FieldPath)> = Vec::new();
        let mut led: HashSet<i32> = HashSet::new();
        let mut seen: HashSet<i32> = HashSet::new();
        for (i, r) in d.shared_project.iter().enumerate() {
            let at = FieldPath::new("shared_project").index(i);
            let id = self.id_of(&r.key);
            let name = self.name(at.field("name"), &r.name);
            let description = self.long_text(at.field("description"), r.description.as_deref());
            if seen.insert(id) {
                first_versions.push((id, at.clone()));
            }
            let mut listed: Vec<i32> = Vec::new();
            for (j, p) in r.participant.iter().enumerate() {
                let at = at.field("participant").index(j);
                let code = p.municipality;
                if !self.reference.municipalities.contains(&code) {
                    self.problem(
                        at.field("municipality"),
                        format!("there is no municipality {code}"),
                    );
                }
                if listed.contains(&code) {
                    self.problem(at.field("municipality"), format!("{code} is listed twice"));
                    continue;
                }
                listed.push(code);
                if code == self.code {
                    led.insert(id);
                }
                let role = self
                    .vocabulary(&at.field("role"), &p.role, ProjectRole::ALL)
                    .filter(|role| self.participant_role(&at, code, role));
                let contribution = self.check(ore(&at.field("contribution"), p.contribution));
                let note = self.long_text(
                    at.field("contribution_note"),
                    p.contribution_note.as_deref(),
                );
                if let (Some(role), Some(contribution), Some(note)) = (role, contribution, note) {
                    let row = (code, role, contribution, note);
                    let participants = model.participants.entry(id).or_default();
                    // Participants belong to the record: every version that lists one says the same.
                    match participants.iter().find(|earlier| earlier.0 == code) {
                        None => participants.push(row),
                        Some(earlier) if *earlier == row => {}
                        Some(_) => self.problem(
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
                self.problem(
                    at.field("participant"),
                    format!(
                        "a project has at most {MAX_PARTICIPANTS} participants besides its lead"
                    ),
                );
            }
            let common = self.common(&at, Kind::SharedProject, r.provenance());
            if let (Some(name), Some(description), Some(common)) = (name, description, common) {
                model.shared_project.push(version!(
                    shared_project {
                        name: name,
                        description: description
                    },
                    id,
                    common,
                    recorded
                ));
            }
        }
        for (id, at) in first_versions {
            if !led.contains(&id) {
                self.problem(
                    at.field("participant"),
                    format!(
                        "municipality {} leads the project, so it takes part (role \"lead\")",
                        self.code
                    ),
                );
            }
        }
        for (i, r) in d.contact.iter().enumerate() {
            let at = FieldPath::new("contact").index(i);
            let unit = self.reference_opt(&at.field("unit"), Kind::Unit, r.unit.as_deref());
            let name = self.name(at.field("name"), &r.name);
            let role_title = self.name(at.field("role_title"), &r.role_title);
            let phone = self.check(checked_optional(
                &at.field("phone"),
                r.phone.as_deref(),
                checked_phone,
            ));
            let email = self.check(checked_optional(
                &at.field("email"),
                r.email.as_deref(),
                checked_email,
            ));
            let common = self.common(&at, Kind::Contact, r.provenance());
            if let (
                Some(unit),
                Some(name),
                Some(role_title),
                Some(phone),
                Some(email),
                Some(common),
            ) = (unit, name, role_title, phone, email, common)
            {
                model.contact.push(version!(
                    contact {
                        unit_id: unit,
                        name: name,
                        role_title: role_title,
                        phone: phone,
                        email: email,
                    },
                    self.id_of(&r.key),
                    common,
                    recorded
                ));
            }
        }
        for (i, r) in d.key_indicator.iter().enumerate() {
            let at = FieldPath::new("key_indicator").index(i);
            let measure = self.vocabulary(&at.field("measure"), &r.measure, Measure::ALL);
            let title = self.name(at.field("title"), &r.title);
            let unit = self.short_text(at.field("unit"), r.unit.as_deref());
            let kind = self.vocabulary(&at.field("kind"), &r.kind, IndicatorKind::ALL);
            let figure = kind
                .as_deref()
                .and_then(IndicatorKind::parse)
                .and_then(|kind| {
                    self.check(checked_figure(
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
            let common = self.common(&at, Kind::KeyIndicator, r.provenance());
            if let (
                Some(measure),
                Some(title),
                Some(unit),
                Some(kind),
                Some(figure),
                Some(common),
            ) = (measure, title, unit, kind, figure, common)
            {
                model.key_indicator.push(version!(
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
                    self.id_of(&r.key),
                    common,
                    recorded
                ));
            }
        }
        model
    }
}
