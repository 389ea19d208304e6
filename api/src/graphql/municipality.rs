//! Municipalities (the tenants), the networks they belong to, and the way into their models.

use async_graphql::{Context, InputObject, Object, Result, ID};
use entities::{municipality, network};

use super::{
    budget::BudgetLine,
    forum::Forum,
    ids::{GlobalId, Kind},
    indicator::KeyIndicator,
    intervention::{Goal, Intervention},
    list_size,
    loaders::*,
    organisation::{Contact, PoliticalCommittee, StaffRole, Unit},
    pagination::{paginate, List},
    plan::Plan,
    project::SharedProject,
    scalars::Date,
    source::{Provenance, Source},
};
use crate::{
    error::ApiError,
    service::{
        BudgetLineSlice, ForumSlice, InterventionSlice, KeyIndicatorSlice, MunicipalityFilter,
        NetworkFilter, StaffRoleSlice, UnitSlice,
    },
    vocabulary::{BudgetCategory, BudgetPhase, ForumLevel, ForumScope, Measure, PreventionLevel},
};

dated_record!(
    /// A municipality (kommune): a tenant of Vestegn, with its organisation model.
    ///
    /// Lists under a municipality follow `asOf`: given on `municipality(code, asOf)` it applies to
    /// everything below, and each list can override it. Without `asOf`, lists hold every period.
    Municipality, municipality
);

#[Object]
impl Municipality {
    pub(crate) async fn id(&self) -> ID {
        Kind::Municipality.id(self.row.code)
    }
    /// Kommunekode (Danmarks Statistik), e.g. 183 for Ishøj.
    async fn code(&self) -> i32 {
        self.row.code
    }
    /// Counts the platform admins' writes to the municipality's record: an update sends back the
    /// revision it read.
    async fn revision(&self) -> i32 {
        self.row.revision
    }
    async fn name(&self) -> &str {
        &self.row.name
    }
    /// Inhabitants, when a source gives the number; see `populationNote` when null.
    async fn population(&self) -> Option<i64> {
        self.row.population
    }
    async fn population_year(&self) -> Option<i32> {
        self.row.population_year
    }
    /// Why the population is unknown, or how approximate it is.
    async fn population_note(&self) -> Option<&str> {
        self.row.population_note.as_deref()
    }
    /// Where the population figure comes from.
    async fn population_provenance(&self) -> Option<Provenance> {
        self.row.population_source_id.map(|source_id| {
            Provenance::reference(
                self,
                source_id,
                self.row.population_section.as_deref().unwrap_or_default(),
            )
        })
    }
    /// The networks the municipality belongs to.
    #[graphql(directive = list_size::apply(5, None))]
    async fn networks(&self, ctx: &Context<'_>) -> Result<Vec<Network>> {
        let related = self.related(ctx);
        let memberships = related
            .rows(MembershipsByMunicipality, self.row.code)
            .await?;
        let ids = memberships.iter().map(|m| m.network_id);
        related.each(NetworkById, ids).await
    }
    /// The units of the municipality (a flat list; see `rootUnits` for the tree), of one kind or
    /// only those where the crime-prevention work sits (or only the others) when asked.
    #[graphql(directive = list_size::apply(50, None))]
    async fn units(
        &self,
        ctx: &Context<'_>,
        as_of: Option<Date>,
        kind: Option<String>,
        hosts_crime_prevention: Option<bool>,
    ) -> Result<Vec<Unit>> {
        let slice = UnitSlice {
            kind,
            hosts_crime_prevention,
        };
        self.related(ctx)
            .as_of(as_of)
            .many(UnitsByMunicipality(slice), self.row.code)
            .await
    }
    /// The tops of the unit tree: units without a parent.
    #[graphql(directive = list_size::apply(10, None))]
    async fn root_units(&self, ctx: &Context<'_>, as_of: Option<Date>) -> Result<Vec<Unit>> {
        let units = self.units(ctx, as_of, None, None).await?;
        Ok(units
            .into_iter()
            .filter(|unit| unit.row.parent_id.is_none())
            .collect())
    }
    /// The units where the SSP / crime-prevention work sits.
    #[graphql(directive = list_size::apply(10, None))]
    async fn crime_prevention_units(
        &self,
        ctx: &Context<'_>,
        as_of: Option<Date>,
    ) -> Result<Vec<Unit>> {
        self.units(ctx, as_of, None, Some(true)).await
    }
    #[graphql(directive = list_size::apply(10, None))]
    async fn committees(
        &self,
        ctx: &Context<'_>,
        as_of: Option<Date>,
    ) -> Result<Vec<PoliticalCommittee>> {
        self.related(ctx)
            .as_of(as_of)
            .many(CommitteesByMunicipality, self.row.code)
            .await
    }
    #[graphql(directive = list_size::apply(200, None))]
    async fn staff_roles(
        &self,
        ctx: &Context<'_>,
        as_of: Option<Date>,
        prevention_level: Option<PreventionLevel>,
    ) -> Result<Vec<StaffRole>> {
        let slice = StaffRoleSlice { prevention_level };
        self.related(ctx)
            .as_of(as_of)
            .many(StaffRolesByMunicipality(slice), self.row.code)
            .await
    }
    #[graphql(directive = list_size::apply(200, None))]
    async fn budget_lines(
        &self,
        ctx: &Context<'_>,
        as_of: Option<Date>,
        year: Option<i32>,
        category: Option<BudgetCategory>,
        phase: Option<BudgetPhase>,
    ) -> Result<Vec<BudgetLine>> {
        let slice = BudgetLineSlice {
            year,
            category,
            phase,
        };
        self.related(ctx)
            .as_of(as_of)
            .many(BudgetLinesByMunicipality(slice), self.row.code)
            .await
    }
    /// The forums the municipality sits in.
    #[graphql(directive = list_size::apply(20, None))]
    async fn forums(
        &self,
        ctx: &Context<'_>,
        as_of: Option<Date>,
        level: Option<ForumLevel>,
        scope: Option<ForumScope>,
    ) -> Result<Vec<Forum>> {
        let slice = ForumSlice { level, scope };
        self.related(ctx)
            .as_of(as_of)
            .many(ForumsByMunicipality(slice), self.row.code)
            .await
    }
    /// The municipality's crime-prevention strategies and action plans.
    #[graphql(directive = list_size::apply(5, None))]
    async fn plans(&self, ctx: &Context<'_>, as_of: Option<Date>) -> Result<Vec<Plan>> {
        self.related(ctx)
            .as_of(as_of)
            .many(PlansByMunicipality, self.row.code)
            .await
    }
    #[graphql(directive = list_size::apply(10, None))]
    async fn goals(&self, ctx: &Context<'_>, as_of: Option<Date>) -> Result<Vec<Goal>> {
        self.related(ctx)
            .as_of(as_of)
            .many(GoalsByMunicipality, self.row.code)
            .await
    }
    #[graphql(directive = list_size::apply(50, None))]
    async fn interventions(
        &self,
        ctx: &Context<'_>,
        as_of: Option<Date>,
        prevention_level: Option<PreventionLevel>,
    ) -> Result<Vec<Intervention>> {
        let slice = InterventionSlice { prevention_level };
        self.related(ctx)
            .as_of(as_of)
            .many(InterventionsByMunicipality(slice), self.row.code)
            .await
    }
    /// The key indicators the sources report for the municipality, of one measure or covering
    /// one year when asked.
    #[graphql(directive = list_size::apply(20, None))]
    async fn key_indicators(
        &self,
        ctx: &Context<'_>,
        as_of: Option<Date>,
        measure: Option<Measure>,
        year: Option<i32>,
    ) -> Result<Vec<KeyIndicator>> {
        let slice = KeyIndicatorSlice { measure, year };
        self.related(ctx)
            .as_of(as_of)
            .many(KeyIndicatorsByMunicipality(slice), self.row.code)
            .await
    }
    /// Cross-municipal projects the municipality leads or takes part in.
    #[graphql(directive = list_size::apply(10, None))]
    async fn shared_projects(
        &self,
        ctx: &Context<'_>,
        as_of: Option<Date>,
    ) -> Result<Vec<SharedProject>> {
        let related = self.related(ctx).as_of(as_of);
        let mut projects: Vec<SharedProject> = related.many(ProjectsByOwner, self.row.code).await?;
        let participations = related
            .rows(ParticipationsByMunicipality, self.row.code)
            .await?;
        let joined_ids: Vec<i32> = participations
            .iter()
            .map(|p| p.project_id)
            .filter(|id| !projects.iter().any(|project| project.row.id == *id))
            .collect();
        let joined: Vec<SharedProject> = related.each(ProjectById, joined_ids).await?;
        projects.extend(joined);
        Ok(projects)
    }
    /// Staff contact details: personal data, visible to the municipality itself only.
    #[graphql(directive = list_size::apply(20, None))]
    async fn contacts(&self, ctx: &Context<'_>, as_of: Option<Date>) -> Result<Vec<Contact>> {
        self.related(ctx)
            .as_of(as_of)
            .many(ContactsByMunicipality, self.row.code)
            .await
    }
}

dated_record!(
    /// A network of municipalities (Vestegnens SSP-kreds, the Kredsråd, Chefforum).
    Network, network
);

#[Object]
impl Network {
    pub(crate) async fn id(&self) -> ID {
        Kind::Network.id(self.row.id)
    }
    /// Counts the platform admins' writes: an update sends back the revision it read.
    async fn revision(&self) -> i32 {
        self.row.revision
    }
    async fn key(&self) -> &str {
        &self.row.key
    }
    async fn name(&self) -> &str {
        &self.row.name
    }
    /// What kind of network: `ssp_circle`, `police_district_council`, `heads_forum`, ...
    async fn kind(&self) -> &str {
        &self.row.kind
    }
    async fn description(&self) -> Option<&str> {
        self.row.description.as_deref()
    }
    // Calibrated: the seed's networks have at most 11 members; a police district has up to 19
    // municipalities.
    #[graphql(directive = list_size::apply(25, None))]
    async fn members(&self, ctx: &Context<'_>) -> Result<Vec<Municipality>> {
        let related = self.related(ctx);
        let memberships = related.rows(MembershipsByNetwork, self.row.id).await?;
        let codes = memberships.iter().map(|m| m.municipality_code);
        related.each(MunicipalityByCode, codes).await
    }
    /// The forums that belong to this network, as the member municipalities record them.
    // Calibrated: the seed's networks have at most 3 forums; a police district's network (up to
    // 19 municipalities) rarely records more than one per member.
    #[graphql(directive = list_size::apply(20, None))]
    async fn forums(
        &self,
        ctx: &Context<'_>,
        as_of: Option<Date>,
        level: Option<ForumLevel>,
        scope: Option<ForumScope>,
    ) -> Result<Vec<Forum>> {
        let slice = ForumSlice { level, scope };
        self.related(ctx)
            .as_of(as_of)
            .many(ForumsByNetwork(slice), self.row.id)
            .await
    }
    async fn provenance(&self) -> Provenance {
        Provenance::reference(self, self.row.source_id, &self.row.source_section)
    }
    async fn source(&self, ctx: &Context<'_>) -> Result<Option<Source>> {
        self.related(ctx).one(SourceById, self.row.source_id).await
    }
}

/// Which municipalities to list.
#[derive(Default, InputObject)]
pub struct MunicipalityFilterInput {
    /// Only these municipality codes.
    pub codes: Option<Vec<i32>>,
    /// Text to find in the name (case-insensitive).
    pub search: Option<String>,
    /// Only members of this network (its ID).
    pub network: Option<ID>,
}

#[derive(Default)]
pub struct MunicipalityQuery;

#[Object]
impl MunicipalityQuery {
    /// The municipalities of the network, ordered by code.
    async fn municipalities(
        &self,
        ctx: &Context<'_>,
        filter: Option<MunicipalityFilterInput>,
        #[graphql(desc = "Applies to the models under each municipality")] as_of: Option<Date>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<List<Municipality>> {
        let as_of = Date::day(as_of);
        let filter = filter.unwrap_or_default();
        let network_id = filter
            .network
            .as_ref()
            .map(|id| super::node::expect_kind(id, super::ids::Kind::Network, "filter.network"))
            .transpose()?;
        let filter = MunicipalityFilter {
            codes: filter.codes,
            search: filter.search,
            network_id,
        };
        paginate(
            ctx,
            &filter,
            None,
            first,
            after,
            |row| row.code,
            |row| Municipality::read_at(row, as_of),
        )
        .await
    }

    /// One municipality by its code, with its model as of `asOf` (every period when not given).
    async fn municipality(
        &self,
        ctx: &Context<'_>,
        code: i32,
        as_of: Option<Date>,
    ) -> Result<Municipality> {
        Related::from_root(ctx, Date::day(as_of))
            .one(MunicipalityByCode, code)
            .await?
            .ok_or_else(|| ApiError::not_found(format!("municipality {code}")).into())
    }

    /// The networks municipalities belong to.
    async fn networks(
        &self,
        ctx: &Context<'_>,
        search: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<List<Network>> {
        paginate(
            ctx,
            &NetworkFilter { search },
            None,
            first,
            after,
            |row| row.id,
            |row| Network::read_at(row, None),
        )
        .await
    }
}
