//! `networks`: Networks that group municipalities (SSP-kreds, Kredsråd, Chefforum).

use sea_orm::entity::prelude::*;

row! {
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "networks")]
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
        pub description: Option<String>,
        pub source_id: i32,
        pub source_section: String,
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
