//! `outbox`: the change feed. One row per write to a municipality's model, written in the write's
//! transaction and numbered in commit order (`sequence`), so that integrations can follow the
//! changes from a cursor without missing one. Unlike the audit log, it says nothing of who wrote.

use sea_orm::entity::prelude::*;

row! {
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "outbox")]
    pub struct Model {
        /// The change's place in the feed: later commits have larger numbers.
        #[sea_orm(primary_key)]
        pub sequence: i32,
        pub recorded_at: DateTimeUtc,
        /// The record's municipality.
        pub municipality_code: i32,
        /// Who may read the change: the widest visibility the record had before or after it,
        /// narrowed by later writes to the record's widest visibility then.
        pub visibility: String,
        /// The table of the record's versions (`units`, …).
        pub kind: String,
        /// The record's identity.
        pub record_id: i32,
        /// `create`, `update`, `terminate`, `delete` or `set_visibility`.
        pub action: String,
        /// The record's revision after the change.
        pub revision: i32,
        /// The first day the change holds (none for a delete or a change of visibility).
        pub effective_from: Option<Date>,
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
