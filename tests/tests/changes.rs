//! The change feed (`changes(after:, first:)`) through the real router with real tokens: every
//! committed write in commit order, each caller seeing the changes of the records it may see,
//! nothing of a rolled-back request, paging by cursor, nothing lost or reordered when the server
//! is started anew over the same database, and none skipped by a reader following the feed while
//! writers commit in parallel.

use std::collections::BTreeSet;

use axum::Router;
use serde_json::{json, Value};
use vestegn_api::config::{AuthConfig, Limits};
use vestegn_tests::{
    editing::{ask, ALBERTSLUND, ISHOEJ},
    issuer::TestIssuer,
    on_each_backend, TestApp,
};

const VIBORG: i32 = 791;

/// The data of an answer that must have no errors.
fn data(answer: Value, label: &str) -> Value {
    assert!(answer.get("errors").is_none(), "{label}: {answer:#}");
    answer["data"].clone()
}

const FEED: &str = r#"query ($after: String, $first: Int) {
  changes(after: $after, first: $first) {
    pageInfo { hasNextPage endCursor }
    edges { cursor node {
      recordId recordType municipalityCode action revision effectiveFrom recordedAt
      record { id ... on Unit { name } ... on BudgetLine { amount } }
    } }
  }
}"#;

/// One entry of the feed, as the tests compare them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Entry {
    record: String,
    action: String,
    revision: i64,
}

/// Reads the whole feed from `after` on, a page of `first` at a time: the entries, the page
/// cursors seen, and the last cursor (the one to go on from).
async fn follow(
    router: &Router,
    token: Option<&str>,
    mut after: Option<String>,
    first: i64,
) -> (Vec<Value>, Option<String>) {
    let mut entries = Vec::new();
    loop {
        let page = data(
            ask(
                router,
                token,
                FEED,
                json!({ "after": after, "first": first }),
            )
            .await,
            "feed",
        );
        let changes = &page["changes"];
        for edge in changes["edges"].as_array().unwrap() {
            entries.push(edge.clone());
        }
        if let Some(end) = changes["pageInfo"]["endCursor"].as_str() {
            after = Some(end.to_owned());
        }
        if changes["pageInfo"]["hasNextPage"] != true {
            return (entries, after);
        }
    }
}

fn entry(edge: &Value) -> Entry {
    let node = &edge["node"];
    Entry {
        record: node["recordId"].as_str().unwrap().to_owned(),
        action: node["action"].as_str().unwrap().to_owned(),
        revision: node["revision"].as_i64().unwrap(),
    }
}

struct Callers {
    router: Router,
    issuer: TestIssuer,
    editor: String,
    admin: String,
}

async fn callers(app: &TestApp) -> Callers {
    let issuer = TestIssuer::start().await;
    let router = router_for(app, &issuer);
    Callers {
        router,
        editor: issuer.user_token(ISHOEJ, &["editor"]),
        admin: issuer.user_token(ISHOEJ, &["admin"]),
        issuer,
    }
}

/// A new instance of the server over the app's database (as after a restart), checking tokens of
/// `issuer`; without the per-caller rate limit, which a reader polling in a loop would reach.
fn router_for(app: &TestApp, issuer: &TestIssuer) -> Router {
    let auth = AuthConfig {
        issuer: Some(issuer.issuer()),
        ..AuthConfig::default()
    };
    let limits = Limits {
        rate_limit_points_per_minute: 0,
        ..Limits::default()
    };
    app.router_with(&auth, limits)
}

const CREATE_UNIT: &str = r#"mutation ($name: String!) {
  createUnit(input: { municipalityCode: 183, name: $name, kind: "team", validFrom: "2024-01-01",
                      provenance: { source: "002", section: "Organisering" } }) { id revision }
}"#;

/// Creates an Ishøj unit as `token`'s editor; its ID.
async fn create_unit(router: &Router, token: &str, name: &str) -> String {
    let created = data(
        ask(router, Some(token), CREATE_UNIT, json!({ "name": name })).await,
        "create",
    );
    created["createUnit"]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_feed_lists_committed_writes_in_order_for_those_who_may_see_them() {
    on_each_backend(|app| async move {
        let c = callers(&app).await;
        let label = app.label();
        let (router, editor) = (&c.router, Some(c.editor.as_str()));

        // The seed dataset is not a change: the feed starts empty.
        let (empty, cursor) = follow(router, editor, None, 10).await;
        assert!(empty.is_empty(), "{label}: {empty:?}");
        assert_eq!(cursor, None);

        // An editor creates a unit, renames it from 2025, and adds a budget line to it.
        let unit = create_unit(router, &c.editor, "Feedteam").await;
        let renamed = ask(
            router,
            editor,
            r#"mutation ($id: ID!) { updateUnit(id: $id, revision: 1, from: "2025-03-01",
                 changes: { name: "Feedteam Syd" }, provenance: { source: "002", section: "Bilag" }) { id } }"#,
            json!({ "id": unit }),
        )
        .await;
        data(renamed, label);
        let line = data(
            ask(
                router,
                editor,
                r#"mutation ($unit: ID!) { createBudgetLine(input: { municipalityCode: 183, unitId: $unit, year: 2025,
                     category: SALARIES, phase: ADOPTED, amount: "1250000.50", description: "Løn",
                     validFrom: "2025-01-01", provenance: { source: "002", section: "Budget" } }) { id } }"#,
                json!({ "unit": unit }),
            )
            .await,
            label,
        )["createBudgetLine"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        // A request whose second mutation fails leaves nothing in the feed either.
        let failed = ask(
            router,
            editor,
            r#"mutation { a: createUnit(input: { municipalityCode: 183, name: "Rolled back", kind: "team",
                 validFrom: "2024-01-01", provenance: { source: "002", section: "x" } }) { id }
               b: createUnit(input: { municipalityCode: 183, name: "", kind: "team",
                 validFrom: "2024-01-01", provenance: { source: "002", section: "x" } }) { id } }"#,
            json!({}),
        )
        .await;
        assert_eq!(failed["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{failed}");
        // The admin shares the unit with the network.
        data(
            ask(
                router,
                Some(&c.admin),
                r#"mutation ($id: ID!) { setVisibility(id: $id, revision: 2, visibility: NETWORK) { revision } }"#,
                json!({ "id": unit }),
            )
            .await,
            label,
        );

        // Ishøj's own users see every change, oldest first, with the record as it is now.
        let (all, _) = follow(router, editor, None, 100).await;
        let expected = [
            (&unit, "CREATE", 1, Some("2024-01-01")),
            (&unit, "UPDATE", 2, Some("2025-03-01")),
            (&line, "CREATE", 1, Some("2025-01-01")),
            (&unit, "SET_VISIBILITY", 3, None),
        ];
        assert_eq!(all.len(), expected.len(), "{label}: {all:#?}");
        for (edge, (id, action, revision, from)) in all.iter().zip(expected) {
            let node = &edge["node"];
            assert_eq!(node["recordId"], id.as_str(), "{label}: {edge}");
            assert_eq!(node["action"], action, "{label}: {edge}");
            assert_eq!(node["revision"], revision, "{label}: {edge}");
            assert_eq!(node["effectiveFrom"], json!(from), "{label}: {edge}");
            assert_eq!(node["municipalityCode"], ISHOEJ);
            assert!(node["recordedAt"].as_str().unwrap().contains('T'));
        }
        assert_eq!(all[0]["node"]["recordType"], "Unit");
        assert_eq!(all[0]["node"]["record"]["name"], "Feedteam Syd", "the latest version");
        assert_eq!(all[2]["node"]["recordType"], "BudgetLine");
        assert_eq!(all[2]["node"]["record"]["amount"], "1250000.50");

        // Paging: two at a time gives the same entries, each once, in the same order.
        let (paged, last) = follow(router, editor, None, 2).await;
        assert_eq!(
            paged.iter().map(entry).collect::<Vec<_>>(),
            all.iter().map(entry).collect::<Vec<_>>()
        );
        // From the last cursor there is nothing new (the cursor is kept while the feed is quiet).
        let (nothing, same) = follow(router, editor, last.clone(), 2).await;
        assert!(nothing.is_empty());
        assert_eq!(same, last);

        // Albertslund (in a network with Ishøj) sees the unit's changes only from when it was
        // shared; Viborg (in no network with Ishøj) and anonymous callers see none of them.
        let peer = c.issuer.user_token(ALBERTSLUND, &["viewer"]);
        let (seen, _) = follow(router, Some(&peer), None, 100).await;
        let seen: Vec<Entry> = seen.iter().map(entry).collect();
        assert_eq!(
            seen,
            vec![Entry {
                record: unit.clone(),
                action: "SET_VISIBILITY".to_owned(),
                revision: 3
            }],
            "{label}"
        );
        let stranger = c.issuer.user_token(VIBORG, &["viewer"]);
        assert!(follow(router, Some(&stranger), None, 100).await.0.is_empty());
        assert!(follow(router, None, None, 100).await.0.is_empty());

        // A budget integration granted Ishøj follows its budget lines, whatever their visibility,
        // and nothing else; one granted another municipality sees none of them.
        c.issuer
            .register_client("budget-sync", "s3cret", "budgets:read", &[ISHOEJ]);
        c.issuer
            .register_client("other-sync", "s3cret", "budgets:read", &[ALBERTSLUND]);
        let client = c.issuer.client_token("budget-sync", "s3cret").await;
        let (budget, _) = follow(router, Some(&client), None, 100).await;
        assert_eq!(
            budget.iter().map(entry).collect::<Vec<_>>(),
            vec![Entry {
                record: line.clone(),
                action: "CREATE".to_owned(),
                revision: 1
            }],
            "{label}"
        );
        let other = c.issuer.client_token("other-sync", "s3cret").await;
        assert!(follow(router, Some(&other), None, 100).await.0.is_empty());

        // A deleted record stays in the feed, its deletion last; the record itself is gone.
        data(
            ask(
                router,
                editor,
                r#"mutation ($id: ID!) { deleteRecord(id: $id, revision: 1) { id } }"#,
                json!({ "id": line }),
            )
            .await,
            label,
        );
        let (after_delete, _) = follow(router, Some(&client), last.clone(), 100).await;
        assert_eq!(after_delete.len(), 1, "{label}: {after_delete:#?}");
        assert_eq!(after_delete[0]["node"]["action"], "DELETE");
        assert_eq!(after_delete[0]["node"]["record"], Value::Null);
    })
    .await;
}

#[tokio::test]
async fn the_feed_survives_a_restart_and_refuses_bad_cursors() {
    on_each_backend(|app| async move {
        let c = callers(&app).await;
        let label = app.label();
        create_unit(&c.router, &c.editor, "Før genstart 1").await;
        create_unit(&c.router, &c.editor, "Før genstart 2").await;
        let (before, cursor) = follow(&c.router, Some(&c.editor), None, 100).await;
        assert_eq!(before.len(), 2, "{label}");

        // A new server over the same database: the same feed, and the stored cursor goes on.
        drop(c.router);
        let restarted = router_for(&app, &c.issuer);
        let (again, _) = follow(&restarted, Some(&c.editor), None, 100).await;
        assert_eq!(
            again, before,
            "{label}: the same entries, cursors and order"
        );
        create_unit(&restarted, &c.editor, "Efter genstart").await;
        let (new, _) = follow(&restarted, Some(&c.editor), cursor, 100).await;
        assert_eq!(new.len(), 1, "{label}: {new:#?}");
        assert_eq!(new[0]["node"]["record"]["name"], "Efter genstart");

        // A cursor of another list, a forged cursor, and pages out of range are refused.
        let units = data(
            ask(
                &restarted,
                Some(&c.editor),
                "{ units(first: 1) { pageInfo { endCursor } } }",
                json!({}),
            )
            .await,
            label,
        );
        let foreign = units["units"]["pageInfo"]["endCursor"].clone();
        for (after, first, field) in [
            (foreign, json!(10), "after"),
            (json!("not-a-cursor"), json!(10), "after"),
            (Value::Null, json!(101), "first"),
            (Value::Null, json!(-1), "first"),
        ] {
            let refused = ask(
                &restarted,
                Some(&c.editor),
                FEED,
                json!({ "after": after, "first": first }),
            )
            .await;
            let extensions = &refused["errors"][0]["extensions"];
            assert_eq!(extensions["code"], "BAD_USER_INPUT", "{label}: {refused}");
            assert_eq!(extensions["field"], field, "{label}: {refused}");
        }
    })
    .await;
}

/// Writers commit in parallel while a reader follows the feed: the reader sees every committed
/// change exactly once, in the order of the whole feed read afterwards (a feed numbered when
/// written but committed in another order would let the reader step over a late commit).
#[tokio::test]
async fn a_reader_following_the_feed_during_parallel_writes_misses_nothing() {
    on_each_backend(|app| async move {
        let c = callers(&app).await;
        let label = app.label();
        const WRITERS: usize = 6;
        const WRITES: usize = 10;
        let writers: Vec<_> = (0..WRITERS)
            .map(|writer| {
                let (router, token) = (c.router.clone(), c.editor.clone());
                tokio::spawn(async move {
                    for write in 0..WRITES {
                        create_unit(&router, &token, &format!("Team {writer}-{write}")).await;
                    }
                })
            })
            .collect();
        let reader = {
            let (router, token) = (c.router.clone(), c.editor.clone());
            tokio::spawn(async move {
                let mut cursor = None;
                let mut seen = Vec::new();
                while seen.len() < WRITERS * WRITES {
                    let (entries, next) = follow(&router, Some(&token), cursor, 3).await;
                    seen.extend(entries.iter().map(entry));
                    cursor = next;
                    tokio::task::yield_now().await;
                }
                seen
            })
        };
        for writer in writers {
            writer.await.unwrap();
        }
        let followed = tokio::time::timeout(std::time::Duration::from_secs(60), reader)
            .await
            .expect("the reader reaches every change")
            .unwrap();
        let (whole, _) = follow(&c.router, Some(&c.editor), None, 100).await;
        let whole: Vec<Entry> = whole.iter().map(entry).collect();
        assert_eq!(whole.len(), WRITERS * WRITES, "{label}");
        assert_eq!(
            followed, whole,
            "{label}: followed = the whole feed, in order"
        );
        let distinct: BTreeSet<&Entry> = whole.iter().collect();
        assert_eq!(distinct.len(), whole.len(), "{label}: each change once");
    })
    .await;
}

/// The same, step by step: while a writer's transaction holds an entry uncommitted, a second
/// writer cannot commit a later entry past it (it waits for its turn), so no reader sees the
/// later entry first and steps over the earlier one with its cursor.
#[tokio::test]
async fn a_later_write_is_never_committed_before_an_earlier_one() {
    use std::time::Duration;
    use vestegn_api::service::{Caller, NewUnit, NewVersion, Origin, Principal, Role, Store};

    on_each_backend(|app| async move {
        let label = app.label();
        let caller = Caller::for_municipality(&app.db, ISHOEJ)
            .await
            .unwrap()
            .unwrap();
        let principal = Principal::User {
            subject: "anne".to_owned(),
            municipality: Some(ISHOEJ),
            roles: vec![Role::Editor],
        };
        let store = Store::for_principal(app.db.clone(), caller, principal);
        let unit = |name: &str| NewUnit {
            municipality_code: ISHOEJ,
            name: name.to_owned(),
            kind: "team".to_owned(),
            parent_id: None,
            committee_id: None,
            archetype: None,
            archetype_note: None,
            hosts_crime_prevention: false,
            version: NewVersion {
                valid_from: chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
                valid_to: None,
                origin: Origin {
                    source: "002".to_owned(),
                    section: "Organisering".to_owned(),
                    note: None,
                },
            },
        };
        let feed = |store: Store| async move {
            let request = vestegn_api::service::PageRequest {
                first: 100,
                after: None,
            };
            store.changes(request).await.unwrap().rows
        };

        let first = store.begin().await.unwrap();
        first.create_unit(unit("Først"), "input").await.unwrap();
        let second = {
            let store = store.clone();
            let unit = unit("Dernæst");
            tokio::spawn(async move {
                let second = store.begin().await.unwrap();
                second.create_unit(unit, "input").await.unwrap();
                second.commit().await.unwrap();
            })
        };
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(
            feed(store.clone()).await.is_empty(),
            "{label}: nothing is in the feed while the first writer has not committed"
        );
        assert!(!second.is_finished(), "{label}: the second writer waits");
        first.commit().await.unwrap();
        second.await.unwrap();
        let entries = feed(store.clone()).await;
        assert_eq!(entries.len(), 2, "{label}");
        assert!(entries[0].sequence < entries[1].sequence);
    })
    .await;
}
