//! No N+1: the statements of a deep nested query do not grow with the rows it returns.

use serde_json::json;
use vestegn_api::config::Limits;
use vestegn_tests::on_each_backend_with;

const DEEP: &str = r#"query($first: Int) { municipalities(first: $first) { edges { node {
  name
  networks { name members { code } }
  units { name parent { name } children { name } ancestors { name } committee { name }
          staffRoles { title provenance { source { key } } } }
  forums { name members { roleTitle unit { name } partner { name } } legalBases { law section } }
  interventions { name goal { title } partners { unit { name } partner { name } } }
  budgetLines { amount }
} } } }"#;

#[tokio::test]
async fn statement_count_does_not_grow_with_rows() {
    // The query is far above the default complexity limit (every list at its declared size).
    let limits = Limits {
        max_complexity: 1_000_000,
        ..Limits::default()
    };
    on_each_backend_with(limits, true, |app| async move {
        app.reset_statements();
        let few = app.query(DEEP, json!({ "first": 8 })).await;
        let statements_for_few = app.statements();

        app.reset_statements();
        let all = app.query(DEEP, json!({ "first": 12 })).await;
        let statements_for_all = app.statements();
        eprintln!("{}: {statements_for_few} statements for 8, {statements_for_all} for 12", app.label());

        let count = |data: &serde_json::Value| data["municipalities"]["edges"].as_array().unwrap().len();
        assert_eq!((count(&few), count(&all)), (8, 12));
        let units: usize = all["municipalities"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["units"].as_array().unwrap().len())
            .sum();
        assert!(units > 40, "the query returns many rows: {units} units");
        assert_eq!(
            statements_for_all, statements_for_few,
            "{}: {statements_for_all} statements for 12 municipalities vs {statements_for_few} for 8",
            app.label()
        );
        assert!(statements_for_all < 40, "{}: {statements_for_all} statements", app.label());
    })
    .await;
}
