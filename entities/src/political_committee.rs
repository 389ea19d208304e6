//! `political_committees`: Political committees (udvalg) units report to.

use sea_orm::entity::prelude::*;

versioned! {
    #[sea_orm(table_name = "political_committees")]
    pub struct Model {
        pub name: String,
    }
}
