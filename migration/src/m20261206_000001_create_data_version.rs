//! The data's version: one row whose number every write transaction moves on just before it
//! commits (`service::connection`). A replica's response cache keys answers by it, so that a
//! write through any replica is seen by every replica's next read.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DataVersion {
    Table,
    Id,
    Version,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(DataVersion::Table)
                    .col(
                        ColumnDef::new(DataVersion::Id)
                            .integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(DataVersion::Version)
                            .big_integer()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        let first = Query::insert()
            .into_table(DataVersion::Table)
            .columns([DataVersion::Id, DataVersion::Version])
            .values([1.into(), 0i64.into()])
            .map_err(|error| DbErr::Migration(error.to_string()))?
            .to_owned();
        manager.exec_stmt(first).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(DataVersion::Table).to_owned())
            .await
    }
}
