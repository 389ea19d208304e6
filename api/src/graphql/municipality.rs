//! Municipalities (the tenants), the networks they belong to, and the way into their models.

use async_graphql::{Context, InputObject, Object, Result, ID};
use chrono::NaiveDate;
use entities::{municipality, network};

use super::{
    budget::BudgetLine,
    forum::Forum,
    ids::NodeKind,
    intervention::{Goal, Intervention},
    list_size,
    loaders::*,
    organisation::{Contact, PoliticalCommittee, StaffRole, Unit},
    pagination::{paginate, List},
    project::SharedProject,
    scalars::Date,
    source::{Provenance, Source},
    store,
};
use crate::{
    error::ApiError,
    service::{MunicipalityFilter, NetworkFilter},
    vocabulary::{ForumLevel, PreventionLevel},
};

dated_record!(
    /// A municipality (kommune): a tenant of Vestegn, with its organisation model.
    ///
    /// Lists under a municipality follow `asOf`: given on `municipality(code, asOf)` it applies to
    /// everything below, and each list can override it. Without `asOf`, lists hold every period.
    Municipality, municipality::Model
);

impl Municipality {
    fn date(&self, as_of: Option<Date>) -> Option<NaiveDate> {
        Date::day(as_of).or(self.as_of)
    }
}

#[Object]
impl Municipality {
    pub(crate) async fn id(&self) -> ID {
        NodeKind::Municipality.id(self.row.code)
    }
    /// Kommunekode (Danmarks Statistik), e.g. 183 for Ishøj.
    async fn code(&self) -> i32 {
        self.row.code
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
                source_id,
                self.row.population_section.as_deref().unwrap_or_default(),
            )
        })
    }
    /// The networks the municipality belongs to.
    #[graphql(directive = list_size::apply(5))]
    async fn networks(&self, ctx: &Context<'_>) -> Result<Vec<Network>> {
        let memberships = load_many(ctx, MembershipsByMunicipality, self.row.code, None).await?;
        let ids = memberships.iter().map(|m| m.network_id);
        Ok(load_each(ctx, NetworkById, ids, None)
            .await?
            .into_iter()
            .map(Network)
            .collect())
    }
    /// All units of the municipality (a flat list; see `rootUnits` for the tree).
    #[graphql(directive = list_size::apply(50))]
    async fn units(&self, ctx: &Context<'_>, as_of: Option<Date>) -> Result<Vec<Unit>> {
        let as_of = self.date(as_of);
        let rows = load_many(ctx, UnitsByMunicipality, self.row.code, as_of).await?;
        Ok(rows.into_iter().map(|row| Unit::new(row, as_of)).collect())
    }
    /// The tops of the unit tree: units without a parent.
    #[graphql(directive = list_size::apply(10))]
    async fn root_units(&self, ctx: &Context<'_>, as_of: Option<Date>) -> Result<Vec<Unit>> {
        let as_of = self.date(as_of);
        let rows = load_many(ctx, UnitsByMunicipality, self.row.code, as_of).await?;
        Ok(rows
            .into_iter()
            .filter(|row| row.parent_id.is_none())
            .map(|row| Unit::new(row, as_of))
            .collect())
    }
    /// The units where the SSP / crime-prevention work sits.
    #[graphql(directive = list_size::apply(10))]
    async fn crime_prevention_units(
        &self,
        ctx: &Context<'_>,
        as_of: Option<Date>,
    ) -> Result<Vec<Unit>> {
        let as_of = self.date(as_of);
        let rows = load_many(ctx, UnitsByMunicipality, self.row.code, as_of).await?;
        Ok(rows
            .into_iter()
            .filter(|row| row.hosts_crime_prevention)
            .map(|row| Unit::new(row, as_of))
            .collect())
    }
    #[graphql(directive = list_size::apply(10))]
    async fn committees(
        &self,
        ctx: &Context<'_>,
        as_of: Option<Date>,
    ) -> Result<Vec<PoliticalCommittee>> {
        let as_of = self.date(as_of);
        let rows = load_many(ctx, CommitteesByMunicipality, self.row.code, as_of).await?;
        Ok(rows
            .into_iter()
            .map(|row| PoliticalCommittee::new(row, as_of))
            .collect())
    }
    #[graphql(directive = list_size::apply(200))]
    async fn staff_roles(
        &self,
        ctx: &Context<'_>,
        as_of: Option<Date>,
        prevention_level: Option<PreventionLevel>,
    ) -> Result<Vec<StaffRole>> {
        let as_of = self.date(as_of);
        let rows = load_many(ctx, StaffRolesByMunicipality, self.row.code, as_of).await?;
        Ok(rows
            .into_iter()
            .filter(|row| {
                prevention_level
                    .is_none_or(|level| row.prevention_level.as_deref() == Some(level.as_str()))
            })
            .map(|row| StaffRole::new(row, as_of))
            .collect())
    }
    #[graphql(directive = list_size::apply(200))]
    async fn budget_lines(
        &self,
        ctx: &Context<'_>,
        as_of: Option<Date>,
        year: Option<i32>,
    ) -> Result<Vec<BudgetLine>> {
        let as_of = self.date(as_of);
        let rows = load_many(ctx, BudgetLinesByMunicipality, self.row.code, as_of).await?;
        Ok(rows
            .into_iter()
            .filter(|row| year.is_none_or(|year| row.year == year))
            .map(|row| BudgetLine::new(row, as_of))
            .collect())
    }
    /// The forums the municipality sits in.
    #[graphql(directive = list_size::apply(20))]
    async fn forums(
        &self,
        ctx: &Context<'_>,
        as_of: Option<Date>,
        level: Option<ForumLevel>,
    ) -> Result<Vec<Forum>> {
        let as_of = self.date(as_of);
        let rows = load_many(ctx, ForumsByMunicipality, self.row.code, as_of).await?;
        Ok(rows
            .into_iter()
            .filter(|row| level.is_none_or(|level| row.level == level.as_str()))
            .map(|row| Forum::new(row, as_of))
            .collect())
    }
    #[graphql(directive = list_size::apply(10))]
    async fn goals(&self, ctx: &Context<'_>, as_of: Option<Date>) -> Result<Vec<Goal>> {
        let as_of = self.date(as_of);
        let rows = load_many(ctx, GoalsByMunicipality, self.row.code, as_of).await?;
        Ok(rows.into_iter().map(|row| Goal::new(row, as_of)).collect())
    }
    #[graphql(directive = list_size::apply(50))]
    async fn interventions(
        &self,
        ctx: &Context<'_>,
        as_of: Option<Date>,
        prevention_level: Option<PreventionLevel>,
    ) -> Result<Vec<Intervention>> {
        let as_of = self.date(as_of);
        let rows = load_many(ctx, InterventionsByMunicipality, self.row.code, as_of).await?;
        Ok(rows
            .into_iter()
            .filter(|row| {
                prevention_level
                    .is_none_or(|level| row.prevention_level.as_deref() == Some(level.as_str()))
            })
            .map(|row| Intervention::new(row, as_of))
            .collect())
    }
    /// Cross-municipal projects the municipality leads or takes part in.
    #[graphql(directive = list_size::apply(10))]
    async fn shared_projects(
        &self,
        ctx: &Context<'_>,
        as_of: Option<Date>,
    ) -> Result<Vec<SharedProject>> {
        let as_of = self.date(as_of);
        let mut rows = load_many(ctx, ProjectsByOwner, self.row.code, as_of).await?;
        let participations =
            load_many(ctx, ParticipationsByMunicipality, self.row.code, None).await?;
        let joined: Vec<i32> = participations
            .iter()
            .map(|p| p.project_id)
            .filter(|id| !rows.iter().any(|row| row.id == *id))
            .collect();
        rows.extend(load_each(ctx, ProjectById, joined, as_of).await?);
        Ok(rows
            .into_iter()
            .map(|row| SharedProject::new(row, as_of))
            .collect())
    }
    /// Staff contact details: personal data, visible to the municipality itself only.
    #[graphql(directive = list_size::apply(20))]
    async fn contacts(&self, ctx: &Context<'_>, as_of: Option<Date>) -> Result<Vec<Contact>> {
        let as_of = self.date(as_of);
        let rows = load_many(ctx, ContactsByMunicipality, self.row.code, as_of).await?;
        Ok(rows.into_iter().map(Contact).collect())
    }
}

/// A network of municipalities (Vestegnens SSP-kreds, the Kredsråd, Chefforum).
#[derive(Clone)]
pub struct Network(pub network::Model);

#[Object]
impl Network {
    pub(crate) async fn id(&self) -> ID {
        NodeKind::Network.id(self.0.id)
    }
    async fn key(&self) -> &str {
        &self.0.key
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// What kind of network: `ssp_circle`, `police_district_council`, `heads_forum`, ...
    async fn kind(&self) -> &str {
        &self.0.kind
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    #[graphql(directive = list_size::apply(100))]
    async fn members(&self, ctx: &Context<'_>) -> Result<Vec<Municipality>> {
        let memberships = load_many(ctx, MembershipsByNetwork, self.0.id, None).await?;
        let codes = memberships.iter().map(|m| m.municipality_code);
        let rows = load_each(ctx, MunicipalityByCode, codes, None).await?;
        Ok(rows
            .into_iter()
            .map(|row| Municipality::new(row, None))
            .collect())
    }
    /// The forums that belong to this network, as the member municipalities record them.
    #[graphql(directive = list_size::apply(50))]
    async fn forums(&self, ctx: &Context<'_>, as_of: Option<Date>) -> Result<Vec<Forum>> {
        let as_of = Date::day(as_of);
        let rows = load_many(ctx, ForumsByNetwork, self.0.id, as_of).await?;
        Ok(rows.into_iter().map(|row| Forum::new(row, as_of)).collect())
    }
    async fn provenance(&self) -> Provenance {
        Provenance::reference(self.0.source_id, &self.0.source_section)
    }
    async fn source(&self, ctx: &Context<'_>) -> Result<Option<Source>> {
        Ok(load_one(ctx, SourceById, self.0.source_id, None)
            .await?
            .map(Source))
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
            .map(|id| super::node::expect_kind(id, super::ids::NodeKind::Network, "filter.network"))
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
            |row| Municipality::new(row, as_of),
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
        let row = store(ctx)?
            .get::<municipality::Entity>(code, None)
            .await?
            .ok_or_else(|| ApiError::not_found(format!("municipality {code}")))?;
        Ok(Municipality::new(row, Date::day(as_of)))
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
            Network,
        )
        .await
    }
}
