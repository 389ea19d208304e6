//! `network_memberships`: Which municipality is in which network.

use sea_orm::entity::prelude::*;

row! {
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "network_memberships")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub network_id: i32,
        pub municipality_code: i32,
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
