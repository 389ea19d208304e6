//! `interventions`: Interventions (indsatser).

use sea_orm::entity::prelude::*;

versioned! {
    #[sea_orm(table_name = "interventions")]
    pub struct Model {
        pub goal_id: Option<i32>,
        pub lead_unit_id: Option<i32>,
        pub name: String,
        #[sea_orm(column_type = "Text")]
        pub description: Option<String>,
        pub prevention_level: Option<String>,
        #[sea_orm(column_type = "Text")]
        pub target_group: Option<String>,
        pub age_min: Option<i32>,
        pub age_max: Option<i32>,
        #[sea_orm(column_type = "Text")]
        pub funding: Option<String>,
        /// The plan the intervention belongs to (`plans`), when it is recorded.
        pub plan_id: Option<i32>,
    }
}
