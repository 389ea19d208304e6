//! `forum_members`: Who attends a forum: a unit or a partner organisation.

use sea_orm::entity::prelude::*;

versioned! {
    #[sea_orm(table_name = "forum_members")]
    pub struct Model {
        pub forum_id: i32,
        pub unit_id: Option<i32>,
        pub partner_id: Option<i32>,
        pub role_title: String,
    }
}
