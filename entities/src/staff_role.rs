//! `staff_roles`: Staff roles in a unit: title, headcount, weekly hours (in minutes, exact).

use sea_orm::entity::prelude::*;

row! {
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "staff_roles")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub unit_id: i32,
        pub title: String,
        pub headcount: Option<i32>,
        pub weekly_minutes_min: Option<i32>,
        pub weekly_minutes_max: Option<i32>,
        pub prevention_level: Option<String>,
        pub pillar: Option<String>,
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
