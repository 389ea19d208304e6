//! `units`: Organisational units: a tree per municipality.

use sea_orm::entity::prelude::*;

versioned! {
    #[sea_orm(table_name = "units")]
    pub struct Model {
        pub parent_id: Option<i32>,
        pub committee_id: Option<i32>,
        pub name: String,
        pub kind: String,
        pub archetype: Option<String>,
        #[sea_orm(column_type = "Text")]
        pub archetype_note: Option<String>,
        pub hosts_crime_prevention: bool,
    }
}
