//! Writers and the writers' lock, through the real router on both databases: who may write is
//! known before a write queues for the lock (anonymous writes get `UNAUTHENTICATED`, a viewer's
//! `FORBIDDEN`, also while another writer holds the lock); a write that cannot have the lock
//! within `WRITE_LOCK_WAIT_MS` gets 503 `SERVICE_UNAVAILABLE` with `Retry-After` and writes
//! nothing; an update checks who writes before its input; the change feed follows a record's
//! visibility now, not when its entries were written; answers are never sniffed.

use axum::{
    body::Body,
    http::{header, Request, StatusCode},
};
use sea_orm::{ConnectionTrait, DatabaseTransaction, TransactionTrait};
use serde_json::{json, Value};
use vestegn_api::config::{AuthConfig, Limits};
use vestegn_tests::{
    editing::{ask, ask_for_answer, refusal, ALBERTSLUND, ISHOEJ},
    issuer::TestIssuer,
    on_each_backend, Backend, TestApp,
};

const CREATE: &str = r#"mutation ($name: String!) {
  createUnit(input: { municipalityCode: 183, name: $name, kind: "team", validFrom: "2024-01-01",
                      provenance: { source: "002", section: "Organisering" } }) { id revision }
}"#;

const UNITS: &str = r#"{ municipality(code: 183) { units { name } } }"#;

/// Takes Ishøj's writers' lock as another of its writers would (on SQLite: the database's), until
/// the transaction is dropped.
async fn hold_writers_lock(app: &TestApp) -> DatabaseTransaction {
    let transaction = app.db.begin().await.unwrap();
    let statement = match app.backend {
        Backend::Sqlite => "UPDATE identities SET revision = revision WHERE 0",
        // The lock `service::connection` takes ("VSTG", the municipality).
        Backend::Postgres => "SELECT pg_advisory_xact_lock(1448301639, 183)",
    };
    transaction.execute_unprepared(statement).await.unwrap();
    transaction
}

fn unit_names(answer: &Value) -> Vec<String> {
    answer["data"]["municipality"]["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|unit| unit["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn writers_who_may_not_write_are_refused_before_the_lock_and_others_wait_briefly() {
    on_each_backend(|app| async move {
        let label = app.label();
        let issuer = TestIssuer::start().await;
        let router = app.router_with(
            &AuthConfig {
                issuer: Some(issuer.issuer()),
                ..AuthConfig::default()
            },
            Limits {
                write_lock_wait_ms: 300,
                ..Limits::default()
            },
        );
        let editor = issuer.user_token(ISHOEJ, &["editor"]);
        let viewer = issuer.user_token(ISHOEJ, &["viewer"]);
        let client = issuer.sign(json!({ "client_id": "budget-sync", "scope": "budgets:read" }));

        let holder = hold_writers_lock(&app).await;
        // Had these queued for the lock, they would be answered 503 like the editor below.
        let (status, headers, body) =
            ask_for_answer(&router, None, CREATE, json!({ "name": "Anonym" })).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{label}: {body}");
        assert_eq!(refusal(&body).0, "UNAUTHENTICATED", "{label}: {body}");
        assert!(headers.contains_key(header::WWW_AUTHENTICATE), "{label}");
        for (who, token) in [("a viewer", &viewer), ("a machine client", &client)] {
            let (status, _, body) =
                ask_for_answer(&router, Some(token), CREATE, json!({ "name": "Læser" })).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{label}: {who}: {body}");
            assert_eq!(refusal(&body).0, "FORBIDDEN", "{label}: {who}: {body}");
        }
        // An editor waits for the lock, then is told to retry; nothing is written.
        let (status, headers, body) = ask_for_answer(
            &router,
            Some(&editor),
            CREATE,
            json!({ "name": "Ventende" }),
        )
        .await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{label}: {body}");
        assert_eq!(refusal(&body).0, "SERVICE_UNAVAILABLE", "{label}: {body}");
        assert_eq!(headers[header::RETRY_AFTER], "1", "{label}");
        assert!(
            body.get("data").is_none_or(Value::is_null),
            "{label}: {body}"
        );
        // Another municipality's writers take turns of their own (SQLite has one writer at a
        // time: there they wait too).
        let albertslund = issuer.user_token(ALBERTSLUND, &["editor"]);
        let (status, _, body) = ask_for_answer(
            &router,
            Some(&albertslund),
            r#"mutation { createUnit(input: { municipalityCode: 165, name: "Nabo", kind: "team",
                 validFrom: "2024-01-01", provenance: { source: "002", section: "x" } }) { revision } }"#,
            json!({}),
        )
        .await;
        match app.backend {
            Backend::Postgres => {
                assert_eq!(status, StatusCode::OK, "{label}: {body}");
                assert_eq!(body["data"]["createUnit"]["revision"], 1, "{label}: {body}");
            }
            Backend::Sqlite => assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{label}: {body}"),
        }
        // Reads go on while the lock is held.
        let (status, _, read) = ask_for_answer(&router, Some(&editor), UNITS, json!({})).await;
        assert_eq!(status, StatusCode::OK, "{label}: {read}");
        assert!(
            !unit_names(&read).contains(&"Ventende".to_owned()),
            "{label}"
        );

        drop(holder);
        let (status, _, body) = ask_for_answer(
            &router,
            Some(&editor),
            CREATE,
            json!({ "name": "Ventende" }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{label}: {body}");
        assert_eq!(body["data"]["createUnit"]["revision"], 1, "{label}: {body}");
    })
    .await;
}

const UPDATE: &str = r#"mutation ($id: ID!, $changes: UnitChangesInput!) {
  updateUnit(id: $id, revision: 1, from: "2024-06-01", changes: $changes,
             provenance: { source: "no-such-source", section: "x" }) { id }
}"#;

#[tokio::test]
async fn an_update_checks_who_writes_before_its_input() {
    on_each_backend(|app| async move {
        let label = app.label();
        let issuer = TestIssuer::start().await;
        let router = app.router_with_auth(&AuthConfig {
            issuer: Some(issuer.issuer()),
            ..AuthConfig::default()
        });
        let other_editor = issuer.user_token(ALBERTSLUND, &["editor"]);
        let public = ask(
            &router,
            None,
            r#"{ municipality(code: 183, asOf: "2016-06-01") { units { id } } }"#,
            json!({}),
        )
        .await;
        let id = public["data"]["municipality"]["units"][0]["id"].clone();
        let albertslund = ask(
            &router,
            None,
            r#"{ municipality(code: 165, asOf: "2023-06-01") { units { id } } }"#,
            json!({}),
        )
        .await["data"]["municipality"]["units"][0]["id"]
            .clone();
        // A move under another municipality's unit, from a source that does not exist: an editor
        // of another municipality is told neither, only that it may not write here.
        let answer = ask(
            &router,
            Some(&other_editor),
            UPDATE,
            json!({ "id": id, "changes": { "parentId": albertslund } }),
        )
        .await;
        assert_eq!(
            refusal(&answer),
            ("FORBIDDEN".to_owned(), None),
            "{label}: {answer}"
        );
        // A staff role's move is checked after who writes too.
        let roles = ask(
            &router,
            None,
            r#"{ municipality(code: 183, asOf: "2016-06-01") { units { staffRoles { id } } } }"#,
            json!({}),
        )
        .await;
        let role = roles["data"]["municipality"]["units"]
            .as_array()
            .unwrap()
            .iter()
            .find_map(|unit| unit["staffRoles"][0]["id"].as_str())
            .expect("a public staff role of Ishøj")
            .to_owned();
        let answer = ask(
            &router,
            Some(&other_editor),
            r#"mutation ($id: ID!, $unit: ID!) { updateStaffRole(id: $id, revision: 1, from: "2024-06-01",
                 changes: { unitId: $unit },
                 provenance: { source: "no-such-source", section: "x" }) { id } }"#,
            json!({ "id": role, "unit": albertslund }),
        )
        .await;
        assert_eq!(
            refusal(&answer),
            ("FORBIDDEN".to_owned(), None),
            "{label}: {answer}"
        );
    })
    .await;
}

const FEED: &str = r#"{ changes(first: 100) { nodes { recordId action } } }"#;

#[tokio::test]
async fn a_record_made_private_no_longer_shows_its_past_in_the_feed() {
    on_each_backend(|app| async move {
        let label = app.label();
        let issuer = TestIssuer::start().await;
        let router = app.router_with_auth(&AuthConfig {
            issuer: Some(issuer.issuer()),
            ..AuthConfig::default()
        });
        let admin = issuer.user_token(ISHOEJ, &["admin"]);
        let created = ask(
            &router,
            Some(&admin),
            CREATE,
            json!({ "name": "Delt team" }),
        )
        .await;
        let id = created["data"]["createUnit"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let anonymous_entries = async || -> Vec<String> {
            let feed = ask(&router, None, FEED, json!({})).await;
            feed["data"]["changes"]["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|node| node["recordId"] == id.as_str())
                .map(|node| node["action"].as_str().unwrap().to_owned())
                .collect()
        };
        assert!(
            anonymous_entries().await.is_empty(),
            "{label}: private at first"
        );
        let share = r#"mutation ($id: ID!, $revision: Int!, $visibility: Visibility!) {
          setVisibility(id: $id, revision: $revision, visibility: $visibility) { revision } }"#;
        let shared = ask(
            &router,
            Some(&admin),
            share,
            json!({ "id": id, "revision": 1, "visibility": "PUBLIC" }),
        )
        .await;
        assert_eq!(
            shared["data"]["setVisibility"]["revision"], 2,
            "{label}: {shared}"
        );
        assert_eq!(anonymous_entries().await, ["SET_VISIBILITY"], "{label}");
        let renamed = ask(
            &router,
            Some(&admin),
            r#"mutation ($id: ID!) { updateUnit(id: $id, revision: 2, from: "2025-01-01",
                 changes: { name: "Delt team Syd" },
                 provenance: { source: "002", section: "Organisering" }) { revision } }"#,
            json!({ "id": id }),
        )
        .await;
        assert_eq!(
            renamed["data"]["updateUnit"]["revision"], 3,
            "{label}: {renamed}"
        );
        assert_eq!(
            anonymous_entries().await,
            ["SET_VISIBILITY", "UPDATE"],
            "{label}"
        );

        // Made private again: its past is no longer anybody's but Ishøj's; the change itself
        // still tells those who could see the record that it left their view.
        let hidden = ask(
            &router,
            Some(&admin),
            share,
            json!({ "id": id, "revision": 3, "visibility": "PRIVATE" }),
        )
        .await;
        assert_eq!(
            hidden["data"]["setVisibility"]["revision"], 4,
            "{label}: {hidden}"
        );
        assert_eq!(anonymous_entries().await, ["SET_VISIBILITY"], "{label}");
        let own = ask(&router, Some(&admin), FEED, json!({})).await;
        let own_count = own["data"]["changes"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|node| node["recordId"] == id.as_str())
            .count();
        assert_eq!(own_count, 4, "{label}: Ishøj sees every entry");
    })
    .await;
}

#[tokio::test]
async fn answers_are_never_sniffed() {
    on_each_backend(|app| async move {
        for (method, uri, body) in [
            (
                "POST",
                "/graphql",
                json!({ "query": "{ __typename }" }).to_string(),
            ),
            ("GET", "/models/183", String::new()),
            ("GET", "/no-such-route", String::new()),
            ("GET", "/healthz", String::new()),
        ] {
            let request = Request::builder()
                .method(method)
                .uri(uri)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body))
                .unwrap();
            let (_, headers, _) = app.send(request).await;
            assert_eq!(
                headers
                    .get("x-content-type-options")
                    .map(|v| v.to_str().unwrap()),
                Some("nosniff"),
                "{}: {method} {uri}",
                app.label()
            );
        }
    })
    .await;
}
