//! Checks of the seed dataset before anything is written: the reference data's keys and
//! references; each model file as an import checks it (`service::model_io`: keys, references,
//! vocabularies, periods, values), with its path and record; and what the dataset asks of its
//! files besides (spelling, reasons for unknowns, private contacts). Every problem is reported,
//! not just the first.

use std::collections::HashSet;

use super::Dataset;
use crate::{
    service::{document::ModelFile, problems_in_dataset},
    vocabulary::Visibility,
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

    fn known(&mut self, context: &str, what: &str, key: &str, known: &HashSet<&str>) {
        if !known.contains(key) {
            self.fail(context, format!("{what} {key:?} does not exist"));
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

        let keys = dataset.reference_keys();
        for (file, model) in &dataset.models {
            if !codes.contains(&model.municipality) {
                self.fail(
                    file,
                    format!("municipality {} does not exist", model.municipality),
                );
            }
            // What an import checks, checked as the import checks it (`service::model_io`).
            for problem in problems_in_dataset(model, &keys) {
                let record = record_at(model, &problem.path)
                    .map(|key| format!(" ({key})"))
                    .unwrap_or_default();
                self.fail(
                    &format!("{file}: {}{record}", problem.path),
                    problem.message,
                );
            }
            // What the dataset asks of its files besides: correct Danish letters, a reason for
            // every unknown amount, and contact details kept private.
            let texts = model
                .committee
                .iter()
                .map(|r| (&r.key, &r.name, &r.section))
                .chain(model.plan.iter().map(|r| (&r.key, &r.title, &r.section)))
                .chain(model.unit.iter().map(|r| (&r.key, &r.name, &r.section)))
                .chain(
                    model
                        .staff_role
                        .iter()
                        .map(|r| (&r.key, &r.title, &r.section)),
                )
                .chain(model.forum.iter().map(|r| (&r.key, &r.name, &r.section)))
                .chain(model.goal.iter().map(|r| (&r.key, &r.title, &r.section)))
                .chain(
                    model
                        .intervention
                        .iter()
                        .map(|r| (&r.key, &r.name, &r.section)),
                )
                .chain(
                    model
                        .key_indicator
                        .iter()
                        .map(|r| (&r.key, &r.title, &r.section)),
                );
            for (key, name, section) in texts {
                self.text(&format!("{file}: {key}"), name);
                self.text(&format!("{file}: {key}"), section);
            }
            for forum in &model.forum {
                for member in &forum.member {
                    self.text(&format!("{file}: {}", member.key), &member.role_title);
                }
            }
            for line in &model.budget_line {
                if line.amount.is_none() && line.note.is_none() {
                    self.fail(
                        &format!("{file}: {}", line.key),
                        "a line without an amount needs a note saying why",
                    );
                }
            }
            for contact in &model.contact {
                if contact
                    .visibility
                    .as_deref()
                    .is_some_and(|v| v != Visibility::Private.as_str())
                {
                    self.fail(
                        &format!("{file}: {}", contact.key),
                        "contact details are personal data and must stay private",
                    );
                }
            }
        }
    }
}

/// The key of the record at `path` (`unit[3].parent` → the key of the fourth unit), if any.
fn record_at<'a>(model: &'a ModelFile, path: &str) -> Option<&'a str> {
    let (kind, rest) = path.split_once('[')?;
    let index: usize = rest.split_once(']')?.0.parse().ok()?;
    model.key_at(kind, index)
}
