//! The budget integration client: `vestegn pull-budgets` gets a token with the OAuth2
//! client-credentials grant and pages through every budget line it may read.

use clap::Args;

/// Where to pull from, as whom, and what.
#[derive(Debug, Clone, Args)]
pub struct PullBudgetsArgs {
    /// The fiscal year.
    #[arg(long)]
    pub year: i32,
}

/// Writes the budget lines to `out`.
pub async fn pull_budgets(
    args: &PullBudgetsArgs,
    out: &mut (dyn std::io::Write + Send),
) -> anyhow::Result<()> {
    let _ = (args, out);
    anyhow::bail!("not implemented yet")
}
