//! Rows that belong to a record rather than to one of its versions: a forum's legal bases, an
//! intervention's partners, a shared project's participants. They hold on every day of the
//! record. The registry names each table of them beside its kind (`entities::kinds!`); the audit
//! log shows them with each of the record's versions (see [`writes`](super::writes)), and a
//! record is deleted with them.

use entities::{linked::Linked, Kind};
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use serde_json::Value as Json;

use super::{writes::row_json, Connection};

/// The rows linked to a record, as a write finds them: the name they go by
/// ([`Linked::NAME`]) and the rows, a JSON array.
pub(super) type Links = (&'static str, Json);

/// Declares [`linked_rows`] and [`delete_linked`] from the registry's link tables.
macro_rules! declare_links {
    (
        []
        platform { $($platform:ident $platform_module:ident,)* }
        model { $($kind:ident $module:ident $access:ident $section:literal [$($link:ident)?],)* }
    ) => {
        /// The link rows of the record `id` of `kind` (none for a kind without links).
        pub(super) async fn linked_rows(
            db: &Connection,
            kind: Kind,
            id: i32,
        ) -> Result<Option<Links>, DbErr> {
            match kind {
                $($(Kind::$kind => Ok(Some((
                    <entities::$link::Entity as Linked>::NAME,
                    rows_of::<entities::$link::Entity>(db, id).await?,
                ))),)?)*
                _ => Ok(None),
            }
        }

        /// Deletes the link rows of the record `id` of `kind` (before the record itself, which
        /// they refer to).
        pub(super) async fn delete_linked(db: &Connection, kind: Kind, id: i32) -> Result<(), DbErr> {
            match kind {
                $($(Kind::$kind => {
                    entities::$link::Entity::delete_many()
                        .filter(<entities::$link::Entity as Linked>::record().eq(id))
                        .exec(db)
                        .await?;
                })?)*
                _ => {}
            }
            Ok(())
        }
    };
}

entities::kinds!(declare_links);

/// The rows of `L` linked to the record `id`, as a JSON array in id order (every link table's
/// primary key is its first column).
async fn rows_of<L: Linked>(db: &Connection, id: i32) -> Result<Json, DbErr> {
    use sea_orm::Iterable;
    let first = L::PrimaryKey::iter()
        .next()
        .map(sea_orm::PrimaryKeyToColumn::into_column);
    let mut query = L::find().filter(L::record().eq(id));
    if let Some(key) = first {
        query = query.order_by_asc(key);
    }
    let rows = query.all(db).await?;
    Ok(Json::Array(rows.iter().map(row_json).collect()))
}
