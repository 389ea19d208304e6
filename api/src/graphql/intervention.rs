//! Goals of action plans and the interventions (indsatser) under them, with their partners.

use async_graphql::{Context, InputObject, Object, Result, ID};
use entities::{goal, intervention, intervention_partner};

use super::{
    edits::revision_of,
    forum::PartnerOrganisation,
    ids::NodeKind,
    list_size,
    loaders::*,
    municipality::Municipality,
    organisation::Unit,
    pagination::{paginate, List},
    scalars::Date,
    source::{provenance_of, Provenance},
};
use crate::{
    service::{InterventionFilter, InterventionSlice},
    vocabulary::PreventionLevel,
};

dated_record!(
    /// A goal of a municipality's action plan ("Mål 1: Ishøj er en tryg by").
    Goal, goal::Model
);

#[Object]
impl Goal {
    pub(crate) async fn id(&self) -> ID {
        NodeKind::Goal.id(self.row.id)
    }
    /// Counts the writes to the record; a write sends back the revision it read.
    async fn revision(&self, ctx: &Context<'_>) -> Result<i32> {
        revision_of(self, ctx, self.row.id).await
    }
    /// The plan the goal belongs to.
    async fn plan(&self) -> &str {
        &self.row.plan
    }
    async fn number(&self) -> i32 {
        self.row.number
    }
    async fn title(&self) -> &str {
        &self.row.title
    }
    #[graphql(directive = list_size::apply(20, None))]
    async fn interventions(
        &self,
        ctx: &Context<'_>,
        prevention_level: Option<PreventionLevel>,
    ) -> Result<Vec<Intervention>> {
        let slice = InterventionSlice { prevention_level };
        self.related(ctx)
            .many(InterventionsByGoal(slice), self.row.id)
            .await
    }
    async fn provenance(&self) -> Provenance {
        provenance_of!(self)
    }
}

dated_record!(
    /// An intervention (indsats): level, target group, period, lead unit, partners, funding.
    Intervention, intervention::Model
);

#[Object]
impl Intervention {
    pub(crate) async fn id(&self) -> ID {
        NodeKind::Intervention.id(self.row.id)
    }
    /// Counts the writes to the record; a write sends back the revision it read.
    async fn revision(&self, ctx: &Context<'_>) -> Result<i32> {
        revision_of(self, ctx, self.row.id).await
    }
    async fn name(&self) -> &str {
        &self.row.name
    }
    async fn description(&self) -> Option<&str> {
        self.row.description.as_deref()
    }
    async fn prevention_level(&self) -> Option<PreventionLevel> {
        self.row
            .prevention_level
            .as_deref()
            .and_then(PreventionLevel::parse)
    }
    /// The target group as the source words it.
    async fn target_group(&self) -> Option<&str> {
        self.row.target_group.as_deref()
    }
    async fn age_min(&self) -> Option<i32> {
        self.row.age_min
    }
    async fn age_max(&self) -> Option<i32> {
        self.row.age_max
    }
    async fn funding(&self) -> Option<&str> {
        self.row.funding.as_deref()
    }
    async fn goal(&self, ctx: &Context<'_>) -> Result<Option<Goal>> {
        self.related(ctx).optional(GoalById, self.row.goal_id).await
    }
    async fn lead_unit(&self, ctx: &Context<'_>) -> Result<Option<Unit>> {
        self.related(ctx)
            .optional(UnitById, self.row.lead_unit_id)
            .await
    }
    #[graphql(directive = list_size::apply(10, None))]
    async fn partners(&self, ctx: &Context<'_>) -> Result<Vec<InterventionPartner>> {
        self.related(ctx)
            .many(PartnersByIntervention, self.row.id)
            .await
    }
    async fn municipality(&self, ctx: &Context<'_>) -> Result<Option<Municipality>> {
        self.related(ctx)
            .one(MunicipalityByCode, self.row.municipality_code)
            .await
    }
    async fn provenance(&self) -> Provenance {
        provenance_of!(self)
    }
}

dated_record!(
    /// A partner in an intervention: one of the municipality's own units or a partner
    /// organisation.
    InterventionPartner, intervention_partner::Model
);

#[Object]
impl InterventionPartner {
    /// The partner's part, where the source says it.
    async fn role(&self) -> Option<&str> {
        self.row.role.as_deref()
    }
    async fn unit(&self, ctx: &Context<'_>) -> Result<Option<Unit>> {
        self.related(ctx).optional(UnitById, self.row.unit_id).await
    }
    async fn partner(&self, ctx: &Context<'_>) -> Result<Option<PartnerOrganisation>> {
        self.related(ctx)
            .optional(PartnerById, self.row.partner_id)
            .await
    }
}

/// Which interventions to list.
#[derive(Default, InputObject)]
pub struct InterventionFilterInput {
    pub municipality_codes: Option<Vec<i32>>,
    /// Text to find in the name (case-insensitive).
    pub search: Option<String>,
    pub prevention_level: Option<PreventionLevel>,
    /// Only interventions under this goal (its ID).
    pub goal: Option<ID>,
}

#[derive(Default)]
pub struct InterventionQuery;

#[Object]
impl InterventionQuery {
    /// Interventions across the municipalities the caller may see.
    async fn interventions(
        &self,
        ctx: &Context<'_>,
        filter: Option<InterventionFilterInput>,
        as_of: Option<Date>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<List<Intervention>> {
        let as_of = Date::day(as_of);
        let filter = filter.unwrap_or_default();
        let goal_id = filter
            .goal
            .as_ref()
            .map(|id| super::node::expect_kind(id, NodeKind::Goal, "filter.goal"))
            .transpose()?;
        let filter = InterventionFilter {
            municipality_codes: filter.municipality_codes,
            search: filter.search,
            goal_id,
            slice: InterventionSlice {
                prevention_level: filter.prevention_level,
            },
        };
        paginate(
            ctx,
            &filter,
            as_of,
            first,
            after,
            |row| row.id,
            |row| Intervention::read_at(row, as_of),
        )
        .await
    }
}
