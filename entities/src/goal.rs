//! `goals`: Goals of a municipality's action plans.

use sea_orm::entity::prelude::*;

row! {
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "goals")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub plan: String,
        pub number: i32,
        pub title: String,
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
