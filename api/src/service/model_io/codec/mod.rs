//! The model document's codec, one module per section: a kind's records in the document ↔ its
//! versions as rows. A section's module holds its record type (the format, with serde), `decode`
//! (records → versions, every field checked) and `encode` (versions → records, references by
//! key). [`ModelFile`](super::document::ModelFile) lists the sections once, and the import and
//! the export go through that list.
//!
//! A record is checked in the order a mutation checks its input: what every version has (source,
//! validity, visibility, note), then its own fields, then the records it refers to, which must be
//! of the right kind and hold on the version's first day ([`ImportPlan::reference`]). Who may
//! write is decided once for the whole document, before any record is read.

use entities::Kind;
use rust_decimal::Decimal;

use super::{document::TenantRecord, export::Names, import_plan::ImportPlan, rows::Rows};
use crate::error::FieldPath;
#[cfg(debug_assertions)]
use crate::service::{checks::checked_texts, writes::Writable};

/// A version's model from its own columns and a [`Common`](super::import_plan::Common); the
/// identity columns are set when it is written.
macro_rules! version {
    ($module:ident { $($field:ident: $value:expr),* $(,)? }, $id:expr, $common:expr, $recorded:expr) => {{
        let common: $crate::service::model_io::import_plan::Common = $common;
        let version = entities::$module::Model {
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
        };
        #[cfg(debug_assertions)]
        $crate::service::model_io::codec::assert_texts_checked::<entities::$module::Entity>(
            &version,
        );
        version
    }};
}

/// A document record from a version's own fields, with the fields every record has (source,
/// section, validity, visibility when not the kind's default, note).
macro_rules! record {
    ($type:ident { $($field:ident: $value:expr),* $(,)? }, $row:expr, $names:expr, $kind:expr) => {{
        let row = $row;
        $type {
            key: $names.record(row.id),
            $($field: $value,)*
            source: $names.source(row.source_id),
            section: row.source_section.clone(),
            valid_from: row.valid_from,
            valid_to: row.valid_to,
            visibility: (row.visibility
                != $crate::service::model_io::export::default_visibility($kind).as_str())
            .then(|| row.visibility.clone()),
            note: row.note.clone(),
        }
    }};
}

/// Every field of a decoded record, or `None` when any has a problem (noted in the plan).
macro_rules! all_checked {
    ($($value:expr),+ $(,)?) => {
        (|| Some(($($value?,)+)))()
    };
}

pub(super) mod budget_line;
pub(super) mod contact;
pub(super) mod forum;
pub(super) mod goal;
pub(super) mod intervention;
pub(super) mod key_indicator;
pub(super) mod plan;
pub(super) mod political_committee;
pub(super) mod shared_project;
pub(super) mod staff_role;
pub(super) mod unit;

/// A section of the document: the records of one kind (and of the kinds nested in them).
pub(super) trait Section: TenantRecord + Sized {
    /// The kind of the section's records.
    const KIND: Kind;

    /// Notes the key of every record of the section (`section[i]`) in the plan, and the
    /// validity of its versions.
    fn note_keys(plan: &mut ImportPlan, section: &FieldPath, records: &[Self]) {
        for (i, record) in records.iter().enumerate() {
            let p = record.provenance();
            plan.key(
                &section.index(i),
                Self::KIND,
                record.key(),
                (p.valid_from, p.valid_to),
            );
        }
    }

    /// The records' versions, every field checked: a record with a problem is left out and
    /// its problem noted in the plan.
    fn decode(plan: &mut ImportPlan, section: &FieldPath, records: &[Self], rows: &mut Rows);

    /// The records of the versions in `rows`.
    fn encode(rows: &Rows, names: &Names) -> Vec<Self>;
}

/// A version's free texts were checked by its section's decode, as its kind declares them
/// ([`Texts`](crate::service::checks::Texts)): checking them again finds nothing and changes
/// nothing. A decode that leaves a declared text unchecked fails a debug build's test as soon as
/// it imports a blank, too long or untrimmed text of that column (it is not proof that every
/// column is checked).
#[cfg(debug_assertions)]
pub(super) fn assert_texts_checked<E: Writable>(version: &E::Model)
where
    E::Model: Clone + std::fmt::Debug,
{
    use sea_orm::{ActiveModelTrait, IntoActiveModel, ModelTrait};
    let mut again = version.clone().into_active_model().reset_all();
    let problems = checked_texts::<E>(&FieldPath::new("version"), &mut again);
    assert!(
        problems.is_empty(),
        "unchecked texts in {version:?}: {problems:?}"
    );
    for &(column, _) in E::TEXTS {
        assert_eq!(
            again.get(column).into_value(),
            Some(version.get(column)),
            "untrimmed text in {version:?}"
        );
    }
}

/// The records of `section`, each with its path (`section[i]`).
fn each<'r, R>(
    section: &FieldPath,
    records: &'r [R],
) -> impl Iterator<Item = (FieldPath, &'r R)> + 'r {
    let section = section.clone();
    records
        .iter()
        .enumerate()
        .map(move |(i, record)| (section.index(i), record))
}

/// Hours as a document writes them (`37`, `27.5`).
fn hours(minutes: i32) -> Decimal {
    (Decimal::from(minutes) / Decimal::from(60)).normalize()
}

/// øre as DKK with two decimals (`5280000.00`).
fn kroner(ore: i64) -> Decimal {
    Decimal::new(ore, 2)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use entities::Kind;
    use rust_decimal::Decimal;

    use crate::{
        seed::Dataset,
        service::model_io::{
            document::{ModelFile, ProjectParticipantRecord, SharedProjectRecord},
            export::Names,
            import_plan::ImportPlan,
        },
    };

    /// Every section decodes the seed documents (and a shared project, which the seeds lack) to
    /// versions and encodes them back as they were, without a database; together they hold
    /// versions of every kind of a model, so no kind is left without its section.
    #[test]
    fn every_section_takes_the_seed_documents_there_and_back() {
        let dataset = Dataset::embedded().expect("the embedded dataset");
        let reference = dataset.reference_keys();
        let mut models = dataset.models.clone();
        let (_, first) = &mut models[0];
        let provenance = first.unit[0].clone();
        first.shared_project.push(SharedProjectRecord {
            key: "a-shared-project".to_owned(),
            name: "Fælles indsats".to_owned(),
            description: None,
            participant: vec![ProjectParticipantRecord {
                municipality: first.municipality,
                role: "lead".to_owned(),
                contribution: Some(Decimal::new(1_250_000, 2)),
                contribution_note: None,
            }],
            source: provenance.source,
            section: provenance.section,
            valid_from: provenance.valid_from,
            valid_to: None,
            visibility: None,
            note: None,
        });
        let mut decoded = BTreeSet::new();
        let mut sections = BTreeSet::new();
        for (file, model) in &models {
            let mut plan = ImportPlan::in_dataset(model.municipality, &reference);
            plan.check_document(model);
            let rows = model.decode(&mut plan);
            assert_eq!(plan.problems, [], "{file}");
            let ids = rows.ids();
            decoded.extend(
                plan.keys
                    .values()
                    .filter(|keyed| ids.contains(&keyed.id))
                    .map(|keyed| keyed.kind),
            );
            let names = Names::of_plan(&plan);
            let encoded = ModelFile::encode(model.municipality, &rows, &names);
            assert!(encoded == *model, "{file} does not come back as it was");
            let document = serde_json::to_value(&encoded).expect("a document");
            for (section, records) in document.as_object().expect("a table") {
                let Some(records) = records.as_array() else {
                    continue;
                };
                sections.insert(section.clone());
                if records.iter().any(|record| record.get("member").is_some()) {
                    sections.insert(format!("{section}.member"));
                }
            }
        }
        let model_kinds: BTreeSet<Kind> = Kind::MODEL.iter().copied().collect();
        assert_eq!(decoded, model_kinds);
        // Every model kind's section, as the registry declares it, holds its records.
        for kind in Kind::MODEL {
            let section = kind.section().expect("a model kind has a section");
            assert!(sections.contains(section), "{kind:?} is not in {section}");
        }
    }
}
