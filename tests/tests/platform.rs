//! The platform admins' writes through the real router with real tokens: municipalities, networks
//! (whose members decide who sees `network` records) and partner organisations; revisions against
//! lost updates; only a platform admin may; bad input refused with its field; every write audited.

use serde_json::{json, Value};
use vestegn_tests::{
    editing::{ask, editing, refusal, share, ISHOEJ},
    on_each_backend,
};

/// Frederiksberg: a municipality the seeds do not have.
const FREDERIKSBERG: i32 = 147;

const CREATE_MUNICIPALITY: &str = r#"mutation ($input: CreateMunicipalityInput!) {
  createMunicipality(input: $input) { code name revision population populationYear populationNote }
}"#;
const UPDATE_MUNICIPALITY: &str = r#"mutation ($code: Int!, $revision: Int!, $changes: MunicipalityChangesInput!) {
  updateMunicipality(code: $code, revision: $revision, changes: $changes) { name revision population }
}"#;
const CREATE_NETWORK: &str = r#"mutation ($input: CreateNetworkInput!) {
  createNetwork(input: $input) { id key revision members { code } }
}"#;
const UPDATE_NETWORK: &str = r#"mutation ($id: ID!, $revision: Int!, $changes: NetworkChangesInput!) {
  updateNetwork(id: $id, revision: $revision, changes: $changes) { name revision members { code } }
}"#;

fn data(answer: Value) -> Value {
    assert!(answer.get("errors").is_none(), "{answer:#}");
    answer["data"].clone()
}

fn frederiksberg() -> Value {
    json!({
        "code": FREDERIKSBERG,
        "name": "Frederiksberg",
        "population": { "note": "not in the seeds" }
    })
}

#[tokio::test]
async fn a_platform_admin_adds_a_municipality_and_shares_a_network_with_it() {
    on_each_backend(|app| async move {
        let label = app.label();
        let e = editing(&app).await;
        let platform = e
            .issuer
            .sign(json!({ "roles": ["platform-admin"], "sub": "pia" }));
        let admin = Some(platform.as_str());

        let created = data(
            ask(&e.router, admin, CREATE_MUNICIPALITY, json!({ "input": frederiksberg() })).await,
        );
        let municipality = &created["createMunicipality"];
        assert_eq!(municipality["revision"], 1, "{label}");
        assert_eq!(municipality["population"], Value::Null);
        assert_eq!(municipality["populationNote"], "not in the seeds");

        // A population figure with its year and source; a stale revision is a CONFLICT.
        let changes = json!({ "name": "Frederiksberg Kommune", "population": {
            "inhabitants": 104000, "year": 2023, "source": "002", "section": "Bilag" } });
        let updated = data(
            ask(
                &e.router,
                admin,
                UPDATE_MUNICIPALITY,
                json!({ "code": FREDERIKSBERG, "revision": 1, "changes": changes }),
            )
            .await,
        );
        assert_eq!(updated["updateMunicipality"]["revision"], 2);
        assert_eq!(updated["updateMunicipality"]["population"], 104000);
        let stale = ask(
            &e.router,
            admin,
            UPDATE_MUNICIPALITY,
            json!({ "code": FREDERIKSBERG, "revision": 1, "changes": { "name": "X" } }),
        )
        .await;
        assert_eq!(refusal(&stale).0, "CONFLICT", "{stale}");
        assert_eq!(stale["errors"][0]["extensions"]["currentRevision"], 2);

        // Ishøj shares a unit with its networks; Frederiksberg's users do not see it yet.
        let unit = data(
            ask(
                &e.router,
                Some(&e.editor),
                r#"mutation { createUnit(input: { municipalityCode: 183, name: "Netværksteam", kind: "team",
                     validFrom: "2024-01-01", provenance: { source: "002", section: "x" } }) { id } }"#,
                json!({}),
            )
            .await,
        )["createUnit"]["id"]
            .clone();
        let ishoej_admin = e.issuer.user_token(ISHOEJ, &["admin"]);
        share(&e.router, &ishoej_admin, &unit, 1, "NETWORK").await;
        let reader = e.issuer.user_token(FREDERIKSBERG, &["viewer"]);
        let sees_unit = |token: String| {
            let (router, unit) = (e.router.clone(), unit.clone());
            async move {
                let answer = data(
                    ask(
                        &router,
                        Some(&token),
                        "query ($id: ID!) { node(id: $id) { id } }",
                        json!({ "id": unit }),
                    )
                    .await,
                );
                !answer["node"].is_null()
            }
        };
        assert!(!sees_unit(reader.clone()).await, "{label}: no network yet");

        // A network of Ishøj and Frederiksberg: now Frederiksberg's users see it.
        let network = data(
            ask(
                &e.router,
                admin,
                CREATE_NETWORK,
                json!({ "input": { "key": "test-net", "name": "Testnetværk", "kind": "ssp_circle",
                    "source": "002", "section": "Bilag", "members": [ISHOEJ, FREDERIKSBERG] } }),
            )
            .await,
        )["createNetwork"]
            .clone();
        assert_eq!(
            network["members"],
            json!([{ "code": ISHOEJ }, { "code": FREDERIKSBERG }]),
            "{label}: {network}"
        );
        assert!(sees_unit(reader.clone()).await, "{label}: shared through the network");

        // Taking Frederiksberg out of the network hides the unit again.
        let changed = data(
            ask(
                &e.router,
                admin,
                UPDATE_NETWORK,
                json!({ "id": network["id"], "revision": 1,
                        "changes": { "name": "Testnetværket", "members": [ISHOEJ] } }),
            )
            .await,
        );
        assert_eq!(changed["updateNetwork"]["revision"], 2);
        assert_eq!(
            changed["updateNetwork"]["members"],
            json!([{ "code": ISHOEJ }])
        );
        assert!(!sees_unit(reader).await, "{label}: no longer shared");

        // A partner organisation, created and renamed.
        let partner = data(
            ask(
                &e.router,
                admin,
                r#"mutation { createPartnerOrganisation(input: { key: "test-partner", name: "Boligselskabet",
                     kind: "housing", source: "001", section: "Partnere" }) { id revision } }"#,
                json!({}),
            )
            .await,
        )["createPartnerOrganisation"]
            .clone();
        let renamed = data(
            ask(
                &e.router,
                admin,
                r#"mutation ($id: ID!) { updatePartnerOrganisation(id: $id, revision: 1,
                     changes: { name: "Boligselskabet Vest", note: "omdøbt" }) { name note revision } }"#,
                json!({ "id": partner["id"] }),
            )
            .await,
        );
        assert_eq!(
            renamed["updatePartnerOrganisation"],
            json!({ "name": "Boligselskabet Vest", "note": "omdøbt", "revision": 2 })
        );

        // The audit log: the platform's own records for platform admins (networks with their
        // members), a municipality's record for its admins; nobody else reads either.
        let log = "query ($code: Int) { auditLog(municipalityCode: $code) { recordId action revision before after } }";
        let platform_log = data(ask(&e.router, admin, log, json!({ "code": null })).await);
        let entries = platform_log["auditLog"].as_array().unwrap();
        assert_eq!(entries.len(), 4, "{label}: {platform_log:#}");
        assert_eq!(entries[0]["recordId"], partner["id"], "newest first");
        assert_eq!(entries[0]["action"], "update");
        let network_update = &entries[2];
        assert_eq!(network_update["recordId"], network["id"]);
        let before: Value = serde_json::from_str(network_update["before"].as_str().unwrap()).unwrap();
        let after: Value = serde_json::from_str(network_update["after"].as_str().unwrap()).unwrap();
        assert_eq!(before[0]["members"], json!([FREDERIKSBERG, ISHOEJ]), "by code");
        assert_eq!(after[0]["members"], json!([ISHOEJ]));
        assert_eq!(after[0]["name"], "Testnetværket");
        let own_admin = e.issuer.user_token(FREDERIKSBERG, &["admin"]);
        let own_log = data(
            ask(&e.router, Some(&own_admin), log, json!({ "code": FREDERIKSBERG })).await,
        );
        let actions: Vec<&Value> = own_log["auditLog"]
            .as_array()
            .unwrap()
            .iter()
            .map(|entry| &entry["action"])
            .collect();
        assert_eq!(actions, [&json!("update"), &json!("create")], "{label}");
        for token in [Some(own_admin.as_str()), Some(e.editor.as_str()), None] {
            let refused = ask(&e.router, token, log, json!({ "code": null })).await;
            assert_eq!(refusal(&refused).0, "FORBIDDEN", "{label}: {refused}");
        }
    })
    .await;
}

#[tokio::test]
async fn only_platform_admins_write_platform_records_and_bad_input_names_its_field() {
    on_each_backend(|app| async move {
        let label = app.label();
        let e = editing(&app).await;
        let platform = e
            .issuer
            .sign(json!({ "roles": ["platform-admin"], "sub": "pia" }));
        let ishoej_admin = e.issuer.user_token(ISHOEJ, &["admin"]);
        // No credentials is UNAUTHENTICATED; credentials without the right FORBIDDEN.
        for (token, code) in [
            (Some(ishoej_admin.as_str()), "FORBIDDEN"),
            (Some(e.editor.as_str()), "FORBIDDEN"),
            (None, "UNAUTHENTICATED"),
        ] {
            let refused =
                ask(&e.router, token, CREATE_MUNICIPALITY, json!({ "input": frederiksberg() })).await;
            assert_eq!(refusal(&refused).0, code, "{label}: {refused}");
            let refused = ask(
                &e.router,
                token,
                UPDATE_MUNICIPALITY,
                json!({ "code": ISHOEJ, "revision": 1, "changes": { "name": "Ishøj Kommune" } }),
            )
            .await;
            assert_eq!(refusal(&refused).0, code, "{label}: {refused}");
        }
        let admin = Some(platform.as_str());
        let municipality = |changes: Value| {
            let mut input = frederiksberg();
            input.as_object_mut().unwrap().extend(changes.as_object().unwrap().clone());
            json!({ "input": input })
        };
        let population = |population: Value| municipality(json!({ "population": population }));
        for (variables, field) in [
            (municipality(json!({ "code": 47 })), "input.code"),
            (municipality(json!({ "code": 1000 })), "input.code"),
            (municipality(json!({ "name": "  " })), "input.name"),
            (
                population(json!({ "inhabitants": -5, "year": 2023, "source": "002", "section": "x" })),
                "input.population.inhabitants",
            ),
            (
                population(json!({ "inhabitants": 5000, "source": "002", "section": "x" })),
                "input.population.year",
            ),
            (
                population(json!({ "inhabitants": 5000, "year": 2023 })),
                "input.population.source",
            ),
            (
                population(json!({ "inhabitants": 5000, "year": 2023, "source": "nope", "section": "x" })),
                "input.population.source",
            ),
            (
                population(json!({ "inhabitants": 5000, "year": 2023, "source": "002" })),
                "input.population.section",
            ),
            (
                population(json!({ "inhabitants": 5000, "year": 1492, "source": "002", "section": "x" })),
                "input.population.year",
            ),
        ] {
            let refused = ask(&e.router, admin, CREATE_MUNICIPALITY, variables.clone()).await;
            assert_eq!(
                refusal(&refused),
                ("BAD_USER_INPUT".to_owned(), Some(field.to_owned())),
                "{label}: {variables}: {refused}"
            );
        }
        // An existing code or key is a CONFLICT.
        let existing = ask(
            &e.router,
            admin,
            CREATE_MUNICIPALITY,
            municipality(json!({ "code": ISHOEJ })),
        )
        .await;
        assert_eq!(refusal(&existing).0, "CONFLICT", "{label}: {existing}");

        let network = |changes: Value| {
            let mut input = json!({ "key": "net-1", "name": "Net", "kind": "ssp_circle",
                                    "source": "002", "section": "x", "members": [ISHOEJ] });
            input.as_object_mut().unwrap().extend(changes.as_object().unwrap().clone());
            json!({ "input": input })
        };
        for (variables, field) in [
            (network(json!({ "key": "Net 1" })), "input.key"),
            (network(json!({ "key": "" })), "input.key"),
            (network(json!({ "members": [ISHOEJ, 999] })), "input.members[1]"),
            (network(json!({ "members": [ISHOEJ, ISHOEJ] })), "input.members[1]"),
            (network(json!({ "source": "nope" })), "input.source"),
            (network(json!({ "section": "" })), "input.section"),
        ] {
            let refused = ask(&e.router, admin, CREATE_NETWORK, variables.clone()).await;
            assert_eq!(
                refusal(&refused),
                ("BAD_USER_INPUT".to_owned(), Some(field.to_owned())),
                "{label}: {variables}: {refused}"
            );
        }
        let seeded_key = ask(
            &e.router,
            admin,
            CREATE_NETWORK,
            network(json!({ "key": "ssp-kreds-vestegnen" })),
        )
        .await;
        assert_eq!(refusal(&seeded_key).0, "CONFLICT", "{label}: {seeded_key}");
        // A name cannot be cleared; an ID of another kind is refused.
        let networks = data(ask(&e.router, admin, "{ networks(first: 1) { nodes { id revision } } }", json!({})).await);
        let first = &networks["networks"]["nodes"][0];
        let cleared = ask(
            &e.router,
            admin,
            UPDATE_NETWORK,
            json!({ "id": first["id"], "revision": first["revision"], "changes": { "name": null } }),
        )
        .await;
        assert_eq!(
            refusal(&cleared),
            ("BAD_USER_INPUT".to_owned(), Some("changes.name".to_owned())),
            "{cleared}"
        );
    })
    .await;
}
