//! The change feed's outbox: one row per write to a municipality's model, written in the write's
//! transaction, read by integrations in commit order (`changes(after:, first:)`).

use sea_orm_migration::{prelude::*, schema::pk_auto};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // No foreign key to the record, which may be gone (a delete is a change too).
        manager
            .create_table(
                Table::create()
                    .table(Outbox::Table)
                    .col(pk_auto(Outbox::Sequence))
                    .col(
                        ColumnDef::new(Outbox::RecordedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Outbox::MunicipalityCode)
                            .integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Outbox::Visibility).string().not_null())
                    .col(ColumnDef::new(Outbox::Kind).string().not_null())
                    .col(ColumnDef::new(Outbox::RecordId).integer().not_null())
                    .col(ColumnDef::new(Outbox::Action).string().not_null())
                    .col(ColumnDef::new(Outbox::Revision).integer().not_null())
                    .col(ColumnDef::new(Outbox::EffectiveFrom).date().null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Outbox::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Outbox {
    Table,
    Sequence,
    RecordedAt,
    MunicipalityCode,
    Visibility,
    Kind,
    RecordId,
    Action,
    Revision,
    EffectiveFrom,
}
