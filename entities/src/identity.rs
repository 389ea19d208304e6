//! `identities`: the stable identity of each record of a municipality's model (a unit, a staff
//! role, a forum …); the tenant-owned tables hold its versions (see [`versioned`](crate::versioned)).

use sea_orm::entity::prelude::*;

row! {
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "identities")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        /// The table of its versions (`units`, `staff_roles`, …).
        pub kind: String,
        /// The record's key in the municipality's model document (export, import and the seed
        /// dataset), unique per municipality: `ishoej-2014-direktion`, or `units-42` for a record
        /// created through the API.
        pub key: String,
        pub municipality_code: i32,
        /// Counts the writes to the record (any of its versions), for concurrency checks.
        pub revision: i32,
        pub created_at: DateTimeUtc,
        pub created_by: String,
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
