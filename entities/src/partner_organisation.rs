//! `partner_organisations`: Organisations that are not tenants (police, Kriminalforsorgen, ...).

use sea_orm::entity::prelude::*;

row! {
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "partner_organisations")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        #[sea_orm(unique)]
        pub key: String,
        pub name: String,
        /// Counts the platform admins' writes: an update sends back the revision it read.
        pub revision: i32,
        pub kind: String,
        #[sea_orm(column_type = "Text")]
        pub note: Option<String>,
        pub source_id: i32,
        pub source_section: String,
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
