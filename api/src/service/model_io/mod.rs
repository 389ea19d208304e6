//! Export and import of a municipality's whole model as one document in the seed dataset's format
//! ([`ModelFile`], TOML); the seed dataset is loaded through the same import.
//!
//! - **Export**: every version of every record of the municipality that the caller may see,
//!   grouped by record (in the order the records were created), its versions in the order of
//!   time, references by key; fields equal to the format's defaults are left out.
//! - **Import**: the document is the municipality's whole model. Records are matched by key: a
//!   stored record whose versions all equal the document's is unchanged; a differing one gets the
//!   document's versions (an `update` from the first day that differs); a new key is a new record
//!   (`create`); a stored record the document leaves out is deleted (`delete`). Every problem of
//!   the document is reported with its path (`unit[3].parent`, indices from 0), checked by the
//!   same functions the mutations use. Everything happens in one transaction; a dry run does the
//!   same and rolls it back. Forum legal bases, intervention partners and project participants
//!   belong to their record, not to one version: the export lists them on every version, the
//!   import takes them from all versions (without repeats).
//! - **Revision**: an export states the model's revision (the last change-feed entry of the
//!   municipality); an import is based on one (the document's, or the client's `If-Match`) and
//!   is refused as a whole when the model changed since ([`revision`]).

mod apply;
mod codec;
mod diff;
pub mod document;
mod export;
mod import_plan;
mod revision;
mod rows;

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use entities::{forum_legal_basis, intervention_partner, project_participant, Kind};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;

pub use self::revision::{Basis, ChangedRecord, Stale};
use self::{
    apply::Apply, diff::Diff, document::ModelFile, export::Names, import_plan::ImportPlan,
    rows::Rows,
};
use super::{municipality_exists, versions::Recorded, writes::Writable, Principal, Role, Store};
use crate::error::{ApiError, ApiResult};

/// One problem of a document: its path in the document, and what is wrong there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: String,
    pub message: String,
}

/// Why an import was not applied.
#[derive(Debug)]
pub enum ImportError {
    /// The document has these problems (nothing was written).
    Invalid(Vec<Problem>),
    /// The import was refused as a whole (not signed in, not allowed, a conflict, the database).
    Refused(ApiError),
    /// The model changed since the revision the import was based on (nothing was written).
    Stale(Stale),
}

impl From<ApiError> for ImportError {
    fn from(error: ApiError) -> Self {
        match error {
            ApiError::BadUserInput { field, message } => Self::Invalid(vec![Problem {
                path: field.document(),
                message,
            }]),
            other => Self::Refused(other),
        }
    }
}

impl From<sea_orm::DbErr> for ImportError {
    fn from(error: sea_orm::DbErr) -> Self {
        Self::Refused(error.into())
    }
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ImportReport {
    /// Whether the changes were written (false for a dry run).
    pub applied: bool,
    /// The model's revision after the import (for a dry run: as it stays).
    pub revision: i32,
    pub changes: Vec<RecordChange>,
    /// How many records of the document equal what is stored.
    pub unchanged: usize,
}

/// A record the import adds, changes or removes.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RecordChange {
    /// Its kind, written as the table of its versions (`units`, `staff_roles`, …).
    #[serde(serialize_with = "table_of")]
    pub kind: Kind,
    pub key: String,
    pub change: ChangeKind,
    /// The fields whose values differ in any version (`name`, `parent`, `valid_from`, …);
    /// `versions` when the number of versions differs. Empty for added and removed records.
    pub fields: Vec<String>,
}

fn table_of<S: serde::Serializer>(kind: &Kind, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(kind.table())
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Added,
    Changed,
    Removed,
}

/// Who an import writes as, and whether its writes are changes (audit entries and the change
/// feed) or the initial state (the seed dataset).
pub(crate) struct ImportAs {
    pub recorded: Recorded,
    pub record_changes: bool,
    /// Whether the importer may change who sees records (an admin, or the dataset).
    pub may_share: bool,
}

impl Store {
    /// The connection reads and writes go through (the seed dataset writes its reference data in
    /// the import's transaction).
    pub(crate) fn connection(&self) -> &super::Connection {
        &self.db
    }

    /// The model of municipality `code` as a TOML document, as far as the caller may see it,
    /// and the revision it states.
    pub async fn export_model(&self, code: i32) -> ApiResult<(String, i32)> {
        if !municipality_exists(&self.db, code).await? {
            return Err(ApiError::not_found(format!("municipality {code}")));
        }
        // The revision first: a write after it makes the document newer than it says (an import
        // of it is then refused), never older.
        let revision = self.model_revision(code).await?;
        let stored = self.stored_model(code, true).await?;
        let names = Names::load(self, code, &stored.ids()).await?;
        let document = ModelFile {
            revision: Some(revision),
            ..ModelFile::encode(code, &stored, &names)
        };
        let text = toml::to_string(&document)
            .map_err(|error| ApiError::Internal(anyhow::anyhow!("exporting a model: {error}")))?;
        Ok((text, revision))
    }

    /// Imports `text` as the whole model of municipality `code` for an editor or admin of it,
    /// based on `basis`; applied unless `dry_run`. The store must not be in a transaction: the
    /// import is one.
    pub async fn import_model(
        &self,
        code: i32,
        text: &str,
        basis: Basis,
        dry_run: bool,
    ) -> Result<ImportReport, ImportError> {
        if !municipality_exists(&self.db, code).await? {
            return Err(ApiError::not_found(format!("municipality {code}")).into());
        }
        let recorded = self.editor_of(code)?;
        let may_share = matches!(&self.principal, Principal::User { roles, .. } if roles.contains(&Role::Admin));
        let document = parse_document(text)?;
        let based_on = basis.revision(document.revision)?;
        let store = self.begin().await?;
        let current = store.model_revision(code).await?;
        if let Some(revision) = based_on {
            store.check_unchanged_since(code, revision, current).await?;
        }
        let report = store
            .import_document(
                code,
                &document,
                &ImportAs {
                    recorded,
                    record_changes: true,
                    may_share,
                },
            )
            .await?;
        if dry_run {
            // Dropping the transaction rolls it back: the model stays at its revision.
            return Ok(ImportReport {
                revision: current,
                ..report
            });
        }
        // The feed's entries are added at commit (see `Connection::commit`): the last is the
        // model's revision now, or the model stays where it was.
        let revision = store.commit().await?.unwrap_or(current);
        Ok(ImportReport {
            applied: true,
            revision,
            ..report
        })
    }

    /// Imports `document` as the whole model of municipality `code` in the store's transaction;
    /// the report says `applied: false` (the caller commits or not).
    pub(crate) async fn import_document(
        &self,
        code: i32,
        document: &ModelFile,
        by: &ImportAs,
    ) -> Result<ImportReport, ImportError> {
        let mut plan = ImportPlan::new(self, code, by).await?;
        // The checks take time in proportion to the document (n log n at most: see
        // `service::tree`); between them the import yields, so that the request's deadline (or
        // the client leaving) ends it there, not only at its next statement.
        plan.check_document(document);
        tokio::task::yield_now().await;
        plan.create_identities(self).await?;
        let mut desired = document.decode(&mut plan);
        if !plan.problems.is_empty() {
            return Err(ImportError::Invalid(plan.problems));
        }
        tokio::task::yield_now().await;
        let stored = self.stored_model(code, false).await?;
        if by.record_changes {
            desired.keep_contributions_of_others(code, &stored);
        }
        let mut diff = Diff::default();
        desired.compare(&stored, &plan, &mut diff);
        tokio::task::yield_now().await;
        if diff.shares && !by.may_share {
            return Err(ApiError::Forbidden(format!(
                "only an admin of municipality {code} may decide who sees its records (the \
                 document changes a visibility, or adds a record that is not private)"
            ))
            .into());
        }
        // Writes: the link rows of added, changed and removed records (their rows before go to
        // the audit log), the new versions of added and changed records, then what removed
        // records had.
        let mut apply = Apply {
            store: self,
            plan: &plan,
            by,
            diff: &diff,
            links_before: HashMap::new(),
        };
        if by.record_changes {
            apply.links_before = apply.links_before().await?;
        }
        apply.links(&desired).await?;
        desired.apply(&stored, &apply).await?;
        apply.remove_identities().await?;
        let unchanged = diff.unchanged;
        Ok(ImportReport {
            applied: false,
            revision: 0,
            changes: diff.changes,
            unchanged,
        })
    }

    /// Every version of every record of `code` (those the caller may see, when `visible_only`),
    /// by record in the order of their identities, each record's versions in the order of time.
    async fn stored_model(&self, code: i32, visible_only: bool) -> ApiResult<Rows> {
        let links = |ids: &BTreeSet<i32>| ids.iter().copied().collect::<Vec<_>>();
        let mut model = Rows::versions(self, code, visible_only).await?;
        let forums: BTreeSet<i32> = model.forum.iter().map(|v| v.id).collect();
        for row in forum_legal_basis::Entity::find()
            .filter(forum_legal_basis::Column::ForumId.is_in(links(&forums)))
            .order_by_asc(forum_legal_basis::Column::Id)
            .all(&self.db)
            .await?
        {
            model
                .legal_bases
                .entry(row.forum_id)
                .or_default()
                .push(row.legal_basis_id);
        }
        let interventions: BTreeSet<i32> = model.intervention.iter().map(|v| v.id).collect();
        for row in intervention_partner::Entity::find()
            .filter(intervention_partner::Column::InterventionId.is_in(links(&interventions)))
            .order_by_asc(intervention_partner::Column::Id)
            .all(&self.db)
            .await?
        {
            model
                .partners
                .entry(row.intervention_id)
                .or_default()
                .push((row.unit_id, row.partner_id, row.role));
        }
        let projects: BTreeSet<i32> = model.shared_project.iter().map(|v| v.id).collect();
        for row in project_participant::Entity::find()
            .filter(project_participant::Column::ProjectId.is_in(links(&projects)))
            .order_by_asc(project_participant::Column::Id)
            .all(&self.db)
            .await?
        {
            model.participants.entry(row.project_id).or_default().push((
                row.participant_code,
                row.role,
                row.contribution_ore,
                row.contribution_note,
            ));
        }
        Ok(model)
    }

    /// The versions of the records of `E` owned by `code`, by identity, each in the order of time.
    pub(super) async fn versions_of<E: Writable>(
        &self,
        code: i32,
        visible_only: bool,
    ) -> ApiResult<Vec<E::Model>> {
        let mut query = E::find().filter(E::owner().eq(code));
        if visible_only {
            if let Some(tenancy) = <E as super::Scoped>::tenancy() {
                query = query.filter(self.caller.visibility_condition(
                    tenancy.owner,
                    tenancy.visibility,
                    tenancy.resource,
                ));
            }
        }
        let mut rows = query
            .order_by_asc(E::id())
            .order_by_asc(E::version())
            .all(&self.db)
            .await?;
        rows.sort_by_key(|row| {
            let from = date_of::<E>(row, E::valid_from());
            (
                super::int_value(row, E::id()),
                from.is_some(),
                from,
                super::int_value(row, E::version()),
            )
        });
        Ok(rows)
    }
}

/// The reference data a dataset's model documents name, by key: what a seed's documents are
/// checked against before anything is stored.
pub struct ReferenceKeys<'a> {
    pub sources: Vec<&'a str>,
    /// Each network's key and the codes of its members.
    pub networks: Vec<(&'a str, &'a [i32])>,
    pub partners: Vec<&'a str>,
    pub legal_bases: Vec<&'a str>,
    pub municipalities: Vec<i32>,
}

/// The problems of `model`, a model document of a dataset, checked as an import checks it but
/// without a database: against the dataset's own reference data, as if nothing were stored.
pub fn problems_in_dataset(model: &ModelFile, reference: &ReferenceKeys<'_>) -> Vec<Problem> {
    let mut plan = ImportPlan::in_dataset(model.municipality, reference);
    plan.check_document(model);
    model.decode(&mut plan);
    plan.problems
}

/// Parses a document; a syntax error or an unknown field is a problem at `document`.
pub fn parse_document(text: &str) -> Result<ModelFile, ImportError> {
    toml::from_str(text).map_err(|error| {
        let place = error
            .span()
            .map(|span| {
                let before = &text[..span.start.min(text.len())];
                let line = before.matches('\n').count() + 1;
                let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                format!("line {line}, column {column}: ")
            })
            .unwrap_or_default();
        ImportError::Invalid(vec![Problem {
            path: "document".to_owned(),
            message: format!("{place}{}", error.message()),
        }])
    })
}

fn date_of<E: Writable>(row: &E::Model, column: E::Column) -> Option<NaiveDate> {
    use sea_orm::ModelTrait;
    match row.get(column) {
        sea_orm::Value::ChronoDate(Some(day)) => Some(*day),
        _ => None,
    }
}
