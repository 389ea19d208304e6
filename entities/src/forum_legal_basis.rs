//! `forum_legal_bases`: The legal bases a forum cites (link rows, seen through their forum).

use sea_orm::entity::prelude::*;

row! {
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "forum_legal_bases")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub forum_id: i32,
        pub legal_basis_id: i32,
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl crate::linked::Linked for Entity {
    const NAME: &'static str = "legal_bases";

    fn record() -> Column {
        Column::ForumId
    }
}
