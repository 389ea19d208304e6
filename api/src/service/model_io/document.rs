//! The model document: a municipality's whole organisation model as TOML, the format of export
//! and import (`GET`/`PUT /models/{code}`) and of the seed's `data/municipalities/*.toml`, as
//! serde types.
//!
//! Records point at each other by string keys (`unit = "ishoj-2023-tk"`); the importer turns keys
//! into database ids. Every tenant-owned record names its `source` (a key of the sources) and the
//! `section` of that document it comes from; every record has a `key`, records that share a key
//! are the versions of one record, in order, and fields equal to their default are left out when
//! written.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use super::codec::{
    budget_line::BudgetLineRecord,
    contact::ContactRecord,
    forum::{ForumMemberRecord, ForumRecord},
    goal::GoalRecord,
    intervention::{InterventionPartnerRecord, InterventionRecord},
    key_indicator::KeyIndicatorRecord,
    plan::PlanRecord,
    political_committee::CommitteeRecord,
    shared_project::{ProjectParticipantRecord, SharedProjectRecord},
    staff_role::StaffRoleRecord,
    unit::UnitRecord,
};
use super::{codec::Section, export::Names, import_plan::ImportPlan, rows::Rows};
use crate::error::FieldPath;
use entities::Kind;

/// Declares [`ModelFile`] from its sections, and how the import and the export go through them:
/// section by section, in the order given (a record's references come before it).
macro_rules! model_file {
    ($($(#[$meta:meta])* $section:ident: $record:ident,)*) => {
        /// `data/municipalities/*.toml`: one municipality's organisation model, all periods and
        /// sources.
        #[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
        #[serde(deny_unknown_fields)]
        pub struct ModelFile {
            /// The owning municipality's code.
            pub municipality: i32,
            /// The model's revision this document was exported at (an export always states it; a
            /// seed file does not): an import of it is refused when the model has changed since.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub revision: Option<i32>,
            $(
                $(#[$meta])*
                #[serde(default, skip_serializing_if = "Vec::is_empty")]
                pub $section: Vec<$record>,
            )*
        }

        // The sections are the registry's (`Kind::section`): each section's records are of the
        // kind whose section it is, and every model kind's section is here (or, as a forum's
        // members, inside one that is), or this does not build.
        $(const _: () = assert!(
            same(<$record as Section>::KIND.section(), stringify!($section)),
            concat!("the section ", stringify!($section), " is not its kind's in the registry"),
        );)*
        const _: () = {
            let sections: &[&str] = &[$(stringify!($section)),*];
            let mut i = 0;
            while i < Kind::MODEL.len() {
                assert!(
                    holds(sections, Kind::MODEL[i].section()),
                    "a model kind of the registry has no section in ModelFile",
                );
                i += 1;
            }
        };

        impl ModelFile {
            /// Notes the key of every record of the document in `plan`, section by section.
            pub(super) fn note_keys(&self, plan: &mut ImportPlan) {
                $($record::note_keys(plan, &FieldPath::new(stringify!($section)), &self.$section);)*
            }

            /// The document's records as versions, every field checked (problems noted in
            /// `plan`; records with problems left out).
            pub(super) fn decode(&self, plan: &mut ImportPlan) -> Rows {
                let mut rows = Rows::default();
                $($record::decode(
                    plan,
                    &FieldPath::new(stringify!($section)),
                    &self.$section,
                    &mut rows,
                );)*
                rows
            }

            /// The document of municipality `code`'s versions `rows`.
            pub(super) fn encode(code: i32, rows: &Rows, names: &Names) -> Self {
                Self {
                    municipality: code,
                    revision: None,
                    $($section: $record::encode(rows, names),)*
                }
            }

            /// The key of the record at `index` of `section` (a seed file's problem names it).
            pub fn key_at(&self, section: &str, index: usize) -> Option<&str> {
                match section {
                    $(stringify!($section) => self.$section.get(index).map(|record| record.key.as_str()),)*
                    _ => None,
                }
            }
        }
    };
}

model_file! {
    /// The political committees.
    committee: CommitteeRecord,
    plan: PlanRecord,
    unit: UnitRecord,
    staff_role: StaffRoleRecord,
    budget_line: BudgetLineRecord,
    /// The forums, each with its members.
    forum: ForumRecord,
    goal: GoalRecord,
    intervention: InterventionRecord,
    shared_project: SharedProjectRecord,
    contact: ContactRecord,
    key_indicator: KeyIndicatorRecord,
}

/// Whether the registry's `section` is `name`.
const fn same(section: Option<&str>, name: &str) -> bool {
    match section {
        Some(section) => {
            starts_with(section.as_bytes(), name.as_bytes()) && section.len() == name.len()
        }
        None => false,
    }
}

/// Whether one of `sections` holds the registry's `section`: is it, or holds it inside (`forum`
/// holds `forum.member`).
const fn holds(sections: &[&str], section: Option<&str>) -> bool {
    let Some(section) = section else {
        return false;
    };
    let section = section.as_bytes();
    let mut i = 0;
    while i < sections.len() {
        let name = sections[i].as_bytes();
        if starts_with(section, name)
            && (section.len() == name.len() || section[name.len()] == b'.')
        {
            return true;
        }
        i += 1;
    }
    false
}

const fn starts_with(text: &[u8], prefix: &[u8]) -> bool {
    if text.len() < prefix.len() {
        return false;
    }
    let mut i = 0;
    while i < prefix.len() {
        if text[i] != prefix[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// What every record of a municipality's model has: its key and its provenance.
pub trait TenantRecord {
    fn key(&self) -> &str;
    fn provenance(&self) -> Provenance<'_>;
}

/// Declares a tenant-owned record type: its key, its own fields, and the fields every such record
/// has (where it comes from, when it held, who may see it). A macro rather than `#[serde(flatten)]`
/// because serde cannot deny unknown fields through a flatten, and a typo in the data must fail
/// the load.
macro_rules! tenant_record {
    ($(#[$meta:meta])* pub struct $name:ident { $($(#[$field_meta:meta])* pub $field:ident : $ty:ty,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, ::serde::Deserialize, ::serde::Serialize)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            /// The record's key, unique per municipality: records of a document that share it are
            /// the versions of one record, in the order of the document.
            pub key: String,
            $($(#[$field_meta])* pub $field: $ty,)*
            /// Key of the source document.
            pub source: String,
            /// Section of the source document the record comes from.
            pub section: String,
            /// First day the record holds (inclusive); none = not known.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub valid_from: Option<::chrono::NaiveDate>,
            /// First day the record no longer holds (exclusive); none = still holds or not known.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub valid_to: Option<::chrono::NaiveDate>,
            /// `private`, `network` or `public`. When not given: `public` (the seeds are published
            /// documents), for contacts `private` (personal data).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub visibility: Option<String>,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub note: Option<String>,
        }

        impl $crate::service::model_io::document::TenantRecord for $name {
            fn key(&self) -> &str {
                &self.key
            }

            fn provenance(&self) -> $crate::service::model_io::document::Provenance<'_> {
                $crate::service::model_io::document::Provenance {
                    source: &self.source,
                    section: &self.section,
                    valid_from: self.valid_from,
                    valid_to: self.valid_to,
                    visibility: self.visibility.as_deref(),
                    note: self.note.as_deref(),
                }
            }
        }
    };
}

pub(super) use tenant_record;

/// The provenance fields of a tenant-owned record, borrowed.
#[derive(Debug, Clone, Copy)]
pub struct Provenance<'a> {
    pub source: &'a str,
    pub section: &'a str,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    pub visibility: Option<&'a str>,
    pub note: Option<&'a str>,
}

pub(super) fn is_false(value: &bool) -> bool {
    !value
}
