//! Writing what a [`Diff`] found: the versions and link rows of the records it names.

use std::collections::HashMap;

use entities::{forum_legal_basis, identity, intervention_partner, project_participant, Kind};
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, Condition, EntityTrait, IntoActiveModel,
    QueryFilter, Set,
};

use super::{diff::Diff, import_plan::ImportPlan, rows::Rows, ChangeKind, ImportAs, RecordChange};
use crate::{
    error::ApiResult,
    service::{
        int_value,
        links::{linked_rows, Links},
        versions,
        writes::Writable,
        Store,
    },
    vocabulary::WriteAction,
};

/// Writes what a [`Diff`] found.
pub(super) struct Apply<'a> {
    pub(super) store: &'a Store,
    pub(super) plan: &'a ImportPlan,
    pub(super) by: &'a ImportAs,
    pub(super) diff: &'a Diff,
    /// The link rows of the records written, by identity, as they were before (for the audit).
    pub(super) links_before: HashMap<i32, Links>,
}

impl Apply<'_> {
    /// The identity of the record a change is to.
    fn id_of(&self, change: &RecordChange) -> i32 {
        match change.change {
            ChangeKind::Removed => self.plan.stored[&change.key].1,
            _ => self.plan.keys[&change.key].id,
        }
    }

    /// The link rows of every record the import writes, as they are before it.
    pub(super) async fn links_before(&self) -> ApiResult<HashMap<i32, Links>> {
        let mut before = HashMap::new();
        for change in &self.diff.changes {
            let id = self.id_of(change);
            if let Some(rows) = linked_rows(&self.store.db, change.kind, id).await? {
                before.insert(id, rows);
            }
        }
        Ok(before)
    }

    /// Replaces the versions of the added and changed records of `E`, and deletes the versions of
    /// its removed records (their identities go last: [`Apply::remove_identities`]).
    pub(super) async fn kind<E: Writable>(
        &self,
        desired: &[E::Model],
        stored: &[E::Model],
    ) -> ApiResult<()>
    where
        E::Model: Clone,
    {
        let kind = E::KIND;
        let group = |rows: &[E::Model]| {
            let mut map: HashMap<i32, Vec<E::Model>> = HashMap::new();
            for row in rows {
                map.entry(int_value(row, E::id()).unwrap_or_default())
                    .or_default()
                    .push(row.clone());
            }
            map
        };
        let wanted = group(desired);
        let mut have = group(stored);
        for change in self.diff.changes.iter().filter(|c| c.kind == kind) {
            let (id, revision) = match change.change {
                ChangeKind::Removed => {
                    let (_, id, revision) = self.plan.stored[&change.key];
                    (id, revision)
                }
                _ => {
                    let keyed = &self.plan.keys[&change.key];
                    (keyed.id, keyed.revision.unwrap_or(1))
                }
            };
            let before = have.remove(&id).unwrap_or_default();
            if change.change != ChangeKind::Added {
                E::delete_many()
                    .filter(E::id().eq(id))
                    .exec(&self.store.db)
                    .await?;
            }
            if change.change != ChangeKind::Removed {
                let versions = wanted
                    .get(&id)
                    .cloned()
                    .unwrap_or_default()
                    .into_iter()
                    .map(|row| row.into_active_model().reset_all())
                    .collect();
                versions::insert_versions(&self.store.db, versions, id, &self.by.recorded).await?;
            }
            if self.by.record_changes {
                let action = match change.change {
                    ChangeKind::Added => WriteAction::Create,
                    ChangeKind::Changed => WriteAction::Update,
                    ChangeKind::Removed => WriteAction::Delete,
                };
                let effective = self.diff.effective.get(&id).copied().flatten();
                self.store
                    .record_import::<E>(
                        action,
                        (self.plan.code, id, revision),
                        effective,
                        &self.by.recorded,
                        (&before, self.links_before.get(&id)),
                    )
                    .await?;
            }
        }
        Ok(())
    }

    /// Replaces the rows that belong to a changed or added record rather than to a version: a
    /// forum's legal bases, an intervention's partners, a project's participants.
    pub(super) async fn links(&self, desired: &Rows) -> ApiResult<()> {
        let db = &self.store.db;
        let touched = |kind: Kind| -> Vec<i32> {
            self.diff
                .changes
                .iter()
                .filter(|c| c.kind == kind)
                .map(|c| self.id_of(c))
                .collect()
        };
        let forums = touched(Kind::Forum);
        forum_legal_basis::Entity::delete_many()
            .filter(forum_legal_basis::Column::ForumId.is_in(forums.clone()))
            .exec(db)
            .await?;
        for id in &forums {
            for basis in desired.legal_bases.get(id).into_iter().flatten() {
                forum_legal_basis::ActiveModel {
                    id: NotSet,
                    forum_id: Set(*id),
                    legal_basis_id: Set(*basis),
                }
                .insert(db)
                .await?;
            }
        }
        let interventions = touched(Kind::Intervention);
        intervention_partner::Entity::delete_many()
            .filter(intervention_partner::Column::InterventionId.is_in(interventions.clone()))
            .exec(db)
            .await?;
        for id in &interventions {
            for (unit, partner, role) in desired.partners.get(id).into_iter().flatten() {
                intervention_partner::ActiveModel {
                    id: NotSet,
                    intervention_id: Set(*id),
                    unit_id: Set(*unit),
                    partner_id: Set(*partner),
                    role: Set(role.clone()),
                }
                .insert(db)
                .await?;
            }
        }
        let projects = touched(Kind::SharedProject);
        project_participant::Entity::delete_many()
            .filter(project_participant::Column::ProjectId.is_in(projects.clone()))
            .exec(db)
            .await?;
        for id in &projects {
            for (code, role, ore, note) in desired.participants.get(id).into_iter().flatten() {
                project_participant::ActiveModel {
                    id: NotSet,
                    project_id: Set(*id),
                    participant_code: Set(*code),
                    role: Set(role.clone()),
                    contribution_ore: Set(*ore),
                    contribution_note: Set(note.clone()),
                }
                .insert(db)
                .await?;
            }
        }
        Ok(())
    }

    /// Deletes the identities of removed records, once no version refers to them.
    pub(super) async fn remove_identities(&self) -> ApiResult<()> {
        let ids = self.diff.removed.clone();
        if ids.is_empty() {
            return Ok(());
        }
        identity::Entity::delete_many()
            .filter(Condition::all().add(identity::Column::Id.is_in(ids)))
            .exec(&self.store.db)
            .await?;
        Ok(())
    }
}
