//! `audit_log`: every write to a municipality's model: who (the token's subject and client), when,
//! which record, what was done, and the record's versions before and after (JSON). Written in the
//! transaction of the change; nothing updates or deletes it.

use sea_orm::entity::prelude::*;

row! {
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "audit_log")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub recorded_at: DateTimeUtc,
        /// The token's subject.
        pub subject: String,
        /// The client the token was issued to, when it names one.
        pub client: Option<String>,
        /// The record's municipality; none for the platform's own records (networks, partners).
        pub municipality_code: Option<i32>,
        /// The table of the record's versions (`units`, …).
        pub kind: String,
        /// The record's identity.
        pub record_id: i32,
        /// `create`, `update`, `terminate` or `delete`.
        pub action: String,
        /// The record's revision after the change.
        pub revision: i32,
        /// The record's versions before and after the change, as JSON arrays.
        #[sea_orm(column_type = "Text")]
        pub before: String,
        #[sea_orm(column_type = "Text")]
        pub after: String,
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
