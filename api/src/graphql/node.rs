//! The Relay `Node` interface: any record by its global ID.

use async_graphql::{Context, Interface, Object, Result, ID};

use super::{
    budget::BudgetLine,
    forum::{Forum, ForumMember, LegalBasis, PartnerOrganisation},
    ids::{decode_id, Kind},
    indicator::KeyIndicator,
    intervention::{Goal, Intervention},
    loaders::*,
    municipality::{Municipality, Network},
    organisation::{Contact, PoliticalCommittee, StaffRole, Unit},
    plan::Plan,
    project::SharedProject,
    source::Source,
};
use crate::error::{ApiError, FieldPath};

/// A record with a global ID.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "Global, opaque ID"))]
pub enum Node {
    Municipality(Municipality),
    Network(Network),
    Source(Source),
    PartnerOrganisation(PartnerOrganisation),
    LegalBasis(LegalBasis),
    PoliticalCommittee(PoliticalCommittee),
    Plan(Plan),
    Unit(Unit),
    StaffRole(StaffRole),
    BudgetLine(BudgetLine),
    Forum(Forum),
    ForumMember(ForumMember),
    Goal(Goal),
    Intervention(Intervention),
    SharedProject(SharedProject),
    Contact(Contact),
    KeyIndicator(KeyIndicator),
}

/// The database key inside `id`, which must name a node of `kind`.
pub fn expect_kind(id: &ID, kind: Kind, field: impl Into<FieldPath>) -> Result<i32, ApiError> {
    let field = field.into();
    match decode_id(id, &field)? {
        (found, key) if found == kind => Ok(key),
        (found, _) => Err(ApiError::bad_input(
            field,
            format!(
                "expected the ID of a {}, got one of a {}",
                kind.type_name(),
                found.type_name()
            ),
        )),
    }
}

/// The record `key` names through the request's batch loader (the lookups of one request go out
/// together, one statement per kind), read at no particular day: `node` has no `asOf`, so
/// everything below it holds every period.
async fn get<L: Link, R: Record<Entity = L::Entity>>(
    ctx: &Context<'_>,
    link: L,
    key: i32,
) -> Result<Option<R>> {
    Related::from_root(ctx, None).one(link, key).await
}

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Any record by its global ID; null when it does not exist or the caller may not see it.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Node>> {
        let (kind, key) = decode_id(&id, "id")?;
        node_of(ctx, kind, key).await
    }
}

/// The record of `kind` with database key `key`, if the caller may see it (its latest version).
pub async fn node_of(ctx: &Context<'_>, kind: Kind, key: i32) -> Result<Option<Node>> {
    let node = match kind {
        Kind::Municipality => get(ctx, MunicipalityByCode, key)
            .await?
            .map(Node::Municipality),
        Kind::Network => get(ctx, NetworkById, key).await?.map(Node::Network),
        Kind::Source => get(ctx, SourceById, key).await?.map(Node::Source),
        Kind::PartnerOrganisation => get(ctx, PartnerById, key)
            .await?
            .map(Node::PartnerOrganisation),
        Kind::LegalBasis => get(ctx, LegalBasisById, key).await?.map(Node::LegalBasis),
        Kind::PoliticalCommittee => get(ctx, CommitteeById, key)
            .await?
            .map(Node::PoliticalCommittee),
        Kind::Plan => get(ctx, PlanById, key).await?.map(Node::Plan),
        Kind::Unit => get(ctx, UnitById, key).await?.map(Node::Unit),
        Kind::StaffRole => get(ctx, StaffRoleById, key).await?.map(Node::StaffRole),
        Kind::BudgetLine => get(ctx, BudgetLineById, key).await?.map(Node::BudgetLine),
        Kind::Forum => get(ctx, ForumById, key).await?.map(Node::Forum),
        Kind::ForumMember => get(ctx, MemberById, key).await?.map(Node::ForumMember),
        Kind::Goal => get(ctx, GoalById, key).await?.map(Node::Goal),
        Kind::Intervention => get(ctx, InterventionById, key)
            .await?
            .map(Node::Intervention),
        Kind::SharedProject => get(ctx, ProjectById, key).await?.map(Node::SharedProject),
        Kind::Contact => get(ctx, ContactById, key).await?.map(Node::Contact),
        Kind::KeyIndicator => get(ctx, KeyIndicatorById, key)
            .await?
            .map(Node::KeyIndicator),
    };
    Ok(node)
}
