//! The Relay `Node` interface: any record by its global ID.

use async_graphql::{Context, Interface, Object, Result, ID};
use entities::*;

use super::{
    budget::BudgetLine,
    forum::{Forum, ForumMember, LegalBasis, PartnerOrganisation},
    ids::{decode_id, NodeKind},
    intervention::{Goal, Intervention},
    municipality::{Municipality, Network},
    organisation::{Contact, PoliticalCommittee, StaffRole, Unit},
    project::SharedProject,
    source::Source,
    store,
};
use crate::error::ApiError;

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
    Unit(Unit),
    StaffRole(StaffRole),
    BudgetLine(BudgetLine),
    Forum(Forum),
    ForumMember(ForumMember),
    Goal(Goal),
    Intervention(Intervention),
    SharedProject(SharedProject),
    Contact(Contact),
}

/// The database key inside `id`, which must name a node of `kind`.
pub fn expect_kind(id: &ID, kind: NodeKind, field: &str) -> Result<i32, ApiError> {
    match decode_id(id, field)? {
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

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Any record by its global ID; null when it does not exist or the caller may not see it.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Node>> {
        let (kind, key) = decode_id(&id, "id")?;
        let store = store(ctx)?;
        let node = match kind {
            NodeKind::Municipality => store
                .get::<municipality::Entity>(key, None)
                .await?
                .map(|row| Node::Municipality(Municipality::new(row, None))),
            NodeKind::Network => store
                .get::<network::Entity>(key, None)
                .await?
                .map(|row| Node::Network(Network(row))),
            NodeKind::Source => store
                .get::<source::Entity>(key, None)
                .await?
                .map(|row| Node::Source(Source(row))),
            NodeKind::PartnerOrganisation => store
                .get::<partner_organisation::Entity>(key, None)
                .await?
                .map(|row| Node::PartnerOrganisation(PartnerOrganisation(row))),
            NodeKind::LegalBasis => store
                .get::<legal_basis::Entity>(key, None)
                .await?
                .map(|row| Node::LegalBasis(LegalBasis(row))),
            NodeKind::PoliticalCommittee => store
                .get::<political_committee::Entity>(key, None)
                .await?
                .map(|row| Node::PoliticalCommittee(PoliticalCommittee::new(row, None))),
            NodeKind::Unit => store
                .get::<unit::Entity>(key, None)
                .await?
                .map(|row| Node::Unit(Unit::new(row, None))),
            NodeKind::StaffRole => store
                .get::<staff_role::Entity>(key, None)
                .await?
                .map(|row| Node::StaffRole(StaffRole::new(row, None))),
            NodeKind::BudgetLine => store
                .get::<budget_line::Entity>(key, None)
                .await?
                .map(|row| Node::BudgetLine(BudgetLine::new(row, None))),
            NodeKind::Forum => store
                .get::<forum::Entity>(key, None)
                .await?
                .map(|row| Node::Forum(Forum::new(row, None))),
            NodeKind::ForumMember => store
                .get::<forum_member::Entity>(key, None)
                .await?
                .map(|row| Node::ForumMember(ForumMember::new(row, None))),
            NodeKind::Goal => store
                .get::<goal::Entity>(key, None)
                .await?
                .map(|row| Node::Goal(Goal::new(row, None))),
            NodeKind::Intervention => store
                .get::<intervention::Entity>(key, None)
                .await?
                .map(|row| Node::Intervention(Intervention::new(row, None))),
            NodeKind::SharedProject => store
                .get::<shared_project::Entity>(key, None)
                .await?
                .map(|row| Node::SharedProject(SharedProject::new(row, None))),
            NodeKind::Contact => store
                .get::<contact::Entity>(key, None)
                .await?
                .map(|row| Node::Contact(Contact(row))),
        };
        Ok(node)
    }
}
