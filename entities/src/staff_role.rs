//! `staff_roles`: Staff roles in a unit: title, headcount, weekly hours (in minutes, exact).

use sea_orm::entity::prelude::*;

versioned! {
    #[sea_orm(table_name = "staff_roles")]
    pub struct Model {
        pub unit_id: i32,
        pub title: String,
        pub headcount: Option<i32>,
        pub weekly_minutes_min: Option<i32>,
        pub weekly_minutes_max: Option<i32>,
        pub prevention_level: Option<String>,
        pub pillar: Option<String>,
    }
}
