//! `plans`: A municipality's crime-prevention strategies and action plans ("Ishøj – En Tryg By",
//! its Handleplan 2014): a title, a kind, the years it covers, who adopted or noted it and when,
//! its guiding principles; goals and interventions may belong to it.

use sea_orm::entity::prelude::*;

versioned! {
    #[sea_orm(table_name = "plans")]
    pub struct Model {
        /// `strategy` or `action_plan`.
        pub kind: String,
        pub title: String,
        /// First year the plan covers (inclusive); none when the source gives none.
        pub first_year: Option<i32>,
        /// Last year it covers (inclusive).
        pub last_year: Option<i32>,
        /// The plan it carries out or belongs to (an action plan of a strategy).
        pub part_of_id: Option<i32>,
        /// `adopted` or `noted`.
        pub decision: Option<String>,
        /// The body that adopted or noted it, as the source names it ("Ishøj Byråd").
        pub decided_by: Option<String>,
        /// That body, when it is one of the municipality's political committees.
        pub committee_id: Option<i32>,
        pub decided_on: Option<Date>,
        /// Its guiding principles, in the source's order: a JSON array of strings.
        #[sea_orm(column_type = "Text")]
        pub principles: Option<String>,
    }
}
