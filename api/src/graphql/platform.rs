//! The platform admins' mutations: municipalities (the tenants), the networks that group them, and
//! partner organisations (see `service::platform`).

use async_graphql::{Context, InputObject, MaybeUndefined, Object, Result, ID};

use super::{
    edits::{key_of, nullable, required},
    forum::PartnerOrganisation,
    ids::Kind,
    loaders::Record,
    municipality::{Municipality, Network},
    store,
};
use crate::service::{
    MunicipalityChanges, NetworkChanges, NewMunicipality, NewNetwork, NewPartner, PartnerChanges,
    Population,
};

/// A municipality's population: the figure with its year and source, or a note saying why it is
/// unknown (or how approximate it is).
#[derive(InputObject, Default)]
pub struct PopulationInput {
    pub inhabitants: Option<i64>,
    /// The year the figure counts.
    pub year: Option<i32>,
    /// The key of the source document (`sources { key }`).
    pub source: Option<String>,
    /// The section of the source the figure comes from.
    pub section: Option<String>,
    pub note: Option<String>,
}

impl From<PopulationInput> for Population {
    fn from(input: PopulationInput) -> Self {
        Self {
            inhabitants: input.inhabitants,
            year: input.year,
            source: input.source,
            section: input.section,
            note: input.note,
        }
    }
}

/// A new municipality.
#[derive(InputObject)]
pub struct CreateMunicipalityInput {
    /// The kommunekode (Danmarks Statistik), three digits.
    pub code: i32,
    pub name: String,
    #[graphql(default)]
    pub population: PopulationInput,
}

/// Changes to a municipality: a field not given keeps its value; `population` replaces it whole.
#[derive(InputObject, Default)]
pub struct MunicipalityChangesInput {
    pub name: MaybeUndefined<String>,
    pub population: MaybeUndefined<PopulationInput>,
}

/// A new network of municipalities.
#[derive(InputObject)]
pub struct CreateNetworkInput {
    /// How data files and clients name it: lowercase letters, digits and `-`.
    pub key: String,
    pub name: String,
    /// `ssp_circle`, `police_district_council`, `heads_forum`, ...
    pub kind: String,
    pub description: Option<String>,
    /// The key of the source document that describes the network, and its section.
    pub source: String,
    pub section: String,
    /// The municipality codes of its members: they see each other's `network` records.
    #[graphql(default)]
    pub members: Vec<i32>,
}

/// Changes to a network: a field not given keeps its value, `null` clears it; `members` replaces
/// the members (and so who sees whose `network` records).
#[derive(InputObject, Default)]
pub struct NetworkChangesInput {
    pub name: MaybeUndefined<String>,
    pub kind: MaybeUndefined<String>,
    pub description: MaybeUndefined<String>,
    pub source: MaybeUndefined<SourceSectionInput>,
    pub members: MaybeUndefined<Vec<i32>>,
}

/// A source document (its key) and the section of it.
#[derive(InputObject)]
pub struct SourceSectionInput {
    pub source: String,
    pub section: String,
}

/// A new partner organisation.
#[derive(InputObject)]
pub struct CreatePartnerOrganisationInput {
    /// How data files and clients name it: lowercase letters, digits and `-`.
    pub key: String,
    pub name: String,
    /// `police`, `prison_and_probation`, `intelligence`, `state_agency`, `council`, `housing`,
    /// `association`, `business`, `education`, `health`, `other`.
    pub kind: String,
    pub note: Option<String>,
    pub source: String,
    pub section: String,
}

/// Changes to a partner organisation: a field not given keeps its value, `null` clears it.
#[derive(InputObject, Default)]
pub struct PartnerOrganisationChangesInput {
    pub name: MaybeUndefined<String>,
    pub kind: MaybeUndefined<String>,
    pub note: MaybeUndefined<String>,
    pub source: MaybeUndefined<SourceSectionInput>,
}

fn source_of(input: SourceSectionInput) -> (String, String) {
    (input.source, input.section)
}

#[derive(Default)]
pub struct PlatformMutation;

#[Object]
impl PlatformMutation {
    /// Adds a municipality (a tenant). A platform admin may.
    async fn create_municipality(
        &self,
        ctx: &Context<'_>,
        input: CreateMunicipalityInput,
    ) -> Result<Municipality> {
        let new = NewMunicipality {
            code: input.code,
            name: input.name,
            population: input.population.into(),
        };
        let row = store(ctx)?.create_municipality(new).await?;
        Ok(Municipality::read_at(row, None))
    }

    /// Changes a municipality's name or population. A platform admin may; `revision` is the one
    /// the client read.
    async fn update_municipality(
        &self,
        ctx: &Context<'_>,
        code: i32,
        revision: i32,
        changes: MunicipalityChangesInput,
    ) -> Result<Municipality> {
        let changes = MunicipalityChanges {
            name: required(changes.name, "changes.name")?,
            population: nullable(changes.population).map(|population| {
                // `null` clears the figure: an unknown population.
                population.unwrap_or_default().into()
            }),
        };
        let row = store(ctx)?
            .update_municipality(code, revision, changes)
            .await?;
        Ok(Municipality::read_at(row, None))
    }

    /// Adds a network and its members. A platform admin may.
    async fn create_network(
        &self,
        ctx: &Context<'_>,
        input: CreateNetworkInput,
    ) -> Result<Network> {
        let new = NewNetwork {
            key: input.key,
            name: input.name,
            kind: input.kind,
            description: input.description,
            source: input.source,
            section: input.section,
            members: input.members,
        };
        let row = store(ctx)?.create_network(new).await?;
        Ok(Network::read_at(row, None))
    }

    /// Changes a network; `members` replaces its members. A platform admin may.
    async fn update_network(
        &self,
        ctx: &Context<'_>,
        id: ID,
        revision: i32,
        changes: NetworkChangesInput,
    ) -> Result<Network> {
        let key = key_of(&id, Kind::Network, "id")?;
        let changes = NetworkChanges {
            name: required(changes.name, "changes.name")?,
            kind: required(changes.kind, "changes.kind")?,
            description: nullable(changes.description),
            source: required(changes.source, "changes.source")?.map(source_of),
            members: nullable(changes.members).map(Option::unwrap_or_default),
        };
        let row = store(ctx)?.update_network(key, revision, changes).await?;
        Ok(Network::read_at(row, None))
    }

    /// Adds a partner organisation. A platform admin may.
    async fn create_partner_organisation(
        &self,
        ctx: &Context<'_>,
        input: CreatePartnerOrganisationInput,
    ) -> Result<PartnerOrganisation> {
        let new = NewPartner {
            key: input.key,
            name: input.name,
            kind: input.kind,
            note: input.note,
            source: input.source,
            section: input.section,
        };
        let row = store(ctx)?.create_partner(new).await?;
        Ok(PartnerOrganisation::read_at(row, None))
    }

    /// Changes a partner organisation. A platform admin may.
    async fn update_partner_organisation(
        &self,
        ctx: &Context<'_>,
        id: ID,
        revision: i32,
        changes: PartnerOrganisationChangesInput,
    ) -> Result<PartnerOrganisation> {
        let key = key_of(&id, Kind::PartnerOrganisation, "id")?;
        let changes = PartnerChanges {
            name: required(changes.name, "changes.name")?,
            kind: required(changes.kind, "changes.kind")?,
            note: nullable(changes.note),
            source: required(changes.source, "changes.source")?.map(source_of),
        };
        let row = store(ctx)?.update_partner(key, revision, changes).await?;
        Ok(PartnerOrganisation::read_at(row, None))
    }
}
