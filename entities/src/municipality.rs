//! `municipalities`: Municipalities: the tenants, by kommunekode.

use sea_orm::entity::prelude::*;

row! {
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "municipalities")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub code: i32,
        pub name: String,
        /// Counts the platform admins' writes: an update sends back the revision it read.
        pub revision: i32,
        pub population: Option<i64>,
        pub population_year: Option<i32>,
        pub population_source_id: Option<i32>,
        pub population_section: Option<String>,
        #[sea_orm(column_type = "Text")]
        pub population_note: Option<String>,
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
