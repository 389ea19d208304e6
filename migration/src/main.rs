//! The migration CLI (`up`, `down`, `status`, `fresh`, ...); reads `DATABASE_URL`.

use sea_orm_migration::prelude::*;

#[tokio::main]
async fn main() {
    cli::run_cli(vestegn_migration::Migrator).await;
}
