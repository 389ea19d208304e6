//! Checks of the seed dataset before anything is written: keys, references, vocabularies, periods
//! and spelling. Every problem is reported, not just the first.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use super::{format::Provenance, Dataset};
use crate::vocabulary::{
    Archetype, BudgetCategory, BudgetPhase, ForumLevel, ForumScope, IndicatorKind, Measure, Pillar,
    PreventionLevel, ProjectRole, Visibility,
};

/// OCR garbling of Danish letters that must not reach the dataset (see DOMAIN.md).
const GARBLED: &[&str] = &[
    "Ishgj",
    "Ish@j",
    "Vallensbaek",
    "Hgje",
    "Brgndby",
    "Redovre",
    "Kgbenhavn",
];

/// Everything wrong with the dataset, as readable lines; empty when it is valid.
pub fn problems(dataset: &Dataset) -> Vec<String> {
    let mut check = Checker::default();
    check.run(dataset);
    check.problems
}

#[derive(Default)]
struct Checker {
    problems: Vec<String>,
    keys: HashSet<String>,
    /// The records seen so far, by key: what kind they are and when their latest version ends.
    records: HashMap<String, (&'static str, Option<NaiveDate>)>,
}

impl Checker {
    fn fail(&mut self, context: &str, message: impl AsRef<str>) {
        self.problems
            .push(format!("{context}: {}", message.as_ref()));
    }

    fn unique_key(&mut self, context: &str, key: &str) {
        if !self.keys.insert(key.to_owned()) {
            self.fail(context, format!("key {key:?} is used twice"));
        }
    }

    /// A record of a municipality's model: a key seen before for the same kind of record names its
    /// next version, which must start when or after the previous one ends (versions of a record do
    /// not overlap; the loader numbers them in the order of the file).
    fn record_key(&mut self, context: &str, kind: &'static str, key: &str, provenance: Provenance) {
        match self.records.get_mut(key) {
            None if self.keys.contains(key) => {
                self.fail(context, format!("key {key:?} is used twice"));
            }
            None => {
                self.keys.insert(key.to_owned());
                self.records
                    .insert(key.to_owned(), (kind, provenance.valid_to));
            }
            Some((seen_kind, _)) if *seen_kind != kind => {
                self.fail(context, format!("key {key:?} is used twice"));
            }
            Some((_, previous_end)) => {
                let follows = matches!(
                    (*previous_end, provenance.valid_from),
                    (Some(end), Some(start)) if start >= end
                );
                *previous_end = provenance.valid_to;
                if !follows {
                    self.fail(
                        context,
                        format!(
                            "a next version of {key:?} must start when or after the previous one \
                             ends (valid_to)"
                        ),
                    );
                }
            }
        }
    }

    fn known(&mut self, context: &str, what: &str, key: &str, known: &HashSet<&str>) {
        if !known.contains(key) {
            self.fail(context, format!("{what} {key:?} does not exist"));
        }
    }

    fn vocabulary(&mut self, context: &str, what: &str, value: Option<&str>, allowed: &[&str]) {
        if let Some(value) = value {
            if !allowed.contains(&value) {
                self.fail(
                    context,
                    format!("{what} {value:?} is not one of {allowed:?}"),
                );
            }
        }
    }

    fn text(&mut self, context: &str, text: &str) {
        if text.trim().is_empty() {
            self.fail(context, "empty text");
        }
        for garbled in GARBLED {
            if text.contains(garbled) {
                self.fail(context, format!("OCR garbling {garbled:?} in {text:?}"));
            }
        }
    }

    fn provenance(&mut self, context: &str, provenance: Provenance<'_>, sources: &HashSet<&str>) {
        self.known(context, "source", provenance.source, sources);
        self.text(context, provenance.section);
        self.vocabulary(
            context,
            "visibility",
            provenance.visibility,
            Visibility::ALL,
        );
        if let (Some(from), Some(to)) = (provenance.valid_from, provenance.valid_to) {
            if from >= to {
                self.fail(
                    context,
                    format!("valid_from {from} is not before valid_to {to}"),
                );
            }
        }
    }

    fn run(&mut self, dataset: &Dataset) {
        let sources: HashSet<&str> = dataset.sources.iter().map(|s| s.key.as_str()).collect();
        for source in &dataset.sources {
            self.unique_key("sources.toml", &source.key);
        }
        let reference = &dataset.reference;
        let codes: HashSet<i32> = reference.municipality.iter().map(|m| m.code).collect();
        for municipality in &reference.municipality {
            let context = format!("municipality {}", municipality.code);
            self.text(&context, &municipality.name);
            if let Some(source) = &municipality.population_source {
                self.known(&context, "source", source, &sources);
            }
            if municipality.population.is_none() && municipality.population_note.is_none() {
                self.fail(
                    &context,
                    "an unknown population needs a population_note saying why",
                );
            }
        }
        for network in &reference.network {
            let context = format!("network {}", network.key);
            self.unique_key(&context, &network.key);
            self.known(&context, "source", &network.source, &sources);
            for code in &network.members {
                if !codes.contains(code) {
                    self.fail(&context, format!("member {code} is not a municipality"));
                }
            }
        }
        for partner in &reference.partner {
            let context = format!("partner {}", partner.key);
            self.unique_key(&context, &partner.key);
            self.text(&context, &partner.name);
            self.known(&context, "source", &partner.source, &sources);
        }
        for basis in &reference.legal_basis {
            let context = format!("legal basis {}", basis.key);
            self.unique_key(&context, &basis.key);
            self.known(&context, "source", &basis.source, &sources);
        }
        let networks: HashSet<&str> = reference.network.iter().map(|n| n.key.as_str()).collect();
        let partners: HashSet<&str> = reference.partner.iter().map(|p| p.key.as_str()).collect();
        let legal_bases: HashSet<&str> = reference
            .legal_basis
            .iter()
            .map(|b| b.key.as_str())
            .collect();

        for (file, model) in &dataset.models {
            if !codes.contains(&model.municipality) {
                self.fail(
                    file,
                    format!("municipality {} does not exist", model.municipality),
                );
            }
            let committees: HashSet<&str> =
                model.committee.iter().map(|c| c.key.as_str()).collect();
            let goals: HashSet<&str> = model.goal.iter().map(|g| g.key.as_str()).collect();
            for committee in &model.committee {
                let context = format!("{file}: committee {}", committee.key);
                self.record_key(
                    &context,
                    "committee",
                    &committee.key,
                    committee.provenance(),
                );
                self.text(&context, &committee.name);
                self.provenance(&context, committee.provenance(), &sources);
            }
            // Units must follow their parents, so that the loader can insert them in order.
            let mut units: HashSet<&str> = HashSet::new();
            for unit in &model.unit {
                let context = format!("{file}: unit {}", unit.key);
                self.record_key(&context, "unit", &unit.key, unit.provenance());
                self.text(&context, &unit.name);
                if let Some(parent) = &unit.parent {
                    self.known(&context, "parent unit (listed earlier)", parent, &units);
                }
                if let Some(committee) = &unit.committee {
                    self.known(&context, "committee", committee, &committees);
                }
                self.vocabulary(
                    &context,
                    "archetype",
                    unit.archetype.as_deref(),
                    Archetype::ALL,
                );
                self.provenance(&context, unit.provenance(), &sources);
                units.insert(&unit.key);
            }
            for (index, role) in model.staff_role.iter().enumerate() {
                let context = format!("{file}: staff_role #{} {:?}", index + 1, role.title);
                self.known(&context, "unit", &role.unit, &units);
                self.text(&context, &role.title);
                self.vocabulary(
                    &context,
                    "prevention_level",
                    role.prevention_level.as_deref(),
                    PreventionLevel::ALL,
                );
                self.vocabulary(&context, "pillar", role.pillar.as_deref(), Pillar::ALL);
                if role.weekly_hours.is_some()
                    && (role.weekly_hours_min.is_some() || role.weekly_hours_max.is_some())
                {
                    self.fail(&context, "give weekly_hours or a min/max range, not both");
                }
                if let (Some(min), Some(max)) = (role.weekly_hours_min, role.weekly_hours_max) {
                    if min > max {
                        self.fail(&context, "weekly_hours_min is above weekly_hours_max");
                    }
                }
                if role.headcount.is_some_and(|h| h < 0) {
                    self.fail(&context, "negative headcount");
                }
                self.provenance(&context, role.provenance(), &sources);
            }
            for (index, line) in model.budget_line.iter().enumerate() {
                let context = format!("{file}: budget_line #{}", index + 1);
                if let Some(unit) = &line.unit {
                    self.known(&context, "unit", unit, &units);
                }
                self.vocabulary(
                    &context,
                    "category",
                    Some(&line.category),
                    BudgetCategory::ALL,
                );
                self.vocabulary(&context, "phase", Some(&line.phase), BudgetPhase::ALL);
                if line.amount.is_some_and(|a| a.scale() > 2) {
                    self.fail(&context, "amount has more than two decimals");
                }
                if line.amount.is_none() && line.note.is_none() {
                    self.fail(&context, "a line without an amount needs a note saying why");
                }
                self.provenance(&context, line.provenance(), &sources);
            }
            for forum in &model.forum {
                let context = format!("{file}: forum {}", forum.key);
                self.record_key(&context, "forum", &forum.key, forum.provenance());
                self.text(&context, &forum.name);
                self.vocabulary(&context, "scope", Some(&forum.scope), ForumScope::ALL);
                self.vocabulary(&context, "level", Some(&forum.level), ForumLevel::ALL);
                if let Some(network) = &forum.network {
                    self.known(&context, "network", network, &networks);
                }
                for basis in &forum.legal_bases {
                    self.known(&context, "legal basis", basis, &legal_bases);
                }
                for member in &forum.member {
                    match (&member.unit, &member.partner) {
                        (Some(unit), None) => self.known(&context, "member unit", unit, &units),
                        (None, Some(partner)) => {
                            self.known(&context, "member partner", partner, &partners)
                        }
                        _ => self.fail(&context, "a member names exactly one of unit or partner"),
                    }
                    self.text(&context, &member.role_title);
                }
                self.provenance(&context, forum.provenance(), &sources);
            }
            for indicator in &model.key_indicator {
                let context = format!("{file}: key indicator {}", indicator.key);
                self.record_key(
                    &context,
                    "key_indicator",
                    &indicator.key,
                    indicator.provenance(),
                );
                self.text(&context, &indicator.title);
                self.vocabulary(&context, "measure", Some(&indicator.measure), Measure::ALL);
                self.vocabulary(&context, "kind", Some(&indicator.kind), IndicatorKind::ALL);
                let is_finding = indicator.kind == IndicatorKind::Finding.as_str();
                match (&indicator.value, &indicator.finding) {
                    (None, Some(_)) if is_finding => {}
                    (Some(value), None) if !is_finding => {
                        if value.scale() > 2 {
                            self.fail(&context, "value has more than two decimals");
                        }
                    }
                    _ => self.fail(
                        &context,
                        "a finding has a text and no value; every other kind a value and no text",
                    ),
                }
                match (indicator.period_start, indicator.period_end) {
                    (Some(start), Some(end)) if end < start => {
                        self.fail(&context, "the period ends before it starts")
                    }
                    (Some(_), None) | (None, Some(_)) => self.fail(
                        &context,
                        "a period gives its first and last year (the same for one year), or neither",
                    ),
                    _ => {}
                }
                self.provenance(&context, indicator.provenance(), &sources);
            }
            for goal in &model.goal {
                let context = format!("{file}: goal {}", goal.key);
                self.record_key(&context, "goal", &goal.key, goal.provenance());
                self.text(&context, &goal.title);
                self.provenance(&context, goal.provenance(), &sources);
            }
            for intervention in &model.intervention {
                let context = format!("{file}: intervention {}", intervention.key);
                self.record_key(
                    &context,
                    "intervention",
                    &intervention.key,
                    intervention.provenance(),
                );
                self.text(&context, &intervention.name);
                if let Some(goal) = &intervention.goal {
                    self.known(&context, "goal", goal, &goals);
                }
                if let Some(unit) = &intervention.lead_unit {
                    self.known(&context, "lead unit", unit, &units);
                }
                self.vocabulary(
                    &context,
                    "prevention_level",
                    intervention.prevention_level.as_deref(),
                    PreventionLevel::ALL,
                );
                for partner in &intervention.partner {
                    match (&partner.unit, &partner.partner) {
                        (Some(unit), None) => self.known(&context, "partner unit", unit, &units),
                        (None, Some(key)) => self.known(&context, "partner", key, &partners),
                        _ => self.fail(&context, "a partner names exactly one of unit or partner"),
                    }
                }
                self.provenance(&context, intervention.provenance(), &sources);
            }
            for project in &model.shared_project {
                let context = format!("{file}: shared_project {}", project.key);
                self.record_key(
                    &context,
                    "shared_project",
                    &project.key,
                    project.provenance(),
                );
                for participant in &project.participant {
                    if !codes.contains(&participant.municipality) {
                        self.fail(
                            &context,
                            format!(
                                "participant {} is not a municipality",
                                participant.municipality
                            ),
                        );
                    }
                    self.vocabulary(&context, "role", Some(&participant.role), ProjectRole::ALL);
                }
                self.provenance(&context, project.provenance(), &sources);
            }
            for contact in &model.contact {
                let context = format!("{file}: contact {:?}", contact.name);
                if let Some(unit) = &contact.unit {
                    self.known(&context, "unit", unit, &units);
                }
                if contact
                    .visibility
                    .as_deref()
                    .is_some_and(|v| v != Visibility::Private.as_str())
                {
                    self.fail(
                        &context,
                        "contact details are personal data and must stay private",
                    );
                }
                self.provenance(&context, contact.provenance(), &sources);
            }
        }
    }
}
