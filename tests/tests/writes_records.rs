//! Editing the rest of a municipality's model through GraphQL mutations (the real router, tokens
//! of a test OpenID provider, both databases): political committees, contacts, forums and their
//! members, goals, interventions with their partners, and key indicators are created and changed
//! from a day (the old state stays readable the day before); bad input is refused with
//! `BAD_USER_INPUT` and the field at fault; nobody writes another municipality's records, also
//! not through a reference inside the input.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use serde_json::{json, Value};
use vestegn_tests::{
    editing::{ask, editing, refusal, Editing, ALBERTSLUND, ISHOEJ},
    on_each_backend,
};

/// The global ID of a record of `kind` with database key `key` (for IDs of nothing).
fn id_of(kind: &str, key: i32) -> Value {
    json!(URL_SAFE_NO_PAD.encode(format!("{kind}:{key}")))
}

/// What every new record's input has: valid from 1 January 2024, from source 002.
fn new_record(fields: Value) -> Value {
    let mut input = json!({
        "validFrom": "2024-01-01",
        "provenance": { "source": "002", "section": "Organisering" }
    });
    for (name, value) in fields.as_object().unwrap() {
        input[name] = value.clone();
    }
    input
}

/// `input` with `change` applied.
fn with(input: &Value, change: impl FnOnce(&mut Value)) -> Value {
    let mut input = input.clone();
    change(&mut input);
    input
}

/// Runs `mutation` once with each variables and asserts that each is refused with
/// `BAD_USER_INPUT` on its field.
async fn assert_refused(
    e: &Editing,
    label: &str,
    mutation: &str,
    cases: impl IntoIterator<Item = (Value, &str)>,
) {
    for (variables, field) in cases {
        let answer = ask(&e.router, Some(&e.editor), mutation, variables.clone()).await;
        assert_eq!(
            refusal(&answer),
            ("BAD_USER_INPUT".to_owned(), Some(field.to_owned())),
            "{label}: {variables}: {answer}"
        );
    }
}

/// Creates a record with `mutation` (whose field is `name`) as the Ishøj editor: the record.
async fn create(e: &Editing, label: &str, mutation: &str, name: &str, input: Value) -> Value {
    let answer = ask(
        &e.router,
        Some(&e.editor),
        mutation,
        json!({ "input": input }),
    )
    .await;
    let record = answer["data"][name].clone();
    assert!(record["id"].is_string(), "{label}: {name}: {answer}");
    record
}

/// Variables of an update of `id` read at `revision`, from `from`.
fn update(id: &Value, revision: i32, from: &str, changes: Value) -> Value {
    json!({ "id": id, "revision": revision, "from": from, "changes": changes })
}

/// Sends an update as the Ishøj editor; the changed record (the answer, on failure).
async fn change(e: &Editing, label: &str, mutation: &str, name: &str, variables: Value) -> Value {
    let answer = ask(&e.router, Some(&e.editor), mutation, variables).await;
    let record = answer["data"][name].clone();
    assert!(record["id"].is_string(), "{label}: {name}: {answer}");
    record
}

/// Ishøj's model as the editor reads it on `day`.
async fn model_on(e: &Editing, token: Option<&str>, day: &str) -> Value {
    let answer = ask(
        &e.router,
        token,
        r#"query ($asOf: Date) {
          municipality(code: 183, asOf: $asOf) {
            committees { id name }
            contacts { id name roleTitle phone email unit { name } }
            forums {
              id name scope level cadence network { key }
              members { id roleTitle unit { name } partner { key } }
            }
            goals { id plan number title }
            interventions {
              id name ageMin ageMax goal { title } leadUnit { name }
              partners { role unit { name } partner { key } }
            }
            keyIndicators { id measure title periodStart periodEnd kind value unit finding }
          }
        }"#,
        json!({ "asOf": day }),
    )
    .await;
    assert!(answer["errors"].is_null(), "{answer}");
    answer["data"]["municipality"].clone()
}

/// The record with `id` in the list `list` of a model.
fn find<'a>(model: &'a Value, list: &str, id: &Value) -> Option<&'a Value> {
    model[list]
        .as_array()
        .unwrap_or_else(|| panic!("no list {list} in {model}"))
        .iter()
        .find(|record| record["id"] == *id)
}

const CREATE_UNIT: &str =
    r#"mutation ($input: CreateUnitInput!) { createUnit(input: $input) { id } }"#;

/// Creates a team of `municipality` valid from 2024 (until `valid_to`, if given) with `token`.
async fn team(
    e: &Editing,
    token: &str,
    municipality: i32,
    name: &str,
    valid_to: Option<&str>,
) -> Value {
    let mut input =
        new_record(json!({ "municipalityCode": municipality, "name": name, "kind": "team" }));
    if let Some(day) = valid_to {
        input["validTo"] = json!(day);
    }
    let answer = ask(
        &e.router,
        Some(token),
        CREATE_UNIT,
        json!({ "input": input }),
    )
    .await;
    let id = answer["data"]["createUnit"]["id"].clone();
    assert!(id.is_string(), "{answer}");
    id
}

/// The ID of the partner organisation with `key`.
async fn partner(e: &Editing, key: &str) -> Value {
    let answer = ask(
        &e.router,
        None,
        "{ partnerOrganisations(first: 100) { nodes { id key } } }",
        json!({}),
    )
    .await;
    answer["data"]["partnerOrganisations"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|partner| partner["key"] == key)
        .unwrap_or_else(|| panic!("partner {key}: {answer}"))["id"]
        .clone()
}

/// The ID of the network with `key`.
async fn network(e: &Editing, key: &str) -> Value {
    let answer = ask(
        &e.router,
        None,
        "{ networks(first: 100) { nodes { id key } } }",
        json!({}),
    )
    .await;
    answer["data"]["networks"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|network| network["key"] == key)
        .unwrap_or_else(|| panic!("network {key}: {answer}"))["id"]
        .clone()
}

const CREATE_COMMITTEE: &str = r#"mutation ($input: CreatePoliticalCommitteeInput!) {
  createPoliticalCommittee(input: $input) { id name revision provenance { visibility version validFrom } }
}"#;
const UPDATE_COMMITTEE: &str = r#"mutation ($id: ID!, $revision: Int!, $from: Date!, $changes: PoliticalCommitteeChangesInput!) {
  updatePoliticalCommittee(id: $id, revision: $revision, from: $from, changes: $changes,
                           provenance: { source: "002", section: "Bilag" }) {
    id name revision provenance { version validFrom }
  }
}"#;
const CREATE_CONTACT: &str = r#"mutation ($input: CreateContactInput!) {
  createContact(input: $input) { id name roleTitle phone email revision unit { name } provenance { visibility } }
}"#;
const UPDATE_CONTACT: &str = r#"mutation ($id: ID!, $revision: Int!, $from: Date!, $changes: ContactChangesInput!) {
  updateContact(id: $id, revision: $revision, from: $from, changes: $changes,
                provenance: { source: "002", section: "Bilag" }) {
    id name roleTitle phone email revision unit { name }
  }
}"#;

#[tokio::test]
async fn committees_and_contacts_are_created_and_changed() {
    on_each_backend(|app| async move {
        let e = editing(&app).await;
        let label = app.label();

        // A committee, renamed from March 2025.
        let input = new_record(json!({ "municipalityCode": ISHOEJ, "name": "Børne- og Skoleudvalget" }));
        let committee = create(&e, label, CREATE_COMMITTEE, "createPoliticalCommittee", input.clone()).await;
        assert_eq!(committee["revision"], 1, "{label}: {committee}");
        assert_eq!(committee["provenance"]["visibility"], "PRIVATE");
        let id = committee["id"].clone();
        let renamed = change(
            &e,
            label,
            UPDATE_COMMITTEE,
            "updatePoliticalCommittee",
            update(&id, 1, "2025-03-01", json!({ "name": "Børne- og Tryghedsudvalget" })),
        )
        .await;
        assert_eq!((renamed["revision"].clone(), renamed["provenance"]["version"].clone()), (json!(2), json!(2)));
        let before = model_on(&e, Some(&e.editor), "2025-02-28").await;
        let after = model_on(&e, Some(&e.editor), "2025-03-01").await;
        assert_eq!(find(&before, "committees", &id).unwrap()["name"], "Børne- og Skoleudvalget", "{label}");
        assert_eq!(find(&after, "committees", &id).unwrap()["name"], "Børne- og Tryghedsudvalget", "{label}");

        assert_refused(
            &e,
            label,
            CREATE_COMMITTEE,
            [
                (with(&input, |i| i["name"] = json!(" ")), "input.name"),
                (with(&input, |i| i["name"] = json!("u".repeat(201))), "input.name"),
                (with(&input, |i| i["validFrom"] = json!("1899-12-31")), "input.validFrom"),
                (with(&input, |i| i["validTo"] = json!("2023-12-31")), "input.validTo"),
                (with(&input, |i| i["validTo"] = json!("2201-01-01")), "input.validTo"),
                (with(&input, |i| i["municipalityCode"] = json!(9999)), "input.municipalityCode"),
                (with(&input, |i| i["provenance"]["source"] = json!("999")), "input.provenance.source"),
            ]
            .map(|(input, field)| (json!({ "input": input }), field)),
        )
        .await;
        assert_refused(
            &e,
            label,
            UPDATE_COMMITTEE,
            [
                (update(&id, 2, "2025-06-01", json!({ "name": null })), "changes.name"),
                (update(&id, 2, "2025-06-01", json!({ "name": "" })), "changes.name"),
                (update(&id, 2, "2023-06-01", json!({ "name": "Før start" })), "from"),
                (update(&id, 2, "2201-01-01", json!({ "name": "Langt ude" })), "from"),
                (update(&id_of("Unit", 1), 2, "2025-06-01", json!({ "name": "Enhed" })), "id"),
            ],
        )
        .await;

        // Contact details: personal data, private; changed from March 2025.
        let unit = team(&e, &e.editor, ISHOEJ, "Kontaktteam", None).await;
        let closed = team(&e, &e.editor, ISHOEJ, "Lukket team", Some("2024-06-01")).await;
        let input = new_record(json!({
            "municipalityCode": ISHOEJ, "unitId": unit, "name": "Anne Hansen",
            "roleTitle": "SSP-konsulent", "phone": "+45 43 57 75 75", "email": "anne@ishoj.dk"
        }));
        let contact = create(&e, label, CREATE_CONTACT, "createContact", input.clone()).await;
        assert_eq!(contact["unit"]["name"], "Kontaktteam", "{label}: {contact}");
        assert_eq!(contact["provenance"]["visibility"], "PRIVATE");
        let id = contact["id"].clone();
        let changed = change(
            &e,
            label,
            UPDATE_CONTACT,
            "updateContact",
            update(
                &id,
                1,
                "2025-03-01",
                json!({ "roleTitle": "SSP-koordinator", "phone": null, "email": "a.hansen@ishoj.dk" }),
            ),
        )
        .await;
        assert_eq!(changed["revision"], 2, "{changed}");
        let before = model_on(&e, Some(&e.editor), "2025-02-28").await;
        let after = model_on(&e, Some(&e.editor), "2025-03-01").await;
        let old = find(&before, "contacts", &id).unwrap();
        assert_eq!((old["roleTitle"].clone(), old["phone"].clone()), (json!("SSP-konsulent"), json!("+45 43 57 75 75")));
        let new = find(&after, "contacts", &id).unwrap();
        assert_eq!(
            (new["roleTitle"].clone(), new["phone"].clone(), new["email"].clone(), new["unit"]["name"].clone()),
            (json!("SSP-koordinator"), Value::Null, json!("a.hansen@ishoj.dk"), json!("Kontaktteam")),
            "{label}"
        );
        // Nobody outside the municipality reads them.
        let anonymous = model_on(&e, None, "2025-03-01").await;
        assert!(find(&anonymous, "contacts", &id).is_none(), "{label}");

        assert_refused(
            &e,
            label,
            CREATE_CONTACT,
            [
                (with(&input, |i| i["name"] = json!("")), "input.name"),
                (with(&input, |i| i["roleTitle"] = json!("t".repeat(201))), "input.roleTitle"),
                (with(&input, |i| i["phone"] = json!("ring til Anne")), "input.phone"),
                (with(&input, |i| i["phone"] = json!("12")), "input.phone"),
                (with(&input, |i| i["phone"] = json!("4+5 43 57")), "input.phone"),
                (with(&input, |i| i["email"] = json!("anne")), "input.email"),
                (with(&input, |i| i["email"] = json!("anne hansen@ishoj.dk")), "input.email"),
                (with(&input, |i| i["email"] = json!("anne@localhost")), "input.email"),
                (
                    with(&input, |i| {
                        i["unitId"] = closed.clone();
                        i["validFrom"] = json!("2024-07-01");
                    }),
                    "input.unitId",
                ),
                (with(&input, |i| i["unitId"] = id_of("Unit", 999_999)), "input.unitId"),
                (with(&input, |i| i["unitId"] = committee["id"].clone()), "input.unitId"),
            ]
            .map(|(input, field)| (json!({ "input": input }), field)),
        )
        .await;
        assert_refused(
            &e,
            label,
            UPDATE_CONTACT,
            [
                (update(&id, 2, "2025-06-01", json!({ "email": "x@" })), "changes.email"),
                (update(&id, 2, "2025-06-01", json!({ "name": null })), "changes.name"),
                (update(&id, 2, "2025-06-01", json!({ "unitId": closed })), "changes.unitId"),
                (update(&id, 2, "1800-01-01", json!({ "name": "Gammel" })), "from"),
            ],
        )
        .await;
        // Nothing of the refused writes was stored.
        let read = model_on(&e, Some(&e.editor), "2025-06-01").await;
        assert_eq!(find(&read, "contacts", &id).unwrap()["email"], "a.hansen@ishoj.dk", "{label}");
        assert_eq!(find(&read, "committees", &committee["id"]).unwrap()["name"], "Børne- og Tryghedsudvalget");
    })
    .await;
}

const CREATE_FORUM: &str = r#"mutation ($input: CreateForumInput!) {
  createForum(input: $input) { id name scope level cadence revision network { key } provenance { visibility } }
}"#;
const UPDATE_FORUM: &str = r#"mutation ($id: ID!, $revision: Int!, $from: Date!, $changes: ForumChangesInput!) {
  updateForum(id: $id, revision: $revision, from: $from, changes: $changes,
              provenance: { source: "002", section: "Bilag" }) {
    id name level cadence revision network { key }
  }
}"#;
const CREATE_MEMBER: &str = r#"mutation ($input: CreateForumMemberInput!) {
  createForumMember(input: $input) { id roleTitle revision unit { name } partner { key } provenance { visibility } }
}"#;
const UPDATE_MEMBER: &str = r#"mutation ($id: ID!, $revision: Int!, $from: Date!, $changes: ForumMemberChangesInput!) {
  updateForumMember(id: $id, revision: $revision, from: $from, changes: $changes,
                    provenance: { source: "002", section: "Bilag" }) {
    id roleTitle revision unit { name } partner { key }
  }
}"#;

#[tokio::test]
async fn forums_and_their_members_are_created_and_changed() {
    on_each_backend(|app| async move {
        let e = editing(&app).await;
        let label = app.label();
        let kredsraad = network(&e, "kredsraad-vestegnen").await;
        // Ishøj is not in the SSP-kreds (Ballerup, Hvidovre, Glostrup, Gladsaxe, Vallensbæk).
        let ssp_kreds = network(&e, "ssp-kreds-vestegnen").await;
        let kriminalforsorgen = partner(&e, "kriminalforsorgen").await;
        let politi = partner(&e, "ishoej-lokalpoliti").await;
        let unit = team(&e, &e.editor, ISHOEJ, "Forumteam", None).await;
        let closed = team(&e, &e.editor, ISHOEJ, "Lukket team", Some("2024-06-01")).await;

        let input = new_record(json!({
            "municipalityCode": ISHOEJ, "name": "Tryghedsforum", "scope": "MUNICIPAL",
            "level": "COORDINATING", "cadence": "hver måned", "purpose": "Koordinering af tryghedsindsatser",
            "networkId": kredsraad
        }));
        let forum = create(&e, label, CREATE_FORUM, "createForum", input.clone()).await;
        assert_eq!(forum["network"]["key"], "kredsraad-vestegnen", "{label}: {forum}");
        assert_eq!((forum["revision"].clone(), forum["provenance"]["visibility"].clone()), (json!(1), json!("PRIVATE")));
        let id = forum["id"].clone();
        let changed = change(
            &e,
            label,
            UPDATE_FORUM,
            "updateForum",
            update(
                &id,
                1,
                "2025-03-01",
                json!({ "name": "Tryghedsrådet", "level": "STRATEGIC", "cadence": null, "networkId": null }),
            ),
        )
        .await;
        assert_eq!(changed["revision"], 2, "{changed}");

        // Members: one of the municipality's units, and a partner organisation.
        let member_input = new_record(json!({ "forumId": id, "unitId": unit, "roleTitle": "Teamleder" }));
        let member = create(&e, label, CREATE_MEMBER, "createForumMember", member_input.clone()).await;
        assert_eq!(member["unit"]["name"], "Forumteam", "{label}: {member}");
        assert_eq!(member["provenance"]["visibility"], "PRIVATE");
        let partner_member = create(
            &e,
            label,
            CREATE_MEMBER,
            "createForumMember",
            new_record(json!({ "forumId": id, "partnerId": kriminalforsorgen, "roleTitle": "Tilsynsførende" })),
        )
        .await;
        assert_eq!(partner_member["partner"]["key"], "kriminalforsorgen", "{partner_member}");
        // From March 2025 the local police attend instead of the team.
        let member_id = member["id"].clone();
        let moved = change(
            &e,
            label,
            UPDATE_MEMBER,
            "updateForumMember",
            update(
                &member_id,
                1,
                "2025-03-01",
                json!({ "unitId": null, "partnerId": politi, "roleTitle": "Lokalbetjent" }),
            ),
        )
        .await;
        assert_eq!((moved["unit"].clone(), moved["partner"]["key"].clone()), (Value::Null, json!("ishoej-lokalpoliti")));

        let before = model_on(&e, Some(&e.editor), "2025-02-28").await;
        let after = model_on(&e, Some(&e.editor), "2025-03-01").await;
        let old = find(&before, "forums", &id).unwrap();
        assert_eq!(
            (old["name"].clone(), old["level"].clone(), old["cadence"].clone(), old["network"]["key"].clone()),
            (json!("Tryghedsforum"), json!("COORDINATING"), json!("hver måned"), json!("kredsraad-vestegnen")),
            "{label}"
        );
        let old_member = find(old, "members", &member_id).unwrap();
        assert_eq!((old_member["roleTitle"].clone(), old_member["unit"]["name"].clone()), (json!("Teamleder"), json!("Forumteam")));
        let new = find(&after, "forums", &id).unwrap();
        assert_eq!(
            (new["name"].clone(), new["level"].clone(), new["cadence"].clone(), new["network"].clone()),
            (json!("Tryghedsrådet"), json!("STRATEGIC"), Value::Null, Value::Null),
            "{label}"
        );
        let new_member = find(new, "members", &member_id).unwrap();
        assert_eq!(
            (new_member["roleTitle"].clone(), new_member["unit"].clone(), new_member["partner"]["key"].clone()),
            (json!("Lokalbetjent"), Value::Null, json!("ishoej-lokalpoliti"))
        );
        assert_eq!(new["members"].as_array().unwrap().len(), 2);

        assert_refused(
            &e,
            label,
            CREATE_FORUM,
            [
                (with(&input, |i| i["name"] = json!("")), "input.name"),
                (with(&input, |i| i["cadence"] = json!("  ")), "input.cadence"),
                (with(&input, |i| i["purpose"] = json!("p".repeat(4001))), "input.purpose"),
                (with(&input, |i| i["networkId"] = ssp_kreds.clone()), "input.networkId"),
                (with(&input, |i| i["networkId"] = unit.clone()), "input.networkId"),
                (with(&input, |i| i["validFrom"] = json!("2201-01-01")), "input.validFrom"),
                (with(&input, |i| i["validTo"] = json!("2024-01-01")), "input.validTo"),
                (with(&input, |i| i["provenance"]["section"] = json!(" ")), "input.provenance.section"),
            ]
            .map(|(input, field)| (json!({ "input": input }), field)),
        )
        .await;
        assert_refused(
            &e,
            label,
            UPDATE_FORUM,
            [
                (update(&id, 2, "2025-06-01", json!({ "name": null })), "changes.name"),
                (update(&id, 2, "2025-06-01", json!({ "scope": null })), "changes.scope"),
                (update(&id, 2, "2025-06-01", json!({ "networkId": ssp_kreds })), "changes.networkId"),
                (update(&id, 2, "2023-06-01", json!({ "name": "Før start" })), "from"),
            ],
        )
        .await;
        assert_refused(
            &e,
            label,
            CREATE_MEMBER,
            [
                (with(&member_input, |i| i["partnerId"] = politi.clone()), "input.partnerId"),
                (with(&member_input, |i| i["unitId"] = Value::Null), "input.unitId"),
                (with(&member_input, |i| i["roleTitle"] = json!(" ")), "input.roleTitle"),
                (with(&member_input, |i| i["forumId"] = id_of("Forum", 999_999)), "input.forumId"),
                (with(&member_input, |i| i["forumId"] = unit.clone()), "input.forumId"),
                // The forum does not hold yet on that day.
                (with(&member_input, |i| i["validFrom"] = json!("2023-06-01")), "input.forumId"),
                (
                    with(&member_input, |i| {
                        i["unitId"] = closed.clone();
                        i["validFrom"] = json!("2024-07-01");
                    }),
                    "input.unitId",
                ),
                (
                    with(&member_input, |i| {
                        i["unitId"] = Value::Null;
                        i["partnerId"] = id_of("PartnerOrganisation", 999_999);
                    }),
                    "input.partnerId",
                ),
            ]
            .map(|(input, field)| (json!({ "input": input }), field)),
        )
        .await;
        let partner_member_id = partner_member["id"].clone();
        assert_refused(
            &e,
            label,
            UPDATE_MEMBER,
            [
                // Still attended by the partner: naming a unit too is naming both.
                (update(&partner_member_id, 1, "2025-06-01", json!({ "unitId": unit })), "changes.partnerId"),
                (update(&partner_member_id, 1, "2025-06-01", json!({ "partnerId": null })), "changes.unitId"),
                (update(&member_id, 2, "2025-06-01", json!({ "roleTitle": null })), "changes.roleTitle"),
                (
                    update(&member_id, 2, "2025-06-01", json!({ "partnerId": null, "unitId": closed })),
                    "changes.unitId",
                ),
            ],
        )
        .await;
        // A forum with members cannot be deleted (end it, or remove the members first).
        let blocked = ask(
            &e.router,
            Some(&e.editor),
            r#"mutation ($id: ID!) { deleteRecord(id: $id, revision: 2) { id } }"#,
            json!({ "id": id }),
        )
        .await;
        assert_eq!(refusal(&blocked).0, "CONFLICT", "{label}: {blocked}");
    })
    .await;
}

const CREATE_GOAL: &str = r#"mutation ($input: CreateGoalInput!) {
  createGoal(input: $input) { id plan number title revision provenance { visibility } }
}"#;
const UPDATE_GOAL: &str = r#"mutation ($id: ID!, $revision: Int!, $from: Date!, $changes: GoalChangesInput!) {
  updateGoal(id: $id, revision: $revision, from: $from, changes: $changes,
             provenance: { source: "002", section: "Bilag" }) { id plan number title revision }
}"#;
const CREATE_PLAN: &str = r#"mutation ($input: CreatePlanInput!) {
  createPlan(input: $input) { id title revision }
}"#;
const UPDATE_PLAN: &str = r#"mutation ($id: ID!, $revision: Int!, $from: Date!, $changes: PlanChangesInput!) {
  updatePlan(id: $id, revision: $revision, from: $from, changes: $changes,
             provenance: { source: "002", section: "Bilag" }) { id title revision }
}"#;
const CREATE_INTERVENTION: &str = r#"mutation ($input: CreateInterventionInput!) {
  createIntervention(input: $input) {
    id name preventionLevel ageMin ageMax revision goal { title } leadUnit { name }
    partners { role unit { name } partner { key } } provenance { visibility }
  }
}"#;
const UPDATE_INTERVENTION: &str = r#"mutation ($id: ID!, $revision: Int!, $from: Date!, $changes: InterventionChangesInput!) {
  updateIntervention(id: $id, revision: $revision, from: $from, changes: $changes,
                     provenance: { source: "002", section: "Bilag" }) {
    id name ageMin ageMax revision goal { title } partners { role partner { key } }
  }
}"#;

#[tokio::test]
async fn goals_and_interventions_with_their_partners_are_created_and_changed() {
    on_each_backend(|app| async move {
        let e = editing(&app).await;
        let label = app.label();
        let lead = team(&e, &e.editor, ISHOEJ, "Natteamet", None).await;
        let club = team(&e, &e.editor, ISHOEJ, "Ungdomsklubben", None).await;
        let closed = team(&e, &e.editor, ISHOEJ, "Lukket team", Some("2024-06-01")).await;
        let kriminalforsorgen = partner(&e, "kriminalforsorgen").await;
        let politi = partner(&e, "ishoej-lokalpoliti").await;

        let input = new_record(json!({
            "municipalityCode": ISHOEJ, "plan": "Tryg By 2024", "number": 1, "title": "Færre unge sigtes"
        }));
        let goal = create(&e, label, CREATE_GOAL, "createGoal", input.clone()).await;
        assert_eq!((goal["number"].clone(), goal["provenance"]["visibility"].clone()), (json!(1), json!("PRIVATE")), "{label}");
        let goal_id = goal["id"].clone();
        let renumbered = change(
            &e,
            label,
            UPDATE_GOAL,
            "updateGoal",
            update(&goal_id, 1, "2025-03-01", json!({ "number": 2, "title": "Færre unge begår kriminalitet" })),
        )
        .await;
        assert_eq!((renumbered["number"].clone(), renumbered["plan"].clone()), (json!(2), json!("Tryg By 2024")));
        assert_refused(
            &e,
            label,
            CREATE_GOAL,
            [
                (with(&input, |i| i["number"] = json!(0)), "input.number"),
                (with(&input, |i| i["number"] = json!(1000)), "input.number"),
                (with(&input, |i| i["plan"] = json!("")), "input.plan"),
                (with(&input, |i| i["title"] = json!("t".repeat(201))), "input.title"),
                (with(&input, |i| i["validFrom"] = json!("1850-01-01")), "input.validFrom"),
            ]
            .map(|(input, field)| (json!({ "input": input }), field)),
        )
        .await;
        assert_refused(
            &e,
            label,
            UPDATE_GOAL,
            [
                (update(&goal_id, 2, "2025-06-01", json!({ "number": -1 })), "changes.number"),
                (update(&goal_id, 2, "2025-06-01", json!({ "plan": null })), "changes.plan"),
                (update(&goal_id, 2, "2025-06-01", json!({ "title": " " })), "changes.title"),
            ],
        )
        .await;

        // An intervention under the goal, led by a team, with two partners.
        let input = new_record(json!({
            "municipalityCode": ISHOEJ, "name": "Natteravne", "preventionLevel": "TARGETED",
            "targetGroup": "Unge i bydelen om aftenen", "ageMin": 12, "ageMax": 17,
            "goalId": goal_id, "leadUnitId": lead,
            "partners": [
                { "unitId": club, "role": "Værested" },
                { "partnerId": kriminalforsorgen, "role": "Samtaler" }
            ]
        }));
        let intervention = create(&e, label, CREATE_INTERVENTION, "createIntervention", input.clone()).await;
        assert_eq!(intervention["goal"]["title"], "Færre unge sigtes", "{label}: {intervention}");
        assert_eq!(intervention["leadUnit"]["name"], "Natteamet");
        assert_eq!(intervention["provenance"]["visibility"], "PRIVATE");
        assert_eq!(
            intervention["partners"],
            json!([
                { "role": "Værested", "unit": { "name": "Ungdomsklubben" }, "partner": null },
                { "role": "Samtaler", "unit": null, "partner": { "key": "kriminalforsorgen" } }
            ]),
            "{label}"
        );
        let id = intervention["id"].clone();
        // From March 2025: up to 18 years, no goal, and the police as the only partner.
        let changed = change(
            &e,
            label,
            UPDATE_INTERVENTION,
            "updateIntervention",
            update(
                &id,
                1,
                "2025-03-01",
                json!({ "ageMax": 18, "goalId": null, "partners": [{ "partnerId": politi }] }),
            ),
        )
        .await;
        assert_eq!((changed["ageMax"].clone(), changed["goal"].clone(), changed["revision"].clone()), (json!(18), Value::Null, json!(2)));
        let before = model_on(&e, Some(&e.editor), "2025-02-28").await;
        let after = model_on(&e, Some(&e.editor), "2025-03-01").await;
        let old = find(&before, "interventions", &id).unwrap();
        assert_eq!(
            (old["ageMin"].clone(), old["ageMax"].clone(), old["goal"]["title"].clone()),
            (json!(12), json!(17), json!("Færre unge sigtes")),
            "{label}"
        );
        let new = find(&after, "interventions", &id).unwrap();
        assert_eq!((new["ageMin"].clone(), new["ageMax"].clone(), new["goal"].clone()), (json!(12), json!(18), Value::Null));
        // Partners have no validity of their own: the new set holds on every day.
        let police = json!([{ "role": null, "unit": null, "partner": { "key": "ishoej-lokalpoliti" } }]);
        assert_eq!((old["partners"].clone(), new["partners"].clone()), (police.clone(), police), "{label}");
        // The goal read the day before shows its old title.
        assert_eq!(find(&before, "goals", &goal_id).unwrap()["title"], "Færre unge sigtes");
        assert_eq!(find(&after, "goals", &goal_id).unwrap()["title"], "Færre unge begår kriminalitet");

        assert_refused(
            &e,
            label,
            CREATE_INTERVENTION,
            [
                (with(&input, |i| i["name"] = json!("")), "input.name"),
                (with(&input, |i| i["description"] = json!("  ")), "input.description"),
                (with(&input, |i| i["ageMin"] = json!(-1)), "input.ageMin"),
                (with(&input, |i| i["ageMax"] = json!(121)), "input.ageMax"),
                (
                    with(&input, |i| {
                        i["ageMin"] = json!(18);
                        i["ageMax"] = json!(12);
                    }),
                    "input.ageMin",
                ),
                (with(&input, |i| i["goalId"] = id_of("Goal", 999_999)), "input.goalId"),
                (with(&input, |i| i["goalId"] = lead.clone()), "input.goalId"),
                (with(&input, |i| i["leadUnitId"] = goal_id.clone()), "input.leadUnitId"),
                (with(&input, |i| i["partners"] = json!([{ "role": "Ingen" }])), "input.partners[0].unitId"),
                (
                    with(&input, |i| i["partners"] = json!([{ "unitId": club, "partnerId": politi }])),
                    "input.partners[0].partnerId",
                ),
                (
                    with(&input, |i| i["partners"] = json!([{ "partnerId": politi }, { "partnerId": politi }])),
                    "input.partners[1].partnerId",
                ),
                (
                    with(&input, |i| i["partners"] = json!([{ "partnerId": id_of("PartnerOrganisation", 999_999) }])),
                    "input.partners[0].partnerId",
                ),
                (
                    with(&input, |i| i["partners"] = json!([{ "partnerId": politi }, { "unitId": id_of("Goal", 1) }])),
                    "input.partners[1].unitId",
                ),
                (
                    with(&input, |i| {
                        i["validFrom"] = json!("2025-07-01");
                        i["goalId"] = Value::Null;
                        i["partners"] = json!([{ "unitId": closed }]);
                    }),
                    "input.partners[0].unitId",
                ),
            ]
            .map(|(input, field)| (json!({ "input": input }), field)),
        )
        .await;
        assert_refused(
            &e,
            label,
            UPDATE_INTERVENTION,
            [
                // The oldest age stays 18.
                (update(&id, 2, "2025-06-01", json!({ "ageMin": 19 })), "changes.ageMin"),
                (update(&id, 2, "2025-06-01", json!({ "name": null })), "changes.name"),
                (update(&id, 2, "2025-06-01", json!({ "leadUnitId": closed })), "changes.leadUnitId"),
                (
                    update(&id, 2, "2025-06-01", json!({ "partners": [{ "unitId": closed }] })),
                    "changes.partners[0].unitId",
                ),
            ],
        )
        .await;

        // The goal cannot be deleted while the intervention's first version refers to it; the
        // intervention can, with its partners, and then the goal can.
        let delete = r#"mutation ($id: ID!, $revision: Int!) { deleteRecord(id: $id, revision: $revision) { id } }"#;
        let blocked = ask(&e.router, Some(&e.editor), delete, json!({ "id": goal_id, "revision": 2 })).await;
        assert_eq!(refusal(&blocked).0, "CONFLICT", "{label}: {blocked}");
        let deleted = ask(&e.router, Some(&e.editor), delete, json!({ "id": id, "revision": 2 })).await;
        assert_eq!(deleted["data"]["deleteRecord"]["id"], id, "{label}: {deleted}");
        let deleted = ask(&e.router, Some(&e.editor), delete, json!({ "id": goal_id, "revision": 2 })).await;
        assert_eq!(deleted["data"]["deleteRecord"]["id"], goal_id, "{label}: {deleted}");
        let gone = model_on(&e, Some(&e.editor), "2024-06-01").await;
        assert!(find(&gone, "interventions", &id).is_none());

        // The audit log shows the partners with each version, before and after every write.
        let admin = e.issuer.user_token(ISHOEJ, &["admin"]);
        let log = ask(
            &e.router,
            Some(&admin),
            "{ auditLog(municipalityCode: 183) { recordId action before after } }",
            json!({}),
        )
        .await;
        let roles = |versions: &str| -> Vec<Vec<Value>> {
            let versions: Value = serde_json::from_str(versions).unwrap();
            versions
                .as_array()
                .unwrap()
                .iter()
                .map(|version| {
                    version["partners"].as_array().unwrap().iter().map(|row| row["role"].clone()).collect()
                })
                .collect()
        };
        // Each entry's action, and its partners' roles in each version before and after.
        type Written = (String, Vec<Vec<Value>>, Vec<Vec<Value>>);
        let mut written: Vec<Written> = log["data"]["auditLog"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|entry| entry["recordId"] == id)
            .map(|entry| {
                (
                    entry["action"].as_str().unwrap().to_owned(),
                    roles(entry["before"].as_str().unwrap()),
                    roles(entry["after"].as_str().unwrap()),
                )
            })
            .collect();
        written.reverse();
        let (first, police) = (vec![json!("Værested"), json!("Samtaler")], vec![Value::Null]);
        assert_eq!(
            written,
            vec![
                ("create".to_owned(), vec![], vec![first.clone()]),
                ("update".to_owned(), vec![first], vec![police.clone(), police.clone()]),
                ("delete".to_owned(), vec![police.clone(), police], vec![]),
            ],
            "{label}: {log}"
        );
    })
    .await;
}

const CREATE_INDICATOR: &str = r#"mutation ($input: CreateKeyIndicatorInput!) {
  createKeyIndicator(input: $input) { id measure periodStart periodEnd kind value unit finding revision provenance { visibility } }
}"#;
const UPDATE_INDICATOR: &str = r#"mutation ($id: ID!, $revision: Int!, $from: Date!, $changes: KeyIndicatorChangesInput!) {
  updateKeyIndicator(id: $id, revision: $revision, from: $from, changes: $changes,
                     provenance: { source: "002", section: "Bilag" }) {
    id periodStart periodEnd kind value unit finding revision
  }
}"#;

#[tokio::test]
async fn key_indicators_are_created_and_changed_with_their_rules() {
    on_each_backend(|app| async move {
        let e = editing(&app).await;
        let label = app.label();
        let input = new_record(json!({
            "municipalityCode": ISHOEJ, "measure": "REPORTED_CRIME", "title": "Anmeldt kriminalitet",
            "periodStart": 2019, "periodEnd": 2021, "kind": "PERCENT_CHANGE", "value": "-23.5", "unit": "%"
        }));
        let figure = create(&e, label, CREATE_INDICATOR, "createKeyIndicator", input.clone()).await;
        assert_eq!(
            (figure["value"].clone(), figure["kind"].clone(), figure["finding"].clone()),
            (json!("-23.5"), json!("PERCENT_CHANGE"), Value::Null),
            "{label}: {figure}"
        );
        assert_eq!(figure["provenance"]["visibility"], "PRIVATE");
        let finding_input = new_record(json!({
            "municipalityCode": ISHOEJ, "measure": "CHARGED_YOUNG_PEOPLE",
            "title": "Andel af unge mellem 10 og 17 år, der bliver sigtet", "kind": "FINDING",
            "finding": "Ishøj har en særdeles høj andel af unge, der bliver sigtet."
        }));
        let finding = create(&e, label, CREATE_INDICATOR, "createKeyIndicator", finding_input.clone()).await;
        assert_eq!((finding["value"].clone(), finding["periodStart"].clone()), (Value::Null, Value::Null), "{finding}");

        let id = figure["id"].clone();
        let changed = change(
            &e,
            label,
            UPDATE_INDICATOR,
            "updateKeyIndicator",
            update(&id, 1, "2025-03-01", json!({ "value": "-21", "periodEnd": 2022 })),
        )
        .await;
        assert_eq!((changed["value"].clone(), changed["periodEnd"].clone()), (json!("-21"), json!(2022)));
        // The finding gets a number: a count from then on.
        let finding_id = finding["id"].clone();
        let counted = change(
            &e,
            label,
            UPDATE_INDICATOR,
            "updateKeyIndicator",
            update(
                &finding_id,
                1,
                "2025-03-01",
                json!({ "kind": "COUNT", "value": "1000", "finding": null, "periodStart": 2024, "periodEnd": 2024 }),
            ),
        )
        .await;
        assert_eq!((counted["kind"].clone(), counted["value"].clone(), counted["finding"].clone()), (json!("COUNT"), json!("1000"), Value::Null));
        let before = model_on(&e, Some(&e.editor), "2025-02-28").await;
        let after = model_on(&e, Some(&e.editor), "2025-03-01").await;
        let old = find(&before, "keyIndicators", &id).unwrap();
        assert_eq!((old["value"].clone(), old["periodEnd"].clone()), (json!("-23.5"), json!(2021)), "{label}");
        let new = find(&after, "keyIndicators", &id).unwrap();
        assert_eq!((new["value"].clone(), new["periodEnd"].clone(), new["unit"].clone()), (json!("-21"), json!(2022), json!("%")));
        assert_eq!(find(&before, "keyIndicators", &finding_id).unwrap()["kind"], "FINDING");
        assert_eq!(find(&after, "keyIndicators", &finding_id).unwrap()["kind"], "COUNT");

        assert_refused(
            &e,
            label,
            CREATE_INDICATOR,
            [
                (with(&input, |i| i["kind"] = json!("FINDING")), "input.value"),
                (with(&finding_input, |i| i["finding"] = Value::Null), "input.finding"),
                (with(&finding_input, |i| i["finding"] = json!(" ")), "input.finding"),
                (with(&finding_input, |i| i["kind"] = json!("COUNT")), "input.finding"),
                (with(&input, |i| i["value"] = Value::Null), "input.value"),
                (with(&input, |i| i["periodEnd"] = Value::Null), "input.periodEnd"),
                (with(&input, |i| i["periodStart"] = Value::Null), "input.periodStart"),
                (with(&input, |i| i["periodEnd"] = json!(2018)), "input.periodEnd"),
                (with(&input, |i| i["periodStart"] = json!(1850)), "input.periodStart"),
                (with(&input, |i| i["periodEnd"] = json!(2300)), "input.periodEnd"),
                (with(&input, |i| i["value"] = json!("10.005")), "input.value"),
                (with(&input, |i| i["value"] = json!("-100.5")), "input.value"),
                (with(&input, |i| i["value"] = json!("1000000000000.01")), "input.value"),
                (
                    with(&input, |i| {
                        i["kind"] = json!("COUNT");
                        i["value"] = json!("-1");
                    }),
                    "input.value",
                ),
                (
                    with(&input, |i| {
                        i["kind"] = json!("LOWER_BOUND");
                        i["value"] = json!("-5");
                    }),
                    "input.value",
                ),
                (with(&input, |i| i["title"] = json!("")), "input.title"),
                (with(&input, |i| i["unit"] = json!(" ")), "input.unit"),
                (with(&input, |i| i["municipalityCode"] = json!(0)), "input.municipalityCode"),
            ]
            .map(|(input, field)| (json!({ "input": input }), field)),
        )
        .await;
        assert_refused(
            &e,
            label,
            UPDATE_INDICATOR,
            [
                // A finding keeps no number: the value must be cleared with it.
                (update(&id, 2, "2025-06-01", json!({ "kind": "FINDING", "finding": "Faldende" })), "changes.value"),
                (update(&id, 2, "2025-06-01", json!({ "periodStart": null })), "changes.periodStart"),
                (update(&id, 2, "2025-06-01", json!({ "periodEnd": 2010 })), "changes.periodEnd"),
                (update(&id, 2, "2025-06-01", json!({ "value": null })), "changes.value"),
                (update(&id, 2, "2025-06-01", json!({ "finding": "Tekst" })), "changes.finding"),
                (update(&id, 2, "2025-06-01", json!({ "title": null })), "changes.title"),
                (update(&id, 2, "2025-06-01", json!({ "kind": null })), "changes.kind"),
                (update(&finding_id, 2, "2025-06-01", json!({ "value": "-3" })), "changes.value"),
            ],
        )
        .await;
        let read = model_on(&e, Some(&e.editor), "2025-06-01").await;
        assert_eq!(find(&read, "keyIndicators", &id).unwrap()["value"], "-21", "{label}: nothing refused was stored");
    })
    .await;
}

/// A record of each kind, and how to change its name (or title).
struct Written {
    kind: &'static str,
    id: Value,
    mutation: &'static str,
    changes: Value,
}

#[tokio::test]
async fn nobody_writes_another_municipalitys_records() {
    on_each_backend(|app| async move {
        let e = editing(&app).await;
        let label = app.label();
        let politi = partner(&e, "ishoej-lokalpoliti").await;
        let unit = team(&e, &e.editor, ISHOEJ, "Eget team", None).await;
        let committee = create(&e, label, CREATE_COMMITTEE, "createPoliticalCommittee",
            new_record(json!({ "municipalityCode": ISHOEJ, "name": "Udvalget" }))).await;
        let contact = create(&e, label, CREATE_CONTACT, "createContact",
            new_record(json!({ "municipalityCode": ISHOEJ, "name": "Anne", "roleTitle": "Konsulent" }))).await;
        let forum = create(&e, label, CREATE_FORUM, "createForum",
            new_record(json!({ "municipalityCode": ISHOEJ, "name": "Forum", "scope": "MUNICIPAL", "level": "OPERATIONAL" }))).await;
        let member = create(&e, label, CREATE_MEMBER, "createForumMember",
            new_record(json!({ "forumId": forum["id"], "partnerId": politi, "roleTitle": "Betjent" }))).await;
        let goal = create(&e, label, CREATE_GOAL, "createGoal",
            new_record(json!({ "municipalityCode": ISHOEJ, "plan": "Plan", "number": 1, "title": "Mål" }))).await;
        let intervention = create(&e, label, CREATE_INTERVENTION, "createIntervention",
            new_record(json!({ "municipalityCode": ISHOEJ, "name": "Indsats" }))).await;
        let indicator = create(&e, label, CREATE_INDICATOR, "createKeyIndicator",
            new_record(json!({ "municipalityCode": ISHOEJ, "measure": "REPORTED_CRIME", "title": "Anmeldt",
                              "kind": "COUNT", "value": "10" }))).await;
        let plan = create(&e, label, CREATE_PLAN, "createPlan",
            new_record(json!({ "municipalityCode": ISHOEJ, "kind": "STRATEGY", "title": "Strategi" }))).await;
        let written = [
            Written { kind: "committee", id: committee["id"].clone(), mutation: UPDATE_COMMITTEE, changes: json!({ "name": "Overtaget" }) },
            Written { kind: "contact", id: contact["id"].clone(), mutation: UPDATE_CONTACT, changes: json!({ "name": "Overtaget" }) },
            Written { kind: "forum", id: forum["id"].clone(), mutation: UPDATE_FORUM, changes: json!({ "name": "Overtaget" }) },
            Written { kind: "member", id: member["id"].clone(), mutation: UPDATE_MEMBER, changes: json!({ "roleTitle": "Overtaget" }) },
            Written { kind: "goal", id: goal["id"].clone(), mutation: UPDATE_GOAL, changes: json!({ "title": "Overtaget" }) },
            Written { kind: "intervention", id: intervention["id"].clone(), mutation: UPDATE_INTERVENTION, changes: json!({ "name": "Overtaget" }) },
            Written { kind: "indicator", id: indicator["id"].clone(), mutation: UPDATE_INDICATOR, changes: json!({ "title": "Overtaget" }) },
            Written { kind: "plan", id: plan["id"].clone(), mutation: UPDATE_PLAN, changes: json!({ "title": "Overtaget" }) },
        ];
        let other = e.issuer_tokens.other_editor.as_str();
        let viewer = e.issuer_tokens.viewer.as_str();
        // Private records: others cannot see them at all; a viewer sees but may not change them.
        for record in &written {
            let variables = update(&record.id, 1, "2024-06-01", record.changes.clone());
            for (who, token, code) in [
                ("another editor", Some(other), "NOT_FOUND"),
                ("anonymous", None, "UNAUTHENTICATED"),
                ("a viewer", Some(viewer), "FORBIDDEN"),
            ] {
                let answer = ask(&e.router, token, record.mutation, variables.clone()).await;
                assert_eq!(refusal(&answer).0, code, "{label}: {who} changes a private {}: {answer}", record.kind);
            }
        }
        // Shared publicly, they are seen but still not changed by anyone else.
        let admin = e.issuer.user_token(ISHOEJ, &["admin"]);
        let share = r#"mutation ($id: ID!, $revision: Int!) { setVisibility(id: $id, revision: $revision, visibility: PUBLIC) { revision } }"#;
        for record in &written {
            let shared = ask(&e.router, Some(&admin), share, json!({ "id": record.id, "revision": 1 })).await;
            assert_eq!(shared["data"]["setVisibility"]["revision"], 2, "{label}: {shared}");
            let variables = update(&record.id, 2, "2024-06-01", record.changes.clone());
            for (who, token, code) in [("another editor", Some(other), "FORBIDDEN"), ("anonymous", None, "UNAUTHENTICATED"), ("a viewer", Some(viewer), "FORBIDDEN")] {
                let answer = ask(&e.router, token, record.mutation, variables.clone()).await;
                assert_eq!(refusal(&answer).0, code, "{label}: {who} changes a public {}: {answer}", record.kind);
            }
        }
        // Nobody else creates records of Ishøj, also not a member of its (now public) forum.
        let creates = [
            (CREATE_PLAN, new_record(json!({ "municipalityCode": ISHOEJ, "kind": "STRATEGY", "title": "Fremmed" }))),
            (CREATE_COMMITTEE, new_record(json!({ "municipalityCode": ISHOEJ, "name": "Fremmed" }))),
            (CREATE_CONTACT, new_record(json!({ "municipalityCode": ISHOEJ, "name": "Fremmed", "roleTitle": "x" }))),
            (CREATE_FORUM, new_record(json!({ "municipalityCode": ISHOEJ, "name": "Fremmed", "scope": "MUNICIPAL", "level": "OPERATIONAL" }))),
            (CREATE_MEMBER, new_record(json!({ "forumId": forum["id"], "partnerId": politi, "roleTitle": "Fremmed" }))),
            (CREATE_GOAL, new_record(json!({ "municipalityCode": ISHOEJ, "plan": "P", "number": 1, "title": "Fremmed" }))),
            (CREATE_INTERVENTION, new_record(json!({ "municipalityCode": ISHOEJ, "name": "Fremmed" }))),
            (CREATE_INDICATOR, new_record(json!({ "municipalityCode": ISHOEJ, "measure": "REPORTED_CRIME", "title": "Fremmed", "kind": "COUNT", "value": "1" }))),
        ];
        for (mutation, input) in &creates {
            for (who, token, code) in [("another editor", Some(other), "FORBIDDEN"), ("anonymous", None, "UNAUTHENTICATED"), ("a viewer", Some(viewer), "FORBIDDEN")] {
                let answer = ask(&e.router, token, mutation, json!({ "input": input })).await;
                assert_eq!(refusal(&answer).0, code, "{label}: {who}: {mutation}: {answer}");
            }
        }

        // Albertslund's own records, shared publicly (one goal kept private).
        let albertslund = e.issuer.user_token(ALBERTSLUND, &["admin"]);
        let foreign_unit = team(&e, &albertslund, ALBERTSLUND, "Albertslund-team", None).await;
        let as_albertslund = |mutation: &'static str, name: &'static str, input: Value| {
            let router = e.router.clone();
            let token = albertslund.clone();
            async move {
                let answer = ask(&router, Some(&token), mutation, json!({ "input": input })).await;
                answer["data"][name]["id"].clone()
            }
        };
        let foreign_goal = as_albertslund(CREATE_GOAL, "createGoal",
            new_record(json!({ "municipalityCode": ALBERTSLUND, "plan": "P", "number": 1, "title": "Albertslunds mål" }))).await;
        let private_goal = as_albertslund(CREATE_GOAL, "createGoal",
            new_record(json!({ "municipalityCode": ALBERTSLUND, "plan": "P", "number": 2, "title": "Privat mål" }))).await;
        let foreign_forum = as_albertslund(CREATE_FORUM, "createForum",
            new_record(json!({ "municipalityCode": ALBERTSLUND, "name": "Albertslunds forum", "scope": "MUNICIPAL", "level": "OPERATIONAL" }))).await;
        for id in [&foreign_unit, &foreign_goal, &foreign_forum] {
            let shared = ask(&e.router, Some(&albertslund), share, json!({ "id": id, "revision": 1 })).await;
            assert_eq!(shared["data"]["setVisibility"]["revision"], 2, "{label}: {shared}");
        }
        // References inside Ishøj's input to Albertslund's records are refused with their field;
        // a member of Albertslund's forum would be Albertslund's record: forbidden.
        let nested = [
            (CREATE_MEMBER, new_record(json!({ "forumId": forum["id"], "unitId": foreign_unit, "roleTitle": "x" })), "input.unitId"),
            (CREATE_CONTACT, new_record(json!({ "municipalityCode": ISHOEJ, "unitId": foreign_unit, "name": "x", "roleTitle": "x" })), "input.unitId"),
            (CREATE_INTERVENTION, new_record(json!({ "municipalityCode": ISHOEJ, "name": "x", "goalId": foreign_goal })), "input.goalId"),
            (CREATE_INTERVENTION, new_record(json!({ "municipalityCode": ISHOEJ, "name": "x", "goalId": private_goal })), "input.goalId"),
            (CREATE_INTERVENTION, new_record(json!({ "municipalityCode": ISHOEJ, "name": "x", "leadUnitId": foreign_unit })), "input.leadUnitId"),
            (
                CREATE_INTERVENTION,
                new_record(json!({ "municipalityCode": ISHOEJ, "name": "x", "partners": [{ "unitId": unit }, { "unitId": foreign_unit }] })),
                "input.partners[1].unitId",
            ),
        ];
        for (mutation, input, field) in nested {
            let answer = ask(&e.router, Some(&e.editor), mutation, json!({ "input": input })).await;
            assert_eq!(
                refusal(&answer),
                ("BAD_USER_INPUT".to_owned(), Some(field.to_owned())),
                "{label}: {input}: {answer}"
            );
        }
        let answer = ask(
            &e.router,
            Some(&e.editor),
            CREATE_MEMBER,
            json!({ "input": new_record(json!({ "forumId": foreign_forum, "unitId": unit, "roleTitle": "x" })) }),
        )
        .await;
        assert_eq!(refusal(&answer).0, "FORBIDDEN", "{label}: {answer}");
        for (record, changes, field) in [
            (&written[3], json!({ "partnerId": null, "unitId": foreign_unit }), "changes.unitId"),
            (&written[1], json!({ "unitId": foreign_unit }), "changes.unitId"),
            (&written[5], json!({ "goalId": foreign_goal }), "changes.goalId"),
            (&written[5], json!({ "partners": [{ "unitId": foreign_unit }] }), "changes.partners[0].unitId"),
        ] {
            let answer = ask(&e.router, Some(&e.editor), record.mutation, update(&record.id, 2, "2024-06-01", changes)).await;
            assert_eq!(
                refusal(&answer),
                ("BAD_USER_INPUT".to_owned(), Some(field.to_owned())),
                "{label}: {}: {answer}",
                record.kind
            );
        }
        // None of the refused writes changed anything: every record is at the revision sharing left.
        for record in &written {
            let read = ask(
                &e.router,
                Some(&e.editor),
                r#"query ($id: ID!) { node(id: $id) {
                  ... on PoliticalCommittee { revision } ... on Contact { revision } ... on Forum { revision }
                  ... on ForumMember { revision } ... on Goal { revision } ... on Intervention { revision }
                  ... on KeyIndicator { revision } ... on Plan { revision } } }"#,
                json!({ "id": record.id }),
            )
            .await;
            assert_eq!(read["data"]["node"]["revision"], 2, "{label}: {}: {read}", record.kind);
        }
    })
    .await;
}
