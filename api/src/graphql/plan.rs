//! A municipality's crime-prevention plans (strategies and action plans), the goals and
//! interventions that belong to them, and their mutations.

use async_graphql::{Context, InputObject, MaybeUndefined, Object, Result, ID};
use entities::plan;

use super::{
    edits::{
        key_of, nullable, optional_key_of, required, revision_of, ProvenanceInput, VersionInput,
    },
    ids::{GlobalId, Kind},
    intervention::{Goal, Intervention},
    list_size,
    loaders::*,
    municipality::Municipality,
    organisation::PoliticalCommittee,
    scalars::Date,
    source::{provenance_of, Provenance},
    store,
};
use crate::{
    service::{principles_of, InterventionSlice, NewPlan, PlanChanges},
    vocabulary::{PlanDecision, PlanKind},
};

dated_record!(
    /// A municipality's crime-prevention strategy or action plan ("Ishøj – En Tryg By", its
    /// Handleplan 2014): the years it covers, who adopted or noted it, its guiding principles,
    /// and the goals and interventions that belong to it.
    Plan, plan
);

#[Object]
impl Plan {
    pub(crate) async fn id(&self) -> ID {
        Kind::Plan.id(self.row.id)
    }
    /// Counts the writes to the record; a write sends back the revision it read.
    async fn revision(&self, ctx: &Context<'_>) -> Result<i32> {
        revision_of(self, ctx, self.row.id).await
    }
    async fn kind(&self) -> Option<PlanKind> {
        PlanKind::parse(&self.row.kind)
    }
    async fn title(&self) -> &str {
        &self.row.title
    }
    /// The first year the plan covers (inclusive), where the source gives it.
    async fn first_year(&self) -> Option<i32> {
        self.row.first_year
    }
    /// The last year it covers (inclusive).
    async fn last_year(&self) -> Option<i32> {
        self.row.last_year
    }
    /// Whether the body adopted it or took note of it.
    async fn decision(&self) -> Option<PlanDecision> {
        self.row.decision.as_deref().and_then(PlanDecision::parse)
    }
    /// The body that adopted or noted it, as the source names it ("Ishøj Byråd").
    async fn decided_by(&self) -> Option<&str> {
        self.row.decided_by.as_deref()
    }
    /// That body, when it is one of the municipality's political committees.
    async fn committee(&self, ctx: &Context<'_>) -> Result<Option<PoliticalCommittee>> {
        self.related(ctx)
            .optional(CommitteeById, self.row.committee_id)
            .await
    }
    async fn decided_on(&self) -> Option<Date> {
        self.row.decided_on.map(Date)
    }
    /// Its guiding principles, in the source's order.
    async fn principles(&self) -> Vec<String> {
        principles_of(self.row.principles.as_deref())
    }
    /// The plan this one carries out or belongs to (an action plan's strategy).
    async fn part_of(&self, ctx: &Context<'_>) -> Result<Option<Plan>> {
        self.related(ctx)
            .optional(PlanById, self.row.part_of_id)
            .await
    }
    /// The plans that carry this one out or belong to it.
    #[graphql(directive = list_size::apply(5, None))]
    async fn parts(&self, ctx: &Context<'_>) -> Result<Vec<Plan>> {
        self.related(ctx).many(PlansByPlan, self.row.id).await
    }
    /// The goals that belong to the plan.
    #[graphql(directive = list_size::apply(10, None))]
    async fn goals(&self, ctx: &Context<'_>) -> Result<Vec<Goal>> {
        self.related(ctx).many(GoalsByPlan, self.row.id).await
    }
    /// The interventions that belong to the plan.
    #[graphql(directive = list_size::apply(50, None))]
    async fn interventions(&self, ctx: &Context<'_>) -> Result<Vec<Intervention>> {
        let slice = InterventionSlice::default();
        self.related(ctx)
            .many(InterventionsByPlan(slice), self.row.id)
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

/// A new plan.
#[derive(InputObject)]
pub struct CreatePlanInput {
    /// The municipality (the editor's own).
    pub municipality_code: i32,
    pub kind: PlanKind,
    pub title: String,
    pub first_year: Option<i32>,
    pub last_year: Option<i32>,
    /// The plan it carries out or belongs to (one of the municipality's).
    pub part_of_id: Option<ID>,
    pub decision: Option<PlanDecision>,
    /// The body that adopted or noted it, as the source names it.
    pub decided_by: Option<String>,
    /// That body, when it is one of the municipality's political committees.
    pub committee_id: Option<ID>,
    pub decided_on: Option<Date>,
    /// Its guiding principles, in order (at most 20, none twice).
    #[graphql(default)]
    pub principles: Vec<String>,
    #[graphql(flatten)]
    pub version: VersionInput,
}

/// Changes to a plan: a field not given keeps its value, `null` clears it.
#[derive(InputObject, Default)]
pub struct PlanChangesInput {
    pub kind: MaybeUndefined<PlanKind>,
    pub title: MaybeUndefined<String>,
    pub first_year: MaybeUndefined<i32>,
    pub last_year: MaybeUndefined<i32>,
    pub part_of_id: MaybeUndefined<ID>,
    pub decision: MaybeUndefined<PlanDecision>,
    pub decided_by: MaybeUndefined<String>,
    pub committee_id: MaybeUndefined<ID>,
    pub decided_on: MaybeUndefined<Date>,
    /// Replaces the principles (`[]` or `null`: none).
    pub principles: MaybeUndefined<Vec<String>>,
}

#[derive(Default)]
pub struct PlanMutation;

#[Object]
impl PlanMutation {
    /// Creates a plan of the editor's municipality (`private` until shared).
    async fn create_plan(&self, ctx: &Context<'_>, input: CreatePlanInput) -> Result<Plan> {
        let valid_from = input.version.valid_from.0;
        let new = NewPlan {
            municipality_code: input.municipality_code,
            kind: input.kind,
            title: input.title,
            first_year: input.first_year,
            last_year: input.last_year,
            part_of_id: optional_key_of(input.part_of_id.as_ref(), Kind::Plan, "input.partOfId")?,
            decision: input.decision,
            decided_by: input.decided_by,
            committee_id: optional_key_of(
                input.committee_id.as_ref(),
                Kind::PoliticalCommittee,
                "input.committeeId",
            )?,
            decided_on: Date::day(input.decided_on),
            principles: input.principles,
            version: input.version.into(),
        };
        let row = store(ctx)?.create_plan(new, "input").await?;
        Ok(Plan::of_model(row, Some(valid_from)))
    }

    /// Changes a plan from `from` on; as of the day before it reads as it was.
    async fn update_plan(
        &self,
        ctx: &Context<'_>,
        id: ID,
        revision: i32,
        from: Date,
        changes: PlanChangesInput,
        provenance: ProvenanceInput,
    ) -> Result<Plan> {
        let key = key_of(&id, Kind::Plan, "id")?;
        let reference = |id: MaybeUndefined<ID>, kind: Kind, field: &'static str| {
            nullable(id)
                .map(|id| optional_key_of(id.as_ref(), kind, field))
                .transpose()
        };
        let changes = PlanChanges {
            kind: required(changes.kind, "changes.kind")?,
            title: required(changes.title, "changes.title")?,
            first_year: nullable(changes.first_year),
            last_year: nullable(changes.last_year),
            part_of_id: reference(changes.part_of_id, Kind::Plan, "changes.partOfId")?,
            decision: nullable(changes.decision),
            decided_by: nullable(changes.decided_by),
            committee_id: reference(
                changes.committee_id,
                Kind::PoliticalCommittee,
                "changes.committeeId",
            )?,
            decided_on: nullable(changes.decided_on).map(|day| day.map(|day| day.0)),
            principles: nullable(changes.principles).map(Option::unwrap_or_default),
        };
        let row = store(ctx)?
            .update_plan(key, revision, from.0, changes, provenance.into(), "changes")
            .await?;
        Ok(Plan::of_model(row, Some(from.0)))
    }
}
