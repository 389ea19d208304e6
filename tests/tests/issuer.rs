//! The tests' OpenID provider does what the server's token checks will rely on: discovery, keys
//! that verify its tokens, rotation, client credentials and introspection, over real HTTP.

use jsonwebtoken::{
    decode, decode_header, get_current_timestamp, jwk::JwkSet, Algorithm, DecodingKey, Header,
    Validation,
};
use reqwest::StatusCode;
use serde_json::{json, Map, Value};
use vestegn_tests::issuer::{basic_authorization, TestIssuer, TestKey};

async fn get_json(url: &str) -> Value {
    let response = reqwest::get(url).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "GET {url}");
    response.json().await.unwrap()
}

async fn published_keys(issuer: &TestIssuer) -> JwkSet {
    serde_json::from_value(get_json(&issuer.jwks_uri()).await).unwrap()
}

/// The claims of `token`, checked as a resource server checks them against the published keys.
fn verify(keys: &JwkSet, issuer: &TestIssuer, token: &str) -> Map<String, Value> {
    let kid = decode_header(token).unwrap().kid.unwrap();
    let jwk = keys.find(&kid).expect("the token's key is published");
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&[TestIssuer::AUDIENCE]);
    validation.set_issuer(&[issuer.issuer()]);
    decode(token, &DecodingKey::from_jwk(jwk).unwrap(), &validation)
        .unwrap()
        .claims
}

#[tokio::test]
async fn discovery_and_published_keys_verify_user_tokens() {
    let issuer = TestIssuer::start().await;
    let discovery = get_json(&issuer.discovery_url()).await;
    assert_eq!(discovery["issuer"], json!(issuer.issuer()));
    assert_eq!(discovery["jwks_uri"], json!(issuer.jwks_uri()));
    assert_eq!(discovery["token_endpoint"], json!(issuer.token_endpoint()));
    assert_eq!(
        discovery["introspection_endpoint"],
        json!(issuer.introspection_endpoint())
    );

    let keys = published_keys(&issuer).await;
    let jwk = serde_json::to_value(&keys.keys).unwrap();
    assert_eq!(jwk[0]["kty"], "RSA");
    assert_eq!(jwk[0]["use"], "sig");
    assert_eq!(jwk[0]["alg"], "RS256");
    assert_eq!(jwk[0]["kid"], "key-1");
    assert_eq!(jwk[0]["e"], "AQAB");
    assert_eq!(keys.keys.len(), 1);
    assert_eq!(issuer.jwks_fetches(), 1);

    let token = issuer.user_token(147, &["editor"]);
    let header = decode_header(&token).unwrap();
    assert_eq!(header.typ.as_deref(), Some("at+jwt"));
    let claims = verify(&keys, &issuer, &token);
    assert_eq!(claims["sub"], "test-user");
    assert_eq!(claims["municipality"], 147);
    assert_eq!(claims["roles"], json!(["editor"]));

    // Overrides, and removal with null.
    let claims = verify(
        &keys,
        &issuer,
        &issuer.sign(json!({ "sub": "someone", "iat": null })),
    );
    assert_eq!(claims["sub"], "someone");
    assert!(!claims.contains_key("iat"));
}

#[tokio::test]
async fn rotation_publishes_the_new_key_then_retires_the_old() {
    let issuer = TestIssuer::start().await;
    let old_token = issuer.user_token(147, &["viewer"]);

    issuer.rotate();
    let keys = published_keys(&issuer).await;
    let new_token = issuer.user_token(147, &["viewer"]);
    assert_eq!(decode_header(&new_token).unwrap().kid.unwrap(), "key-2");
    verify(&keys, &issuer, &old_token);
    verify(&keys, &issuer, &new_token);

    issuer.retire_old_key();
    let keys = published_keys(&issuer).await;
    let kids: Vec<_> = keys
        .keys
        .iter()
        .map(|key| key.common.key_id.clone())
        .collect();
    assert_eq!(kids, [Some("key-2".to_owned())]);
    assert_eq!(issuer.jwks_fetches(), 2);

    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("key-3".to_owned());
    let unpublished = issuer.sign_with(header, TestKey::Unpublished, json!({}));
    assert!(keys.find("key-3").is_none());
    assert_eq!(
        introspect(&issuer, &unpublished).await,
        json!({ "active": false })
    );
}

#[tokio::test]
async fn client_credentials_give_a_token_with_scope_and_municipalities() {
    let issuer = TestIssuer::start().await;
    issuer.register_client(
        "budget-sync",
        "s3cret",
        "budgets:read budgets:write",
        &[147, 151],
    );
    let client = reqwest::Client::new();
    let request = |form: &[(&str, &str)]| {
        client
            .post(issuer.token_endpoint())
            .form(form)
            .basic_auth("budget-sync", Some("s3cret"))
    };

    let response = request(&[
        ("grant_type", "client_credentials"),
        ("scope", "budgets:read"),
    ])
    .send()
    .await
    .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["token_type"], "Bearer");
    assert_eq!(answer["expires_in"], 300);
    assert_eq!(answer["scope"], "budgets:read");
    let keys = published_keys(&issuer).await;
    let claims = verify(&keys, &issuer, answer["access_token"].as_str().unwrap());
    assert_eq!(claims["client_id"], "budget-sync");
    assert_eq!(claims["sub"], "budget-sync");
    assert_eq!(claims["scope"], "budgets:read");
    assert_eq!(claims["municipalities"], json!([147, 151]));

    // The secret in the form works too, and grants every scope by default.
    let answer: Value = client
        .post(issuer.token_endpoint())
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "budget-sync"),
            ("client_secret", "s3cret"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["scope"], "budgets:read budgets:write");

    let refusals = [
        (
            client
                .post(issuer.token_endpoint())
                .form(&[("grant_type", "client_credentials")])
                .basic_auth("budget-sync", Some("wrong")),
            StatusCode::UNAUTHORIZED,
            "invalid_client",
        ),
        (
            request(&[("grant_type", "password")]),
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
        ),
        (
            request(&[("grant_type", "client_credentials"), ("scope", "admin")]),
            StatusCode::BAD_REQUEST,
            "invalid_scope",
        ),
    ];
    for (request, status, error) in refusals {
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), status, "{error}");
        assert_eq!(
            response.json::<Value>().await.unwrap(),
            json!({ "error": error })
        );
    }
}

/// What `/introspect` says of `token`, asked with the resource server's credentials.
async fn introspect(issuer: &TestIssuer, token: &str) -> Value {
    let (id, secret) = TestIssuer::INTROSPECTION_CLIENT;
    let response = reqwest::Client::new()
        .post(issuer.introspection_endpoint())
        .header("authorization", basic_authorization(id, secret))
        .form(&[("token", token)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

#[tokio::test]
async fn introspection_answers_for_tokens_it_stands_behind() {
    let issuer = TestIssuer::start().await;
    let opaque = introspect(
        &issuer,
        &issuer.opaque_token(json!({ "scope": "budgets:read" })),
    )
    .await;
    assert_eq!(opaque["active"], true);
    assert_eq!(opaque["scope"], "budgets:read");
    assert_eq!(opaque["aud"], TestIssuer::AUDIENCE);

    let user = introspect(&issuer, &issuer.user_token(147, &["admin"])).await;
    assert_eq!(user["active"], true);
    assert_eq!(user["municipality"], 147);

    let past = get_current_timestamp() - 60;
    let mut hs256 = Header::new(Algorithm::HS256);
    hs256.kid = Some("key-1".to_owned());
    let inactive = [
        issuer.opaque_token(json!({ "exp": past })),
        issuer.sign(json!({ "exp": past })),
        issuer.sign_with(hs256, TestKey::Current, json!({})),
        issuer.unsigned(json!({})),
        "not-a-token".to_owned(),
    ];
    for token in inactive {
        assert_eq!(
            introspect(&issuer, &token).await,
            json!({ "active": false }),
            "{token}"
        );
    }

    let response = reqwest::Client::new()
        .post(issuer.introspection_endpoint())
        .form(&[("token", issuer.user_token(147, &["admin"]))])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}
