//! A municipality takes part in a shared project once: a unique index on the participant pair
//! (project, municipality), which the mutations and the import check before they write.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEX: &str = "uq_project_participants_project_id_participant_code";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(ProjectParticipants::Table)
                    .col(ProjectParticipants::ProjectId)
                    .col(ProjectParticipants::ParticipantCode)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(INDEX)
                    .table(ProjectParticipants::Table)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum ProjectParticipants {
    Table,
    ProjectId,
    ParticipantCode,
}
