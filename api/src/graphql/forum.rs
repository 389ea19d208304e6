//! Forums (samarbejdsfora), who attends them, the partner organisations and the legal bases.

use async_graphql::{Context, InputObject, Object, Result, ID};
use entities::{forum, forum_member, legal_basis, partner_organisation};

use super::{
    ids::NodeKind,
    list_size,
    loaders::*,
    municipality::{Municipality, Network},
    organisation::Unit,
    pagination::{paginate, List},
    scalars::Date,
    source::{provenance_of, Provenance},
};
use crate::{
    service::{ForumFilter, PartnerFilter},
    vocabulary::{ForumLevel, ForumScope},
};

dated_record!(
    /// A forum a municipality sits in, as that municipality's documents describe it.
    Forum, forum::Model
);

#[Object]
impl Forum {
    pub(crate) async fn id(&self) -> ID {
        NodeKind::Forum.id(self.row.id)
    }
    async fn name(&self) -> &str {
        &self.row.name
    }
    async fn scope(&self) -> Option<ForumScope> {
        ForumScope::parse(&self.row.scope)
    }
    async fn level(&self) -> Option<ForumLevel> {
        ForumLevel::parse(&self.row.level)
    }
    /// How often it meets, as the source says it ("ugentligt", "fire gange årligt").
    async fn cadence(&self) -> Option<&str> {
        self.row.cadence.as_deref()
    }
    async fn purpose(&self) -> Option<&str> {
        self.row.purpose.as_deref()
    }
    /// The municipality whose documents describe the forum.
    async fn municipality(&self, ctx: &Context<'_>) -> Result<Option<Municipality>> {
        let row = load_one(ctx, MunicipalityByCode, self.row.municipality_code, None).await?;
        Ok(row.map(|row| Municipality::new(row, self.as_of)))
    }
    async fn network(&self, ctx: &Context<'_>) -> Result<Option<Network>> {
        Ok(load_optional(ctx, NetworkById, self.row.network_id, None)
            .await?
            .map(Network))
    }
    #[graphql(directive = list_size::apply(20))]
    async fn members(&self, ctx: &Context<'_>) -> Result<Vec<ForumMember>> {
        let rows = load_many(ctx, MembersByForum, self.row.id, self.as_of).await?;
        Ok(rows
            .into_iter()
            .map(|row| ForumMember::new(row, self.as_of))
            .collect())
    }
    #[graphql(directive = list_size::apply(5))]
    async fn legal_bases(&self, ctx: &Context<'_>) -> Result<Vec<LegalBasis>> {
        let links = load_many(ctx, LegalBasesByForum, self.row.id, None).await?;
        let ids = links.iter().map(|link| link.legal_basis_id);
        Ok(load_each(ctx, LegalBasisById, ids, None)
            .await?
            .into_iter()
            .map(LegalBasis)
            .collect())
    }
    async fn provenance(&self) -> Provenance {
        provenance_of!(self.row)
    }
}

dated_record!(
    /// Who attends a forum: one of the municipality's units or a partner organisation.
    ForumMember, forum_member::Model
);

#[Object]
impl ForumMember {
    pub(crate) async fn id(&self) -> ID {
        NodeKind::ForumMember.id(self.row.id)
    }
    /// The role title of whoever attends ("Socialfaglig leder", "lokalbetjent").
    async fn role_title(&self) -> &str {
        &self.row.role_title
    }
    async fn unit(&self, ctx: &Context<'_>) -> Result<Option<Unit>> {
        let row = load_optional(ctx, UnitById, self.row.unit_id, None).await?;
        Ok(row.map(|row| Unit::new(row, self.as_of)))
    }
    async fn partner(&self, ctx: &Context<'_>) -> Result<Option<PartnerOrganisation>> {
        Ok(load_optional(ctx, PartnerById, self.row.partner_id, None)
            .await?
            .map(PartnerOrganisation))
    }
    async fn provenance(&self) -> Provenance {
        provenance_of!(self.row)
    }
}

/// An organisation that is not a tenant: police, Kriminalforsorgen, PET, a housing association...
#[derive(Clone)]
pub struct PartnerOrganisation(pub partner_organisation::Model);

#[Object]
impl PartnerOrganisation {
    pub(crate) async fn id(&self) -> ID {
        NodeKind::PartnerOrganisation.id(self.0.id)
    }
    async fn key(&self) -> &str {
        &self.0.key
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// `police`, `prison_and_probation`, `intelligence`, `state_agency`, `council`, `housing`, ...
    async fn kind(&self) -> &str {
        &self.0.kind
    }
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    async fn provenance(&self) -> Provenance {
        Provenance::reference(self.0.source_id, &self.0.source_section)
    }
}

/// A provision of law a forum rests on (Retsplejeloven §§ 112–115, Serviceloven § 19).
#[derive(Clone)]
pub struct LegalBasis(pub legal_basis::Model);

#[Object]
impl LegalBasis {
    pub(crate) async fn id(&self) -> ID {
        NodeKind::LegalBasis.id(self.0.id)
    }
    async fn law(&self) -> &str {
        &self.0.law
    }
    /// "§ 115".
    async fn section(&self) -> &str {
        &self.0.section_ref
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn provenance(&self) -> Provenance {
        Provenance::reference(self.0.source_id, &self.0.source_section)
    }
}

/// Which forums to list.
#[derive(Default, InputObject)]
pub struct ForumFilterInput {
    pub municipality_codes: Option<Vec<i32>>,
    /// Text to find in the name (case-insensitive).
    pub search: Option<String>,
    pub level: Option<ForumLevel>,
    pub scope: Option<ForumScope>,
    /// Only forums of this network (its ID).
    pub network: Option<ID>,
}

#[derive(Default)]
pub struct ForumQuery;

#[Object]
impl ForumQuery {
    /// Forums across the municipalities the caller may see.
    async fn forums(
        &self,
        ctx: &Context<'_>,
        filter: Option<ForumFilterInput>,
        as_of: Option<Date>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<List<Forum>> {
        let as_of = Date::day(as_of);
        let filter = filter.unwrap_or_default();
        let network_id = filter
            .network
            .as_ref()
            .map(|id| super::node::expect_kind(id, NodeKind::Network, "filter.network"))
            .transpose()?;
        let filter = ForumFilter {
            municipality_codes: filter.municipality_codes,
            search: filter.search,
            level: filter.level.map(|l| l.as_str().to_owned()),
            scope: filter.scope.map(|s| s.as_str().to_owned()),
            network_id,
        };
        paginate(
            ctx,
            &filter,
            as_of,
            first,
            after,
            |row| row.id,
            |row| Forum::new(row, as_of),
        )
        .await
    }

    /// Partner organisations (not tenants).
    async fn partner_organisations(
        &self,
        ctx: &Context<'_>,
        search: Option<String>,
        kind: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<List<PartnerOrganisation>> {
        paginate(
            ctx,
            &PartnerFilter { search, kind },
            None,
            first,
            after,
            |row| row.id,
            PartnerOrganisation,
        )
        .await
    }
}
