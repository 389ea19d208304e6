//! Rows that belong to a record rather than to one of its versions: a forum's legal bases, an
//! intervention's partners, a shared project's participants. They hold on every day of the
//! record. The audit log shows them with each of the record's versions (see
//! [`writes`](super::writes)), and a record is deleted with them.

use entities::{forum_legal_basis, intervention_partner, project_participant, Kind};
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use serde_json::Value as Json;

use super::{writes::row_json, Connection};

/// A table of rows linked to the records of another table.
#[derive(Debug, Clone, Copy)]
pub(super) enum LinkTable {
    LegalBases,
    Partners,
    Participants,
}

impl LinkTable {
    /// The link table of the records of `kind`, if they have one.
    pub fn of(kind: Kind) -> Option<Self> {
        match kind {
            Kind::Forum => Some(Self::LegalBases),
            Kind::Intervention => Some(Self::Partners),
            Kind::SharedProject => Some(Self::Participants),
            _ => None,
        }
    }

    /// The name the audit log shows the rows under, in each version.
    pub fn name(self) -> &'static str {
        match self {
            Self::LegalBases => "legal_bases",
            Self::Partners => "partners",
            Self::Participants => "participants",
        }
    }

    /// The rows of the record `id`, as JSON objects in id order.
    pub async fn rows(self, db: &Connection, id: i32) -> Result<Json, DbErr> {
        match self {
            Self::LegalBases => {
                rows_of::<forum_legal_basis::Entity>(db, forum_legal_basis::Column::ForumId, id)
                    .await
            }
            Self::Partners => {
                rows_of::<intervention_partner::Entity>(
                    db,
                    intervention_partner::Column::InterventionId,
                    id,
                )
                .await
            }
            Self::Participants => {
                rows_of::<project_participant::Entity>(
                    db,
                    project_participant::Column::ProjectId,
                    id,
                )
                .await
            }
        }
    }

    /// Deletes the rows of the record `id` (before the record itself, which they refer to).
    pub async fn delete(self, db: &Connection, id: i32) -> Result<(), DbErr> {
        match self {
            Self::LegalBases => {
                forum_legal_basis::Entity::delete_many()
                    .filter(forum_legal_basis::Column::ForumId.eq(id))
                    .exec(db)
                    .await?;
            }
            Self::Partners => {
                intervention_partner::Entity::delete_many()
                    .filter(intervention_partner::Column::InterventionId.eq(id))
                    .exec(db)
                    .await?;
            }
            Self::Participants => {
                project_participant::Entity::delete_many()
                    .filter(project_participant::Column::ProjectId.eq(id))
                    .exec(db)
                    .await?;
            }
        }
        Ok(())
    }
}

/// The rows of `L` whose `column` is `id`, as a JSON array in id order (every link table's
/// primary key is its first column).
async fn rows_of<L>(db: &Connection, column: L::Column, id: i32) -> Result<Json, DbErr>
where
    L: EntityTrait,
{
    use sea_orm::Iterable;
    let first = L::PrimaryKey::iter()
        .next()
        .map(sea_orm::PrimaryKeyToColumn::into_column);
    let mut query = L::find().filter(column.eq(id));
    if let Some(key) = first {
        query = query.order_by_asc(key);
    }
    let rows = query.all(db).await?;
    Ok(Json::Array(rows.iter().map(row_json).collect()))
}

/// The link rows of the record `id` of `kind` (none for a kind without links).
pub(super) async fn linked_rows(
    db: &Connection,
    kind: Kind,
    id: i32,
) -> Result<Option<(LinkTable, Json)>, DbErr> {
    match LinkTable::of(kind) {
        Some(link) => Ok(Some((link, link.rows(db, id).await?))),
        None => Ok(None),
    }
}
