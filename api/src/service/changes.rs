//! The change feed: every write to a municipality's model, in commit order, for integrations that
//! follow changes from a cursor instead of reading everything again.
//!
//! Each write adds its entry to the `outbox` table in its own transaction
//! ([`writes`](super::writes)), so a change is in the feed exactly when it is committed. The
//! entries are added when the transaction commits, one transaction at a time (see
//! [`Connection`](super::Connection)), so they are committed in the order of their sequence
//! numbers: a reader that has seen number n will never later find a smaller one, and following the feed from the last cursor seen loses nothing, across restarts
//! and replicas alike (the feed is in the database, the cursor with the client). A client that
//! failed before storing its cursor reads some entries again: delivery is at least once.
//!
//! Who may read an entry follows the record's rules: the entry carries the record's municipality,
//! kind and the widest visibility it had before or after the change; each later write to the
//! record narrows its earlier entries to the widest visibility the record has after that write,
//! so a record made private no longer shows its past to those who can no longer see it.

use entities::outbox;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::{scoped::tenant_owned_tables, Page, PageRequest, Resource, Store};
use crate::error::ApiResult;

impl Store {
    /// The changes after the entry `request.after` that the caller may see, oldest first.
    pub async fn changes(&self, request: PageRequest) -> ApiResult<Page<outbox::Model>> {
        let mut query = outbox::Entity::find()
            .filter(self.change_condition())
            .order_by_asc(outbox::Column::Sequence)
            .limit(request.first + 1);
        if let Some(after) = request.after {
            query = query.filter(outbox::Column::Sequence.gt(after));
        }
        let mut rows = query.all(&self.db).await?;
        let has_next_page = rows.len() as u64 > request.first;
        rows.truncate(request.first as usize);
        Ok(Page {
            rows,
            has_next_page,
        })
    }

    /// The revision of the model of municipality `code` as the caller sees it: the sequence
    /// number of the last change to it (0 before the first: the seed dataset is not a change).
    /// Read in a writer's transaction it is exact for the municipality's own writers, who take
    /// turns (another municipality's participant may still add its part of a shared project of
    /// this one); read outside one, a write may land right after it, so a reader takes the revision before it reads the model
    /// (which is then at least as new as the revision says).
    pub async fn model_revision(&self, code: i32) -> ApiResult<i32> {
        let last: Option<Option<i32>> = outbox::Entity::find()
            .select_only()
            .column_as(outbox::Column::Sequence.max(), "last")
            .filter(outbox::Column::MunicipalityCode.eq(code))
            .filter(self.change_condition())
            .into_tuple()
            .one(&self.db)
            .await?;
        Ok(last.flatten().unwrap_or(0))
    }

    /// The changes to the model of municipality `code` after its revision `revision` that the
    /// caller may see, oldest first.
    pub(super) async fn model_changes_since(
        &self,
        code: i32,
        revision: i32,
    ) -> ApiResult<Vec<outbox::Model>> {
        Ok(outbox::Entity::find()
            .filter(outbox::Column::MunicipalityCode.eq(code))
            .filter(outbox::Column::Sequence.gt(revision))
            .filter(self.change_condition())
            .order_by_asc(outbox::Column::Sequence)
            .all(&self.db)
            .await?)
    }

    /// The entries the caller may see: those whose record it could see, by the rule for the
    /// record's kind.
    fn change_condition(&self) -> Condition {
        let tables = tenant_owned_tables();
        [Resource::BudgetLines, Resource::Other].into_iter().fold(
            Condition::any(),
            |any, resource| {
                let kinds = tables
                    .iter()
                    .filter(|(_, of)| *of == resource)
                    .map(|(table, _)| *table);
                any.add(Condition::all().add(outbox::Column::Kind.is_in(kinds)).add(
                    self.caller.visibility_condition(
                        outbox::Column::MunicipalityCode,
                        outbox::Column::Visibility,
                        resource,
                    ),
                ))
            },
        )
    }
}

/// The change feed's newest entry, whoever may read it: its sequence number and when it was
/// recorded. For operators (the metrics), who see how far the feed's followers lag, not what
/// changed.
pub async fn newest_entry(
    db: &sea_orm::DatabaseConnection,
) -> ApiResult<Option<(i32, chrono::DateTime<chrono::Utc>)>> {
    let newest = outbox::Entity::find()
        .select_only()
        .column(outbox::Column::Sequence)
        .column(outbox::Column::RecordedAt)
        .order_by_desc(outbox::Column::Sequence)
        .limit(1)
        .into_tuple()
        .one(db)
        .await?;
    Ok(newest)
}
