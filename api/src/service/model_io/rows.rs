//! The model as rows: the versions of each table, and the rows that belong to a record.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use entities::Kind;
use serde_json::Value as Json;

use super::{apply::Apply, diff::Diff, import_plan::ImportPlan};
use crate::{error::ApiResult, service::Store};

/// Declares [`Rows`] from the registry of kinds: a list of versions per model kind, named as
/// the kind's entity module.
macro_rules! declare_rows {
    (
        []
        platform { $($platform:ident $platform_module:ident,)* }
        model { $($kind:ident $module:ident $access:ident $section:literal [$($link:ident)?],)* }
    ) => {
        /// A municipality's model as rows: versions of each table, and the rows that belong to a
        /// record rather than to a version (by the record's identity).
        #[derive(Default)]
        pub(super) struct Rows {
            $(pub(super) $module: Vec<entities::$module::Model>,)*
            /// Legal bases by forum.
            pub(super) legal_bases: HashMap<i32, Vec<i32>>,
            pub(super) partners: HashMap<i32, Vec<Partner>>,
            pub(super) participants: HashMap<i32, Vec<Participant>>,
        }

        impl Rows {
            /// The identities of the records the rows are versions of.
            pub(super) fn ids(&self) -> HashSet<i32> {
                let mut ids = HashSet::new();
                $(ids.extend(self.$module.iter().map(|v| v.id));)*
                ids
            }

            /// Every stored version of every record of municipality `code` (of those the
            /// caller may see, when `visible_only`), kind by kind; no link rows.
            pub(super) async fn versions(
                store: &Store,
                code: i32,
                visible_only: bool,
            ) -> ApiResult<Self> {
                Ok(Self {
                    $($module: store
                        .versions_of::<entities::$module::Entity>(code, visible_only)
                        .await?,)*
                    ..Self::default()
                })
            }

            /// Compares `self`, the document's rows, with `stored`, kind by kind.
            pub(super) fn compare(&self, stored: &Rows, plan: &ImportPlan, diff: &mut Diff) {
                $(diff.compare::<entities::$module::Entity>(
                    plan,
                    &self.$module,
                    &stored.$module,
                    &self.links_json(Kind::$kind),
                    &stored.links_json(Kind::$kind),
                );)*
            }

            /// Writes the versions of `self`, the document's rows, where they differ from
            /// `stored`, kind by kind in the registry's order (references before the records
            /// that refer to them).
            pub(super) async fn apply(&self, stored: &Rows, apply: &Apply<'_>) -> ApiResult<()> {
                $(apply
                    .kind::<entities::$module::Entity>(&self.$module, &stored.$module)
                    .await?;)*
                Ok(())
            }
        }
    };
}

entities::kinds!(declare_rows);

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

    /// The rows that belong to each record of `kind` rather than to a version, as JSON by
    /// identity (empty for kinds without such rows).
    fn links_json(&self, kind: Kind) -> HashMap<i32, Json> {
        match kind {
            Kind::Forum => self.legal_bases_json(),
            Kind::Intervention => self.partners_json(),
            Kind::SharedProject => self.participants_json(),
            _ => HashMap::new(),
        }
    }

    fn legal_bases_json(&self) -> HashMap<i32, Json> {
        self.legal_bases
            .iter()
            .map(|(id, v)| (*id, serde_json::json!(v)))
            .collect()
    }
    fn partners_json(&self) -> HashMap<i32, Json> {
        self.partners
            .iter()
            .map(|(id, v)| (*id, serde_json::json!(v)))
            .collect()
    }
    fn participants_json(&self) -> HashMap<i32, Json> {
        self.participants
            .iter()
            .map(|(id, v)| (*id, serde_json::json!(v)))
            .collect()
    }
}
