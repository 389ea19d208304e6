//! Goals of action plans and the interventions (indsatser) under them, with their partners.

use async_graphql::{Context, InputObject, MaybeUndefined, Object, Result, ID};
use entities::{goal, intervention, intervention_partner};

use super::{
    edits::{
        key_of, nullable, optional_key_of, required, revision_of, ProvenanceInput, VersionInput,
    },
    forum::PartnerOrganisation,
    ids::{GlobalId, Kind},
    list_size,
    loaders::*,
    municipality::Municipality,
    organisation::Unit,
    pagination::{paginate, List},
    plan::Plan,
    scalars::Date,
    source::{provenance_of, Provenance},
    store,
};
use crate::{
    error::{ApiError, FieldPath},
    service::{
        GoalChanges, InterventionChanges, InterventionFilter, InterventionSlice, NewGoal,
        NewIntervention, NewInterventionPartner,
    },
    vocabulary::PreventionLevel,
};

dated_record!(
    /// A goal of a municipality's action plan ("Mål 1: Ishøj er en tryg by").
    Goal, goal
);

#[Object]
impl Goal {
    pub(crate) async fn id(&self) -> ID {
        Kind::Goal.id(self.row.id)
    }
    /// Counts the writes to the record; a write sends back the revision it read.
    async fn revision(&self, ctx: &Context<'_>) -> Result<i32> {
        revision_of(self, ctx, self.row.id).await
    }
    /// The name of the plan the goal belongs to, as the source gives it.
    async fn plan(&self) -> &str {
        &self.row.plan
    }
    /// The plan the goal belongs to, where it is recorded.
    async fn part_of(&self, ctx: &Context<'_>) -> Result<Option<Plan>> {
        self.related(ctx).optional(PlanById, self.row.plan_id).await
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
    Intervention, intervention
);

#[Object]
impl Intervention {
    pub(crate) async fn id(&self) -> ID {
        Kind::Intervention.id(self.row.id)
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
    /// The plan the intervention belongs to, where it is recorded.
    async fn part_of(&self, ctx: &Context<'_>) -> Result<Option<Plan>> {
        self.related(ctx).optional(PlanById, self.row.plan_id).await
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
    InterventionPartner, intervention_partner
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
            .map(|id| super::node::expect_kind(id, Kind::Goal, "filter.goal"))
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

/// A new goal of an action plan.
#[derive(InputObject)]
pub struct CreateGoalInput {
    /// The municipality (the editor's own).
    pub municipality_code: i32,
    /// The name of the plan the goal belongs to ("Ishøj – En Tryg By").
    pub plan: String,
    /// The plan record it belongs to (one of the municipality's plans).
    pub part_of_id: Option<ID>,
    /// The goal's number in its plan (1–999).
    pub number: i32,
    pub title: String,
    #[graphql(flatten)]
    pub version: VersionInput,
}

/// Changes to a goal: a field not given keeps its value.
#[derive(InputObject, Default)]
pub struct GoalChangesInput {
    pub plan: MaybeUndefined<String>,
    pub part_of_id: MaybeUndefined<ID>,
    pub number: MaybeUndefined<i32>,
    pub title: MaybeUndefined<String>,
}

/// A partner of an intervention: one of the municipality's units or a partner organisation
/// (exactly one), and its part.
#[derive(InputObject)]
pub struct InterventionPartnerInput {
    pub unit_id: Option<ID>,
    pub partner_id: Option<ID>,
    /// The partner's part, where the source says it.
    pub role: Option<String>,
}

/// A new intervention.
#[derive(InputObject)]
pub struct CreateInterventionInput {
    /// The municipality (the editor's own).
    pub municipality_code: i32,
    pub name: String,
    pub description: Option<String>,
    pub prevention_level: Option<PreventionLevel>,
    /// The target group as the source words it.
    pub target_group: Option<String>,
    /// Ages of the target group (0–120, the youngest not above the oldest).
    pub age_min: Option<i32>,
    pub age_max: Option<i32>,
    pub funding: Option<String>,
    /// The goal it serves (one of the municipality's).
    pub goal_id: Option<ID>,
    /// The plan it belongs to (one of the municipality's).
    pub part_of_id: Option<ID>,
    /// The unit that leads it (one of the municipality's).
    pub lead_unit_id: Option<ID>,
    /// Its partners (at most 50, none twice). They belong to the intervention as a whole: they
    /// have no validity of their own.
    #[graphql(default)]
    pub partners: Vec<InterventionPartnerInput>,
    #[graphql(flatten)]
    pub version: VersionInput,
}

/// Changes to an intervention: a field not given keeps its value, `null` clears it.
#[derive(InputObject, Default)]
pub struct InterventionChangesInput {
    pub name: MaybeUndefined<String>,
    pub description: MaybeUndefined<String>,
    pub prevention_level: MaybeUndefined<PreventionLevel>,
    pub target_group: MaybeUndefined<String>,
    pub age_min: MaybeUndefined<i32>,
    pub age_max: MaybeUndefined<i32>,
    pub funding: MaybeUndefined<String>,
    pub goal_id: MaybeUndefined<ID>,
    pub part_of_id: MaybeUndefined<ID>,
    pub lead_unit_id: MaybeUndefined<ID>,
    /// Replaces the intervention's partners (`[]` or `null`: none). Partners have no validity of
    /// their own: the new set holds for the whole intervention, not only from `from`.
    pub partners: MaybeUndefined<Vec<InterventionPartnerInput>>,
}

/// The partners an input lists under `at` (`input.partners`).
fn partners_of(
    partners: Vec<InterventionPartnerInput>,
    at: &FieldPath,
) -> Result<Vec<NewInterventionPartner>, ApiError> {
    partners
        .into_iter()
        .enumerate()
        .map(|(index, partner)| {
            let field = |name: &str| at.index(index).field(name);
            Ok(NewInterventionPartner {
                unit_id: optional_key_of(partner.unit_id.as_ref(), Kind::Unit, field("unit_id"))?,
                partner_id: optional_key_of(
                    partner.partner_id.as_ref(),
                    Kind::PartnerOrganisation,
                    field("partner_id"),
                )?,
                role: partner.role,
            })
        })
        .collect()
}

#[derive(Default)]
pub struct InterventionMutation;

#[Object]
impl InterventionMutation {
    /// Creates a goal of the editor's municipality (`private` until shared).
    async fn create_goal(&self, ctx: &Context<'_>, input: CreateGoalInput) -> Result<Goal> {
        let valid_from = input.version.valid_from.0;
        let new = NewGoal {
            municipality_code: input.municipality_code,
            plan: input.plan,
            part_of_id: optional_key_of(input.part_of_id.as_ref(), Kind::Plan, "input.partOfId")?,
            number: input.number,
            title: input.title,
            version: input.version.into(),
        };
        let row = store(ctx)?.create_goal(new, "input").await?;
        Ok(Goal::of_model(row, Some(valid_from)))
    }

    /// Changes a goal from `from` on; as of the day before it reads as it was.
    async fn update_goal(
        &self,
        ctx: &Context<'_>,
        id: ID,
        revision: i32,
        from: Date,
        changes: GoalChangesInput,
        provenance: ProvenanceInput,
    ) -> Result<Goal> {
        let key = key_of(&id, Kind::Goal, "id")?;
        let changes = GoalChanges {
            plan: required(changes.plan, "changes.plan")?,
            part_of_id: nullable(changes.part_of_id)
                .map(|id| optional_key_of(id.as_ref(), Kind::Plan, "changes.partOfId"))
                .transpose()?,
            number: required(changes.number, "changes.number")?,
            title: required(changes.title, "changes.title")?,
        };
        let row = store(ctx)?
            .update_goal(key, revision, from.0, changes, provenance.into(), "changes")
            .await?;
        Ok(Goal::of_model(row, Some(from.0)))
    }

    /// Creates an intervention of the editor's municipality with its partners (`private` until
    /// shared).
    async fn create_intervention(
        &self,
        ctx: &Context<'_>,
        input: CreateInterventionInput,
    ) -> Result<Intervention> {
        let valid_from = input.version.valid_from.0;
        let new = NewIntervention {
            municipality_code: input.municipality_code,
            goal_id: optional_key_of(input.goal_id.as_ref(), Kind::Goal, "input.goalId")?,
            part_of_id: optional_key_of(input.part_of_id.as_ref(), Kind::Plan, "input.partOfId")?,
            lead_unit_id: optional_key_of(
                input.lead_unit_id.as_ref(),
                Kind::Unit,
                "input.leadUnitId",
            )?,
            name: input.name,
            description: input.description,
            prevention_level: input.prevention_level,
            target_group: input.target_group,
            age_min: input.age_min,
            age_max: input.age_max,
            funding: input.funding,
            partners: partners_of(input.partners, &FieldPath::from("input.partners"))?,
            version: input.version.into(),
        };
        let row = store(ctx)?.create_intervention(new, "input").await?;
        Ok(Intervention::of_model(row, Some(valid_from)))
    }

    /// Changes an intervention from `from` on; as of the day before it reads as it was (its
    /// partners, when given, are replaced for the whole intervention).
    async fn update_intervention(
        &self,
        ctx: &Context<'_>,
        id: ID,
        revision: i32,
        from: Date,
        changes: InterventionChangesInput,
        provenance: ProvenanceInput,
    ) -> Result<Intervention> {
        let key = key_of(&id, Kind::Intervention, "id")?;
        let changes = InterventionChanges {
            goal_id: nullable(changes.goal_id)
                .map(|id| optional_key_of(id.as_ref(), Kind::Goal, "changes.goalId"))
                .transpose()?,
            part_of_id: nullable(changes.part_of_id)
                .map(|id| optional_key_of(id.as_ref(), Kind::Plan, "changes.partOfId"))
                .transpose()?,
            lead_unit_id: nullable(changes.lead_unit_id)
                .map(|id| optional_key_of(id.as_ref(), Kind::Unit, "changes.leadUnitId"))
                .transpose()?,
            name: required(changes.name, "changes.name")?,
            description: nullable(changes.description),
            prevention_level: nullable(changes.prevention_level),
            target_group: nullable(changes.target_group),
            age_min: nullable(changes.age_min),
            age_max: nullable(changes.age_max),
            funding: nullable(changes.funding),
            partners: nullable(changes.partners)
                .map(|partners| {
                    partners_of(
                        partners.unwrap_or_default(),
                        &FieldPath::from("changes.partners"),
                    )
                })
                .transpose()?,
        };
        let row = store(ctx)?
            .update_intervention(key, revision, from.0, changes, provenance.into(), "changes")
            .await?;
        Ok(Intervention::of_model(row, Some(from.0)))
    }
}
