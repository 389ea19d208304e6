//! Forums (samarbejdsfora), who attends them, the partner organisations and the legal bases.

use async_graphql::{Context, InputObject, MaybeUndefined, Object, Result, ID};
use entities::{forum, forum_member, legal_basis, partner_organisation};

use super::{
    edits::{
        key_of, nullable, optional_key_of, required, revision_of, ProvenanceInput, VersionInput,
    },
    ids::{GlobalId, Kind},
    list_size,
    loaders::*,
    municipality::{Municipality, Network},
    organisation::Unit,
    pagination::{paginate, List},
    scalars::Date,
    source::{provenance_of, Provenance},
    store,
};
use crate::{
    service::{
        ForumChanges, ForumFilter, ForumMemberChanges, ForumSlice, NewForum, NewForumMember,
        PartnerFilter,
    },
    vocabulary::{ForumLevel, ForumScope},
};

dated_record!(
    /// A forum a municipality sits in, as that municipality's documents describe it.
    Forum, forum
);

#[Object]
impl Forum {
    pub(crate) async fn id(&self) -> ID {
        Kind::Forum.id(self.row.id)
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
    // Calibrated on the seed dataset, whose largest forum has 10 members.
    #[graphql(directive = list_size::apply(12, None))]
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
    ForumMember, forum_member
);

#[Object]
impl ForumMember {
    pub(crate) async fn id(&self) -> ID {
        Kind::ForumMember.id(self.row.id)
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
    PartnerOrganisation, partner_organisation
);

#[Object]
impl PartnerOrganisation {
    pub(crate) async fn id(&self) -> ID {
        Kind::PartnerOrganisation.id(self.row.id)
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
    LegalBasis, legal_basis
);

#[Object]
impl LegalBasis {
    pub(crate) async fn id(&self) -> ID {
        Kind::LegalBasis.id(self.row.id)
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
            .map(|id| super::node::expect_kind(id, Kind::Network, "filter.network"))
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

/// A new forum of a municipality.
#[derive(InputObject)]
pub struct CreateForumInput {
    /// The municipality whose forum it is (the editor's own).
    pub municipality_code: i32,
    pub name: String,
    pub scope: ForumScope,
    pub level: ForumLevel,
    /// How often it meets, as the source says it ("ugentligt", "fire gange årligt").
    pub cadence: Option<String>,
    pub purpose: Option<String>,
    /// The network the forum belongs to: one the municipality is in.
    pub network_id: Option<ID>,
    #[graphql(flatten)]
    pub version: VersionInput,
}

/// Changes to a forum: a field not given keeps its value, `null` clears it.
#[derive(InputObject, Default)]
pub struct ForumChangesInput {
    pub name: MaybeUndefined<String>,
    pub scope: MaybeUndefined<ForumScope>,
    pub level: MaybeUndefined<ForumLevel>,
    pub cadence: MaybeUndefined<String>,
    pub purpose: MaybeUndefined<String>,
    pub network_id: MaybeUndefined<ID>,
}

/// A new member of a forum: one of the municipality's units or a partner organisation (exactly
/// one), with the role title of who attends.
#[derive(InputObject)]
pub struct CreateForumMemberInput {
    /// The forum (one of the editor's municipality that holds on `validFrom`).
    pub forum_id: ID,
    /// The unit that attends (a unit of the forum's municipality).
    pub unit_id: Option<ID>,
    /// The partner organisation that attends (`partnerOrganisations`).
    pub partner_id: Option<ID>,
    /// The role title of whoever attends ("Socialfaglig leder", "lokalbetjent").
    pub role_title: String,
    #[graphql(flatten)]
    pub version: VersionInput,
}

/// Changes to a forum member: a field not given keeps its value, `null` clears it (a member
/// still names exactly one of a unit and a partner organisation).
#[derive(InputObject, Default)]
pub struct ForumMemberChangesInput {
    pub unit_id: MaybeUndefined<ID>,
    pub partner_id: MaybeUndefined<ID>,
    pub role_title: MaybeUndefined<String>,
}

#[derive(Default)]
pub struct ForumMutation;

#[Object]
impl ForumMutation {
    /// Creates a forum of the editor's municipality (`private` until shared).
    async fn create_forum(&self, ctx: &Context<'_>, input: CreateForumInput) -> Result<Forum> {
        let valid_from = input.version.valid_from.0;
        let new = NewForum {
            municipality_code: input.municipality_code,
            name: input.name,
            scope: input.scope,
            level: input.level,
            cadence: input.cadence,
            purpose: input.purpose,
            network_id: optional_key_of(
                input.network_id.as_ref(),
                Kind::Network,
                "input.networkId",
            )?,
            version: input.version.into(),
        };
        let row = store(ctx)?.create_forum(new, "input").await?;
        Ok(Forum::of_model(row, Some(valid_from)))
    }

    /// Changes a forum from `from` on; as of the day before it reads as it was.
    async fn update_forum(
        &self,
        ctx: &Context<'_>,
        id: ID,
        revision: i32,
        from: Date,
        changes: ForumChangesInput,
        provenance: ProvenanceInput,
    ) -> Result<Forum> {
        let key = key_of(&id, Kind::Forum, "id")?;
        let changes = ForumChanges {
            name: required(changes.name, "changes.name")?,
            scope: required(changes.scope, "changes.scope")?,
            level: required(changes.level, "changes.level")?,
            cadence: nullable(changes.cadence),
            purpose: nullable(changes.purpose),
            network_id: nullable(changes.network_id)
                .map(|id| optional_key_of(id.as_ref(), Kind::Network, "changes.networkId"))
                .transpose()?,
        };
        let row = store(ctx)?
            .update_forum(key, revision, from.0, changes, provenance.into(), "changes")
            .await?;
        Ok(Forum::of_model(row, Some(from.0)))
    }

    /// Adds a member to a forum of the editor's municipality (`private` until shared).
    async fn create_forum_member(
        &self,
        ctx: &Context<'_>,
        input: CreateForumMemberInput,
    ) -> Result<ForumMember> {
        let valid_from = input.version.valid_from.0;
        let new = NewForumMember {
            forum_id: key_of(&input.forum_id, Kind::Forum, "input.forumId")?,
            unit_id: optional_key_of(input.unit_id.as_ref(), Kind::Unit, "input.unitId")?,
            partner_id: optional_key_of(
                input.partner_id.as_ref(),
                Kind::PartnerOrganisation,
                "input.partnerId",
            )?,
            role_title: input.role_title,
            version: input.version.into(),
        };
        let row = store(ctx)?.create_forum_member(new, "input").await?;
        Ok(ForumMember::of_model(row, Some(valid_from)))
    }

    /// Changes a forum member from `from` on (who attends, or the role title); as of the day
    /// before it reads as it was.
    async fn update_forum_member(
        &self,
        ctx: &Context<'_>,
        id: ID,
        revision: i32,
        from: Date,
        changes: ForumMemberChangesInput,
        provenance: ProvenanceInput,
    ) -> Result<ForumMember> {
        let key = key_of(&id, Kind::ForumMember, "id")?;
        let changes = ForumMemberChanges {
            unit_id: nullable(changes.unit_id)
                .map(|id| optional_key_of(id.as_ref(), Kind::Unit, "changes.unitId"))
                .transpose()?,
            partner_id: nullable(changes.partner_id)
                .map(|id| {
                    optional_key_of(id.as_ref(), Kind::PartnerOrganisation, "changes.partnerId")
                })
                .transpose()?,
            role_title: required(changes.role_title, "changes.roleTitle")?,
        };
        let row = store(ctx)?
            .update_forum_member(key, revision, from.0, changes, provenance.into(), "changes")
            .await?;
        Ok(ForumMember::of_model(row, Some(from.0)))
    }
}
