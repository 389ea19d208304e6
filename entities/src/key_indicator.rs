//! `key_indicators`: Outcome figures a source reports next to the organisation (reported crime,
//! charged young people, § 115 reports): a measure over a period, with a value of a kind (a count,
//! a percentage change, a lower bound), or a finding stated without a number.

use sea_orm::entity::prelude::*;

versioned! {
    #[sea_orm(table_name = "key_indicators")]
    pub struct Model {
        pub measure: String,
        #[sea_orm(column_type = "Text")]
        pub title: String,
        /// First year of the period (inclusive); none when the source gives none.
        pub period_start: Option<i32>,
        /// Last year of the period (inclusive).
        pub period_end: Option<i32>,
        pub value_kind: String,
        /// The value in hundredths, so that both databases keep it exact (−23.5 % is −2350).
        pub value_hundredths: Option<i64>,
        /// What the value counts ("%", "henvendelser om året").
        pub unit: Option<String>,
        /// The finding as the source states it, when it gives no number.
        #[sea_orm(column_type = "Text")]
        pub finding: Option<String>,
    }
}
