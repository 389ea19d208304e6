//! `goals`: Goals of a municipality's action plans.

use sea_orm::entity::prelude::*;

versioned! {
    #[sea_orm(table_name = "goals")]
    pub struct Model {
        pub plan: String,
        pub number: i32,
        pub title: String,
        /// The plan the goal belongs to (`plans`), when it is recorded.
        pub plan_id: Option<i32>,
    }
}
