//! The response cache through the real router, with real tokens: every caller gets, byte for
//! byte, the answer the executor gives without the cache, before and after writes that change
//! who sees what (a record's visibility, a network's members); a write through one replica is
//! seen at once through another replica's cache; errors, mutations and the audit log are never
//! answered from it.

use std::sync::{
    atomic::{AtomicI64, Ordering as AtomicOrdering},
    Arc,
};

use axum::{
    body::Body,
    http::{header, Request, StatusCode},
    Router,
};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{json, Value};
use tower::ServiceExt;
use vestegn_api::{
    config::{AuthConfig, Limits},
    graphql::ids::{GlobalId, Kind},
    service::DataVersionReader,
};
use vestegn_tests::{
    editing::{ask_for_bytes, share},
    issuer::TestIssuer,
    on_each_backend, TestApp,
};

/// Høje-Taastrup: the tenant whose records are marked public, network and private.
const TENANT: i32 = 169;
/// Ishøj: shares two networks with the tenant until a platform admin takes it out of them.
const PEER: i32 = 183;

/// The status and the body's bytes of `query` with `variables` as `token`'s holder (none:
/// anonymous).
async fn answer(
    router: &Router,
    token: Option<&str>,
    query: &str,
    variables: &Value,
) -> (StatusCode, Vec<u8>) {
    let (status, _, bytes) = ask_for_bytes(router, token, query, variables).await;
    (status, bytes)
}

async fn data(router: &Router, token: Option<&str>, query: &str, variables: Value) -> Value {
    let (_, bytes) = answer(router, token, query, &variables).await;
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    assert!(body.get("errors").is_none(), "{body:#}");
    body["data"].clone()
}

/// Tokens of `issuer` are accepted.
fn signed_by(issuer: &TestIssuer) -> AuthConfig {
    AuthConfig {
        issuer: Some(issuer.issuer()),
        ..AuthConfig::default()
    }
}

/// The IDs and revisions of the first three units of the tenant, after marking them public,
/// network and private (by hand, before anything is cached: the data's version is moved on as
/// an operator who changes rows by hand must).
async fn mark_three_units(app: &TestApp) -> Vec<(String, i32)> {
    let db = &app.db;
    let rows = db
        .query_all(Statement::from_string(
            db.get_database_backend(),
            format!(
                "SELECT id FROM units WHERE municipality_code = {TENANT} AND latest ORDER BY id"
            ),
        ))
        .await
        .unwrap();
    let ids: Vec<i32> = rows.iter().map(|r| r.try_get("", "id").unwrap()).collect();
    assert!(ids.len() >= 3, "{ids:?}");
    for (id, visibility) in ids.iter().zip(["public", "network", "private"]) {
        db.execute_unprepared(&format!(
            "UPDATE units SET visibility = '{visibility}' WHERE id = {id}"
        ))
        .await
        .unwrap();
    }
    db.execute_unprepared("UPDATE data_version SET version = version + 1")
        .await
        .unwrap();
    let mut marked = Vec::new();
    for id in &ids[..3] {
        let revision: i32 = db
            .query_one(Statement::from_string(
                db.get_database_backend(),
                format!("SELECT revision FROM identities WHERE id = {id}"),
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get("", "revision")
            .unwrap();
        marked.push((Kind::Unit.id(*id).0, revision));
    }
    marked
}

/// The reads of the matrix: lists, nested lists, node lookups, the comparison and budget lines.
fn reads(units: &[(String, i32)]) -> Vec<(String, Value)> {
    let mut reads = vec![
        (
            "query Units($codes: [Int!]) { units(first: 100, filter: { municipalityCodes: $codes }) { nodes { id name } } }".to_owned(),
            json!({ "codes": [TENANT] }),
        ),
        (
            format!("{{ municipality(code: {TENANT}) {{ units {{ id name }} budgetLines {{ id }} }} }}"),
            json!({}),
        ),
        (
            format!("{{ budgetLines(first: 100, filter: {{ municipalityCodes: [{TENANT}] }}) {{ nodes {{ id }} }} }}"),
            json!({}),
        ),
        (
            format!("{{ compareMunicipalities(codes: [{TENANT}, {PEER}], asOf: \"2024-01-01\") {{ municipality {{ code }} placements {{ pathText unit {{ id }} }} staffing {{ staffRoles {{ id }} }} }} }}"),
            json!({}),
        ),
        (
            "{ networks(first: 10) { nodes { key members { code } } } }".to_owned(),
            json!({}),
        ),
    ];
    for (id, _) in units {
        reads.push((
            "query ($id: ID!) { node(id: $id) { id ... on Unit { name revision } } }".to_owned(),
            json!({ "id": id }),
        ));
    }
    reads
}

/// Asks every read as every caller through the cached router twice (a miss, then a hit) and
/// through the router without a cache; the answers must be the same bytes. The cached answers,
/// in order.
async fn compare_everything(
    cached: &Router,
    uncached: &Router,
    callers: &[(&str, Option<String>)],
    reads: &[(String, Value)],
    label: &str,
) -> Vec<Vec<u8>> {
    let mut answers = Vec::new();
    for (caller, token) in callers {
        for (query, variables) in reads {
            let plain = answer(uncached, token.as_deref(), query, variables).await;
            assert_eq!(plain.0, StatusCode::OK, "{label}: {caller}: {query}");
            for round in ["miss", "hit"] {
                let from_cache = answer(cached, token.as_deref(), query, variables).await;
                assert_eq!(
                    from_cache,
                    plain,
                    "{label}: {caller} ({round}): {query} {variables}:\n{}\n{}",
                    String::from_utf8_lossy(&from_cache.1),
                    String::from_utf8_lossy(&plain.1),
                );
            }
            answers.push(plain.1);
        }
    }
    answers
}

#[tokio::test]
async fn every_caller_gets_from_the_cache_what_the_executor_gives_before_and_after_sharing_changes()
{
    let issuer = TestIssuer::start().await;
    issuer.register_client("budgets-169", "s3cret", "budgets:read", &[TENANT]);
    issuer.register_client("budgets-183", "s3cret", "budgets:read", &[PEER]);
    on_each_backend(|app| {
        let issuer = &issuer;
        async move {
            let label = app.label();
            let units = mark_three_units(&app).await;
            let auth = signed_by(issuer);
            let cached = app.router_with(&auth, Limits::default());
            assert!(Limits::default().response_cache_mb > 0, "the cache is on by default");
            let uncached = app.router_with(
                &auth,
                Limits {
                    response_cache_mb: 0,
                    ..Limits::default()
                },
            );
            let admin = issuer.user_token(TENANT, &["admin"]);
            let platform_admin = issuer.sign(json!({ "roles": ["platform-admin"], "sub": "pia" }));
            let callers: Vec<(&str, Option<String>)> = vec![
                ("anonymous", None),
                ("viewer of the tenant", Some(issuer.user_token(TENANT, &["viewer"]))),
                ("admin of the tenant", Some(admin.clone())),
                ("viewer of a peer", Some(issuer.user_token(PEER, &["viewer"]))),
                ("viewer of no peer", Some(issuer.user_token(791, &["viewer"]))),
                ("the tenant's integration", Some(issuer.client_token("budgets-169", "s3cret").await)),
                ("a peer's integration", Some(issuer.client_token("budgets-183", "s3cret").await)),
            ];
            let reads = reads(&units);
            let before = compare_everything(&cached, &uncached, &callers, &reads, label).await;

            // Who sees what changes: the network unit becomes private, the private one public,
            // and the peer leaves every network it shares with the tenant.
            share(&cached, &admin, &json!(units[1].0), units[1].1, "PRIVATE").await;
            share(&cached, &admin, &json!(units[2].0), units[2].1, "PUBLIC").await;
            let networks = data(
                &cached,
                None,
                "{ networks(first: 10) { nodes { id revision members { code } } } }",
                json!({}),
            )
            .await;
            for network in networks["networks"]["nodes"].as_array().unwrap() {
                let members: Vec<i64> = network["members"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|m| m["code"].as_i64().unwrap())
                    .collect();
                if members.contains(&i64::from(TENANT)) && members.contains(&i64::from(PEER)) {
                    let rest: Vec<i64> =
                        members.into_iter().filter(|c| *c != i64::from(PEER)).collect();
                    data(
                        &cached,
                        Some(&platform_admin),
                        "mutation ($id: ID!, $revision: Int!, $members: [Int!]) {
                           updateNetwork(id: $id, revision: $revision, changes: { members: $members }) { revision } }",
                        json!({ "id": network["id"], "revision": network["revision"], "members": rest }),
                    )
                    .await;
                }
            }

            let after = compare_everything(&cached, &uncached, &callers, &reads, label).await;
            // The writes changed answers: a cache that kept its old answers would have failed
            // above.
            let changed = before.iter().zip(&after).filter(|(b, a)| b != a).count();
            assert!(changed >= callers.len(), "{label}: only {changed} answers changed");
        }
    })
    .await;
}

#[tokio::test]
async fn a_write_through_one_replica_is_seen_through_the_others_cache_at_once() {
    let issuer = TestIssuer::start().await;
    on_each_backend(|app| {
        let issuer = &issuer;
        async move {
            let label = app.label();
            let units = mark_three_units(&app).await;
            let auth = signed_by(issuer);
            // Two replicas: each its own state and cache, one database.
            let reader = app.router_with(&auth, Limits::default());
            let writer = app.router_with(&auth, Limits::default());
            let admin = issuer.user_token(TENANT, &["admin"]);
            let query = "query ($id: ID!) { node(id: $id) { id } }";
            let public = json!({ "id": units[0].0 });

            // A miss runs the query's statements; a hit only reads the data's version.
            let first = data(&reader, None, query, public.clone()).await;
            assert_ne!(first["node"], Value::Null, "{label}");
            let model = format!(
                "{{ municipality(code: {TENANT}) {{ units {{ id }} budgetLines {{ id }} }} }}"
            );
            app.reset_statements();
            let miss = data(&reader, None, &model, json!({})).await;
            assert!(
                app.statements() > 2,
                "{label}: {} statements",
                app.statements()
            );
            app.reset_statements();
            assert_eq!(data(&reader, None, &model, json!({})).await, miss);
            assert_eq!(app.statements(), 1, "{label}: a hit reads only the version");
            assert_eq!(data(&reader, None, query, public.clone()).await, first);

            share(&writer, &admin, &public["id"], units[0].1, "PRIVATE").await;
            let after = data(&reader, None, query, public.clone()).await;
            assert_eq!(
                after["node"],
                Value::Null,
                "{label}: stale answer from the cache"
            );

            // Errors are run again every time, as is the audit log.
            for (query, variables, token) in [
                (
                    "{ municipality(code: 183) { nosuchfield } }",
                    json!({}),
                    None,
                ),
                (
                    "query ($c: Int!) { auditLog(municipalityCode: $c, first: 1) { sequence } }",
                    json!({ "c": TENANT }),
                    Some(admin.as_str()),
                ),
            ] {
                let once = answer(&reader, token, query, &variables).await;
                app.reset_statements();
                let again = answer(&reader, token, query, &variables).await;
                assert_eq!(once, again, "{label}: {query}");
                if token.is_some() {
                    assert!(
                        app.statements() > 2,
                        "{label}: the audit log came from the cache"
                    );
                }
            }
        }
    })
    .await;
}

/// `GET`s `query` as `token`'s holder, sending `if_none_match`; the status, the `ETag` and
/// `Cache-Control` headers, and the body.
async fn get(
    router: &Router,
    token: Option<&str>,
    query: &str,
    if_none_match: Option<&str>,
) -> (StatusCode, Option<String>, Option<String>, Vec<u8>) {
    let uri = format!(
        "/graphql?query={}",
        form_urlencoded::byte_serialize(query.as_bytes()).collect::<String>()
    );
    let mut request = Request::get(uri).header(header::ACCEPT, "application/graphql-response+json");
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    if let Some(tag) = if_none_match {
        request = request.header(header::IF_NONE_MATCH, tag);
    }
    let response = router
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let header_of = |name| {
        response
            .headers()
            .get(name)
            .map(|v: &header::HeaderValue| v.to_str().unwrap().to_owned())
    };
    let (status, etag, cache_control) = (
        response.status(),
        header_of(header::ETAG),
        header_of(header::CACHE_CONTROL),
    );
    let bytes = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    (status, etag, cache_control, bytes.to_vec())
}

#[tokio::test]
async fn a_get_carries_an_entity_tag_that_a_client_revalidates_with() {
    let issuer = TestIssuer::start().await;
    on_each_backend(|app| {
        let issuer = &issuer;
        async move {
            let label = app.label();
            let units = mark_three_units(&app).await;
            let router = app.router_with_auth(&AuthConfig {
                issuer: Some(issuer.issuer()),
                ..AuthConfig::default()
            });
            let query = format!(r#"{{ node(id: "{}") {{ id }} }}"#, units[0].0);

            let (status, etag, cache_control, body) = get(&router, None, &query, None).await;
            assert_eq!(status, StatusCode::OK, "{label}");
            let etag = etag.expect("an ETag");
            assert_eq!(
                cache_control.as_deref(),
                Some("public, max-age=5"),
                "{label}"
            );
            assert!(!body.is_empty());
            // The same tag from the cache; with it, 304 and no body.
            assert_eq!(
                get(&router, None, &query, None).await.1.as_ref(),
                Some(&etag)
            );
            let (status, again, _, body) = get(&router, None, &query, Some(&etag)).await;
            assert_eq!(
                (status, again.as_ref(), body.len()),
                (StatusCode::NOT_MODIFIED, Some(&etag), 0),
                "{label}"
            );
            let (status, ..) = get(&router, None, &query, Some("\"another\"")).await;
            assert_eq!(status, StatusCode::OK, "{label}");

            // A signed-in caller's answer is its own: another tag, kept only by its client.
            let admin = issuer.user_token(TENANT, &["admin"]);
            let (status, own, cache_control, _) = get(&router, Some(&admin), &query, None).await;
            assert_eq!(status, StatusCode::OK, "{label}");
            assert_ne!(own.as_ref(), Some(&etag), "{label}");
            assert_eq!(
                cache_control.as_deref(),
                Some("private, no-cache"),
                "{label}"
            );

            // After a write the old tag no longer matches: the new answer comes whole.
            share(&router, &admin, &json!(units[0].0), units[0].1, "PRIVATE").await;
            let (status, changed, _, body) = get(&router, None, &query, Some(&etag)).await;
            assert_eq!(status, StatusCode::OK, "{label}");
            assert_ne!(changed.as_ref(), Some(&etag), "{label}");
            let body: Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(body["data"]["node"], Value::Null, "{label}");

            // An answer with an error is not to be stored anywhere.
            let (_, etag, cache_control, _) =
                get(&router, None, "{ node(id: \"nonsense\") { id } }", None).await;
            assert_eq!(
                (etag, cache_control.as_deref()),
                (None, Some("no-store")),
                "{label}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn requests_that_ask_together_share_a_read_of_the_version_that_sees_every_write_before_them()
{
    on_each_backend(|app| async move {
        let label = app.label();
        let reader = DataVersionReader::default();
        let db = &app.db;

        // Alone, a request reads at once.
        app.reset_statements();
        let first = reader.read(db).await.unwrap();
        assert_eq!(app.statements(), 1, "{label}");

        // Together: the first begins a read, and the others, which asked while it ran, share
        // the next one (a read the database answers before the next request asks may leave a
        // few more rounds).
        app.reset_statements();
        let versions = futures::future::join_all((0..64).map(|_| reader.read(db))).await;
        assert!(
            versions.iter().all(|v| v.as_ref().ok() == Some(&first)),
            "{label}"
        );
        let statements = app.statements();
        assert!(
            statements <= 8,
            "{label}: {statements} statements for 64 requests"
        );

        // Beside a writer on other tasks: no request is given a version older than a write
        // committed before it asked.
        let committed = Arc::new(AtomicI64::new(first));
        let writer = {
            let (db, committed) = (db.clone(), Arc::clone(&committed));
            tokio::spawn(async move {
                for _ in 0..40 {
                    db.execute_unprepared(
                        "UPDATE data_version SET version = version + 1 WHERE id = 1",
                    )
                    .await
                    .unwrap();
                    committed.fetch_add(1, AtomicOrdering::SeqCst);
                    tokio::task::yield_now().await;
                }
            })
        };
        let readers = (0..8).map(|_| {
            let (reader, db, committed) = (reader.clone(), db.clone(), Arc::clone(&committed));
            tokio::spawn(async move {
                let mut read = 0;
                while committed.load(AtomicOrdering::SeqCst) < first + 40 {
                    let floor = committed.load(AtomicOrdering::SeqCst);
                    let version = reader.read(&db).await.unwrap();
                    assert!(version >= floor, "{label}: read {version} after {floor}");
                    read += 1;
                }
                read
            })
        });
        let reads: Vec<usize> = futures::future::try_join_all(readers).await.unwrap();
        writer.await.unwrap();
        assert!(reads.iter().sum::<usize>() > 0, "{label}");
        assert_eq!(reader.read(db).await.unwrap(), first + 40, "{label}");
    })
    .await;
}
