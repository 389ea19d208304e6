//! The `vestegn` binary: parse the configuration, start logging, then serve (or seed, or print
//! the schema).

use std::sync::Arc;

use anyhow::Context;
use clap::Parser;
use tokio::net::TcpListener;
use vestegn_api::{
    build_app,
    config::{Cli, Command, Config, DevTokenArgs},
    database::{self, Database},
    graphql,
    http::{
        self,
        auth::dev::{DevKey, KeyFile},
        server,
    },
    seed, telemetry, AppState,
};

/// mimalloc instead of the system allocator: a GraphQL response is many small allocations made
/// and freed on every worker thread, where glibc's arenas contend and keep freed memory (resident
/// memory grew to 400 MB under load and stayed there); mimalloc contends less and keeps less.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let mut config = cli.config;
    match &cli.command {
        Some(Command::PrintSchema) => {
            print!("{}", graphql::sdl());
            return Ok(());
        }
        Some(Command::DevToken(args)) => {
            println!("{}", dev_token(&config, args)?);
            return Ok(());
        }
        Some(Command::PullBudgets(args)) => {
            return budget_client::pull_budgets(args, &mut std::io::stdout()).await;
        }
        _ => {}
    }
    config.check()?;
    let trace_export = config
        .otlp_endpoint
        .clone()
        .filter(|endpoint| !endpoint.is_empty())
        .map(|endpoint| telemetry::TraceExport {
            endpoint,
            service_name: config.otel_service_name.clone(),
        });
    // Held to the end: dropping it sends the last spans.
    let _traces = telemetry::init(config.log_json, trace_export.as_ref())?;
    if config.auth.dev_auth {
        let file = config.dev_key_file();
        let (key, made) = DevKey::load_or_create(&file)?;
        match made {
            KeyFile::Made => tracing::info!(file = %file.display(), "made a development key"),
            KeyFile::Found => tracing::info!(file = %file.display(), "using the development key"),
        }
        config.auth.dev_key = Some(Arc::new(key));
    }
    tracing::info!(database.url = %config.redacted_database_url(), "connecting");

    if matches!(cli.command, Some(Command::Seed)) {
        let db = database::connect_and_migrate(&config).await?;
        let loaded = seed::load_if_empty(&db).await?;
        tracing::info!(
            loaded,
            "seed dataset {}",
            if loaded { "loaded" } else { "already present" }
        );
        return Ok(());
    }

    // Serve at once; the database is migrated (and seeded) as soon as it answers.
    let db = Database::connect_lazily(&config).await?;
    db.prepare_in_background(config.clone());
    let listener = TcpListener::bind(config.bind_address)
        .await
        .with_context(|| format!("cannot listen on {}", config.bind_address))?;
    tracing::info!(
        "listening on http://{} (the comparison page at /, GraphiQL at /graphql)",
        listener.local_addr()?
    );
    let state =
        AppState::new(db, config.limits.clone(), &config.auth).with_web_dir(&config.web_dir);
    if let Some(address) = config.metrics_address {
        let listener = TcpListener::bind(address)
            .await
            .with_context(|| format!("cannot listen on {address} for metrics"))?;
        tracing::info!("metrics at http://{}/metrics", listener.local_addr()?);
        let metrics = http::metrics::router(state.clone());
        // Ends with the process; scrapes need no graceful shutdown.
        tokio::spawn(async move {
            if let Err(err) = axum::serve(listener, metrics).await {
                tracing::error!(error = %err, "the metrics listener failed");
            }
        });
    }
    let app = build_app(state);
    server::serve(listener, app, &config.limits, shutdown_signal()).await;
    tracing::info!("stopped");
    Ok(())
}

/// A development token for the configured audience, signed with this machine's development key:
/// a user's when roles are given, otherwise a machine client's (with the `AUTH_CLIENT_CLAIM`
/// marker).
fn dev_token(config: &Config, args: &DevTokenArgs) -> anyhow::Result<String> {
    let auth = &config.auth;
    let key = DevKey::load(&config.dev_key_file())?;
    let mut claims = serde_json::json!({ "sub": args.subject });
    if let Some(code) = args.municipality {
        set_claim(&mut claims, &auth.municipality_claim, code.into());
    }
    if args.roles.is_empty() {
        let grants: Vec<i32> = if args.grants.is_empty() {
            args.municipality.into_iter().collect()
        } else {
            args.grants.clone()
        };
        set_claim(&mut claims, "client_id", args.subject.clone().into());
        match auth.client_claim.split_once('=') {
            Some((name, value)) => set_claim(&mut claims, name, value.into()),
            None => set_claim(&mut claims, &auth.client_claim, args.subject.clone().into()),
        }
        set_claim(&mut claims, "scope", args.scopes.join(" ").into());
        set_claim(&mut claims, &auth.municipalities_claim, grants.into());
    } else {
        set_claim(&mut claims, &auth.roles_claim, args.roles.clone().into());
    }
    key.token(&auth.audience, args.expires_in, claims)
}

/// Sets the claim at a dotted path (`realm_access.roles`), making the objects on the way.
fn set_claim(claims: &mut serde_json::Value, path: &str, value: serde_json::Value) {
    let mut target = claims;
    let mut segments = path.split('.').peekable();
    while let Some(segment) = segments.next() {
        if !target.is_object() {
            *target = serde_json::json!({});
        }
        let Some(object) = target.as_object_mut() else {
            return;
        };
        if segments.peek().is_none() {
            object.insert(segment.to_owned(), value);
            return;
        }
        target = object
            .entry(segment.to_owned())
            .or_insert_with(|| serde_json::json!({}));
    }
}

/// Resolves on Ctrl-C or SIGTERM, so that in-flight requests can finish (for a bounded time).
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::error!(error = %err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
