//! The relations between records that reads follow (a unit's staff roles, a forum's members, a
//! plan's goals): the one catalogue of them, each a table, the column that holds the key, and for
//! a nested list the filter of its arguments ([`listing`](super::listing)). GraphQL's nested
//! lists and references load them in batches (`graphql::loaders`); a new relation is one line
//! here.

use std::hash::Hash;

use entities::*;
use sea_orm::{Condition, EntityTrait};

use super::{
    BudgetLineSlice, ForumSlice, InterventionSlice, KeyIndicatorSlice, Scoped, StaffRoleSlice,
    UnitSlice,
};

/// A relation: rows of `Entity` whose `column()` equals a key, narrowed by the link's own
/// filter (a nested list's arguments), if it has one.
pub trait Link: Clone + Eq + Hash + std::fmt::Debug + Send + Sync + 'static {
    type Entity: Scoped<Model: Sync>;
    fn column() -> <Self::Entity as EntityTrait>::Column;
    /// The rows of the relation that the link's filter keeps.
    fn condition(&self) -> Condition {
        Condition::all()
    }
}

/// Declares link marker types: `Name: module => Column`, or `Name(Filter): module => Column` for
/// a link narrowed by a filter of the data-access layer (a nested list's arguments).
macro_rules! links {
    ($($(#[$meta:meta])* $name:ident $(($filter:ty))?: $module:ident => $column:ident),* $(,)?) => {$(
        links!(@declare $(#[$meta])* $name $(($filter))?);

        impl Link for $name {
            type Entity = $module::Entity;
            fn column() -> $module::Column {
                $module::Column::$column
            }
            $(
                fn condition(&self) -> Condition {
                    <$filter>::condition(&self.0)
                }
            )?
        }
    )*};
    (@declare $(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name;
    };
    (@declare $(#[$meta:meta])* $name:ident ($filter:ty)) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $name(pub $filter);
    };
}

links!(
    SourceById: source => Id,
    IdentityById: identity => Id,
    MunicipalityByCode: municipality => Code,
    NetworkById: network => Id,
    MembershipsByMunicipality: network_membership => MunicipalityCode,
    MembershipsByNetwork: network_membership => NetworkId,
    PartnerById: partner_organisation => Id,
    LegalBasisById: legal_basis => Id,
    CommitteeById: political_committee => Id,
    CommitteesByMunicipality: political_committee => MunicipalityCode,
    UnitById: unit => Id,
    UnitsByParent: unit => ParentId,
    UnitsByMunicipality(UnitSlice): unit => MunicipalityCode,
    UnitsByCommittee: unit => CommitteeId,
    StaffRoleById: staff_role => Id,
    StaffRolesByUnit(StaffRoleSlice): staff_role => UnitId,
    StaffRolesByMunicipality(StaffRoleSlice): staff_role => MunicipalityCode,
    BudgetLineById: budget_line => Id,
    BudgetLinesByMunicipality(BudgetLineSlice): budget_line => MunicipalityCode,
    BudgetLinesByUnit(BudgetLineSlice): budget_line => UnitId,
    ForumById: forum => Id,
    ForumsByMunicipality(ForumSlice): forum => MunicipalityCode,
    ForumsByNetwork(ForumSlice): forum => NetworkId,
    MemberById: forum_member => Id,
    MembersByForum: forum_member => ForumId,
    LegalBasesByForum: forum_legal_basis => ForumId,
    PlanById: plan => Id,
    PlansByMunicipality: plan => MunicipalityCode,
    PlansByPlan: plan => PartOfId,
    GoalById: goal => Id,
    GoalsByMunicipality: goal => MunicipalityCode,
    GoalsByPlan: goal => PlanId,
    InterventionById: intervention => Id,
    InterventionsByMunicipality(InterventionSlice): intervention => MunicipalityCode,
    InterventionsByGoal(InterventionSlice): intervention => GoalId,
    InterventionsByPlan(InterventionSlice): intervention => PlanId,
    PartnersByIntervention: intervention_partner => InterventionId,
    KeyIndicatorById: key_indicator => Id,
    KeyIndicatorsByMunicipality(KeyIndicatorSlice): key_indicator => MunicipalityCode,
    ProjectById: shared_project => Id,
    ProjectsByOwner: shared_project => MunicipalityCode,
    ParticipantsByProject: project_participant => ProjectId,
    ParticipationsByMunicipality: project_participant => ParticipantCode,
    ContactById: contact => Id,
    ContactsByMunicipality: contact => MunicipalityCode,
    ContactsByUnit: contact => UnitId,
);
