//! `forums`: Forums a municipality sits in.

use sea_orm::entity::prelude::*;

row! {
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "forums")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub network_id: Option<i32>,
        pub name: String,
        pub scope: String,
        pub level: String,
        pub cadence: Option<String>,
        #[sea_orm(column_type = "Text")]
        pub purpose: Option<String>,
        pub municipality_code: i32,
        pub visibility: String,
        pub valid_from: Option<Date>,
        pub valid_to: Option<Date>,
        pub source_id: i32,
        pub source_section: String,
        #[sea_orm(column_type = "Text")]
        pub note: Option<String>,
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
