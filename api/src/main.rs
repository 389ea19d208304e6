//! The `vestegn` binary: parse the configuration, start logging, then serve (or seed, or print
//! the schema).

use anyhow::Context;
use clap::Parser;
use tokio::net::TcpListener;
use vestegn_api::{
    build_app,
    config::{Cli, Command},
    database::{self, Database},
    graphql,
    http::server,
    seed, telemetry, AppState,
};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let config = cli.config;
    if let Some(Command::PrintSchema) = cli.command {
        print!("{}", graphql::sdl());
        return Ok(());
    }
    telemetry::init(config.log_json);
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
        "listening on http://{} (GraphiQL at /graphql)",
        listener.local_addr()?
    );
    let app = build_app(AppState::new(db, config.limits.clone()));
    server::serve(listener, app, &config.limits, shutdown_signal()).await;
    tracing::info!("stopped");
    Ok(())
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
