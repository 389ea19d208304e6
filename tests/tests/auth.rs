//! Bearer tokens through the real router, checked against an OpenID provider of the test's own
//! over real HTTP (discovery, JWKS, client credentials): who gets in, who sees what, and every
//! bad token refused with 401.

use axum::{
    body::Body,
    http::{header, Request, StatusCode},
    Router,
};
use jsonwebtoken::{Algorithm, Header};
use sea_orm::ConnectionTrait;
use serde_json::{json, Value};
use tower::ServiceExt;
use vestegn_api::config::{AuthConfig, Limits, Secret};
use vestegn_tests::{
    issuer::{TestIssuer, TestKey},
    on_each_backend, TestApp,
};

/// Posts `query` with an `Authorization` header value (none when `None`).
async fn ask(
    router: &Router,
    authorization: Option<&str>,
    query: &str,
) -> (StatusCode, Value, String) {
    let mut request = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, "application/graphql-response+json");
    if let Some(value) = authorization {
        request = request.header(header::AUTHORIZATION, value);
    }
    let request = request
        .body(Body::from(json!({ "query": query }).to_string()))
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let challenge = response
        .headers()
        .get(header::WWW_AUTHENTICATE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let bytes = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap(), challenge)
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

async fn router_for(app: &TestApp, issuer: &TestIssuer) -> Router {
    app.router_with_auth(&AuthConfig {
        issuer: Some(issuer.issuer()),
        ..AuthConfig::default()
    })
}

const CONTACTS_OF_ISHOEJ: &str = "{ municipality(code: 183) { contacts { name } } }";

fn count(data: &Value, list: &str) -> usize {
    data.pointer(list)
        .and_then(Value::as_array)
        .map_or(0, Vec::len)
}

#[tokio::test]
async fn users_see_their_own_private_records_and_no_one_elses() {
    let issuer = TestIssuer::start().await;
    on_each_backend(|app| {
        let issuer = &issuer;
        async move {
            let router = router_for(&app, issuer).await;
            let seen = |token: Option<String>| {
                let router = router.clone();
                async move {
                    let (status, body, _) =
                        ask(&router, token.as_deref(), CONTACTS_OF_ISHOEJ).await;
                    assert_eq!(status, StatusCode::OK, "{body}");
                    count(&body, "/data/municipality/contacts")
                }
            };
            let own = seen(Some(bearer(&issuer.user_token(183, &["viewer"])))).await;
            assert!(own >= 5, "Ishøj's viewer sees its contacts: {own}");
            assert_eq!(seen(Some(bearer(&issuer.user_token(183, &["editor"])))).await, own);
            assert_eq!(seen(None).await, 0, "anonymous");
            assert_eq!(seen(Some(bearer(&issuer.user_token(165, &["admin"])))).await, 0, "another tenant's admin");
            assert_eq!(seen(Some(bearer(&issuer.user_token(183, &["auditor"])))).await, 0, "no role of ours: denied by default");
            // Zero-padded codes as strings, and Keycloak's dotted roles claim.
            let keycloak_style = app.router_with_auth(&AuthConfig {
                issuer: Some(issuer.issuer()),
                roles_claim: "realm_access.roles".into(),
                ..AuthConfig::default()
            });
            let token = issuer.sign(json!({ "municipality": "0183", "realm_access": { "roles": ["viewer", "offline_access"] } }));
            let (_, body, _) = ask(&keycloak_style, Some(&bearer(&token)), CONTACTS_OF_ISHOEJ).await;
            assert_eq!(count(&body, "/data/municipality/contacts"), own, "{body}");
        }
    })
    .await;
}

#[tokio::test]
async fn integrations_read_budget_lines_of_their_municipalities_only() {
    let issuer = TestIssuer::start().await;
    issuer.register_client("budget-sync", "s3cret", "budgets:read", &[169]);
    issuer.register_client("no-scope", "s3cret", "profile", &[169]);
    on_each_backend(|app| {
        let issuer = &issuer;
        async move {
            // Høje-Taastrup's budget lines become private: only Høje-Taastrup and its integration
            // may read them.
            app.db
                .execute_unprepared("UPDATE budget_lines SET visibility = 'private' WHERE municipality_code = 169")
                .await
                .unwrap();
            let router = router_for(&app, issuer).await;
            let client_token =
                |id: &'static str| async move { bearer(&issuer.client_token(id, "s3cret").await) };
            let query = "{ budgetLines(filter: { municipalityCodes: [169] }) { totalCount } municipality(code: 183) { contacts { name } } }";
            let total = |body: &Value| body["data"]["budgetLines"]["totalCount"].as_u64().unwrap();

            let (_, body, _) = ask(&router, Some(&client_token("budget-sync").await), query).await;
            assert!(total(&body) > 0, "{body}");
            assert_eq!(count(&body, "/data/municipality/contacts"), 0, "nothing else private: {body}");
            let (_, owner, _) = ask(&router, Some(&bearer(&issuer.user_token(169, &["viewer"]))), query).await;
            assert_eq!(total(&owner), total(&body), "the integration sees what the owner sees");

            for (who, token) in [
                ("anonymous", None),
                ("a client without the scope", Some(client_token("no-scope").await)),
                ("a user of another municipality", Some(bearer(&issuer.user_token(183, &["admin"])))),
            ] {
                let (_, body, _) = ask(&router, token.as_deref(), query).await;
                assert_eq!(total(&body), 0, "{who}: {body}");
            }
        }
    })
    .await;
}

#[tokio::test]
async fn bad_tokens_are_refused_with_401() {
    let issuer = TestIssuer::start().await;
    on_each_backend(|app| {
        let issuer = &issuer;
        async move {
            let router = router_for(&app, issuer).await;
            let now = jsonwebtoken::get_current_timestamp();
            let valid = issuer.user_token(183, &["viewer"]);
            let tampered = {
                let parts: Vec<&str> = valid.split('.').collect();
                let payload = base64_url(&json!({ "iss": issuer.issuer(), "aud": TestIssuer::AUDIENCE, "exp": now + 300, "municipality": 165, "roles": ["admin"] }));
                format!("{}.{payload}.{}", parts[0], parts[2])
            };
            let hs256_with_public_key = {
                let mut header = Header::new(Algorithm::HS256);
                header.kid = Some("key-1".into());
                issuer.sign_with(header, TestKey::Current, json!({ "municipality": 183, "roles": ["viewer"] }))
            };
            let unknown_kid = {
                let mut header = Header::new(Algorithm::RS256);
                header.kid = Some("key-3".into());
                issuer.sign_with(header, TestKey::Unpublished, json!({ "municipality": 183, "roles": ["viewer"] }))
            };
            let cases: Vec<(&str, String)> = vec![
                ("expired", bearer(&issuer.sign(json!({ "exp": now - 3600, "roles": ["viewer"] })))),
                ("not yet valid", bearer(&issuer.sign(json!({ "nbf": now + 3600, "roles": ["viewer"] })))),
                ("issued in the future", bearer(&issuer.sign(json!({ "iat": now + 3600, "roles": ["viewer"] })))),
                ("wrong audience", bearer(&issuer.sign(json!({ "aud": "another-api" })))),
                ("wrong issuer", bearer(&issuer.sign(json!({ "iss": "https://evil.example" })))),
                ("no exp", bearer(&issuer.sign(json!({ "exp": null })))),
                ("tampered payload", bearer(&tampered)),
                ("alg none", bearer(&issuer.unsigned(json!({ "roles": ["viewer"] })))),
                ("HS256 signed with the public key", bearer(&hs256_with_public_key)),
                ("unknown kid", bearer(&unknown_kid)),
                ("garbage", bearer("not-a-token")),
                ("no scheme", valid.clone()),
                ("Basic scheme", format!("Basic {valid}")),
                ("empty bearer", "Bearer ".to_owned()),
            ];
            for (what, authorization) in cases {
                let (status, body, challenge) = ask(&router, Some(&authorization), CONTACTS_OF_ISHOEJ).await;
                assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}: {body}");
                assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "{what}");
                assert!(body.get("data").is_none(), "{what}: {body}");
                assert!(challenge.starts_with("Bearer error="), "{what}: {challenge:?}");
            }
            // The valid token itself is fine.
            let (status, _, _) = ask(&router, Some(&bearer(&valid)), CONTACTS_OF_ISHOEJ).await;
            assert_eq!(status, StatusCode::OK);
        }
    })
    .await;
}

#[tokio::test]
async fn keys_rotate_without_a_restart_and_unknown_kids_do_not_hammer_the_provider() {
    let issuer = TestIssuer::start().await;
    on_each_backend(|app| {
        let issuer = &issuer;
        async move {
            let router = router_for(&app, issuer).await;
            let before = issuer.jwks_fetches();
            let (status, _, _) = ask(
                &router,
                Some(&bearer(&issuer.user_token(183, &["viewer"]))),
                CONTACTS_OF_ISHOEJ,
            )
            .await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(
                issuer.jwks_fetches(),
                before + 1,
                "fetched once, then cached"
            );
            let (status, _, _) = ask(
                &router,
                Some(&bearer(&issuer.user_token(183, &["viewer"]))),
                CONTACTS_OF_ISHOEJ,
            )
            .await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(issuer.jwks_fetches(), before + 1, "cached");

            // Tokens naming keys nobody published: refused, and at most one fetch per interval.
            for _ in 0..5 {
                let mut header = Header::new(Algorithm::RS256);
                header.kid = Some("key-3".into());
                let token =
                    issuer.sign_with(header, TestKey::Unpublished, json!({ "roles": ["viewer"] }));
                let (status, _, _) = ask(&router, Some(&bearer(&token)), CONTACTS_OF_ISHOEJ).await;
                assert_eq!(status, StatusCode::UNAUTHORIZED);
            }
            assert!(
                issuer.jwks_fetches() <= before + 2,
                "{} fetches",
                issuer.jwks_fetches() - before
            );
        }
    })
    .await;

    // A rotated key is picked up on first sight, with no restart (with no refetch interval, so
    // that the test need not wait one out).
    on_each_backend(|app| {
        let issuer = &issuer;
        async move {
            let router = app.router_with_auth(&AuthConfig {
                issuer: Some(issuer.issuer()),
                jwks_min_refetch_secs: 0,
                ..AuthConfig::default()
            });
            let (status, _, _) = ask(
                &router,
                Some(&bearer(&issuer.user_token(183, &["viewer"]))),
                CONTACTS_OF_ISHOEJ,
            )
            .await;
            assert_eq!(status, StatusCode::OK);
            issuer.rotate();
            let token = issuer.user_token(183, &["viewer"]);
            let (status, body, _) = ask(&router, Some(&bearer(&token)), CONTACTS_OF_ISHOEJ).await;
            assert_eq!(status, StatusCode::OK, "the new key is fetched: {body}");
        }
    })
    .await;
}

#[tokio::test]
async fn development_tokens_work_only_with_dev_auth() {
    on_each_backend(|app| async move {
        let token = vestegn_api::http::auth::dev::token(
            "vestegn-api",
            300,
            json!({ "sub": "dev", "municipality": 183, "roles": ["viewer"] }),
        )
        .unwrap();
        let without = app.router_with_auth(&AuthConfig::default());
        let (status, _, _) = ask(&without, Some(&bearer(&token)), CONTACTS_OF_ISHOEJ).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let with = app.router_with_auth(&AuthConfig {
            dev_auth: true,
            ..AuthConfig::default()
        });
        let (status, body, _) = ask(&with, Some(&bearer(&token)), CONTACTS_OF_ISHOEJ).await;
        assert_eq!(status, StatusCode::OK);
        assert!(count(&body, "/data/municipality/contacts") >= 5, "{body}");
    })
    .await;
}

#[tokio::test]
async fn each_signed_in_caller_has_its_own_rate_limit() {
    let issuer = TestIssuer::start().await;
    on_each_backend(|app| {
        let issuer = &issuer;
        async move {
            let limits = Limits {
                // Room for two requests of 22 points (the query's complexity), not three.
                rate_limit_points_per_minute: 50,
                ..Limits::default()
            };
            let auth = AuthConfig {
                issuer: Some(issuer.issuer()),
                ..AuthConfig::default()
            };
            let router = app.router_with(&auth, limits);
            let first = bearer(
                &issuer.sign(json!({ "sub": "first", "municipality": 183, "roles": ["viewer"] })),
            );
            let second = bearer(
                &issuer.sign(json!({ "sub": "second", "municipality": 183, "roles": ["viewer"] })),
            );
            for _ in 0..2 {
                assert_eq!(
                    ask(&router, Some(&first), CONTACTS_OF_ISHOEJ).await.0,
                    StatusCode::OK
                );
            }
            let request = Request::post("/graphql")
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::AUTHORIZATION, &first)
                .body(Body::from(
                    json!({ "query": CONTACTS_OF_ISHOEJ }).to_string(),
                ))
                .unwrap();
            let response = router.clone().oneshot(request).await.unwrap();
            assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
            let retry_after: u64 = response.headers()[header::RETRY_AFTER]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!((1..=60).contains(&retry_after), "{retry_after}");
            let bytes = http_body_util::BodyExt::collect(response.into_body())
                .await
                .unwrap()
                .to_bytes();
            let body: Value = serde_json::from_slice(&bytes).unwrap();
            assert_eq!(body["errors"][0]["extensions"]["code"], "RATE_LIMITED");
            assert_eq!(
                ask(&router, Some(&second), CONTACTS_OF_ISHOEJ).await.0,
                StatusCode::OK,
                "per principal"
            );
            assert_eq!(
                ask(&router, None, CONTACTS_OF_ISHOEJ).await.0,
                StatusCode::OK,
                "anonymous callers are not counted"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn opaque_tokens_are_introspected_at_the_issuer() {
    let issuer = TestIssuer::start().await;
    on_each_backend(|app| {
        let issuer = &issuer;
        async move {
            let (client, secret) = TestIssuer::INTROSPECTION_CLIENT;
            let auth = AuthConfig {
                issuer: Some(issuer.issuer()),
                introspection_client_id: Some(client.into()),
                introspection_client_secret: Some(Secret(secret.into())),
                ..AuthConfig::default()
            };
            let router = app.router_with_auth(&auth);
            let token = issuer.opaque_token(json!({ "municipality": 183, "roles": ["viewer"] }));
            for _ in 0..2 {
                let (status, body, _) =
                    ask(&router, Some(&bearer(&token)), CONTACTS_OF_ISHOEJ).await;
                assert_eq!(status, StatusCode::OK, "{body}");
                assert!(count(&body, "/data/municipality/contacts") >= 5, "{body}");
            }
            let other_audience = issuer.opaque_token(
                json!({ "aud": "another-api", "municipality": 183, "roles": ["viewer"] }),
            );
            for (what, token) in [
                ("unknown", "opaque-token-nobody-issued".to_owned()),
                ("another audience", other_audience),
            ] {
                let (status, body, _) =
                    ask(&router, Some(&bearer(&token)), CONTACTS_OF_ISHOEJ).await;
                assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}: {body}");
            }
            // Without introspection configured, opaque tokens are refused.
            let without = router_for(&app, issuer).await;
            assert_eq!(
                ask(&without, Some(&bearer(&token)), CONTACTS_OF_ISHOEJ)
                    .await
                    .0,
                StatusCode::UNAUTHORIZED
            );
        }
    })
    .await;
}

fn base64_url(value: &Value) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string())
}
