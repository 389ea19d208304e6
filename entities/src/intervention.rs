//! `interventions`: Interventions (indsatser).

use sea_orm::entity::prelude::*;

row! {
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "interventions")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
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
