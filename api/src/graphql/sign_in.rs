//! How clients sign in: the OpenID issuer, the public client browser clients use, and whether
//! development tokens are accepted. Public (no secret is in it), so that any client, the
//! comparison page and GraphiQL included, can offer the sign-in the server accepts.

use std::sync::Arc;

use async_graphql::{Context, Object, SimpleObject};

use crate::config::AuthConfig;

/// How a client gets a token this server accepts.
#[derive(Debug, Clone, Default, SimpleObject)]
pub struct SignInOptions {
    /// The OpenID Connect issuer whose access tokens are accepted; its discovery document is at
    /// `<issuer>/.well-known/openid-configuration`. Null when no issuer is configured.
    pub issuer: Option<String>,
    /// The public client (no secret) for browser clients: the authorization code flow with
    /// PKCE. Null when none is configured.
    pub public_client_id: Option<String>,
    /// Whether development tokens (`vestegn dev-token`, signed with the server machine's own
    /// development key) are accepted: only on a development server listening on a loopback
    /// address, which refuses every request that came through a proxy. False everywhere else.
    pub development_tokens: bool,
}

impl SignInOptions {
    pub fn of(auth: &AuthConfig) -> Self {
        Self {
            issuer: auth.issuer.clone(),
            public_client_id: auth.public_client_id.clone(),
            development_tokens: auth.dev_auth,
        }
    }
}

#[derive(Default)]
pub struct SignInQuery;

#[Object]
impl SignInQuery {
    /// How to sign in to this server. Without a token, a caller is anonymous and sees public
    /// records.
    async fn sign_in(&self, ctx: &Context<'_>) -> SignInOptions {
        // The HTTP layer puts the server's options into each request (shared, not copied); a
        // schema run without it (a test's) offers no sign-in.
        ctx.data_opt::<Arc<SignInOptions>>()
            .map(|options| SignInOptions::clone(options))
            .unwrap_or_default()
    }
}
