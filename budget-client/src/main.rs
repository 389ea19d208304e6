//! `vestegn-pull-budgets`: the budget client on its own, for an integration that runs no server.

use clap::Parser;

/// Pull budget lines from a Vestegn server as an integration (OAuth2 client credentials).
#[derive(Parser)]
#[command(version)]
struct Cli {
    #[command(flatten)]
    args: budget_client::PullBudgetsArgs,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    budget_client::pull_budgets(&cli.args, &mut std::io::stdout()).await
}
