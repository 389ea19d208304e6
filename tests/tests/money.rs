//! Money stays exact on both databases: amounts are stored as integer øre, round-trip to the
//! same decimal, and sum without drift (SQLite would bind decimals as floats).

use std::str::FromStr;

use entities::{budget_line, source};
use rust_decimal::Decimal;
use sea_orm::{
    sea_query::{Alias, Expr, Func},
    ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Set,
};
use serde_json::json;
use vestegn_api::service::versions::{self, Recorded};
use vestegn_tests::{on_each_backend, TestApp};

async fn add_line(app: &TestApp, amount_ore: i64) {
    let source_id = source::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .id;
    let line = budget_line::ActiveModel {
        unit_id: Set(None),
        year: Set(2030),
        category: Set("pool".to_owned()),
        phase: Set("actual".to_owned()),
        amount_ore: Set(Some(amount_ore)),
        function_code: Set(Some("5.28.20".to_owned())),
        description: Set("test".to_owned()),
        municipality_code: Set(151),
        visibility: Set("public".to_owned()),
        valid_from: Set(None),
        valid_to: Set(None),
        source_id: Set(source_id),
        source_section: Set("test".to_owned()),
        note: Set(None),
        ..Default::default()
    };
    versions::create(&app.db, line, &Recorded::now("test"))
        .await
        .unwrap();
}

#[tokio::test]
async fn amounts_round_trip_and_sum_exactly() {
    on_each_backend(|app| async move {
        // 0.10 + 0.20 is the classic float trap; the large amount exceeds f64's exact cents.
        for ore in [10, 20, 9_007_199_254_740_993] {
            add_line(&app, ore).await;
        }
        let data = app
            .query(
                r#"{ budgetLines(filter: { municipalityCodes: [151], year: 2030, functionCode: "5.28.20" }) { edges { node { amount } } } }"#,
                json!({}),
            )
            .await;
        let amounts: Vec<&str> = data["budgetLines"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["amount"].as_str().unwrap()).collect();
        assert_eq!(amounts, vec!["0.10", "0.20", "90071992547409.93"], "{}", app.label());

        let sum: Option<i64> = budget_line::Entity::find()
            .select_only()
            // PostgreSQL sums BIGINT into NUMERIC; cast back so both databases answer an integer.
            .column_as(
                Expr::expr(Func::sum(Expr::col(budget_line::Column::AmountOre))).cast_as(Alias::new("BIGINT")),
                "total",
            )
            .filter(budget_line::Column::Year.eq(2030))
            .into_tuple::<Option<i64>>()
            .one(&app.db)
            .await
            .unwrap()
            .flatten();
        assert_eq!(sum, Some(9_007_199_254_741_023), "SQL sum in øre, {}", app.label());

        let data = app
            .query(r#"{ compareMunicipalities(codes: [151], asOf: "2030-06-01") { budgets { total { value } perInhabitant { value reason } } } }"#, json!({}))
            .await;
        let budget = &data["compareMunicipalities"][0]["budgets"][0];
        assert_eq!(
            Decimal::from_str(budget["total"]["value"].as_str().unwrap()).unwrap(),
            Decimal::from_str("90071992547410.23").unwrap()
        );
        assert!(budget["perInhabitant"]["value"].is_null(), "Ballerup's population is unknown");
        assert!(budget["perInhabitant"]["reason"].as_str().unwrap().contains("population"));
    })
    .await;
}

#[tokio::test]
async fn seeded_amounts_are_exact() {
    on_each_backend(|app| async move {
        let data = app
            .query(r#"{ budgetLines(filter: { municipalityCodes: [169], year: 2023 }) { edges { node { category amount } } } }"#, json!({}))
            .await;
        let lines = data["budgetLines"]["edges"].as_array().unwrap();
        let amount = |category: &str| lines.iter().find(|l| l["node"]["category"] == category).map(|l| l["node"]["amount"].clone());
        assert_eq!(amount("FRAME"), Some(json!("5280000.00")));
        assert_eq!(amount("SALARIES"), Some(json!("4600000.00")));
        assert_eq!(amount("PROJECT_FUNDS"), Some(json!(null)), "named without an amount");
    })
    .await;
}
