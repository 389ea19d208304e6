//! Bearer tokens through the real router, checked against an OpenID provider of the test's own
//! over real HTTP (discovery, JWKS, client credentials, introspection): who gets in, who sees
//! what, every bad token refused with 401, users told apart from machine clients by the
//! configured marker, and development tokens accepted only with this machine's key and never
//! through a proxy.

use std::sync::Arc;

use axum::{
    body::Body,
    http::{header, Request, StatusCode},
    Router,
};
use jsonwebtoken::{Algorithm, Header};
use sea_orm::ConnectionTrait;
use serde_json::{json, Value};
use tower::ServiceExt;
use vestegn_api::{
    config::{AuthConfig, Limits, Secret},
    http::auth::dev::DevKey,
};
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
    let headers: Vec<(&str, &str)> = authorization
        .map(|value| ("authorization", value))
        .into_iter()
        .collect();
    ask_with(router, &headers, query).await
}

/// Posts `query` with these header fields.
async fn ask_with(
    router: &Router,
    headers: &[(&str, &str)],
    query: &str,
) -> (StatusCode, Value, String) {
    let mut request = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, "application/graphql-response+json");
    for (name, value) in headers {
        request = request.header(*name, *value);
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
                ("Keycloak's ID token", bearer(&issuer.sign(json!({ "typ": "ID", "roles": ["viewer"] })))),
                ("a refresh token", bearer(&issuer.sign(json!({ "token_type": "refresh_token", "roles": ["viewer"] })))),
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

/// A development server's configuration with `key`.
fn dev_auth(key: &Arc<DevKey>) -> AuthConfig {
    AuthConfig {
        dev_auth: true,
        dev_key: Some(Arc::clone(key)),
        ..AuthConfig::default()
    }
}

#[tokio::test]
async fn development_tokens_work_only_with_dev_auth_and_this_machines_key() {
    on_each_backend(|app| async move {
        let key = Arc::new(DevKey::generate().unwrap());
        let claims = json!({ "sub": "dev", "municipality": 183, "roles": ["viewer"] });
        let token = bearer(&key.token("vestegn-api", 300, claims.clone()).unwrap());
        let without = app.router_with_auth(&AuthConfig::default());
        let (status, _, _) = ask(&without, Some(&token), CONTACTS_OF_ISHOEJ).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let with = app.router_with_auth(&dev_auth(&key));
        let (status, body, _) = ask(&with, Some(&token), CONTACTS_OF_ISHOEJ).await;
        assert_eq!(status, StatusCode::OK);
        assert!(count(&body, "/data/municipality/contacts") >= 5, "{body}");

        // Minted with another machine's key (same kid, same issuer): the signature fails.
        let elsewhere = DevKey::generate().unwrap();
        let foreign = bearer(&elsewhere.token("vestegn-api", 300, claims.clone()).unwrap());
        let (status, body, challenge) = ask(&with, Some(&foreign), CONTACTS_OF_ISHOEJ).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert!(
            challenge.contains("signature does not verify"),
            "{challenge}"
        );

        // `--dev-auth` without a key (the binary always loads one): nothing to verify with.
        let keyless = app.router_with_auth(&AuthConfig {
            dev_auth: true,
            ..AuthConfig::default()
        });
        let (status, _, _) = ask(&keyless, Some(&token), CONTACTS_OF_ISHOEJ).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    })
    .await;
}

#[tokio::test]
async fn a_development_server_refuses_requests_that_came_through_a_proxy() {
    on_each_backend(|app| async move {
        let key = Arc::new(DevKey::generate().unwrap());
        let token = bearer(
            &key.token(
                "vestegn-api",
                300,
                json!({ "sub": "pia", "roles": ["platform-admin"] }),
            )
            .unwrap(),
        );
        let router = app.router_with_auth(&dev_auth(&key));
        const SIGN_IN: &str = "{ signIn { developmentTokens } }";
        let (status, body, _) = ask(&router, None, SIGN_IN).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["data"]["signIn"]["developmentTokens"], true, "{body}");
        for (name, value) in [
            ("forwarded", "for=203.0.113.7;proto=https"),
            ("x-forwarded-for", "203.0.113.7"),
            ("x-forwarded-host", "vestegn.example.dk"),
            ("x-forwarded-proto", "https"),
            ("x-real-ip", "203.0.113.7"),
            ("x-forwarded-port", "443"),
            ("via", "1.1 proxy.example.dk"),
        ] {
            // With a development token, and without any (where `signIn` would tell of it).
            for (what, headers) in [
                (
                    "a development token",
                    vec![("authorization", token.as_str()), (name, value)],
                ),
                ("no token", vec![(name, value)]),
            ] {
                let (status, body, _) = ask_with(&router, &headers, SIGN_IN).await;
                assert_eq!(status, StatusCode::FORBIDDEN, "{name}, {what}: {body}");
                assert_eq!(
                    body["errors"][0]["extensions"]["code"], "FORBIDDEN",
                    "{name}"
                );
                let message = body["errors"][0]["message"].as_str().unwrap_or_default();
                assert!(message.contains("through a proxy"), "{name}: {message}");
                assert!(!body.to_string().contains("evelopment"), "{name}: {body}");
                assert!(body.get("data").is_none(), "{name}, {what}: {body}");
            }
        }
        // Without `--dev-auth`, a proxy in front is the normal case.
        let production = app.router_with_auth(&AuthConfig::default());
        let (status, body, _) =
            ask_with(&production, &[("x-forwarded-for", "203.0.113.7")], SIGN_IN).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["signIn"]["developmentTokens"], false, "{body}");
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
            // Answers that call the token active but fail a check of the API's own: refused.
            let now = jsonwebtoken::get_current_timestamp();
            let viewer = |overrides: Value| {
                let mut claims = json!({ "municipality": 183, "roles": ["viewer"] });
                if let (Some(claims), Value::Object(overrides)) =
                    (claims.as_object_mut(), overrides)
                {
                    claims.extend(overrides);
                }
                issuer.opaque_token_always_active(claims)
            };
            for (what, token, reason) in [
                (
                    "no aud",
                    viewer(json!({ "aud": null })),
                    "names no audience",
                ),
                (
                    "another aud",
                    viewer(json!({ "aud": ["another-api"] })),
                    "another audience",
                ),
                ("expired", viewer(json!({ "exp": now - 3600 })), "expired"),
                ("no exp", viewer(json!({ "exp": null })), "no expiry"),
                (
                    "a refresh token",
                    viewer(json!({ "token_type": "refresh_token" })),
                    "not an access token",
                ),
                (
                    "Keycloak's refresh token",
                    viewer(json!({ "typ": "Refresh" })),
                    "not an access token",
                ),
                (
                    "an ID token",
                    viewer(json!({ "typ": "ID" })),
                    "not an access token",
                ),
                (
                    "another issuer",
                    viewer(json!({ "iss": "https://evil.example" })),
                    "another issuer",
                ),
                (
                    "no issuer",
                    viewer(json!({ "iss": null })),
                    "names no issuer",
                ),
            ] {
                let (status, body, challenge) =
                    ask(&router, Some(&bearer(&token)), CONTACTS_OF_ISHOEJ).await;
                assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}: {body}");
                assert!(challenge.contains(reason), "{what}: {challenge}");
            }
            // An access token that says so passes.
            let typed = viewer(json!({ "token_type": "Bearer", "typ": "Bearer" }));
            let (status, body, _) = ask(&router, Some(&bearer(&typed)), CONTACTS_OF_ISHOEJ).await;
            assert_eq!(status, StatusCode::OK, "{body}");

            // RFC 7662's `client_id` names the client a user signed in through: still a user. A
            // token whose subject is the client itself is the client's.
            let through_a_frontend = issuer.opaque_token(json!({ "client_id": "vestegn-web", "sub": "anne", "municipality": 183, "roles": ["viewer"] }));
            let (_, body, _) = ask(&router, Some(&bearer(&through_a_frontend)), CONTACTS_OF_ISHOEJ).await;
            assert!(count(&body, "/data/municipality/contacts") >= 5, "a user: {body}");
            let own_subject = issuer.opaque_token(json!({ "client_id": "budget-sync", "sub": "budget-sync", "municipality": 183, "roles": ["viewer"] }));
            let (_, body, _) = ask(&router, Some(&bearer(&own_subject)), CONTACTS_OF_ISHOEJ).await;
            assert_eq!(count(&body, "/data/municipality/contacts"), 0, "a machine client: {body}");

            // Verdicts are cached, refusals too: the provider is asked once per token.
            let before = issuer.introspections();
            for token in ["opaque-made-up", "opaque-made-up"] {
                let (status, _, _) = ask(&router, Some(&bearer(token)), CONTACTS_OF_ISHOEJ).await;
                assert_eq!(status, StatusCode::UNAUTHORIZED);
            }
            let refused_aud = viewer(json!({ "aud": "another-api" }));
            for _ in 0..2 {
                let (status, _, _) =
                    ask(&router, Some(&bearer(&refused_aud)), CONTACTS_OF_ISHOEJ).await;
                assert_eq!(status, StatusCode::UNAUTHORIZED);
            }
            for _ in 0..2 {
                let (status, _, _) = ask(&router, Some(&bearer(&typed)), CONTACTS_OF_ISHOEJ).await;
                assert_eq!(status, StatusCode::OK);
            }
            assert_eq!(
                issuer.introspections(),
                before + 2,
                "an inactive and a refused token, once each; the accepted one was cached already"
            );

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

#[tokio::test]
async fn users_and_machine_clients_are_told_apart_by_the_configured_marker() {
    let issuer = TestIssuer::start().await;
    on_each_backend(|app| {
        let issuer = &issuer;
        async move {
            app.db
                .execute_unprepared("UPDATE budget_lines SET visibility = 'private' WHERE municipality_code = 169")
                .await
                .unwrap();
            let query = "{ budgetLines(filter: { municipalityCodes: [169] }) { totalCount } municipality(code: 183) { contacts { name } } }";
            let seen = |router: Router, token: String| async move {
                let (status, body, _) = ask(&router, Some(&bearer(&token)), query).await;
                assert_eq!(status, StatusCode::OK, "{body}");
                (
                    body["data"]["budgetLines"]["totalCount"].as_u64().unwrap(),
                    count(&body, "/data/municipality/contacts"),
                )
            };
            let (public_lines, _) = {
                let (_, body, _) = ask(&router_for(&app, issuer).await, None, query).await;
                (body["data"]["budgetLines"]["totalCount"].as_u64().unwrap(), 0)
            };
            let default = router_for(&app, issuer).await;

            // A user's token whose roles claim names none of our roles, dressed up as an
            // integration's (scope, municipalities, budgets:read among its "roles"): a user with no
            // rights, who sees what anonymous callers see.
            let roleless = issuer.sign(json!({
                "municipality": 183,
                "roles": ["budgets:read", "auditor"],
                "scope": "budgets:read",
                "municipalities": [169],
            }));
            assert_eq!(seen(default.clone(), roleless.clone()).await, (public_lines, 0));
            let (_, body, _) = ask(
                &default,
                Some(&bearer(&roleless)),
                r#"mutation { createUnit(input: { municipalityCode: 183, name: "x", kind: "team", validFrom: "2024-01-01",
                     provenance: { source: "002", section: "Organisering" } }) { id } }"#,
            )
            .await;
            assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN", "a user without rights changes nothing: {body}");

            // The same claims with the marker (`client_id`, Keycloak's service accounts): a
            // machine client, whose scope and roles values are its scopes.
            let mut client_claims = json!({
                "client_id": "budget-sync",
                "roles": ["budgets:read"],
                "municipalities": [169],
            });
            let (lines, contacts) = seen(default.clone(), issuer.sign(client_claims.clone())).await;
            assert!(lines > public_lines, "{lines}");
            assert_eq!(contacts, 0);

            // Entra ID: `idtyp: app` marks an app-only token; `client_id` then marks nothing.
            let entra = app.router_with_auth(&AuthConfig {
                issuer: Some(issuer.issuer()),
                client_claim: "idtyp=app".into(),
                ..AuthConfig::default()
            });
            assert_eq!(seen(entra.clone(), issuer.sign(client_claims.clone())).await, (public_lines, 0), "client_id alone");
            client_claims["idtyp"] = json!("app");
            assert_eq!(seen(entra.clone(), issuer.sign(client_claims.clone())).await.0, lines);
            client_claims["idtyp"] = json!("user");
            assert_eq!(seen(entra.clone(), issuer.sign(client_claims)).await, (public_lines, 0), "idtyp user");
            let viewer = issuer.sign(json!({ "municipality": 183, "roles": ["viewer"], "idtyp": "user" }));
            assert!(seen(entra, viewer).await.1 >= 5, "an Entra ID user with a role of ours");
        }
    })
    .await;
}
