//! Nested lists take the filters of their top-level list and filter in SQL: a unit's budget lines
//! of one year are that year's lines, and a nested filter selects the same records as the
//! top-level filter does.

use entities::{budget_line, unit};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{json, Value};
use vestegn_api::{
    graphql::ids::{GlobalId, Kind},
    service::versions::{self, Recorded},
};
use vestegn_tests::{on_each_backend, TestApp};

/// The IDs of a list of records, in order.
fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|record| record["id"].as_str().expect("an id").to_owned())
        .collect()
}

/// Adds a public budget line of `unit` for `year` and `category`.
async fn add_line(app: &TestApp, unit: &unit::Model, year: i32, category: &str) -> i32 {
    let line = budget_line::ActiveModel {
        unit_id: Set(Some(unit.id)),
        year: Set(year),
        category: Set(category.to_owned()),
        phase: Set("adopted".to_owned()),
        amount_ore: Set(Some(10_000)),
        function_code: Set(None),
        description: Set(format!("{category} {year}")),
        municipality_code: Set(unit.municipality_code),
        visibility: Set("public".to_owned()),
        valid_from: Set(None),
        valid_to: Set(None),
        source_id: Set(unit.source_id),
        source_section: Set("test".to_owned()),
        note: Set(None),
        ..Default::default()
    };
    versions::create(&app.db, line, &Recorded::now("test"))
        .await
        .expect("insert")
        .id
}

#[tokio::test]
async fn a_units_budget_lines_filter_by_year_category_and_phase() {
    on_each_backend(|app| async move {
        let unit = unit::Entity::find()
            .filter(unit::Column::Visibility.eq("public"))
            .one(&app.db)
            .await
            .unwrap()
            .expect("a public unit");
        let mut added = Vec::new();
        for (year, category) in [(2031, "salaries"), (2031, "pool"), (2032, "salaries")] {
            added.push(add_line(&app, &unit, year, category).await);
        }
        let line_id = |index: usize| Kind::BudgetLine.id(added[index]).to_string();
        let unit_id = Kind::Unit.id(unit.id).to_string();
        let query = r#"query($id: ID!) { node(id: $id) { ... on Unit {
            all: budgetLines { id }
            in2031: budgetLines(year: 2031) { id year }
            salaries2031: budgetLines(year: 2031, category: SALARIES) { id }
            adopted2032: budgetLines(year: 2032, phase: ADOPTED) { id }
            actual2032: budgetLines(year: 2032, phase: ACTUAL) { id }
        } } }"#;
        let data = app.query(query, json!({ "id": unit_id })).await;
        let unit = &data["node"];
        assert!(ids(&unit["all"]).len() >= 3, "{}: {unit:#}", app.label());
        assert_eq!(
            ids(&unit["in2031"]),
            [line_id(0), line_id(1)],
            "{}",
            app.label()
        );
        assert_eq!(ids(&unit["salaries2031"]), [line_id(0)], "{}", app.label());
        assert_eq!(ids(&unit["adopted2032"]), [line_id(2)], "{}", app.label());
        assert_eq!(
            ids(&unit["actual2032"]),
            Vec::<String>::new(),
            "{}",
            app.label()
        );
    })
    .await;
}

#[tokio::test]
async fn nested_filters_select_what_the_top_level_filters_select() {
    on_each_backend(|app| async move {
        let data = app
            .query("{ municipalities(first: 100) { nodes { code } } }", json!({}))
            .await;
        let codes: Vec<i64> = data["municipalities"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["code"].as_i64().unwrap())
            .collect();
        let mut compared = 0;
        for code in codes {
            let nested = app
                .query(
                    r#"query($code: Int!) { municipality(code: $code) {
                        budgetLines(year: 2023, phase: ADOPTED) { id }
                        staffRoles(preventionLevel: GENERAL) { id }
                        forums(level: STRATEGIC) { id }
                        interventions(preventionLevel: TARGETED) { id }
                        hosting: units(hostsCrimePrevention: true) { id }
                        centres: units(kind: "centre", hostsCrimePrevention: false) { id }
                    } }"#,
                    json!({ "code": code }),
                )
                .await;
            let top = app
                .query(
                    r#"query($codes: [Int!]) {
                        budgetLines(filter: { municipalityCodes: $codes, year: 2023, phase: ADOPTED }, first: 100) { nodes { id } }
                        staffRoles(filter: { municipalityCodes: $codes, preventionLevel: GENERAL }, first: 100) { nodes { id } }
                        forums(filter: { municipalityCodes: $codes, level: STRATEGIC }, first: 100) { nodes { id } }
                        interventions(filter: { municipalityCodes: $codes, preventionLevel: TARGETED }, first: 100) { nodes { id } }
                        hosting: units(filter: { municipalityCodes: $codes, hostsCrimePrevention: true }, first: 100) { nodes { id } }
                        centres: units(filter: { municipalityCodes: $codes, kind: "centre", hostsCrimePrevention: false }, first: 100) { nodes { id } }
                    }"#,
                    json!({ "codes": [code] }),
                )
                .await;
            let lists = [
                "budgetLines",
                "staffRoles",
                "forums",
                "interventions",
                "hosting",
                "centres",
            ];
            for list in lists {
                let nested_ids = ids(&nested["municipality"][list]);
                assert_eq!(
                    nested_ids,
                    ids(&top[list]["nodes"]),
                    "{}: {list} of {code}",
                    app.label()
                );
                compared += nested_ids.len();
            }
        }
        assert!(compared > 0, "{}: the filters select some records", app.label());
    })
    .await;
}
