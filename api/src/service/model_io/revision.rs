//! What an import is based on: the model's revision its document was read at (an export states
//! it), checked in the import's transaction against the change feed, so that an import never
//! overwrites a change it did not see.

use std::collections::HashMap;

use entities::identity;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::{ImportError, Problem};
use crate::{error::ApiError, service::Store};

/// The most changed records a refusal lists.
const MAX_LISTED: usize = 100;

/// What the client says an import is based on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// Nothing beyond the document (whose `revision`, when it has one, is then the basis).
    Unstated,
    /// The document replaces whatever is stored, whatever its `revision` says (`If-Match: *`).
    Anything,
    /// The model's revision the document was read at (`If-Match` with an export's `ETag`); the
    /// document's `revision`, when it has one, must say the same.
    Revision(i32),
}

impl Basis {
    /// The revision the import must find the model at (none: it replaces whatever is stored),
    /// given the document's own `revision`.
    pub(super) fn revision(self, stated: Option<i32>) -> Result<Option<i32>, ImportError> {
        match (self, stated) {
            (Self::Anything, _) => Ok(None),
            (Self::Revision(revision), None) | (Self::Unstated, Some(revision)) => {
                Ok(Some(revision))
            }
            (Self::Revision(revision), Some(stated)) if revision == stated => Ok(Some(revision)),
            (Self::Revision(revision), Some(stated)) => Err(ImportError::Invalid(vec![Problem {
                path: "revision".to_owned(),
                message: format!(
                    "the document states revision {stated}, If-Match revision {revision}: they \
                     must agree"
                ),
            }])),
            (Self::Unstated, None) => Err(ApiError::PreconditionRequired(
                "the document states no revision: import an export (it states the revision it \
                 was read at), send its ETag in If-Match, or send If-Match: * to replace \
                 whatever is stored"
                    .to_owned(),
            )
            .into()),
        }
    }
}

/// The model changed since the revision an import was based on: nothing was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stale {
    /// The revision the import was based on.
    pub based_on: i32,
    /// The model's revision now.
    pub current: i32,
    /// The records changed since, each once, in the order of their first change (at most
    /// [`MAX_LISTED`]).
    pub records: Vec<ChangedRecord>,
    /// How many more records changed than are listed.
    pub unlisted: usize,
}

/// A record changed since an import's basis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedRecord {
    /// The table of its versions (`units`, …), as in the import's report.
    pub kind: String,
    /// Its key; none once it is deleted.
    pub key: Option<String>,
    /// Its revision now; none once it is deleted.
    pub revision: Option<i32>,
    /// The last change to it (`create`, `update`, `terminate`, `delete`, `set_visibility`).
    pub action: String,
}

impl Store {
    /// Refuses an import based on `revision` of the model of `code` unless the model is still at
    /// that revision (it is at `current`). In the import's transaction: the municipality's
    /// writers take turns, so none of them can change the model between this check and the
    /// import's writes (a participant's own part of a shared project can, and the import keeps
    /// it as stored).
    pub(super) async fn check_unchanged_since(
        &self,
        code: i32,
        revision: i32,
        current: i32,
    ) -> Result<(), ImportError> {
        if current == revision {
            return Ok(());
        }
        // A revision after the current one is none the model had: nothing to list.
        let entries = if current > revision {
            self.model_changes_since(code, revision).await?
        } else {
            Vec::new()
        };
        let mut order: Vec<i32> = Vec::new();
        let mut last: HashMap<i32, (String, String)> = HashMap::new();
        for entry in entries {
            if last
                .insert(entry.record_id, (entry.kind, entry.action))
                .is_none()
            {
                order.push(entry.record_id);
            }
        }
        let unlisted = order.len().saturating_sub(MAX_LISTED);
        order.truncate(MAX_LISTED);
        let now: HashMap<i32, identity::Model> = identity::Entity::find()
            .filter(identity::Column::Id.is_in(order.clone()))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|row| (row.id, row))
            .collect();
        let records = order
            .into_iter()
            .map(|id| {
                let (kind, action) = last.remove(&id).unwrap_or_default();
                let identity = now.get(&id);
                ChangedRecord {
                    kind,
                    key: identity.map(|row| row.key.clone()),
                    revision: identity.map(|row| row.revision),
                    action,
                }
            })
            .collect();
        Err(ImportError::Stale(Stale {
            based_on: revision,
            current,
            records,
            unlisted,
        }))
    }
}
