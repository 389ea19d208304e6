//! `forums`: Forums a municipality sits in.

use sea_orm::entity::prelude::*;

versioned! {
    #[sea_orm(table_name = "forums")]
    pub struct Model {
        pub network_id: Option<i32>,
        pub name: String,
        pub scope: String,
        pub level: String,
        pub cadence: Option<String>,
        #[sea_orm(column_type = "Text")]
        pub purpose: Option<String>,
    }
}
