//! `shared_projects`: Cross-municipal projects; the owner is the lead municipality.

use sea_orm::entity::prelude::*;

versioned! {
    #[sea_orm(table_name = "shared_projects")]
    pub struct Model {
        pub name: String,
        #[sea_orm(column_type = "Text")]
        pub description: Option<String>,
    }
}
