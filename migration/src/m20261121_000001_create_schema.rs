//! The first schema: every table of the organisation model, with foreign keys and the indexes its
//! queries use. Money is stored as integer øre and weekly hours as integer minutes, so that SQLite
//! (which has no decimal type) and PostgreSQL keep them exact alike.
//!
//! A municipality's records (units, staff roles, budget lines, …) are stable identities
//! (`identities`) with versions: each tenant-owned table holds versions, keyed by the identity and a
//! version number, each valid for `[valid_from, valid_to)`; versions of one identity never overlap.

use sea_orm_migration::{
    prelude::*,
    schema::pk_auto,
    sea_orm::{ConnectionTrait, DatabaseBackend},
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Sources::Table)
                    .col(pk_auto(Sources::Id))
                    .col(
                        ColumnDef::new(Sources::Key)
                            .string()
                            .not_null()
                            .unique_key()
                            .to_owned(),
                    )
                    .col(ColumnDef::new(Sources::File).string().not_null().to_owned())
                    .col(
                        ColumnDef::new(Sources::Title)
                            .string()
                            .not_null()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(Sources::Publisher)
                            .string()
                            .not_null()
                            .to_owned(),
                    )
                    .col(ColumnDef::new(Sources::Date).date().null().to_owned())
                    .col(ColumnDef::new(Sources::Note).text().null().to_owned())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Municipalities::Table)
                    .col(
                        ColumnDef::new(Municipalities::Code)
                            .integer()
                            .not_null()
                            .primary_key()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(Municipalities::Name)
                            .string()
                            .not_null()
                            .to_owned(),
                    )
                    // Counts the platform admins' writes, for concurrency checks.
                    .col(
                        ColumnDef::new(Municipalities::Revision)
                            .integer()
                            .not_null()
                            .default(1)
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(Municipalities::Population)
                            .big_integer()
                            .null()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(Municipalities::PopulationYear)
                            .integer()
                            .null()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(Municipalities::PopulationSourceId)
                            .integer()
                            .null()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(Municipalities::PopulationSection)
                            .string()
                            .null()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(Municipalities::PopulationNote)
                            .text()
                            .null()
                            .to_owned(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_municipalities_population_source_id")
                            .from(Municipalities::Table, Municipalities::PopulationSourceId)
                            .to(Sources::Table, Sources::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Networks::Table)
                    .col(pk_auto(Networks::Id))
                    .col(
                        ColumnDef::new(Networks::Key)
                            .string()
                            .not_null()
                            .unique_key()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(Networks::Name)
                            .string()
                            .not_null()
                            .to_owned(),
                    )
                    // Counts the platform admins' writes, for concurrency checks.
                    .col(
                        ColumnDef::new(Networks::Revision)
                            .integer()
                            .not_null()
                            .default(1)
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(Networks::Kind)
                            .string()
                            .not_null()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(Networks::Description)
                            .text()
                            .null()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(Networks::SourceId)
                            .integer()
                            .not_null()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(Networks::SourceSection)
                            .string()
                            .not_null()
                            .to_owned(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_networks_source_id")
                            .from(Networks::Table, Networks::SourceId)
                            .to(Sources::Table, Sources::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(NetworkMemberships::Table)
                    .col(pk_auto(NetworkMemberships::Id))
                    .col(
                        ColumnDef::new(NetworkMemberships::NetworkId)
                            .integer()
                            .not_null()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(NetworkMemberships::MunicipalityCode)
                            .integer()
                            .not_null()
                            .to_owned(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_network_memberships_network_id")
                            .from(NetworkMemberships::Table, NetworkMemberships::NetworkId)
                            .to(Networks::Table, Networks::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_network_memberships_municipality_code")
                            .from(
                                NetworkMemberships::Table,
                                NetworkMemberships::MunicipalityCode,
                            )
                            .to(Municipalities::Table, Municipalities::Code),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PartnerOrganisations::Table)
                    .col(pk_auto(PartnerOrganisations::Id))
                    .col(
                        ColumnDef::new(PartnerOrganisations::Key)
                            .string()
                            .not_null()
                            .unique_key()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(PartnerOrganisations::Name)
                            .string()
                            .not_null()
                            .to_owned(),
                    )
                    // Counts the platform admins' writes, for concurrency checks.
                    .col(
                        ColumnDef::new(PartnerOrganisations::Revision)
                            .integer()
                            .not_null()
                            .default(1)
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(PartnerOrganisations::Kind)
                            .string()
                            .not_null()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(PartnerOrganisations::Note)
                            .text()
                            .null()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(PartnerOrganisations::SourceId)
                            .integer()
                            .not_null()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(PartnerOrganisations::SourceSection)
                            .string()
                            .not_null()
                            .to_owned(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_partner_organisations_source_id")
                            .from(PartnerOrganisations::Table, PartnerOrganisations::SourceId)
                            .to(Sources::Table, Sources::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LegalBases::Table)
                    .col(pk_auto(LegalBases::Id))
                    .col(
                        ColumnDef::new(LegalBases::Key)
                            .string()
                            .not_null()
                            .unique_key()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(LegalBases::Law)
                            .string()
                            .not_null()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(LegalBases::SectionRef)
                            .string()
                            .not_null()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(LegalBases::Title)
                            .string()
                            .not_null()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(LegalBases::SourceId)
                            .integer()
                            .not_null()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(LegalBases::SourceSection)
                            .string()
                            .not_null()
                            .to_owned(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_legal_bases_source_id")
                            .from(LegalBases::Table, LegalBases::SourceId)
                            .to(Sources::Table, Sources::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // Every write to a municipality's model; no foreign key to the record, which may be gone.
        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(pk_auto(AuditLog::Id))
                    .col(
                        ColumnDef::new(AuditLog::RecordedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(AuditLog::Subject).string().not_null())
                    .col(ColumnDef::new(AuditLog::Client).string().null())
                    // None for the platform's own records (networks, partner organisations).
                    .col(ColumnDef::new(AuditLog::MunicipalityCode).integer().null())
                    .col(ColumnDef::new(AuditLog::Kind).string().not_null())
                    .col(ColumnDef::new(AuditLog::RecordId).integer().not_null())
                    .col(ColumnDef::new(AuditLog::Action).string().not_null())
                    .col(ColumnDef::new(AuditLog::Revision).integer().not_null())
                    .col(ColumnDef::new(AuditLog::Before).text().not_null())
                    .col(ColumnDef::new(AuditLog::After).text().not_null())
                    .to_owned(),
            )
            .await?;
        create_index(
            manager,
            "idx_audit_log_municipality_code",
            AuditLog::Table,
            [AuditLog::MunicipalityCode, AuditLog::Id],
        )
        .await?;
        // The stable identity of each record of a municipality's model; versions point at it.
        // `revision` counts the writes to the record (all its versions), for concurrency checks.
        manager
            .create_table(
                Table::create()
                    .table(Identities::Table)
                    .col(pk_auto(Identities::Id))
                    .col(ColumnDef::new(Identities::Kind).string().not_null())
                    // The record's key in the municipality's model document (`data/…`, export and
                    // import): readable, stable, unique per municipality.
                    .col(ColumnDef::new(Identities::Key).string().not_null())
                    .col(
                        ColumnDef::new(Identities::MunicipalityCode)
                            .integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Identities::Revision).integer().not_null())
                    .col(
                        ColumnDef::new(Identities::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Identities::CreatedBy).string().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_identities_municipality_code")
                            .from(Identities::Table, Identities::MunicipalityCode)
                            .to(Municipalities::Table, Municipalities::Code),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_identities_municipality_code_key")
                    .table(Identities::Table)
                    .col(Identities::MunicipalityCode)
                    .col(Identities::Key)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                tenant_owned_table(PoliticalCommittees::Table, "political_committees")
                    .col(
                        ColumnDef::new(PoliticalCommittees::Name)
                            .string()
                            .not_null()
                            .to_owned(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                tenant_owned_table(Units::Table, "units")
                    .col(ColumnDef::new(Units::ParentId).integer().null().to_owned())
                    .col(
                        ColumnDef::new(Units::CommitteeId)
                            .integer()
                            .null()
                            .to_owned(),
                    )
                    .col(ColumnDef::new(Units::Name).string().not_null().to_owned())
                    .col(ColumnDef::new(Units::Kind).string().not_null().to_owned())
                    .col(ColumnDef::new(Units::Archetype).string().null().to_owned())
                    .col(
                        ColumnDef::new(Units::ArchetypeNote)
                            .text()
                            .null()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(Units::HostsCrimePrevention)
                            .boolean()
                            .not_null()
                            .to_owned(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_units_parent_id")
                            .from(Units::Table, Units::ParentId)
                            .to(Identities::Table, Identities::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_units_committee_id")
                            .from(Units::Table, Units::CommitteeId)
                            .to(Identities::Table, Identities::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                tenant_owned_table(StaffRoles::Table, "staff_roles")
                    .col(
                        ColumnDef::new(StaffRoles::UnitId)
                            .integer()
                            .not_null()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(StaffRoles::Title)
                            .string()
                            .not_null()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(StaffRoles::Headcount)
                            .integer()
                            .null()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(StaffRoles::WeeklyMinutesMin)
                            .integer()
                            .null()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(StaffRoles::WeeklyMinutesMax)
                            .integer()
                            .null()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(StaffRoles::PreventionLevel)
                            .string()
                            .null()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(StaffRoles::Pillar)
                            .string()
                            .null()
                            .to_owned(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_staff_roles_unit_id")
                            .from(StaffRoles::Table, StaffRoles::UnitId)
                            .to(Identities::Table, Identities::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                tenant_owned_table(BudgetLines::Table, "budget_lines")
                    .col(
                        ColumnDef::new(BudgetLines::UnitId)
                            .integer()
                            .null()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(BudgetLines::Year)
                            .integer()
                            .not_null()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(BudgetLines::Category)
                            .string()
                            .not_null()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(BudgetLines::Phase)
                            .string()
                            .not_null()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(BudgetLines::AmountOre)
                            .big_integer()
                            .null()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(BudgetLines::FunctionCode)
                            .string()
                            .null()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(BudgetLines::Description)
                            .text()
                            .not_null()
                            .to_owned(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_budget_lines_unit_id")
                            .from(BudgetLines::Table, BudgetLines::UnitId)
                            .to(Identities::Table, Identities::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                tenant_owned_table(Forums::Table, "forums")
                    .col(
                        ColumnDef::new(Forums::NetworkId)
                            .integer()
                            .null()
                            .to_owned(),
                    )
                    .col(ColumnDef::new(Forums::Name).string().not_null().to_owned())
                    .col(ColumnDef::new(Forums::Scope).string().not_null().to_owned())
                    .col(ColumnDef::new(Forums::Level).string().not_null().to_owned())
                    .col(ColumnDef::new(Forums::Cadence).string().null().to_owned())
                    .col(ColumnDef::new(Forums::Purpose).text().null().to_owned())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_forums_network_id")
                            .from(Forums::Table, Forums::NetworkId)
                            .to(Networks::Table, Networks::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                tenant_owned_table(ForumMembers::Table, "forum_members")
                    .col(
                        ColumnDef::new(ForumMembers::ForumId)
                            .integer()
                            .not_null()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(ForumMembers::UnitId)
                            .integer()
                            .null()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(ForumMembers::PartnerId)
                            .integer()
                            .null()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(ForumMembers::RoleTitle)
                            .string()
                            .not_null()
                            .to_owned(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_forum_members_forum_id")
                            .from(ForumMembers::Table, ForumMembers::ForumId)
                            .to(Identities::Table, Identities::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_forum_members_unit_id")
                            .from(ForumMembers::Table, ForumMembers::UnitId)
                            .to(Identities::Table, Identities::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_forum_members_partner_id")
                            .from(ForumMembers::Table, ForumMembers::PartnerId)
                            .to(PartnerOrganisations::Table, PartnerOrganisations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ForumLegalBases::Table)
                    .col(pk_auto(ForumLegalBases::Id))
                    .col(
                        ColumnDef::new(ForumLegalBases::ForumId)
                            .integer()
                            .not_null()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(ForumLegalBases::LegalBasisId)
                            .integer()
                            .not_null()
                            .to_owned(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_forum_legal_bases_forum_id")
                            .from(ForumLegalBases::Table, ForumLegalBases::ForumId)
                            .to(Identities::Table, Identities::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_forum_legal_bases_legal_basis_id")
                            .from(ForumLegalBases::Table, ForumLegalBases::LegalBasisId)
                            .to(LegalBases::Table, LegalBases::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                tenant_owned_table(Goals::Table, "goals")
                    .col(ColumnDef::new(Goals::Plan).string().not_null().to_owned())
                    .col(
                        ColumnDef::new(Goals::Number)
                            .integer()
                            .not_null()
                            .to_owned(),
                    )
                    .col(ColumnDef::new(Goals::Title).string().not_null().to_owned())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                tenant_owned_table(Interventions::Table, "interventions")
                    .col(
                        ColumnDef::new(Interventions::GoalId)
                            .integer()
                            .null()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(Interventions::LeadUnitId)
                            .integer()
                            .null()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(Interventions::Name)
                            .string()
                            .not_null()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(Interventions::Description)
                            .text()
                            .null()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(Interventions::PreventionLevel)
                            .string()
                            .null()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(Interventions::TargetGroup)
                            .text()
                            .null()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(Interventions::AgeMin)
                            .integer()
                            .null()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(Interventions::AgeMax)
                            .integer()
                            .null()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(Interventions::Funding)
                            .text()
                            .null()
                            .to_owned(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_interventions_goal_id")
                            .from(Interventions::Table, Interventions::GoalId)
                            .to(Identities::Table, Identities::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_interventions_lead_unit_id")
                            .from(Interventions::Table, Interventions::LeadUnitId)
                            .to(Identities::Table, Identities::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(InterventionPartners::Table)
                    .col(pk_auto(InterventionPartners::Id))
                    .col(
                        ColumnDef::new(InterventionPartners::InterventionId)
                            .integer()
                            .not_null()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(InterventionPartners::UnitId)
                            .integer()
                            .null()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(InterventionPartners::PartnerId)
                            .integer()
                            .null()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(InterventionPartners::Role)
                            .string()
                            .null()
                            .to_owned(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_intervention_partners_intervention_id")
                            .from(
                                InterventionPartners::Table,
                                InterventionPartners::InterventionId,
                            )
                            .to(Identities::Table, Identities::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_intervention_partners_unit_id")
                            .from(InterventionPartners::Table, InterventionPartners::UnitId)
                            .to(Identities::Table, Identities::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_intervention_partners_partner_id")
                            .from(InterventionPartners::Table, InterventionPartners::PartnerId)
                            .to(PartnerOrganisations::Table, PartnerOrganisations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                tenant_owned_table(SharedProjects::Table, "shared_projects")
                    .col(
                        ColumnDef::new(SharedProjects::Name)
                            .string()
                            .not_null()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(SharedProjects::Description)
                            .text()
                            .null()
                            .to_owned(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ProjectParticipants::Table)
                    .col(pk_auto(ProjectParticipants::Id))
                    .col(
                        ColumnDef::new(ProjectParticipants::ProjectId)
                            .integer()
                            .not_null()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(ProjectParticipants::ParticipantCode)
                            .integer()
                            .not_null()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(ProjectParticipants::Role)
                            .string()
                            .not_null()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(ProjectParticipants::ContributionOre)
                            .big_integer()
                            .null()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(ProjectParticipants::ContributionNote)
                            .text()
                            .null()
                            .to_owned(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_project_participants_project_id")
                            .from(ProjectParticipants::Table, ProjectParticipants::ProjectId)
                            .to(Identities::Table, Identities::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_project_participants_participant_code")
                            .from(
                                ProjectParticipants::Table,
                                ProjectParticipants::ParticipantCode,
                            )
                            .to(Municipalities::Table, Municipalities::Code),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                tenant_owned_table(Contacts::Table, "contacts")
                    .col(ColumnDef::new(Contacts::UnitId).integer().null().to_owned())
                    .col(
                        ColumnDef::new(Contacts::Name)
                            .string()
                            .not_null()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(Contacts::RoleTitle)
                            .string()
                            .not_null()
                            .to_owned(),
                    )
                    .col(ColumnDef::new(Contacts::Phone).string().null().to_owned())
                    .col(ColumnDef::new(Contacts::Email).string().null().to_owned())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_contacts_unit_id")
                            .from(Contacts::Table, Contacts::UnitId)
                            .to(Identities::Table, Identities::Id),
                    )
                    .to_owned(),
            )
            .await?;
        create_index(
            manager,
            "idx_municipalities_population_source_id",
            Municipalities::Table,
            [Municipalities::PopulationSourceId],
        )
        .await?;
        create_index(
            manager,
            "idx_networks_source_id",
            Networks::Table,
            [Networks::SourceId],
        )
        .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_network_memberships")
                    .table(NetworkMemberships::Table)
                    .col(NetworkMemberships::NetworkId)
                    .col(NetworkMemberships::MunicipalityCode)
                    .unique()
                    .to_owned(),
            )
            .await?;
        create_index(
            manager,
            "idx_network_memberships_municipality_code",
            NetworkMemberships::Table,
            [NetworkMemberships::MunicipalityCode],
        )
        .await?;
        create_index(
            manager,
            "idx_partner_organisations_source_id",
            PartnerOrganisations::Table,
            [PartnerOrganisations::SourceId],
        )
        .await?;
        create_index(
            manager,
            "idx_legal_bases_source_id",
            LegalBases::Table,
            [LegalBases::SourceId],
        )
        .await?;
        create_index(
            manager,
            "idx_units_parent_id",
            Units::Table,
            [Units::ParentId],
        )
        .await?;
        create_index(
            manager,
            "idx_units_committee_id",
            Units::Table,
            [Units::CommitteeId],
        )
        .await?;
        create_index(
            manager,
            "idx_staff_roles_unit_id",
            StaffRoles::Table,
            [StaffRoles::UnitId],
        )
        .await?;
        create_index(
            manager,
            "idx_budget_lines_unit_id",
            BudgetLines::Table,
            [BudgetLines::UnitId],
        )
        .await?;
        create_index(
            manager,
            "idx_forums_network_id",
            Forums::Table,
            [Forums::NetworkId],
        )
        .await?;
        create_index(
            manager,
            "idx_forum_members_forum_id",
            ForumMembers::Table,
            [ForumMembers::ForumId],
        )
        .await?;
        create_index(
            manager,
            "idx_forum_members_unit_id",
            ForumMembers::Table,
            [ForumMembers::UnitId],
        )
        .await?;
        create_index(
            manager,
            "idx_forum_members_partner_id",
            ForumMembers::Table,
            [ForumMembers::PartnerId],
        )
        .await?;
        create_index(
            manager,
            "idx_forum_legal_bases_forum_id",
            ForumLegalBases::Table,
            [ForumLegalBases::ForumId],
        )
        .await?;
        create_index(
            manager,
            "idx_forum_legal_bases_legal_basis_id",
            ForumLegalBases::Table,
            [ForumLegalBases::LegalBasisId],
        )
        .await?;
        create_index(
            manager,
            "idx_interventions_goal_id",
            Interventions::Table,
            [Interventions::GoalId],
        )
        .await?;
        create_index(
            manager,
            "idx_interventions_lead_unit_id",
            Interventions::Table,
            [Interventions::LeadUnitId],
        )
        .await?;
        create_index(
            manager,
            "idx_intervention_partners_intervention_id",
            InterventionPartners::Table,
            [InterventionPartners::InterventionId],
        )
        .await?;
        create_index(
            manager,
            "idx_intervention_partners_unit_id",
            InterventionPartners::Table,
            [InterventionPartners::UnitId],
        )
        .await?;
        create_index(
            manager,
            "idx_intervention_partners_partner_id",
            InterventionPartners::Table,
            [InterventionPartners::PartnerId],
        )
        .await?;
        create_index(
            manager,
            "idx_project_participants_project_id",
            ProjectParticipants::Table,
            [ProjectParticipants::ProjectId],
        )
        .await?;
        create_index(
            manager,
            "idx_project_participants_participant_code",
            ProjectParticipants::Table,
            [ProjectParticipants::ParticipantCode],
        )
        .await?;
        create_index(
            manager,
            "idx_contacts_unit_id",
            Contacts::Table,
            [Contacts::UnitId],
        )
        .await?;
        manager
            .create_table(
                tenant_owned_table(KeyIndicators::Table, "key_indicators")
                    .col(ColumnDef::new(KeyIndicators::Measure).string().not_null())
                    .col(ColumnDef::new(KeyIndicators::Title).text().not_null())
                    .col(ColumnDef::new(KeyIndicators::PeriodStart).integer().null())
                    .col(ColumnDef::new(KeyIndicators::PeriodEnd).integer().null())
                    .col(ColumnDef::new(KeyIndicators::ValueKind).string().not_null())
                    .col(
                        ColumnDef::new(KeyIndicators::ValueHundredths)
                            .big_integer()
                            .null(),
                    )
                    .col(ColumnDef::new(KeyIndicators::Unit).string().null())
                    .col(ColumnDef::new(KeyIndicators::Finding).text().null())
                    .to_owned(),
            )
            .await?;
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            // For the exclusion constraints: `=` on integers in a GiST index.
            manager
                .get_connection()
                .execute_unprepared("CREATE EXTENSION IF NOT EXISTS btree_gist")
                .await?;
        }
        for table in TENANT_OWNED {
            create_tenancy_indexes(manager, table).await?;
            forbid_overlapping_versions(manager, table).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(KeyIndicators::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Contacts::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ProjectParticipants::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(SharedProjects::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(InterventionPartners::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Interventions::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Goals::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ForumLegalBases::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ForumMembers::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Forums::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(BudgetLines::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(StaffRoles::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Units::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(PoliticalCommittees::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Identities::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(AuditLog::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(LegalBases::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(PartnerOrganisations::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(NetworkMemberships::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Networks::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Municipalities::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Sources::Table).to_owned())
            .await?;
        Ok(())
    }
}

/// Tables whose rows are versions of a municipality's records; they share the columns of
/// [`tenant_owned_table`].
const TENANT_OWNED: [&str; 11] = [
    "political_committees",
    "units",
    "staff_roles",
    "budget_lines",
    "forums",
    "forum_members",
    "goals",
    "interventions",
    "shared_projects",
    "contacts",
    "key_indicators",
];

/// A table of versions of a municipality's records. A row is one version of the record (the
/// identity, in `identities`) that `id` names: its attributes during its half-open validity
/// `[valid_from, valid_to)`, the owner, who may see it, the source document and section it comes
/// from, and when and by whom it was recorded. References to such records point at identities.
/// The versions of one identity do not overlap ([`forbid_overlapping_versions`]).
pub(crate) fn tenant_owned_table(
    table: impl IntoIden + 'static,
    name: &str,
) -> TableCreateStatement {
    let column = |name: &str| Alias::new(name);
    Table::create()
        .table(table)
        .col(ColumnDef::new(column("id")).integer().not_null())
        .col(ColumnDef::new(column("version")).integer().not_null())
        .col(ColumnDef::new(column("latest")).boolean().not_null())
        .col(
            ColumnDef::new(column("municipality_code"))
                .integer()
                .not_null(),
        )
        .col(ColumnDef::new(column("visibility")).string().not_null())
        .col(ColumnDef::new(column("valid_from")).date().null())
        .col(ColumnDef::new(column("valid_to")).date().null())
        .col(ColumnDef::new(column("source_id")).integer().not_null())
        .col(ColumnDef::new(column("source_section")).string().not_null())
        .col(ColumnDef::new(column("note")).text().null())
        .col(
            ColumnDef::new(column("recorded_at"))
                .timestamp_with_time_zone()
                .not_null(),
        )
        .col(ColumnDef::new(column("recorded_by")).string().not_null())
        .primary_key(Index::create().col(column("id")).col(column("version")))
        .check(
            Expr::col(column("valid_from"))
                .is_null()
                .or(Expr::col(column("valid_to")).is_null())
                .or(Expr::col(column("valid_to")).gt(Expr::col(column("valid_from")))),
        )
        .foreign_key(
            ForeignKey::create()
                .name(format!("fk_{name}_id"))
                .from_col(column("id"))
                .to(Identities::Table, Identities::Id)
                .on_delete(ForeignKeyAction::Cascade),
        )
        .foreign_key(
            ForeignKey::create()
                .name(format!("fk_{name}_municipality_code"))
                .from_col(column("municipality_code"))
                .to(Municipalities::Table, Municipalities::Code),
        )
        .foreign_key(
            ForeignKey::create()
                .name(format!("fk_{name}_source_id"))
                .from_col(column("source_id"))
                .to(Sources::Table, Sources::Id),
        )
        .to_owned()
}

/// Two versions of one identity may not hold on the same day. PostgreSQL enforces it with an
/// exclusion constraint (which also holds between concurrent transactions); SQLite, whose writes
/// are serialised, with triggers.
pub(crate) async fn forbid_overlapping_versions(
    manager: &SchemaManager<'_>,
    table: &str,
) -> Result<(), DbErr> {
    let db = manager.get_connection();
    match manager.get_database_backend() {
        DatabaseBackend::Postgres => {
            db.execute_unprepared(&format!(
                "ALTER TABLE {table} ADD CONSTRAINT {table}_versions_do_not_overlap \
                 EXCLUDE USING gist (id WITH =, daterange(valid_from, valid_to, '[)') WITH &&)"
            ))
            .await?;
        }
        DatabaseBackend::Sqlite => {
            for event in ["INSERT", "UPDATE"] {
                let trigger = format!(
                    "{table}_versions_do_not_overlap_on_{}",
                    event.to_lowercase()
                );
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER {trigger} BEFORE {event} ON {table} \
                     WHEN EXISTS (SELECT 1 FROM {table} AS other \
                       WHERE other.id = NEW.id AND other.version <> NEW.version \
                       AND (other.valid_to IS NULL OR NEW.valid_from IS NULL OR other.valid_to > NEW.valid_from) \
                       AND (NEW.valid_to IS NULL OR other.valid_from IS NULL OR NEW.valid_to > other.valid_from)) \
                     BEGIN SELECT RAISE(ABORT, 'versions_overlap: {table}'); END"
                ))
                .await?;
            }
        }
        DatabaseBackend::MySql => {
            return Err(DbErr::Migration("MySQL is not supported".to_owned()));
        }
    }
    Ok(())
}

/// The indexes every tenant-owned table's reads use: by owner, by source, by validity; and one
/// latest version per identity (which also serves reads of latest versions in id order).
pub(crate) async fn create_tenancy_indexes(
    manager: &SchemaManager<'_>,
    table: &str,
) -> Result<(), DbErr> {
    let column = |name: &str| Alias::new(name);
    manager
        .create_index(
            Index::create()
                .name(format!("idx_{table}_one_latest_version"))
                .table(Alias::new(table))
                .col(column("id"))
                .unique()
                .and_where(Expr::col(column("latest")).eq(true))
                .to_owned(),
        )
        .await?;
    // With the id, so that a municipality's records are found in the order reads return them.
    create_index(
        manager,
        &format!("idx_{table}_municipality_code"),
        Alias::new(table),
        [column("municipality_code"), column("id")],
    )
    .await?;
    create_index(
        manager,
        &format!("idx_{table}_source_id"),
        Alias::new(table),
        [column("source_id")],
    )
    .await?;
    create_index(
        manager,
        &format!("idx_{table}_validity"),
        Alias::new(table),
        [column("valid_from"), column("valid_to")],
    )
    .await
}

pub(crate) async fn create_index<C: IntoIndexColumn>(
    manager: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden + 'static,
    columns: impl IntoIterator<Item = C>,
) -> Result<(), DbErr> {
    let mut index = Index::create();
    index.name(name).table(table);
    for column in columns {
        index.col(column);
    }
    manager.create_index(index.to_owned()).await
}

#[derive(DeriveIden)]
enum Sources {
    Table,
    Id,
    Key,
    File,
    Title,
    Publisher,
    Date,
    Note,
}

#[derive(DeriveIden)]
enum Municipalities {
    Table,
    Code,
    Name,
    Revision,
    Population,
    PopulationYear,
    PopulationSourceId,
    PopulationSection,
    PopulationNote,
}

#[derive(DeriveIden)]
enum Networks {
    Table,
    Id,
    Key,
    Name,
    Revision,
    Kind,
    Description,
    SourceId,
    SourceSection,
}

#[derive(DeriveIden)]
enum NetworkMemberships {
    Table,
    Id,
    NetworkId,
    MunicipalityCode,
}

#[derive(DeriveIden)]
enum PartnerOrganisations {
    Table,
    Id,
    Key,
    Name,
    Revision,
    Kind,
    Note,
    SourceId,
    SourceSection,
}

#[derive(DeriveIden)]
enum LegalBases {
    Table,
    Id,
    Key,
    Law,
    SectionRef,
    Title,
    SourceId,
    SourceSection,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    RecordedAt,
    Subject,
    Client,
    MunicipalityCode,
    Kind,
    RecordId,
    Action,
    Revision,
    Before,
    After,
}

#[derive(DeriveIden)]
pub(crate) enum Identities {
    Table,
    Id,
    Kind,
    Key,
    MunicipalityCode,
    Revision,
    CreatedAt,
    CreatedBy,
}

#[derive(DeriveIden)]
enum PoliticalCommittees {
    Table,
    Name,
}

#[derive(DeriveIden)]
enum Units {
    Table,
    ParentId,
    CommitteeId,
    Name,
    Kind,
    Archetype,
    ArchetypeNote,
    HostsCrimePrevention,
}

#[derive(DeriveIden)]
enum StaffRoles {
    Table,
    UnitId,
    Title,
    Headcount,
    WeeklyMinutesMin,
    WeeklyMinutesMax,
    PreventionLevel,
    Pillar,
}

#[derive(DeriveIden)]
enum BudgetLines {
    Table,
    UnitId,
    Year,
    Category,
    Phase,
    AmountOre,
    FunctionCode,
    Description,
}

#[derive(DeriveIden)]
enum Forums {
    Table,
    NetworkId,
    Name,
    Scope,
    Level,
    Cadence,
    Purpose,
}

#[derive(DeriveIden)]
enum ForumMembers {
    Table,
    ForumId,
    UnitId,
    PartnerId,
    RoleTitle,
}

#[derive(DeriveIden)]
enum ForumLegalBases {
    Table,
    Id,
    ForumId,
    LegalBasisId,
}

#[derive(DeriveIden)]
enum KeyIndicators {
    Table,
    Measure,
    Title,
    PeriodStart,
    PeriodEnd,
    ValueKind,
    ValueHundredths,
    Unit,
    Finding,
}

#[derive(DeriveIden)]
enum Goals {
    Table,
    Plan,
    Number,
    Title,
}

#[derive(DeriveIden)]
enum Interventions {
    Table,
    GoalId,
    LeadUnitId,
    Name,
    Description,
    PreventionLevel,
    TargetGroup,
    AgeMin,
    AgeMax,
    Funding,
}

#[derive(DeriveIden)]
enum InterventionPartners {
    Table,
    Id,
    InterventionId,
    UnitId,
    PartnerId,
    Role,
}

#[derive(DeriveIden)]
enum SharedProjects {
    Table,
    Name,
    Description,
}

#[derive(DeriveIden)]
enum ProjectParticipants {
    Table,
    Id,
    ProjectId,
    ParticipantCode,
    Role,
    ContributionOre,
    ContributionNote,
}

#[derive(DeriveIden)]
enum Contacts {
    Table,
    UnitId,
    Name,
    RoleTitle,
    Phone,
    Email,
}
