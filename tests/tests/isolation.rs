//! Tenant isolation through the real router with real tokens: a schema walk that queries every
//! field reachable from every root as a foreign tenant and finds none of another tenant's private
//! records anywhere, and a matrix of callers × visibilities.

use std::collections::HashSet;

use axum::{
    body::Body,
    http::{header, Request},
    Router,
};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{json, Value};
use tower::ServiceExt;
use vestegn_api::{
    config::{AuthConfig, Limits},
    graphql::ids::{GlobalId, Kind},
};
use vestegn_tests::{issuer::TestIssuer, on_each_backend, TestApp};

/// Ishøj: every record of it is made private for the walk.
const OWNER: i32 = 183;
/// Albertslund: the foreign tenant that must see none of them.
const STRANGER: i32 = 165;

/// How many object levels the walk descends.
const WALK_DEPTH: usize = 4;

async fn post(router: &Router, token: Option<&str>, query: &str) -> Value {
    let mut request = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, "application/graphql-response+json");
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let request = request
        .body(Body::from(json!({ "query": query }).to_string()))
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let bytes = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    serde_json::from_slice(&bytes).unwrap()
}

/// Makes every record of `code` private and returns their global IDs.
async fn make_private(app: &TestApp, code: i32) -> HashSet<String> {
    let mut ids = HashSet::new();
    // Every kind of a municipality's model, from the registry: a new kind is walked too.
    for &kind in Kind::MODEL {
        let table = kind.table();
        app.db
            .execute_unprepared(&format!(
                "UPDATE {table} SET visibility = 'private' WHERE municipality_code = {code}"
            ))
            .await
            .unwrap();
        let backend = app.db.get_database_backend();
        let rows = app
            .db
            .query_all(Statement::from_string(
                backend,
                format!("SELECT id FROM {table} WHERE municipality_code = {code}"),
            ))
            .await
            .unwrap();
        for row in rows {
            let id: i32 = row.try_get("", "id").unwrap();
            ids.insert(kind.id(id).0);
        }
    }
    ids
}

/// Every `id` in a response.
fn ids_in(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value) {
                    ("id", Value::String(id)) => found.push(id.clone()),
                    _ => ids_in(value, found),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| ids_in(item, found)),
        _ => {}
    }
}

/// The schema, as the walk needs it: each type's fields with their argument and result types.
struct Schema(Value);

impl Schema {
    async fn read(router: &Router) -> Self {
        let query = r#"{ __schema { types { name kind fields { name
            args { name type { ...Ref } }
            type { ...Ref } } } } }
            fragment Ref on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }"#;
        Self(post(router, None, query).await["data"]["__schema"]["types"].clone())
    }

    fn fields(&self, type_name: &str) -> Vec<Value> {
        self.0
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == type_name)
            .and_then(|t| t["fields"].as_array().cloned())
            .unwrap_or_default()
    }

    fn kind(&self, type_name: &str) -> String {
        self.0
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == type_name)
            .map(|t| t["kind"].as_str().unwrap().to_owned())
            .unwrap_or_default()
    }

    /// A selection of every field of `type_name`, objects down to `depth` levels.
    fn selection(&self, type_name: &str, depth: usize) -> Option<String> {
        let mut parts = Vec::new();
        if self.kind(type_name) == "INTERFACE" || self.kind(type_name) == "UNION" {
            return Some("__typename ... on Node { id }".to_owned());
        }
        for field in self.fields(type_name) {
            let name = field["name"].as_str().unwrap();
            let Some(arguments) = arguments(&field) else {
                continue;
            };
            let inner = named(&field["type"]);
            match self.kind(&inner).as_str() {
                "SCALAR" | "ENUM" => parts.push(format!("{name}{arguments}")),
                _ if depth == 0 => {}
                _ => {
                    if let Some(below) = self.selection(&inner, depth - 1) {
                        parts.push(format!("{name}{arguments} {{ {below} }}"));
                    }
                }
            }
        }
        (!parts.is_empty()).then(|| parts.join(" "))
    }
}

/// The innermost named type.
fn named(ty: &Value) -> String {
    match ty["name"].as_str() {
        Some(name) => name.to_owned(),
        None => named(&ty["ofType"]),
    }
}

/// Arguments for a field: required ones filled in, `first` as large as allowed; `None` for
/// fields the walk cannot call (`node(id:)` is checked separately).
fn arguments(field: &Value) -> Option<String> {
    let mut given = Vec::new();
    for arg in field["args"].as_array().unwrap() {
        let name = arg["name"].as_str().unwrap();
        let required = arg["type"]["kind"] == "NON_NULL";
        let value = match name {
            "first" => "100",
            "code" => "183",
            "codes" => "[183, 165, 169, 187]",
            "asOf" if required => "\"2023-06-01\"",
            _ if required => return None,
            _ => continue,
        };
        given.push(format!("{name}: {value}"));
    }
    Some(if given.is_empty() {
        String::new()
    } else {
        format!("({})", given.join(", "))
    })
}

#[tokio::test]
async fn a_walk_over_every_field_shows_a_foreign_tenant_no_private_record() {
    let issuer = TestIssuer::start().await;
    on_each_backend(|app| {
        let issuer = &issuer;
        async move {
            let private = make_private(&app, OWNER).await;
            assert!(
                private.len() > 50,
                "the owner has records: {}",
                private.len()
            );
            let limits = Limits {
                max_depth: 64,
                max_fields: 1_000_000,
                max_aliases: 1_000,
                max_complexity: u64::MAX,
                // The walk's queries are as costly as queries get: no budget would hold them.
                rate_limit_points_per_minute: 0,
                ..Limits::default()
            };
            let auth = AuthConfig {
                issuer: Some(issuer.issuer()),
                ..AuthConfig::default()
            };
            let router = app.router_with(&auth, limits);
            let schema = Schema::read(&router).await;
            let stranger = issuer.user_token(STRANGER, &["admin"]);
            let owner = issuer.user_token(OWNER, &["viewer"]);

            let (mut queries, mut seen_by_owner) = (0, HashSet::new());
            for field in schema.fields("Query") {
                let name = field["name"].as_str().unwrap();
                let Some(arguments) = arguments(&field) else {
                    continue;
                };
                let Some(selection) = schema.selection(&named(&field["type"]), WALK_DEPTH) else {
                    continue;
                };
                let query = format!("{{ {name}{arguments} {{ {selection} }} }}");
                queries += 1;
                for (caller, token) in [("stranger", Some(&stranger)), ("anonymous", None)] {
                    let body = post(&router, token.map(String::as_str), &query).await;
                    let mut found = Vec::new();
                    ids_in(&body["data"], &mut found);
                    let leaked: Vec<&String> =
                        found.iter().filter(|id| private.contains(*id)).collect();
                    assert!(
                        leaked.is_empty(),
                        "{}: {caller} sees {} private records of {OWNER} through {name}",
                        app.label(),
                        leaked.len()
                    );
                    let text = body.to_string();
                    assert!(
                        !text.contains("Anne-Mette Palm"),
                        "{caller}: {name} leaks a contact's name"
                    );
                }
                let body = post(&router, Some(&owner), &query).await;
                let mut found = Vec::new();
                ids_in(&body["data"], &mut found);
                seen_by_owner.extend(found.into_iter().filter(|id| private.contains(id)));
            }
            assert!(queries >= 10, "{queries} root fields walked");
            // The walk reaches the private records: the owner sees them through it.
            assert!(
                seen_by_owner.len() * 10 >= private.len() * 9,
                "the owner's walk found {} of {} private records",
                seen_by_owner.len(),
                private.len()
            );

            // And no private record answers to its ID.
            for id in &private {
                let query = format!(r#"{{ node(id: "{id}") {{ id }} }}"#);
                let body = post(&router, Some(&stranger), &query).await;
                assert_eq!(body["data"]["node"], Value::Null, "{id}");
            }
            // Counting is filtered too.
            let body = post(
                &router,
                Some(&stranger),
                "{ units(filter: { municipalityCodes: [183] }) { totalCount } }",
            )
            .await;
            assert_eq!(body["data"]["units"]["totalCount"], 0);
        }
    })
    .await;
}

/// Which of a public, a network and a private record a caller sees.
type Sees = [bool; 3];

/// Høje-Taastrup: the tenant whose records the matrix marks.
const TENANT: i32 = 169;

/// Marks the first three rows of `table` of [`TENANT`] public, network and private; their IDs.
async fn mark_three(app: &TestApp, table: &str, kind: Kind) -> [String; 3] {
    let backend = app.db.get_database_backend();
    let rows = app
        .db
        .query_all(Statement::from_string(
            backend,
            format!("SELECT id FROM {table} WHERE municipality_code = {TENANT} ORDER BY id"),
        ))
        .await
        .unwrap();
    let ids: Vec<i32> = rows
        .iter()
        .map(|row| row.try_get("", "id").unwrap())
        .collect();
    assert!(ids.len() >= 3, "{table} of {TENANT}: {ids:?}");
    for (id, visibility) in ids.iter().zip(["public", "network", "private"]) {
        app.db
            .execute_unprepared(&format!(
                "UPDATE {table} SET visibility = '{visibility}' WHERE id = {id}"
            ))
            .await
            .unwrap();
    }
    [kind.id(ids[0]).0, kind.id(ids[1]).0, kind.id(ids[2]).0]
}

#[tokio::test]
async fn each_caller_sees_exactly_what_the_visibility_rules_allow() {
    let issuer = TestIssuer::start().await;
    issuer.register_client("budgets-169", "s3cret", "budgets:read", &[TENANT]);
    issuer.register_client("budgets-183", "s3cret", "budgets:read", &[183]);
    issuer.register_client("no-scope-169", "s3cret", "profile", &[TENANT]);
    on_each_backend(|app| {
        let issuer = &issuer;
        async move {
            let units = mark_three(&app, "units", Kind::Unit).await;
            let budget = mark_three(&app, "budget_lines", Kind::BudgetLine).await;
            let auth = AuthConfig {
                issuer: Some(issuer.issuer()),
                ..AuthConfig::default()
            };
            let router = app.router_with_auth(&auth);
            let client =
                |id: &'static str| async move { Some(issuer.client_token(id, "s3cret").await) };
            // (caller, token, which of public/network/private units it sees, and budget lines)
            let all = [true, true, true];
            let shared = [true, true, false];
            let public = [true, false, false];
            let callers: Vec<(&str, Option<String>, Sees, Sees)> = vec![
                ("anonymous", None, public, public),
                ("viewer of the tenant", Some(issuer.user_token(TENANT, &["viewer"])), all, all),
                ("editor of the tenant", Some(issuer.user_token(TENANT, &["editor"])), all, all),
                ("admin of the tenant", Some(issuer.user_token(TENANT, &["admin"])), all, all),
                ("member of a shared network", Some(issuer.user_token(183, &["viewer"])), shared, shared),
                ("member of no shared network", Some(issuer.user_token(791, &["admin"])), public, public),
                ("integration with budgets:read", client("budgets-169").await, public, all),
                ("integration without the scope", client("no-scope-169").await, public, public),
                ("another tenant's integration", client("budgets-183").await, public, public),
            ];
            let paths = [
                ("units", format!("{{ units(first: 100, filter: {{ municipalityCodes: [{TENANT}] }}) {{ nodes {{ id }} }} }}")),
                ("municipality.units", format!("{{ municipality(code: {TENANT}) {{ units {{ id }} }} }}")),
                ("budgetLines", format!("{{ budgetLines(first: 100, filter: {{ municipalityCodes: [{TENANT}] }}) {{ nodes {{ id }} }} }}")),
                ("municipality.budgetLines", format!("{{ municipality(code: {TENANT}) {{ budgetLines {{ id }} }} }}")),
                ("unit.budgetLines", format!("{{ units(first: 100, filter: {{ municipalityCodes: [{TENANT}] }}) {{ nodes {{ budgetLines {{ id }} }} }} }}")),
            ];
            for (caller, token, sees_units, sees_budget) in &callers {
                for (path, query) in &paths {
                    let body = post(&router, token.as_deref(), query).await;
                    assert!(body.get("errors").is_none(), "{caller} / {path}: {body}");
                    let mut found = Vec::new();
                    ids_in(&body["data"], &mut found);
                    let (marked, expected) = if path.contains("budget") { (&budget, sees_budget) } else { (&units, sees_units) };
                    let seen: Vec<bool> = marked.iter().map(|id| found.contains(id)).collect();
                    if *path == "unit.budgetLines" {
                        // Only lines under units the caller sees are reached; none beyond the rule.
                        for (seen, allowed) in seen.iter().zip(expected) {
                            assert!(!seen || *allowed, "{}: {caller} / {path}: {seen:?}", app.label());
                        }
                    } else {
                        assert_eq!(seen, expected.to_vec(), "{}: {caller} / {path}", app.label());
                    }
                }
                for (id, allowed) in units.iter().zip(sees_units).chain(budget.iter().zip(sees_budget)) {
                    let body = post(&router, token.as_deref(), &format!(r#"{{ node(id: "{id}") {{ id }} }}"#)).await;
                    assert_eq!(body["data"]["node"] != Value::Null, *allowed, "{}: {caller} / node({id})", app.label());
                }
            }
        }
    })
    .await;
}
