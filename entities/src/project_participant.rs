//! `project_participants`: Municipalities taking part in a shared project (link rows, seen through their project).

use sea_orm::entity::prelude::*;

row! {
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "project_participants")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub project_id: i32,
        pub participant_code: i32,
        pub role: String,
        pub contribution_ore: Option<i64>,
        #[sea_orm(column_type = "Text")]
        pub contribution_note: Option<String>,
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl crate::linked::Linked for Entity {
    const NAME: &'static str = "participants";

    fn record() -> Column {
        Column::ProjectId
    }
}
