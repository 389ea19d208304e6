//! `units`: Organisational units: a tree per municipality.

use sea_orm::entity::prelude::*;

row! {
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "units")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub parent_id: Option<i32>,
        pub committee_id: Option<i32>,
        pub name: String,
        pub kind: String,
        pub archetype: Option<String>,
        #[sea_orm(column_type = "Text")]
        pub archetype_note: Option<String>,
        pub hosts_crime_prevention: bool,
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
