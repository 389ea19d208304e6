//! Schema migrations of the Vestegn database. The same migrations run on SQLite and PostgreSQL.

pub use sea_orm_migration::prelude::*;

/// A migration that adds one index to a table (and drops it going down): the migration of the
/// module it is written in, named after the module as every migration is.
macro_rules! index_migration {
    ($index:literal on $table:literal ($($column:literal),+ $(,)?) $($unique:ident)?) => {
        use sea_orm_migration::prelude::*;

        #[derive(DeriveMigrationName)]
        pub struct Migration;

        #[async_trait::async_trait]
        impl MigrationTrait for Migration {
            async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
                let mut index = Index::create();
                index.name($index).table(Alias::new($table));
                $(index.col(Alias::new($column));)+
                $(index_migration!(@$unique index);)?
                manager.create_index(index.to_owned()).await
            }

            async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
                manager
                    .drop_index(Index::drop().name($index).table(Alias::new($table)).to_owned())
                    .await
            }
        }
    };
    (@unique $index:ident) => {
        $index.unique();
    };
}

mod m20261121_000001_create_schema;
mod m20261203_000001_create_outbox;
mod m20261204_000001_unique_project_participants;
mod m20261204_000002_outbox_by_municipality;
mod m20261204_000003_index_outbox_by_record;
mod m20261205_000001_create_plans;
mod m20261206_000001_create_data_version;

/// Every migration, in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261121_000001_create_schema::Migration),
            Box::new(m20261203_000001_create_outbox::Migration),
            Box::new(m20261204_000001_unique_project_participants::Migration),
            Box::new(m20261204_000002_outbox_by_municipality::Migration),
            Box::new(m20261204_000003_index_outbox_by_record::Migration),
            Box::new(m20261205_000001_create_plans::Migration),
            Box::new(m20261206_000001_create_data_version::Migration),
        ]
    }
}
