//! `contacts`: Staff contact details: personal data, private by default.

use sea_orm::entity::prelude::*;

versioned! {
    #[sea_orm(table_name = "contacts")]
    pub struct Model {
        pub unit_id: Option<i32>,
        pub name: String,
        pub role_title: String,
        pub phone: Option<String>,
        pub email: Option<String>,
    }
}
