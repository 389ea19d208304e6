//! Shared projects through the real router with real tokens: the lead municipality's editor keeps
//! the project and who takes part; each participant's editor writes its own contribution and
//! nobody else's; revisions, bad input with its field, the audit log and the change feed.

use serde_json::{json, Value};
use vestegn_tests::{
    editing::{ask, editing, refusal, share, ALBERTSLUND, ISHOEJ},
    on_each_backend,
};

const VALLENSBAEK: i32 = 187;
const HOEJE_TAASTRUP: i32 = 169;

const CREATE: &str = r#"mutation ($input: CreateSharedProjectInput!) {
  createSharedProject(input: $input) { id revision participants { role municipality { code } } }
}"#;
const CONTRIBUTE: &str = r#"mutation ($id: ID!, $revision: Int!, $code: Int!, $amount: Decimal) {
  setProjectContribution(projectId: $id, revision: $revision, municipalityCode: $code,
                         contribution: $amount, contributionNote: "løn") {
    contribution contributionNote municipality { code }
  }
}"#;
const READ: &str = r#"query ($id: ID!) { node(id: $id) { ... on SharedProject {
  name revision participants { role contribution municipality { code } } } } }"#;

fn data(answer: Value) -> Value {
    assert!(answer.get("errors").is_none(), "{answer:#}");
    answer["data"].clone()
}

fn project(participants: Value) -> Value {
    json!({ "input": {
        "municipalityCode": ISHOEJ, "name": "Fælles exit-forløb", "participantCodes": participants,
        "validFrom": "2024-01-01", "provenance": { "source": "003", "section": "Exit" } } })
}

#[tokio::test]
async fn the_lead_keeps_the_project_and_each_participant_writes_its_own_part() {
    on_each_backend(|app| async move {
        let label = app.label();
        let e = editing(&app).await;
        let lead = Some(e.editor.as_str());
        let created = data(
            ask(&e.router, lead, CREATE, project(json!([ALBERTSLUND, VALLENSBAEK]))).await,
        )["createSharedProject"]
            .clone();
        assert_eq!(
            created["participants"],
            json!([
                { "role": "LEAD", "municipality": { "code": ISHOEJ } },
                { "role": "PARTICIPANT", "municipality": { "code": ALBERTSLUND } },
                { "role": "PARTICIPANT", "municipality": { "code": VALLENSBAEK } },
            ]),
            "{label}"
        );
        let id = created["id"].clone();
        let albertslund = e.issuer.user_token(ALBERTSLUND, &["editor"]);
        let contribute = |token: String, revision: i64, code: i32, amount: &str| {
            let (router, id, amount) = (e.router.clone(), id.clone(), amount.to_owned());
            async move {
                ask(
                    &router,
                    Some(&token),
                    CONTRIBUTE,
                    json!({ "id": id, "revision": revision, "code": code, "amount": amount }),
                )
                .await
            }
        };

        // Private to Ishøj: a participant cannot see it, so cannot write to it.
        let unseen = contribute(albertslund.clone(), 1, ALBERTSLUND, "50000.00").await;
        assert_eq!(refusal(&unseen).0, "NOT_FOUND", "{label}: {unseen}");
        let ishoej_admin = e.issuer.user_token(ISHOEJ, &["admin"]);
        share(&e.router, &ishoej_admin, &id, 1, "NETWORK").await;

        // Albertslund writes its own contribution; not Vallensbæk's, not the project itself.
        let own = data(contribute(albertslund.clone(), 2, ALBERTSLUND, "50000.00").await);
        assert_eq!(
            own["setProjectContribution"],
            json!({ "contribution": "50000.00", "contributionNote": "løn",
                    "municipality": { "code": ALBERTSLUND } }),
            "{label}"
        );
        let others = contribute(albertslund.clone(), 3, VALLENSBAEK, "1.00").await;
        assert_eq!(refusal(&others).0, "FORBIDDEN", "{label}: {others}");
        let project_itself = ask(
            &e.router,
            Some(&albertslund),
            r#"mutation ($id: ID!) { updateSharedProject(id: $id, revision: 3, from: "2025-01-01",
                 changes: { name: "Overtaget" }, provenance: { source: "003", section: "Exit" }) { id } }"#,
            json!({ "id": id }),
        )
        .await;
        assert_eq!(refusal(&project_itself).0, "FORBIDDEN", "{label}: {project_itself}");
        // A stale revision, too many decimals, and a municipality that does not take part.
        let stale = contribute(albertslund.clone(), 2, ALBERTSLUND, "1.00").await;
        assert_eq!(refusal(&stale).0, "CONFLICT", "{label}: {stale}");
        assert_eq!(stale["errors"][0]["extensions"]["currentRevision"], 3);
        let decimals = contribute(albertslund.clone(), 3, ALBERTSLUND, "1.005").await;
        assert_eq!(
            refusal(&decimals),
            ("BAD_USER_INPUT".to_owned(), Some("contribution".to_owned())),
            "{label}: {decimals}"
        );
        let outsider = e.issuer.user_token(HOEJE_TAASTRUP, &["editor"]);
        let not_taking_part = contribute(outsider, 3, HOEJE_TAASTRUP, "1.00").await;
        assert_eq!(
            refusal(&not_taking_part),
            ("BAD_USER_INPUT".to_owned(), Some("municipalityCode".to_owned())),
            "{label}: {not_taking_part}"
        );

        // The lead renames it and drops Vallensbæk; Albertslund keeps its contribution.
        let changed = data(
            ask(
                &e.router,
                lead,
                r#"mutation ($id: ID!) { updateSharedProject(id: $id, revision: 3, from: "2025-01-01",
                     changes: { name: "Exit Vest", participantCodes: [165] },
                     provenance: { source: "003", section: "Exit" }) { revision } }"#,
                json!({ "id": id }),
            )
            .await,
        );
        assert_eq!(changed["updateSharedProject"]["revision"], 4);
        let read = data(ask(&e.router, lead, READ, json!({ "id": id })).await);
        assert_eq!(
            read["node"],
            json!({ "name": "Exit Vest", "revision": 4, "participants": [
                { "role": "LEAD", "contribution": null, "municipality": { "code": ISHOEJ } },
                { "role": "PARTICIPANT", "contribution": "50000.00", "municipality": { "code": ALBERTSLUND } },
            ] }),
            "{label}"
        );

        // Albertslund's admin finds its contribution in its own log; the feed has the project's
        // writes for those who see it.
        let albertslund_admin = e.issuer.user_token(ALBERTSLUND, &["admin"]);
        let log = data(
            ask(
                &e.router,
                Some(&albertslund_admin),
                "{ auditLog(municipalityCode: 165) { recordId action revision before after } }",
                json!({}),
            )
            .await,
        );
        let entry = &log["auditLog"][0];
        assert_eq!(entry["recordId"], id, "{label}: {log:#}");
        assert_eq!(entry["revision"], 3);
        // Each version shows the project's participants, before and after the write.
        let contribution = |side: &str| -> Value {
            let versions: Value = serde_json::from_str(entry[side].as_str().unwrap()).unwrap();
            versions[0]["participants"]
                .as_array()
                .unwrap()
                .iter()
                .find(|row| row["participant_code"] == ALBERTSLUND)
                .map(|row| row["contribution_ore"].clone())
                .unwrap()
        };
        assert_eq!(contribution("before"), Value::Null, "{label}: {log:#}");
        assert_eq!(contribution("after"), 5_000_000);
        let feed = data(
            ask(
                &e.router,
                Some(&albertslund),
                "{ changes(first: 10) { nodes { recordId action revision } } }",
                json!({}),
            )
            .await,
        );
        let revisions: Vec<&Value> = feed["changes"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|change| &change["revision"])
            .collect();
        assert_eq!(revisions, [&json!(2), &json!(3), &json!(4)], "{label}: {feed:#}");
    })
    .await;
}

#[tokio::test]
async fn bad_participants_are_refused_with_their_position() {
    on_each_backend(|app| async move {
        let e = editing(&app).await;
        for (participants, field) in [
            (json!([ISHOEJ]), "input.participantCodes[0]"),
            (
                json!([ALBERTSLUND, ALBERTSLUND]),
                "input.participantCodes[1]",
            ),
            (json!([ALBERTSLUND, 999]), "input.participantCodes[1]"),
        ] {
            let refused = ask(&e.router, Some(&e.editor), CREATE, project(participants)).await;
            assert_eq!(
                refusal(&refused),
                ("BAD_USER_INPUT".to_owned(), Some(field.to_owned())),
                "{}: {refused}",
                app.label()
            );
        }
        let other = ask(
            &e.router,
            Some(&e.issuer_tokens.other_editor),
            CREATE,
            project(json!([])),
        )
        .await;
        assert_eq!(refusal(&other).0, "FORBIDDEN", "{other}");
    })
    .await;
}
