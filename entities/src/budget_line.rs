//! `budget_lines`: Budget lines; amounts in øre so that both databases keep them exact.

use sea_orm::entity::prelude::*;

versioned! {
    #[sea_orm(table_name = "budget_lines")]
    pub struct Model {
        pub unit_id: Option<i32>,
        pub year: i32,
        pub category: String,
        pub phase: String,
        pub amount_ore: Option<i64>,
        pub function_code: Option<String>,
        #[sea_orm(column_type = "Text")]
        pub description: String,
    }
}
