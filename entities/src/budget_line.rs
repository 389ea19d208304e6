//! `budget_lines`: Budget lines; amounts in øre so that both databases keep them exact.

use sea_orm::entity::prelude::*;

row! {
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "budget_lines")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub unit_id: Option<i32>,
        pub year: i32,
        pub category: String,
        pub phase: String,
        pub amount_ore: Option<i64>,
        pub function_code: Option<String>,
        #[sea_orm(column_type = "Text")]
        pub description: String,
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
