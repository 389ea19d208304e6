//! Plans and strategies, the kind added on top of the registry of kinds: the seed's plans with
//! their sources, plans created and changed by mutations and read as of a day, their goals and
//! interventions, bad input refused with the field at fault (also a plan that would be part of
//! itself), the export and import of the plan section, the change feed and audit log, and the
//! comparison of which municipalities have a current plan (the real router, both databases).

use axum::http::StatusCode;
use serde_json::{json, Value};
use vestegn_api::service::document::{ModelFile, PlanRecord};
use vestegn_tests::{
    documents::{export, import, parse, problems, write},
    editing::{ask, editing, refusal, Editing, ISHOEJ},
    on_each_backend,
};

const VALLENSBAEK: i32 = 187;
const HOEJE_TAASTRUP: i32 = 169;

const CREATE_PLAN: &str = r#"mutation ($input: CreatePlanInput!) {
  createPlan(input: $input) {
    id kind title firstYear lastYear decision decidedBy decidedOn principles revision
    committee { name } partOf { title } provenance { visibility source { key } section }
  }
}"#;
const UPDATE_PLAN: &str = r#"mutation ($id: ID!, $revision: Int!, $from: Date!, $changes: PlanChangesInput!) {
  updatePlan(id: $id, revision: $revision, from: $from, changes: $changes,
             provenance: { source: "002", section: "Strategi" }) { id title lastYear revision }
}"#;
const CREATE_GOAL: &str = r#"mutation ($input: CreateGoalInput!) {
  createGoal(input: $input) { id partOf { title } }
}"#;
const CREATE_INTERVENTION: &str = r#"mutation ($input: CreateInterventionInput!) {
  createIntervention(input: $input) { id partOf { title } }
}"#;

/// What every new record's input has: valid from 1 January 2024, from source 002.
fn new_record(fields: Value) -> Value {
    let mut input = json!({
        "validFrom": "2024-01-01",
        "provenance": { "source": "002", "section": "Strategi" }
    });
    for (name, value) in fields.as_object().unwrap() {
        input[name] = value.clone();
    }
    input
}

/// Sends `mutation` as the Ishøj editor and returns the data of its field `name` (the answer on
/// failure).
async fn mutate(e: &Editing, mutation: &str, name: &str, variables: Value) -> Value {
    let answer = ask(&e.router, Some(&e.editor), mutation, variables).await;
    let record = answer["data"][name].clone();
    assert!(record["id"].is_string(), "{name}: {answer}");
    record
}

/// A new plan of Ishøj with the given fields.
async fn new_plan(e: &Editing, fields: Value) -> Value {
    let mut input = json!({ "municipalityCode": ISHOEJ });
    for (name, value) in fields.as_object().unwrap() {
        input[name] = value.clone();
    }
    mutate(
        e,
        CREATE_PLAN,
        "createPlan",
        json!({ "input": new_record(input) }),
    )
    .await
}

/// Runs a query as `token` and returns its data (no errors allowed).
async fn read(e: &Editing, token: Option<&str>, query: &str, variables: Value) -> Value {
    let answer = ask(&e.router, token, query, variables).await;
    assert!(answer["errors"].is_null(), "{answer}");
    answer["data"].clone()
}

#[tokio::test]
async fn the_seed_records_each_plan_with_its_source() {
    on_each_backend(|app| async move {
        let e = editing(&app).await;
        let query = r#"query ($code: Int!, $day: Date!) {
          municipality(code: $code, asOf: $day) {
            plans {
              kind title firstYear lastYear decision decidedBy decidedOn principles
              committee { name } partOf { title } parts { title }
              goals { number } interventions { name }
              provenance { source { key } }
            }
          }
        }"#;
        let plans = |data: Value| data["municipality"]["plans"].clone();
        let ishoej = plans(
            read(
                &e,
                None,
                query,
                json!({ "code": ISHOEJ, "day": "2014-06-01" }),
            )
            .await,
        );
        assert_eq!(ishoej.as_array().unwrap().len(), 2, "{ishoej}");
        let strategy = &ishoej[0];
        assert_eq!(
            (
                &strategy["kind"],
                &strategy["title"],
                &strategy["decision"],
                &strategy["decidedBy"]
            ),
            (
                &json!("STRATEGY"),
                &json!("Ishøj – En Tryg By"),
                &json!("ADOPTED"),
                &json!("Ishøj Byråd")
            ),
            "{strategy}"
        );
        assert_eq!(
            strategy["decidedOn"],
            Value::Null,
            "the source gives no date"
        );
        assert_eq!(strategy["parts"][0]["title"], ishoej[1]["title"]);
        assert_eq!(strategy["goals"].as_array().unwrap().len(), 4);
        assert_eq!(strategy["provenance"]["source"]["key"], "000");
        let action_plan = &ishoej[1];
        assert_eq!(
            (
                &action_plan["kind"],
                &action_plan["firstYear"],
                &action_plan["lastYear"]
            ),
            (&json!("ACTION_PLAN"), &json!(2014), &json!(2014))
        );
        assert_eq!(action_plan["partOf"]["title"], "Ishøj – En Tryg By");
        assert_eq!(action_plan["interventions"].as_array().unwrap().len(), 27);
        // The web page of 2015 on and the working note of 2023 name no plan.
        let later = plans(
            read(
                &e,
                None,
                query,
                json!({ "code": ISHOEJ, "day": "2023-06-01" }),
            )
            .await,
        );
        assert_eq!(later, json!([]));

        let hoeje_taastrup = plans(
            read(
                &e,
                None,
                query,
                json!({ "code": HOEJE_TAASTRUP, "day": "2023-06-01" }),
            )
            .await,
        );
        let strategy = &hoeje_taastrup[0];
        assert_eq!(
            (
                &strategy["decision"],
                &strategy["decidedOn"],
                &strategy["committee"]["name"]
            ),
            (
                &json!("NOTED"),
                &json!("2023-10-31"),
                &json!("Institutions- og Skoleudvalget")
            ),
            "{strategy}"
        );
        assert_eq!(
            strategy["principles"],
            json!(["netværksdrevet", "værdibaseret", "datainformeret"])
        );
        assert_eq!(strategy["provenance"]["source"]["key"], "004");

        let vallensbaek = plans(
            read(
                &e,
                None,
                query,
                json!({ "code": VALLENSBAEK, "day": "2024-06-01" }),
            )
            .await,
        );
        let strategy = &vallensbaek[0];
        assert_eq!(
            (&strategy["firstYear"], &strategy["lastYear"]),
            (&json!(2023), &json!(2026))
        );
        assert_eq!(
            strategy["parts"],
            json!([{ "title": "Strategiske indsatser for SSP i 2019-2021" }])
        );
        assert_eq!(
            vallensbaek[1]["interventions"].as_array().unwrap().len(),
            2,
            "{vallensbaek}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_plan_is_created_changed_and_read_as_of_a_day() {
    on_each_backend(|app| async move {
        let e = editing(&app).await;
        let label = app.label();
        let committees = read(&e, Some(&e.editor), "{ municipality(code: 183) { committees { id name } } }", json!({})).await;
        let committee = committees["municipality"]["committees"][0].clone();
        let strategy = new_plan(&e, json!({
            "kind": "STRATEGY", "title": "Tryg By 2024–2027", "firstYear": 2024, "lastYear": 2027,
            "decision": "ADOPTED", "decidedBy": "Ishøj Byråd", "decidedOn": "2023-12-12",
            "committeeId": committee["id"], "principles": ["samarbejde", "tidlig indsats"],
        })).await;
        assert_eq!(
            (&strategy["kind"], &strategy["decision"], &strategy["decidedOn"], &strategy["principles"]),
            (&json!("STRATEGY"), &json!("ADOPTED"), &json!("2023-12-12"), &json!(["samarbejde", "tidlig indsats"])),
            "{label}: {strategy}"
        );
        assert_eq!(strategy["committee"]["name"], committee["name"]);
        assert_eq!(strategy["provenance"]["visibility"], "PRIVATE", "private until shared");
        let action_plan = new_plan(&e, json!({
            "kind": "ACTION_PLAN", "title": "Handleplan 2024", "firstYear": 2024, "lastYear": 2024,
            "partOfId": strategy["id"],
        })).await;
        assert_eq!(action_plan["partOf"]["title"], "Tryg By 2024–2027");
        let goal = mutate(&e, CREATE_GOAL, "createGoal", json!({ "input": new_record(json!({
            "municipalityCode": ISHOEJ, "plan": "Tryg By 2024–2027", "number": 1, "title": "Færre ofre",
            "partOfId": strategy["id"],
        })) })).await;
        assert_eq!(goal["partOf"]["title"], "Tryg By 2024–2027");
        let intervention = mutate(&e, CREATE_INTERVENTION, "createIntervention", json!({ "input": new_record(json!({
            "municipalityCode": ISHOEJ, "name": "Natteravne", "goalId": goal["id"], "partOfId": action_plan["id"],
        })) })).await;
        assert_eq!(intervention["partOf"]["title"], "Handleplan 2024");

        let changed = mutate(&e, UPDATE_PLAN, "updatePlan", json!({
            "id": strategy["id"], "revision": 1, "from": "2025-01-01",
            "changes": { "title": "Tryg By 2024–2026", "lastYear": 2026 },
        })).await;
        assert_eq!((&changed["title"], &changed["lastYear"], &changed["revision"]), (&json!("Tryg By 2024–2026"), &json!(2026), &json!(2)));

        let on_day = r#"query ($day: Date!) { municipality(code: 183, asOf: $day) {
            plans { id title lastYear parts { title } goals { title } interventions { name } } } }"#;
        let in_2024 = read(&e, Some(&e.editor), on_day, json!({ "day": "2024-06-01" })).await;
        assert_eq!(
            in_2024["municipality"]["plans"],
            json!([
                { "id": strategy["id"], "title": "Tryg By 2024–2027", "lastYear": 2027,
                  "parts": [{ "title": "Handleplan 2024" }], "goals": [{ "title": "Færre ofre" }], "interventions": [] },
                { "id": action_plan["id"], "title": "Handleplan 2024", "lastYear": 2024,
                  "parts": [], "goals": [], "interventions": [{ "name": "Natteravne" }] },
            ]),
            "{label}"
        );
        let in_2025 = read(&e, Some(&e.editor), on_day, json!({ "day": "2025-06-01" })).await;
        assert_eq!(in_2025["municipality"]["plans"][0]["title"], "Tryg By 2024–2026");
        // Found by its global ID (its latest version); others do not see a private plan.
        let node = r#"query ($id: ID!) { node(id: $id) { __typename ... on Plan { title } } }"#;
        let latest = read(&e, Some(&e.editor), node, json!({ "id": strategy["id"] })).await;
        assert_eq!(latest["node"], json!({ "__typename": "Plan", "title": "Tryg By 2024–2026" }));
        let hidden = read(&e, None, node, json!({ "id": strategy["id"] })).await;
        assert_eq!(hidden["node"], Value::Null, "{label}: anonymous sees no private plan");

        // The change feed and the audit log record each write of a plan as one of a plan.
        let admin = e.issuer.user_token(ISHOEJ, &["admin"]);
        let feed = read(&e, Some(&admin), "{ changes(first: 100) { nodes { recordId recordType action } } }", json!({})).await;
        let plan_changes: Vec<(Value, Value)> = feed["changes"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["recordType"] == "Plan")
            .map(|n| (n["recordId"].clone(), n["action"].clone()))
            .collect();
        assert_eq!(
            plan_changes,
            [
                (strategy["id"].clone(), json!("CREATE")),
                (action_plan["id"].clone(), json!("CREATE")),
                (strategy["id"].clone(), json!("UPDATE")),
            ],
            "{label}: {feed}"
        );
        let log = read(&e, Some(&admin), "{ auditLog(municipalityCode: 183, first: 5) { recordId action after } }", json!({})).await;
        let last = &log["auditLog"][0];
        assert_eq!((&last["recordId"], &last["action"]), (&strategy["id"], &json!("update")), "{log}");
        assert!(last["after"].as_str().unwrap().contains("Tryg By 2024–2026"), "{log}");
    })
    .await;
}

#[tokio::test]
async fn bad_plans_are_refused_with_the_field_at_fault() {
    on_each_backend(|app| async move {
        let e = editing(&app).await;
        let label = app.label();
        let vallensbaek = read(
            &e,
            Some(&e.editor),
            "{ municipality(code: 187) { plans(asOf: \"2024-06-01\") { id } } }",
            json!({}),
        )
        .await;
        let other_plan = vallensbaek["municipality"]["plans"][0]["id"].clone();
        assert!(other_plan.is_string(), "{vallensbaek}");
        let units = read(
            &e,
            Some(&e.editor),
            "{ municipality(code: 183) { units { id } } }",
            json!({}),
        )
        .await;
        let unit = units["municipality"]["units"][0]["id"].clone();
        let base = json!({ "municipalityCode": ISHOEJ, "kind": "STRATEGY", "title": "Strategi" });
        let with = |field: &str, value: Value| {
            let mut input = base.clone();
            input[field] = value;
            json!({ "input": new_record(input) })
        };
        let mut reversed = with("firstYear", json!(2027));
        reversed["input"]["lastYear"] = json!(2024);
        for (variables, field) in [
            (reversed, "input.lastYear"),
            (with("firstYear", json!(12_345)), "input.firstYear"),
            (with("title", json!("  ")), "input.title"),
            (with("partOfId", other_plan), "input.partOfId"),
            (with("committeeId", unit), "input.committeeId"),
            (
                with("principles", json!(["samarbejde", "samarbejde"])),
                "input.principles[1]",
            ),
            (with("decidedOn", json!("1066-10-14")), "input.decidedOn"),
        ] {
            let answer = ask(&e.router, Some(&e.editor), CREATE_PLAN, variables.clone()).await;
            assert_eq!(
                refusal(&answer),
                ("BAD_USER_INPUT".to_owned(), Some(field.to_owned())),
                "{label}: {variables}: {answer}"
            );
        }
        // Nothing half-written: no plan of Ishøj holds in 2024.
        let none = read(
            &e,
            Some(&e.editor),
            "{ municipality(code: 183) { plans(asOf: \"2024-06-01\") { id } } }",
            json!({}),
        )
        .await;
        assert_eq!(none["municipality"]["plans"], json!([]), "{label}");

        // A plan cannot be part of itself, nor of one of its own parts.
        let strategy = new_plan(&e, json!({ "kind": "STRATEGY", "title": "Strategi" })).await;
        let part = new_plan(
            &e,
            json!({ "kind": "ACTION_PLAN", "title": "Del", "partOfId": strategy["id"] }),
        )
        .await;
        let part_of = |id: &Value, whole: &Value| {
            json!({
                "id": id, "revision": 1, "from": "2024-06-01", "changes": { "partOfId": whole },
            })
        };
        for variables in [
            part_of(&strategy["id"], &strategy["id"]),
            part_of(&strategy["id"], &part["id"]),
        ] {
            let answer = ask(&e.router, Some(&e.editor), UPDATE_PLAN, variables.clone()).await;
            assert_eq!(
                refusal(&answer),
                (
                    "BAD_USER_INPUT".to_owned(),
                    Some("changes.partOfId".to_owned())
                ),
                "{label}: {variables}: {answer}"
            );
        }
        let mut reversed = part_of(&part["id"], &Value::Null);
        reversed["changes"] = json!({ "lastYear": 2020, "firstYear": 2021 });
        let answer = ask(&e.router, Some(&e.editor), UPDATE_PLAN, reversed).await;
        assert_eq!(refusal(&answer).0, "BAD_USER_INPUT", "{answer}");

        // A plan that records belong to is not deleted from under them (a goal; a part).
        let goal = mutate(&e, CREATE_GOAL, "createGoal", json!({ "input": new_record(json!({
            "municipalityCode": ISHOEJ, "plan": "Del", "number": 1, "title": "Mål",
            "partOfId": part["id"],
        })) }))
        .await;
        let delete = |id: &Value, revision: i32| {
            let variables = json!({ "id": id, "revision": revision });
            let e = &e;
            async move {
                ask(
                    &e.router,
                    Some(&e.editor),
                    "mutation ($id: ID!, $revision: Int!) { deleteRecord(id: $id, revision: $revision) { id } }",
                    variables,
                )
                .await
            }
        };
        for (plan, revision) in [(&part["id"], 1), (&strategy["id"], 1)] {
            let answer = delete(plan, revision).await;
            assert_eq!(refusal(&answer).0, "CONFLICT", "{label}: {answer}");
        }
        for (record, revision) in [(&goal["id"], 1), (&part["id"], 1), (&strategy["id"], 1)] {
            let answer = delete(record, revision).await;
            assert_eq!(answer["data"]["deleteRecord"]["id"], *record, "{label}: {answer}");
        }
    })
    .await;
}

/// The exported plan records of a model document.
fn plans_of(document: &str) -> Vec<PlanRecord> {
    parse(document).plan
}

#[tokio::test]
async fn plans_travel_through_export_and_import() {
    on_each_backend(|app| async move {
        let e = editing(&app).await;
        let label = app.label();
        let admin = e.issuer.user_token(ISHOEJ, &["admin"]);
        let exported = export(&e.router, ISHOEJ, Some(&admin)).await;
        let plans = plans_of(&exported);
        assert_eq!(
            plans
                .iter()
                .map(|p| (p.key.as_str(), p.part_of.as_deref()))
                .collect::<Vec<_>>(),
            [
                ("ishoej-en-tryg-by", None),
                ("ishoej-handleplan-2014", Some("ishoej-en-tryg-by"))
            ],
            "{label}"
        );
        let mut model: ModelFile = parse(&exported);
        let goals_in_plan = model
            .goal
            .iter()
            .filter(|g| g.part_of.as_deref() == Some("ishoej-en-tryg-by"))
            .count();
        assert_eq!(goals_in_plan, 4, "{label}");

        // A cycle of plans is refused where the document says it.
        let mut cyclic = model.clone();
        cyclic.plan[0].part_of = Some("ishoej-handleplan-2014".to_owned());
        let (status, body) = import(&e.router, ISHOEJ, Some(&admin), &write(&cyclic), true).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{label}: {body}");
        let found = problems(&body);
        assert!(
            found
                .iter()
                .any(|(_, path)| path.starts_with("plan[") && path.ends_with("part_of")),
            "{body}"
        );
        // So is a part of a plan the document does not have.
        let mut unknown = model.clone();
        unknown.goal[0].part_of = Some("ingen-plan".to_owned());
        let (status, body) = import(&e.router, ISHOEJ, Some(&admin), &write(&unknown), true).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{label}: {body}");
        assert_eq!(problems(&body)[0].1, "goal[0].part_of", "{body}");

        // A changed plan is imported, and read back through GraphQL.
        model.plan[1].title = "Handleplan 2014 (revideret)".to_owned();
        model.plan[1].principles = vec!["tryghed".to_owned()];
        let (status, body) = import(&e.router, ISHOEJ, Some(&admin), &write(&model), false).await;
        assert_eq!(status, StatusCode::OK, "{label}: {body}");
        assert_eq!(body["changes"].as_array().unwrap().len(), 1, "{body}");
        assert_eq!(body["changes"][0]["kind"], "plans", "{body}");
        let read_back = read(
            &e,
            Some(&admin),
            "{ municipality(code: 183, asOf: \"2014-06-01\") { plans { title principles } } }",
            json!({}),
        )
        .await;
        assert_eq!(
            read_back["municipality"]["plans"][1],
            json!({ "title": "Handleplan 2014 (revideret)", "principles": ["tryghed"] })
        );
        let again = export(&e.router, ISHOEJ, Some(&admin)).await;
        assert_eq!(plans_of(&again), model.plan, "{label}");
    })
    .await;
}

#[tokio::test]
async fn the_comparison_says_which_municipalities_have_a_current_plan() {
    on_each_backend(|app| async move {
        let e = editing(&app).await;
        let label = app.label();
        let query = r#"query ($day: Date!) {
          compareMunicipalities(codes: [169, 183, 187, 165], asOf: $day) {
            municipality { code }
            hiddenPlans
            plans {
              plan { title kind firstYear lastYear provenance { source { key } } }
              parts { title }
              goals { value hiddenRecords sources { key } }
              interventions { value hiddenRecords }
            }
          }
        }"#;
        let compare = |token: Option<String>, day: &'static str| {
            let e = &e;
            async move { read(e, token.as_deref(), query, json!({ "day": day })).await["compareMunicipalities"].clone() }
        };
        let in_2023 = compare(None, "2023-07-01").await;
        let summary: Vec<Value> = in_2023
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                json!({
                    "code": m["municipality"]["code"],
                    "plans": m["plans"].as_array().unwrap().iter().map(|p| json!([
                        p["plan"]["title"], p["plan"]["firstYear"], p["plan"]["lastYear"],
                        p["goals"]["value"], p["interventions"]["value"], p["plan"]["provenance"]["source"]["key"],
                    ])).collect::<Vec<_>>(),
                })
            })
            .collect();
        assert_eq!(
            summary,
            [
                json!({ "code": 169, "plans": [["Formål og strategi for det kriminalitetsforebyggende arbejde", null, null, "3", "3", "004"]] }),
                json!({ "code": 183, "plans": [] }),
                json!({ "code": 187, "plans": [["Den sammenhængende kriminalitetsforebyggende indsats for SSP 2023–2026", 2023, 2026, "4", "10", "003"]] }),
                json!({ "code": 165, "plans": [] }),
            ],
            "{label}: {in_2023}"
        );
        assert_eq!(in_2023[2]["plans"][0]["parts"], json!([{ "title": "Strategiske indsatser for SSP i 2019-2021" }]));
        assert_eq!(in_2023[0]["plans"][0]["goals"]["sources"], json!([{ "key": "004" }]));

        // In 2014 Ishøj's strategy counts the goals it has and the interventions of its action plan.
        let in_2014 = compare(None, "2014-06-01").await;
        let ishoej = &in_2014[1]["plans"][0];
        assert_eq!((&ishoej["goals"]["value"], &ishoej["interventions"]["value"]), (&json!("4"), &json!("27")), "{in_2014}");
        assert_eq!(ishoej["parts"][0]["title"], "Handleplan 2014 for kriminalitetsforebyggende og tryghedsskabende indsatser i Ishøj Kommune");

        // A private plan is left out for those who may not see it, and counted as left out.
        let private = new_plan(&e, json!({ "kind": "STRATEGY", "title": "Udkast", "validFrom": "2023-01-01" })).await;
        mutate(&e, CREATE_GOAL, "createGoal", json!({ "input": new_record(json!({
            "municipalityCode": ISHOEJ, "plan": "Udkast", "number": 1, "title": "Udkast til mål",
            "partOfId": private["id"], "validFrom": "2023-01-01",
        })) })).await;
        let anonymous = compare(None, "2023-07-01").await;
        assert_eq!((&anonymous[1]["plans"], &anonymous[1]["hiddenPlans"]), (&json!([]), &json!(1)), "{label}: {anonymous}");
        let own = compare(Some(e.editor.clone()), "2023-07-01").await;
        assert_eq!(own[1]["hiddenPlans"], 0, "{own}");
        assert_eq!(own[1]["plans"][0]["plan"]["title"], "Udkast");
        assert_eq!(own[1]["plans"][0]["goals"]["value"], "1", "{own}");
    })
    .await;
}
