//! `intervention_partners`: Partners of an intervention (link rows, seen through their intervention).

use sea_orm::entity::prelude::*;

row! {
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "intervention_partners")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub intervention_id: i32,
        pub unit_id: Option<i32>,
        pub partner_id: Option<i32>,
        pub role: Option<String>,
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl crate::linked::Linked for Entity {
    const NAME: &'static str = "partners";

    fn record() -> Column {
        Column::InterventionId
    }
}
