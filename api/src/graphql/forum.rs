//! Forums (samarbejdsfora), who attends them, the partner organisations and the legal bases.

use async_graphql::{Context, InputObject, Object, Result, ID};
use entities::{forum, forum_member, legal_basis, partner_organisation};

use super::{
    edits::revision_of,
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
    service::{ForumFilter, ForumSlice, PartnerFilter},
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
    /// Counts the writes to the record; a write sends back the revision it read.
    async fn revision(&self, ctx: &Context<'_>) -> Result<i32> {
        revision_of(self, ctx, self.row.id).await
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
        self.related(ctx)
            .one(MunicipalityByCode, self.row.municipality_code)
            .await
    }
    async fn network(&self, ctx: &Context<'_>) -> Result<Option<Network>> {
        self.related(ctx)
            .optional(NetworkById, self.row.network_id)
            .await
    }
    #[graphql(directive = list_size::apply(20, None))]
    async fn members(&self, ctx: &Context<'_>) -> Result<Vec<ForumMember>> {
        self.related(ctx).many(MembersByForum, self.row.id).await
    }
    #[graphql(directive = list_size::apply(5, None))]
    async fn legal_bases(&self, ctx: &Context<'_>) -> Result<Vec<LegalBasis>> {
        let related = self.related(ctx);
        let links = related.rows(LegalBasesByForum, self.row.id).await?;
        let ids = links.iter().map(|link| link.legal_basis_id);
        related.each(LegalBasisById, ids).await
    }
    async fn provenance(&self) -> Provenance {
        provenance_of!(self)
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
    /// Counts the writes to the record; a write sends back the revision it read.
    async fn revision(&self, ctx: &Context<'_>) -> Result<i32> {
        revision_of(self, ctx, self.row.id).await
    }
    /// The role title of whoever attends ("Socialfaglig leder", "lokalbetjent").
    async fn role_title(&self) -> &str {
        &self.row.role_title
    }
    async fn unit(&self, ctx: &Context<'_>) -> Result<Option<Unit>> {
        self.related(ctx).optional(UnitById, self.row.unit_id).await
    }
    async fn partner(&self, ctx: &Context<'_>) -> Result<Option<PartnerOrganisation>> {
        self.related(ctx)
            .optional(PartnerById, self.row.partner_id)
            .await
    }
    async fn provenance(&self) -> Provenance {
        provenance_of!(self)
    }
}

dated_record!(
    /// An organisation that is not a tenant: police, Kriminalforsorgen, PET, a housing
    /// association...
    PartnerOrganisation, partner_organisation::Model
);

#[Object]
impl PartnerOrganisation {
    pub(crate) async fn id(&self) -> ID {
        NodeKind::PartnerOrganisation.id(self.row.id)
    }
    async fn key(&self) -> &str {
        &self.row.key
    }
    async fn name(&self) -> &str {
        &self.row.name
    }
    /// `police`, `prison_and_probation`, `intelligence`, `state_agency`, `council`, `housing`, ...
    async fn kind(&self) -> &str {
        &self.row.kind
    }
    async fn note(&self) -> Option<&str> {
        self.row.note.as_deref()
    }
    async fn provenance(&self) -> Provenance {
        Provenance::reference(self, self.row.source_id, &self.row.source_section)
    }
}

dated_record!(
    /// A provision of law a forum rests on (Retsplejeloven §§ 112–115, Serviceloven § 19).
    LegalBasis, legal_basis::Model
);

#[Object]
impl LegalBasis {
    pub(crate) async fn id(&self) -> ID {
        NodeKind::LegalBasis.id(self.row.id)
    }
    async fn law(&self) -> &str {
        &self.row.law
    }
    /// "§ 115".
    async fn section(&self) -> &str {
        &self.row.section_ref
    }
    async fn title(&self) -> &str {
        &self.row.title
    }
    async fn provenance(&self) -> Provenance {
        Provenance::reference(self, self.row.source_id, &self.row.source_section)
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
            network_id,
            slice: ForumSlice {
                level: filter.level,
                scope: filter.scope,
            },
        };
        paginate(
            ctx,
            &filter,
            as_of,
            first,
            after,
            |row| row.id,
            |row| Forum::read_at(row, as_of),
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
            |row| PartnerOrganisation::read_at(row, None),
        )
        .await
    }
}
