//! `plans`: a municipality's crime-prevention strategies and action plans, as versions like every
//! record of its model (see `tenant_owned_table`); goals and interventions may belong to one
//! (`goals.plan_id`, `interventions.plan_id`).

use sea_orm_migration::prelude::*;

use crate::m20261121_000001_create_schema::{
    create_index, create_tenancy_indexes, forbid_overlapping_versions, tenant_owned_table,
    Identities,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                tenant_owned_table(Plans::Table, "plans")
                    .col(ColumnDef::new(Plans::Kind).string().not_null())
                    .col(ColumnDef::new(Plans::Title).string().not_null())
                    .col(ColumnDef::new(Plans::FirstYear).integer().null())
                    .col(ColumnDef::new(Plans::LastYear).integer().null())
                    .col(ColumnDef::new(Plans::PartOfId).integer().null())
                    .col(ColumnDef::new(Plans::Decision).string().null())
                    .col(ColumnDef::new(Plans::DecidedBy).string().null())
                    .col(ColumnDef::new(Plans::CommitteeId).integer().null())
                    .col(ColumnDef::new(Plans::DecidedOn).date().null())
                    .col(ColumnDef::new(Plans::Principles).text().null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_plans_part_of_id")
                            .from(Plans::Table, Plans::PartOfId)
                            .to(Identities::Table, Identities::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_plans_committee_id")
                            .from(Plans::Table, Plans::CommitteeId)
                            .to(Identities::Table, Identities::Id),
                    )
                    .to_owned(),
            )
            .await?;
        create_tenancy_indexes(manager, "plans").await?;
        forbid_overlapping_versions(manager, "plans").await?;
        for table in [Belongs::Goals, Belongs::Interventions] {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(ColumnDef::new(Belongs::PlanId).integer().null())
                        .to_owned(),
                )
                .await?;
        }
        create_index(
            manager,
            "idx_goals_plan_id",
            Belongs::Goals,
            [Belongs::PlanId],
        )
        .await?;
        create_index(
            manager,
            "idx_interventions_plan_id",
            Belongs::Interventions,
            [Belongs::PlanId],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, index) in [
            (Belongs::Goals, "idx_goals_plan_id"),
            (Belongs::Interventions, "idx_interventions_plan_id"),
        ] {
            manager
                .drop_index(Index::drop().name(index).table(table).to_owned())
                .await?;
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .drop_column(Belongs::PlanId)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_table(Table::drop().table(Plans::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Plans {
    Table,
    Kind,
    Title,
    FirstYear,
    LastYear,
    PartOfId,
    Decision,
    DecidedBy,
    CommitteeId,
    DecidedOn,
    Principles,
}

/// The tables whose records may belong to a plan, and the column that says which.
#[derive(DeriveIden, Clone, Copy)]
enum Belongs {
    Goals,
    Interventions,
    PlanId,
}
