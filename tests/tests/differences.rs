//! What changed in a municipality's model between two days (`modelDifferences`), through the real
//! router with real tokens: units added, moved, renamed and ended, staffing and budget
//! differences, each side with its source; only what the caller may see; bad days and unknown
//! municipalities refused with the argument at fault.

use serde_json::{json, Value};
use vestegn_api::config::AuthConfig;
use vestegn_tests::{
    editing::{ask, ISHOEJ},
    issuer::TestIssuer,
    on_each_backend,
};

/// The data of an answer that must have no errors.
fn data(answer: Value) -> Value {
    assert!(answer.get("errors").is_none(), "{answer:#}");
    answer["data"].clone()
}

const DIFFERENCES: &str = r#"query ($code: Int!, $from: Date!, $to: Date!) {
  modelDifferences(municipalityCode: $code, from: $from, to: $to) {
    municipalityCode from to
    units { kind fields
      before { id name parent { name } provenance { source { key } validFrom validTo } }
      after { id name parent { name } provenance { source { key } validFrom validTo } } }
    staffRoles { kind fields before { id title headcount } after { id title headcount provenance { source { key } section } } }
    budgetLines { kind fields before { id amount } after { id amount } }
  }
}"#;

/// The difference of the record `id` in the list `list` of a `DIFFERENCES` answer.
fn difference<'a>(answer: &'a Value, list: &str, id: &str) -> Option<&'a Value> {
    answer["modelDifferences"][list]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["before"]["id"] == id || d["after"]["id"] == id)
}

/// The difference of the unit named `name` (on either day).
fn unit_named<'a>(answer: &'a Value, name: &str) -> &'a Value {
    answer["modelDifferences"]["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["before"]["name"] == name || d["after"]["name"] == name)
        .unwrap_or_else(|| panic!("no difference of {name}: {answer:#}"))
}

#[tokio::test]
async fn ishoej_from_2014_to_2023_as_its_sources_describe_it() {
    on_each_backend(|app| async move {
        let issuer = TestIssuer::start().await;
        let router = app.router_with_auth(&AuthConfig {
            issuer: Some(issuer.issuer()),
            ..AuthConfig::default()
        });
        let viewer = issuer.user_token(ISHOEJ, &["viewer"]);
        let answer = data(
            ask(
                &router,
                Some(&viewer),
                DIFFERENCES,
                json!({ "code": ISHOEJ, "from": "2014-06-01", "to": "2023-06-01" }),
            )
            .await,
        );
        assert_eq!(answer["modelDifferences"]["from"], "2014-06-01");
        // The 2014 staff unit under the executive board (000) is gone by 2023.
        let staff_unit = unit_named(
            &answer,
            "Stabsenheden for Tryghed og Kriminalitetsforebyggelse",
        );
        assert_eq!(
            staff_unit["kind"],
            "ENDED",
            "{}: {staff_unit:#}",
            app.label()
        );
        assert_eq!(staff_unit["before"]["parent"]["name"], "Direktionen");
        assert_eq!(staff_unit["before"]["provenance"]["source"]["key"], "000");
        // The youth school is one record: in 2014 at the top (000), in 2023 under CKF (002).
        let youth_school = unit_named(&answer, "Ungdomsskolen");
        assert_eq!(youth_school["kind"], "CHANGED");
        assert_eq!(youth_school["fields"], json!(["parent"]));
        assert_eq!(youth_school["before"]["id"], youth_school["after"]["id"]);
        assert_eq!(youth_school["before"]["provenance"]["source"]["key"], "000");
        assert_eq!(youth_school["after"]["parent"]["name"], "CKF");
        assert_eq!(youth_school["after"]["provenance"]["source"]["key"], "002");
        // 2023's crime-prevention unit inside CBF was added since (002).
        let added = answer["modelDifferences"]["units"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["kind"] == "ADDED")
            .count();
        assert!(added > 0, "{answer:#}");
        for d in answer["modelDifferences"]["units"].as_array().unwrap() {
            match d["kind"].as_str().unwrap() {
                "ADDED" => assert!(d["before"].is_null() && d["fields"] == json!([])),
                "ENDED" => assert!(d["after"].is_null() && d["fields"] == json!([])),
                _ => assert!(!d["fields"].as_array().unwrap().is_empty()),
            }
        }
    })
    .await;
}

#[tokio::test]
async fn edits_show_as_differences_with_their_sources_for_those_who_may_see_them() {
    on_each_backend(|app| async move {
        let label = app.label();
        let issuer = TestIssuer::start().await;
        let router = app.router_with_auth(&AuthConfig {
            issuer: Some(issuer.issuer()),
            ..AuthConfig::default()
        });
        let editor = issuer.user_token(ISHOEJ, &["editor"]);
        let admin = issuer.user_token(ISHOEJ, &["admin"]);
        let edit = |query: &'static str, variables: Value| {
            let (router, editor) = (router.clone(), editor.clone());
            async move { data(ask(&router, Some(&editor), query, variables).await) }
        };
        let create_unit = r#"mutation ($name: String!, $from: Date!) {
          createUnit(input: { municipalityCode: 183, name: $name, kind: "team", validFrom: $from,
                              provenance: { source: "002", section: "Organisering" } }) { id } }"#;
        let team = edit(create_unit, json!({ "name": "Diffteam", "from": "2024-01-01" })).await
            ["createUnit"]["id"]
            .clone();
        let parent = edit(create_unit, json!({ "name": "Diffcenter", "from": "2024-01-01" })).await
            ["createUnit"]["id"]
            .clone();
        let closing = edit(create_unit, json!({ "name": "Lukkes", "from": "2024-01-01" })).await
            ["createUnit"]["id"]
            .clone();
        let role = edit(
            r#"mutation ($unit: ID!) { createStaffRole(input: { unitId: $unit, title: "SSP-konsulent",
                 headcount: 2, weeklyHoursMin: "37", validFrom: "2024-01-01",
                 provenance: { source: "002", section: "Bemanding" } }) { id } }"#,
            json!({ "unit": team }),
        )
        .await["createStaffRole"]["id"]
            .clone();
        let line = edit(
            r#"mutation ($unit: ID!) { createBudgetLine(input: { municipalityCode: 183, unitId: $unit,
                 year: 2025, category: SALARIES, phase: ADOPTED, amount: "1000000.00",
                 description: "Løn", validFrom: "2024-01-01",
                 provenance: { source: "002", section: "Budget" } }) { id } }"#,
            json!({ "unit": team }),
        )
        .await["createBudgetLine"]["id"]
            .clone();

        // From 1 March 2025: the team is renamed and moved under the centre, the role grows to
        // three people, the budget line is adjusted, a new unit starts and one closes.
        edit(
            r#"mutation ($id: ID!, $parent: ID!) { updateUnit(id: $id, revision: 1, from: "2025-03-01",
                 changes: { name: "Diffteam Syd", parentId: $parent },
                 provenance: { source: "004", section: "Organisering" }) { id } }"#,
            json!({ "id": team, "parent": parent }),
        )
        .await;
        edit(
            r#"mutation ($id: ID!) { updateStaffRole(id: $id, revision: 1, from: "2025-03-01",
                 changes: { headcount: 3 }, provenance: { source: "004", section: "Normering" }) { id } }"#,
            json!({ "id": role }),
        )
        .await;
        edit(
            r#"mutation ($id: ID!) { updateBudgetLine(id: $id, revision: 1, from: "2025-03-01",
                 changes: { amount: "1100000.25" }, provenance: { source: "004", section: "Budget" }) { id } }"#,
            json!({ "id": line }),
        )
        .await;
        let added = edit(create_unit, json!({ "name": "Nyt team", "from": "2025-03-01" })).await
            ["createUnit"]["id"]
            .clone();
        edit(
            r#"mutation ($id: ID!) { terminateRecord(id: $id, revision: 1, from: "2025-03-01") { id } }"#,
            json!({ "id": closing }),
        )
        .await;

        let between = json!({ "code": ISHOEJ, "from": "2025-01-01", "to": "2025-06-01" });
        let answer = data(ask(&router, Some(&editor), DIFFERENCES, between.clone()).await);
        let id = |value: &Value| value.as_str().unwrap().to_owned();
        let moved = difference(&answer, "units", &id(&team)).expect("the team");
        assert_eq!(moved["kind"], "CHANGED", "{label}: {moved:#}");
        assert_eq!(moved["fields"], json!(["name", "parent"]), "renamed and moved");
        assert_eq!(moved["before"]["name"], "Diffteam");
        assert_eq!(moved["before"]["parent"], Value::Null);
        assert_eq!(moved["before"]["provenance"]["source"]["key"], "002");
        assert_eq!(moved["before"]["provenance"]["validTo"], "2025-03-01");
        assert_eq!(moved["after"]["name"], "Diffteam Syd");
        assert_eq!(moved["after"]["parent"]["name"], "Diffcenter");
        assert_eq!(moved["after"]["provenance"]["source"]["key"], "004");
        let new = difference(&answer, "units", &id(&added)).expect("the new unit");
        assert_eq!(new["kind"], "ADDED");
        let ended = difference(&answer, "units", &id(&closing)).expect("the closed unit");
        assert_eq!(ended["kind"], "ENDED");
        assert!(
            difference(&answer, "units", &id(&parent)).is_none(),
            "{label}: an unchanged unit is no difference"
        );
        let staffing = difference(&answer, "staffRoles", &id(&role)).expect("the role");
        assert_eq!(staffing["fields"], json!(["headcount"]));
        assert_eq!(
            (&staffing["before"]["headcount"], &staffing["after"]["headcount"]),
            (&json!(2), &json!(3))
        );
        assert_eq!(staffing["after"]["provenance"]["section"], "Normering");
        let budget = difference(&answer, "budgetLines", &id(&line)).expect("the line");
        assert_eq!(budget["fields"], json!(["amount"]));
        assert_eq!(
            (&budget["before"]["amount"], &budget["after"]["amount"]),
            (&json!("1000000.00"), &json!("1100000.25"))
        );

        // Before anything was shared, another municipality's user and anonymous callers see none
        // of these private records; once the admin shares the team publicly, they see it.
        let outsider = issuer.user_token(791, &["viewer"]);
        for token in [Some(outsider.as_str()), None] {
            let seen = data(ask(&router, token, DIFFERENCES, between.clone()).await);
            for record in [&team, &added, &closing] {
                assert!(difference(&seen, "units", &id(record)).is_none(), "{label}: {seen:#}");
            }
            assert!(difference(&seen, "staffRoles", &id(&role)).is_none());
            assert!(difference(&seen, "budgetLines", &id(&line)).is_none());
        }
        data(
            ask(
                &router,
                Some(&admin),
                r#"mutation ($id: ID!) { setVisibility(id: $id, revision: 2, visibility: PUBLIC) { id } }"#,
                json!({ "id": team }),
            )
            .await,
        );
        let public = data(ask(&router, None, DIFFERENCES, between).await);
        let seen = difference(&public, "units", &id(&team)).expect("the shared team");
        assert_eq!(seen["fields"], json!(["name", "parent"]));
        assert_eq!(
            seen["after"]["parent"],
            Value::Null,
            "{label}: the private parent stays hidden"
        );
    })
    .await;
}

#[tokio::test]
async fn bad_days_and_unknown_municipalities_are_refused_with_their_argument() {
    on_each_backend(|app| async move {
        for (variables, field) in [
            (
                json!({ "code": ISHOEJ, "from": "2023-06-01", "to": "2023-06-01" }),
                "to",
            ),
            (
                json!({ "code": ISHOEJ, "from": "2023-06-01", "to": "2014-06-01" }),
                "to",
            ),
            (
                json!({ "code": ISHOEJ, "from": "1800-01-01", "to": "2014-06-01" }),
                "from",
            ),
            (
                json!({ "code": ISHOEJ, "from": "2014-06-01", "to": "9999-01-01" }),
                "to",
            ),
            (
                json!({ "code": 999, "from": "2014-06-01", "to": "2023-06-01" }),
                "municipalityCode",
            ),
        ] {
            let refused = app.query_error(DIFFERENCES, variables.clone()).await;
            assert_eq!(
                refused["extensions"]["code"],
                "BAD_USER_INPUT",
                "{}: {variables}: {refused}",
                app.label()
            );
            assert_eq!(
                refused["extensions"]["field"], field,
                "{variables}: {refused}"
            );
        }
    })
    .await;
}
