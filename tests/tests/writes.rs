//! Editing a municipality's model through GraphQL mutations, through the real router with tokens
//! of a real OpenID provider: an editor creates, changes from a day (the old state stays readable
//! the day before), moves, terminates and deletes units; stale revisions get `CONFLICT` (also
//! under truly parallel requests, with no lost update); nobody writes to another municipality;
//! bad input is refused with the field at fault; a request's mutations are one transaction; every
//! write leaves an audit entry.

use entities::audit_entry;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{json, Value};
use vestegn_tests::{
    editing::{ask, editing, refusal, ALBERTSLUND, ISHOEJ},
    on_each_backend,
};

const CREATE: &str = r#"mutation ($input: CreateUnitInput!) {
  createUnit(input: $input) { id name revision parent { name } provenance { validFrom version visibility source { key } } }
}"#;
const UPDATE: &str = r#"mutation ($id: ID!, $revision: Int!, $from: Date!, $changes: UnitChangesInput!) {
  updateUnit(id: $id, revision: $revision, from: $from, changes: $changes,
             provenance: { source: "002", section: "Bilag" }) {
    id name revision parent { name } provenance { validFrom validTo version }
  }
}"#;
const READ: &str = r#"query ($id: ID!, $asOf: Date) {
  municipality(code: 183, asOf: $asOf) { units { id name parent { name } } }
  node(id: $id) { ... on Unit { name revision } }
}"#;

fn new_unit(name: &str) -> Value {
    json!({
        "municipalityCode": ISHOEJ,
        "name": name,
        "kind": "team",
        "validFrom": "2024-01-01",
        "provenance": { "source": "002", "section": "Organisering" }
    })
}

/// The unit named `name` in a `READ` answer's list, if it is there.
fn listed<'a>(data: &'a Value, name: &str) -> Option<&'a Value> {
    data["municipality"]["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|unit| unit["name"] == name)
}

#[tokio::test]
async fn an_editor_creates_changes_moves_terminates_and_deletes_a_unit() {
    on_each_backend(|app| async move {
        let e = editing(&app).await;
        let editor = Some(e.editor.as_str());
        let created = ask(&e.router, editor, CREATE, json!({ "input": new_unit("Testteam") })).await;
        let unit = &created["data"]["createUnit"];
        assert_eq!(unit["revision"], 1, "{}: {created}", app.label());
        assert_eq!(unit["provenance"]["visibility"], "PRIVATE", "new records start private");
        assert_eq!(unit["provenance"]["source"]["key"], "002");
        let id = unit["id"].as_str().unwrap().to_owned();

        // Rename it from March 2025 and move it under Gadeplan (001's, which still holds).
        let units = ask(&e.router, editor, READ, json!({ "id": id, "asOf": "2025-06-01" })).await;
        let gadeplan = listed(&units["data"], "Gadeplan").expect("001's Gadeplan holds")["id"].clone();
        let changed = ask(
            &e.router,
            editor,
            UPDATE,
            json!({ "id": id, "revision": 1, "from": "2025-03-01",
                    "changes": { "name": "Testteam Syd", "parentId": gadeplan } }),
        )
        .await;
        let unit = &changed["data"]["updateUnit"];
        assert_eq!(unit["revision"], 2, "{}: {changed}", app.label());
        assert_eq!(unit["parent"]["name"], "Gadeplan");
        assert_eq!(unit["provenance"]["version"], 2);

        // As of the day before, it reads as it was; from that day on, as changed.
        let before = ask(&e.router, editor, READ, json!({ "id": id, "asOf": "2025-02-28" })).await;
        let after = ask(&e.router, editor, READ, json!({ "id": id, "asOf": "2025-03-01" })).await;
        let old = listed(&before["data"], "Testteam").expect("old name the day before");
        assert_eq!(old["parent"], Value::Null);
        let new = listed(&after["data"], "Testteam Syd").expect("new name from that day");
        assert_eq!(new["id"], old["id"], "one record, two versions");
        assert_eq!(new["parent"]["name"], "Gadeplan");
        assert!(listed(&after["data"], "Testteam").is_none());

        // Anonymous readers do not see the private unit at all.
        let anonymous = ask(&e.router, None, READ, json!({ "id": id, "asOf": "2025-03-01" })).await;
        assert!(listed(&anonymous["data"], "Testteam Syd").is_none());

        // Ending it on its first day would leave nothing: refused, with the field.
        let too_early = ask(
            &e.router,
            editor,
            r#"mutation ($id: ID!) { terminateRecord(id: $id, revision: 2, from: "2024-01-01") { id } }"#,
            json!({ "id": id }),
        )
        .await;
        assert_eq!(
            refusal(&too_early),
            ("BAD_USER_INPUT".to_owned(), Some("from".to_owned())),
            "{too_early}"
        );
        // Terminate it from 2026: gone as of 2026, still there in 2025.
        let ended = ask(
            &e.router,
            editor,
            r#"mutation ($id: ID!) { terminateRecord(id: $id, revision: 2, from: "2026-01-01") { id revision } }"#,
            json!({ "id": id }),
        )
        .await;
        assert_eq!(ended["data"]["terminateRecord"]["revision"], 3, "{ended}");
        let later = ask(&e.router, editor, READ, json!({ "id": id, "asOf": "2026-06-01" })).await;
        assert!(listed(&later["data"], "Testteam Syd").is_none());
        let still = ask(&e.router, editor, READ, json!({ "id": id, "asOf": "2025-12-31" })).await;
        assert!(listed(&still["data"], "Testteam Syd").is_some());

        // Delete it (a mistake): gone at every date, and its ID finds nothing.
        let deleted = ask(
            &e.router,
            editor,
            r#"mutation ($id: ID!) { deleteRecord(id: $id, revision: 3) { id revision } }"#,
            json!({ "id": id }),
        )
        .await;
        assert_eq!(deleted["data"]["deleteRecord"]["id"], id.as_str(), "{deleted}");
        let gone = ask(&e.router, editor, READ, json!({ "id": id, "asOf": "2025-06-01" })).await;
        assert!(listed(&gone["data"], "Testteam Syd").is_none());
        assert_eq!(gone["data"]["node"], Value::Null, "node(id:) of a deleted unit: {gone}");

        // Every write left an audit entry: who, which record, before and after.
        let entries = audit_entry::Entity::find()
            .filter(audit_entry::Column::MunicipalityCode.eq(ISHOEJ))
            .order_by_asc(audit_entry::Column::Id)
            .all(&app.db)
            .await
            .unwrap();
        let actions: Vec<(&str, i32)> = entries
            .iter()
            .map(|entry| (entry.action.as_str(), entry.revision))
            .collect();
        assert_eq!(
            actions,
            [("create", 1), ("update", 2), ("terminate", 3), ("delete", 4)],
            "{}",
            app.label()
        );
        assert!(entries.iter().all(|entry| entry.subject == "anne"));
        let update: Value = serde_json::from_str(&entries[1].after).unwrap();
        assert_eq!(update.as_array().unwrap().len(), 2, "two versions after the update");
        assert_eq!(update[1]["name"], "Testteam Syd");
        let before_delete: Value = serde_json::from_str(&entries[3].before).unwrap();
        assert_eq!(before_delete[0]["valid_to"], "2025-03-01");
        assert_eq!(entries[3].after, "[]");

        // The municipality's admin reads the log through the API, newest first; nobody else may.
        let log = r#"query ($first: Int) {
          auditLog(municipalityCode: 183, first: $first) { sequence subject action revision recordId after }
        }"#;
        let admin = e.issuer.user_token(ISHOEJ, &["admin"]);
        let read = ask(&e.router, Some(&admin), log, json!({ "first": 3 })).await;
        let actions: Vec<&str> = read["data"]["auditLog"]
            .as_array()
            .unwrap_or_else(|| panic!("{read}"))
            .iter()
            .map(|entry| entry["action"].as_str().unwrap())
            .collect();
        assert_eq!(actions, ["delete", "terminate", "update"], "{read}");
        assert_eq!(read["data"]["auditLog"][0]["recordId"], id.as_str());
        for token in [e.editor.as_str(), e.issuer_tokens.other_editor.as_str()] {
            let refused = ask(&e.router, Some(token), log, json!({})).await;
            assert_eq!(refusal(&refused).0, "FORBIDDEN", "{refused}");
        }
        let too_many = ask(&e.router, Some(&admin), log, json!({ "first": 1000 })).await;
        assert_eq!(refusal(&too_many).0, "BAD_USER_INPUT", "{too_many}");
    })
    .await;
}

#[tokio::test]
async fn a_stale_revision_is_refused_and_no_update_is_lost() {
    on_each_backend(|app| async move {
        let e = editing(&app).await;
        let editor = Some(e.editor.as_str());
        let created = ask(&e.router, editor, CREATE, json!({ "input": new_unit("Delt team") })).await;
        let id = created["data"]["createUnit"]["id"].as_str().unwrap().to_owned();

        // Two writers read revision 1 and send their changes at the same time.
        let write = |name: &'static str| {
            let router = e.router.clone();
            let token = e.editor.clone();
            let id = id.clone();
            tokio::spawn(async move {
                ask(
                    &router,
                    Some(&token),
                    UPDATE,
                    json!({ "id": id, "revision": 1, "from": "2024-06-01",
                            "changes": { "name": name } }),
                )
                .await
            })
        };
        let (first, second) = tokio::join!(write("Team A"), write("Team B"));
        let answers = [first.unwrap(), second.unwrap()];
        let won: Vec<&Value> = answers
            .iter()
            .filter(|answer| answer["errors"].is_null())
            .collect();
        let lost: Vec<&Value> = answers
            .iter()
            .filter(|answer| !answer["errors"].is_null())
            .collect();
        assert_eq!((won.len(), lost.len()), (1, 1), "{}: {answers:?}", app.label());
        assert_eq!(refusal(lost[0]).0, "CONFLICT");
        assert_eq!(lost[0]["errors"][0]["extensions"]["currentRevision"], 2);
        let winner = won[0]["data"]["updateUnit"]["name"].clone();

        // What the winner wrote is what is stored; the loser retries with the current revision.
        let stored = ask(&e.router, editor, READ, json!({ "id": id, "asOf": "2024-07-01" })).await;
        assert_eq!(stored["data"]["node"]["revision"], 2);
        assert!(listed(&stored["data"], winner.as_str().unwrap()).is_some());
        let retried = ask(
            &e.router,
            editor,
            UPDATE,
            json!({ "id": id, "revision": 2, "from": "2024-06-01", "changes": { "name": "Team C" } }),
        )
        .await;
        assert_eq!(retried["data"]["updateUnit"]["revision"], 3, "{retried}");
    })
    .await;
}

#[tokio::test]
async fn nobody_writes_to_another_municipality() {
    on_each_backend(|app| async move {
        let e = editing(&app).await;
        // A public unit of Ishøj (everybody sees it) and a unit only Ishøj sees.
        let read = ask(&e.router, None, READ, json!({ "id": "VW5pdDox", "asOf": "2016-06-01" })).await;
        let public = listed(&read["data"], "Gadeplan").expect("public")["id"].clone();
        let private = ask(&e.router, Some(&e.editor), CREATE, json!({ "input": new_unit("Privat") }))
            .await["data"]["createUnit"]["id"]
            .clone();
        let rename = |id: &Value| {
            json!({ "id": id, "revision": 1, "from": "2024-06-01", "changes": { "name": "Overtaget" } })
        };
        for (who, token, variables, code) in [
            ("anonymous", None, rename(&public), "UNAUTHENTICATED"),
            ("a viewer", Some(&e.issuer_tokens.viewer), rename(&public), "FORBIDDEN"),
            ("another editor", Some(&e.issuer_tokens.other_editor), rename(&public), "FORBIDDEN"),
            ("another editor", Some(&e.issuer_tokens.other_editor), rename(&private), "NOT_FOUND"),
        ] {
            let answer = ask(&e.router, token.map(String::as_str), UPDATE, variables).await;
            assert_eq!(refusal(&answer).0, code, "{}: {who}: {answer}", app.label());
        }
        // Creating in another municipality, and placing a unit under another municipality's.
        let mut foreign = new_unit("Fremmed");
        foreign["municipalityCode"] = json!(ALBERTSLUND);
        let answer = ask(&e.router, Some(&e.editor), CREATE, json!({ "input": foreign })).await;
        assert_eq!(refusal(&answer).0, "FORBIDDEN", "{answer}");
        let albertslund = ask(
            &e.router,
            None,
            r#"{ municipality(code: 165, asOf: "2023-06-01") { units { id } } }"#,
            json!({}),
        )
        .await["data"]["municipality"]["units"][0]["id"]
            .clone();
        let mut misplaced = new_unit("Forkert placeret");
        misplaced["validFrom"] = json!("2023-02-01");
        misplaced["parentId"] = albertslund;
        let answer = ask(&e.router, Some(&e.editor), CREATE, json!({ "input": misplaced })).await;
        assert_eq!(
            refusal(&answer),
            ("BAD_USER_INPUT".to_owned(), Some("input.parentId".to_owned())),
            "{answer}"
        );
    })
    .await;
}

#[tokio::test]
async fn bad_input_is_refused_with_the_field_at_fault() {
    on_each_backend(|app| async move {
        let e = editing(&app).await;
        let editor = Some(e.editor.as_str());
        let id = ask(&e.router, editor, CREATE, json!({ "input": new_unit("Prøveenhed") }))
            .await["data"]["createUnit"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let with = |change: fn(&mut Value)| {
            let mut input = new_unit("Ny enhed");
            change(&mut input);
            json!({ "input": input })
        };
        let creates = [
            (with(|i| i["name"] = json!("  ")), "input.name"),
            (with(|i| i["name"] = json!("x".repeat(201))), "input.name"),
            (with(|i| i["kind"] = json!("")), "input.kind"),
            (with(|i| i["validFrom"] = json!("1850-01-01")), "input.validFrom"),
            (with(|i| i["validTo"] = json!("2300-01-01")), "input.validTo"),
            (with(|i| i["validTo"] = json!("2023-01-01")), "input.validTo"),
            (with(|i| i["municipalityCode"] = json!(9999)), "input.municipalityCode"),
            (with(|i| i["provenance"]["source"] = json!("999")), "input.provenance.source"),
            (with(|i| i["provenance"]["section"] = json!("")), "input.provenance.section"),
            // Checked by the import and, since the kinds declare their texts once, by the
            // mutations too (a blank note; a text over 4,000 characters is refused earlier, by the
            // gate's 2,000-character limit on a variable's strings).
            (with(|i| i["archetypeNote"] = json!("n".repeat(4001))), "input.archetypeNote"),
            (with(|i| i["archetypeNote"] = json!(" ")), "input.archetypeNote"),
            (with(|i| i["provenance"]["note"] = json!("n".repeat(4001))), "input.provenance.note"),
            (with(|i| i["parentId"] = json!("VW5pdDo5OTk5OTk")), "input.parentId"),
            // The input before the records it refers to, as the import checks a record.
            (
                with(|i| {
                    i["name"] = json!(" ");
                    i["parentId"] = json!("VW5pdDo5OTk5OTk");
                }),
                "input.name",
            ),
            (with(|i| i["parentId"] = json!("U291cmNlOjE")), "input.parentId"),
        ];
        for (variables, field) in creates {
            let answer = ask(&e.router, editor, CREATE, variables.clone()).await;
            assert_eq!(
                refusal(&answer),
                ("BAD_USER_INPUT".to_owned(), Some(field.to_owned())),
                "{}: {variables}: {answer}",
                app.label()
            );
        }
        let update = |revision: i64, from: &str, changes: Value| {
            json!({ "id": id, "revision": revision, "from": from, "changes": changes })
        };
        let updates = [
            (update(1, "2024-06-01", json!({ "name": null })), "changes.name"),
            (update(1, "2024-06-01", json!({ "parentId": id })), "changes.parentId"),
            (update(1, "2024-06-01", json!({ "archetypeNote": "" })), "changes.archetypeNote"),
            (update(1, "2024-06-01", json!({ "kind": "k".repeat(201) })), "changes.kind"),
            (
                update(1, "2024-06-01", json!({ "kind": "", "parentId": "VW5pdDo5OTk5OTk" })),
                "changes.kind",
            ),
            (update(1, "2023-06-01", json!({ "name": "Før start" })), "from"),
            (update(1, "2201-01-01", json!({ "name": "Langt ude" })), "from"),
        ];
        for (variables, field) in updates {
            let answer = ask(&e.router, editor, UPDATE, variables.clone()).await;
            assert_eq!(
                refusal(&answer),
                ("BAD_USER_INPUT".to_owned(), Some(field.to_owned())),
                "{}: {variables}: {answer}",
                app.label()
            );
        }
        // Nothing of the refused writes was stored.
        let read = ask(&e.router, editor, READ, json!({ "id": id, "asOf": "2024-06-01" })).await;
        assert_eq!(read["data"]["node"]["revision"], 1, "{read}");
        assert_eq!(read["data"]["node"]["name"], "Prøveenhed");
    })
    .await;
}

#[tokio::test]
async fn a_move_is_refused_when_it_puts_a_unit_under_itself_on_a_later_day() {
    on_each_backend(|app| async move {
        let e = editing(&app).await;
        let editor = Some(e.editor.as_str());
        let mut ids = Vec::new();
        for name in ["Enhed A", "Enhed B"] {
            let created = ask(
                &e.router,
                editor,
                CREATE,
                json!({ "input": new_unit(name) }),
            )
            .await;
            ids.push(
                created["data"]["createUnit"]["id"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            );
        }
        let (a, b) = (&ids[0], &ids[1]);
        let mv = |id: &str, revision: i64, from: &str, parent: Option<&str>| {
            json!({ "id": id, "revision": revision, "from": from,
                    "changes": { "parentId": parent } })
        };
        // B goes under A from 2025.
        let moved = ask(&e.router, editor, UPDATE, mv(b, 1, "2025-01-01", Some(a))).await;
        assert_eq!(
            moved["data"]["updateUnit"]["revision"],
            2,
            "{}: {moved}",
            app.label()
        );

        // A under B from mid-2024 is fine on its first day, but from 2025 A would be under
        // itself.
        let refused = ask(&e.router, editor, UPDATE, mv(a, 1, "2024-06-01", Some(b))).await;
        assert_eq!(
            refusal(&refused),
            (
                "BAD_USER_INPUT".to_owned(),
                Some("changes.parentId".to_owned())
            ),
            "{refused}"
        );
        let message = refused["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("2025-01-01"), "{message}");

        // Once B is back at the top from 2026, A may go under B from then: before 2026 A is at
        // the top, so the two never sit under each other on one day.
        let back = ask(&e.router, editor, UPDATE, mv(b, 2, "2026-01-01", None)).await;
        assert_eq!(back["data"]["updateUnit"]["revision"], 3, "{back}");
        let swapped = ask(&e.router, editor, UPDATE, mv(a, 1, "2026-01-01", Some(b))).await;
        assert_eq!(swapped["data"]["updateUnit"]["revision"], 2, "{swapped}");
        assert_eq!(swapped["data"]["updateUnit"]["parent"]["name"], "Enhed B");
    })
    .await;
}

#[tokio::test]
async fn a_requests_mutations_are_one_transaction() {
    on_each_backend(|app| async move {
        let e = editing(&app).await;
        let editor = Some(e.editor.as_str());
        // The second mutation fails halfway through the request: the first is undone too.
        let answer = ask(
            &e.router,
            editor,
            r#"mutation ($good: CreateUnitInput!, $bad: CreateUnitInput!) {
              good: createUnit(input: $good) { id }
              bad: createUnit(input: $bad) { id }
            }"#,
            json!({
                "good": new_unit("Halvvejs"),
                "bad": { "municipalityCode": ALBERTSLUND, "name": "Nej", "kind": "team",
                         "validFrom": "2024-01-01",
                         "provenance": { "source": "002", "section": "x" } }
            }),
        )
        .await;
        assert_eq!(refusal(&answer).0, "FORBIDDEN", "{answer}");
        assert_eq!(
            answer["data"],
            Value::Null,
            "no field's data stands: {answer}"
        );
        let read = ask(
            &e.router,
            editor,
            READ,
            json!({ "id": "VW5pdDox", "asOf": "2024-06-01" }),
        )
        .await;
        assert!(
            listed(&read["data"], "Halvvejs").is_none(),
            "{}",
            app.label()
        );
        let audit = audit_entry::Entity::find().all(&app.db).await.unwrap();
        assert!(audit.is_empty(), "no audit entry for a rolled-back write");
    })
    .await;
}

#[tokio::test]
async fn staff_roles_and_budget_lines_are_edited_with_their_rules() {
    on_each_backend(|app| async move {
        let e = editing(&app).await;
        let editor = Some(e.editor.as_str());
        let unit = ask(&e.router, editor, CREATE, json!({ "input": new_unit("Bemandet team") }))
            .await["data"]["createUnit"]["id"]
            .clone();
        let create_role = r#"mutation ($input: CreateStaffRoleInput!) {
          createStaffRole(input: $input) { id title headcount weeklyHoursMin weeklyHoursMax fteMin revision unit { name } }
        }"#;
        let role = |change: fn(&mut Value)| {
            let mut input = json!({
                "unitId": unit, "title": "SSP-konsulent", "headcount": 2,
                "weeklyHoursMin": "30", "weeklyHoursMax": "37", "preventionLevel": "TARGETED",
                "validFrom": "2024-01-01", "provenance": { "source": "002", "section": "Bemanding" }
            });
            change(&mut input);
            json!({ "input": input })
        };
        let created = ask(&e.router, editor, create_role, role(|_| {})).await;
        let made = &created["data"]["createStaffRole"];
        assert_eq!(made["unit"]["name"], "Bemandet team", "{}: {created}", app.label());
        assert_eq!((made["weeklyHoursMin"].clone(), made["weeklyHoursMax"].clone()), (json!("30"), json!("37")));
        for (variables, field) in [
            (role(|i| i["headcount"] = json!(-1)), "input.headcount"),
            (role(|i| i["weeklyHoursMax"] = json!("38")), "input.weeklyHoursMax"),
            (role(|i| i["weeklyHoursMin"] = json!("-1")), "input.weeklyHoursMin"),
            (
                role(|i| {
                    i["weeklyHoursMin"] = json!("37");
                    i["weeklyHoursMax"] = json!("30");
                }),
                "input.weeklyHoursMin",
            ),
            (role(|i| i["weeklyHoursMin"] = json!("30.001")), "input.weeklyHoursMin"),
            (role(|i| i["title"] = json!("")), "input.title"),
            (role(|i| i["unitId"] = json!("VW5pdDo5OTk5OTk")), "input.unitId"),
        ] {
            let answer = ask(&e.router, editor, create_role, variables.clone()).await;
            assert_eq!(
                refusal(&answer),
                ("BAD_USER_INPUT".to_owned(), Some(field.to_owned())),
                "{}: {variables}: {answer}",
                app.label()
            );
        }
        // A raise from July: one person more; the range stays as it was.
        let id = made["id"].clone();
        let raised = ask(
            &e.router,
            editor,
            r#"mutation ($id: ID!) {
              updateStaffRole(id: $id, revision: 1, from: "2024-07-01", changes: { headcount: 3 },
                              provenance: { source: "002", section: "Bemanding" }) {
                headcount weeklyHoursMin weeklyHoursMax revision
              }
            }"#,
            json!({ "id": id }),
        )
        .await;
        assert_eq!(
            raised["data"]["updateStaffRole"],
            json!({ "headcount": 3, "weeklyHoursMin": "30", "weeklyHoursMax": "37", "revision": 2 }),
            "{raised}"
        );
        let stale = ask(
            &e.router,
            editor,
            r#"mutation ($id: ID!) {
              updateStaffRole(id: $id, revision: 2, from: "2024-08-01", changes: { weeklyHoursMin: "37.5" },
                              provenance: { source: "002", section: "Bemanding" }) { revision }
            }"#,
            json!({ "id": id }),
        )
        .await;
        assert_eq!(
            refusal(&stale),
            ("BAD_USER_INPUT".to_owned(), Some("changes.weeklyHoursMin".to_owned())),
            "{stale}"
        );

        // Budget lines: exact amounts, two decimals at most, within range.
        let create_line = r#"mutation ($input: CreateBudgetLineInput!) {
          createBudgetLine(input: $input) { id amount year revision }
        }"#;
        let line = |change: fn(&mut Value)| {
            let mut input = json!({
                "municipalityCode": ISHOEJ, "year": 2024, "category": "SALARIES", "phase": "ADOPTED",
                "amount": "1234567.89", "description": "Lønninger",
                "validFrom": "2024-01-01", "provenance": { "source": "002", "section": "Budget" }
            });
            change(&mut input);
            json!({ "input": input })
        };
        let made = ask(&e.router, editor, create_line, line(|_| {})).await;
        assert_eq!(made["data"]["createBudgetLine"]["amount"], "1234567.89", "{made}");
        for (variables, field) in [
            (line(|i| i["amount"] = json!("10.005")), "input.amount"),
            (line(|i| i["amount"] = json!("1000000000000.01")), "input.amount"),
            (line(|i| i["year"] = json!(2300)), "input.year"),
            (line(|i| i["municipalityCode"] = json!(1)), "input.municipalityCode"),
            (line(|i| i["description"] = json!(" ")), "input.description"),
            // The import refused these before the mutations did: one declaration of a kind's
            // texts (`Texts`) is now checked on both paths.
            (line(|i| i["functionCode"] = json!("5".repeat(201))), "input.functionCode"),
            (line(|i| i["functionCode"] = json!("  ")), "input.functionCode"),
        ] {
            let answer = ask(&e.router, editor, create_line, variables.clone()).await;
            assert_eq!(
                refusal(&answer),
                ("BAD_USER_INPUT".to_owned(), Some(field.to_owned())),
                "{}: {variables}: {answer}",
                app.label()
            );
        }

        // The writes every record has: an admin shares the role; an editor may not.
        let share = r#"mutation ($id: ID!, $revision: Int!) {
          setVisibility(id: $id, revision: $revision, visibility: PUBLIC) { revision }
        }"#;
        let refused = ask(&e.router, editor, share, json!({ "id": id, "revision": 2 })).await;
        assert_eq!(refusal(&refused).0, "FORBIDDEN", "{refused}");
        let admin = e.issuer.user_token(ISHOEJ, &["admin"]);
        let shared = ask(&e.router, Some(&admin), share, json!({ "id": id, "revision": 2 })).await;
        assert_eq!(shared["data"]["setVisibility"]["revision"], 3, "{shared}");
        let public = ask(
            &e.router,
            None,
            r#"query ($id: ID!) { node(id: $id) { ... on StaffRole { title provenance { visibility } } } }"#,
            json!({ "id": id }),
        )
        .await;
        assert_eq!(public["data"]["node"]["provenance"]["visibility"], "PUBLIC", "{public}");
        // A unit with staff cannot be deleted; a source document is no record to delete.
        let blocked = ask(
            &e.router,
            editor,
            r#"mutation ($id: ID!) { deleteRecord(id: $id, revision: 1) { id } }"#,
            json!({ "id": unit }),
        )
        .await;
        assert_eq!(refusal(&blocked).0, "CONFLICT", "{}: {blocked}", app.label());
        let source = ask(
            &e.router,
            editor,
            r#"mutation { deleteRecord(id: "U291cmNlOjE", revision: 1) { id } }"#,
            json!({}),
        )
        .await;
        assert_eq!(
            refusal(&source),
            ("BAD_USER_INPUT".to_owned(), Some("id".to_owned())),
            "{source}"
        );
    })
    .await;
}
