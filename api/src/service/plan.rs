//! Writing a municipality's crime-prevention plans: strategies and action plans. A plan may carry
//! out another plan of the municipality (an action plan of its strategy), name the committee that
//! adopted or noted it, and list its guiding principles; goals and interventions name the plan
//! they belong to (see [`intervention`](super::intervention)).

use chrono::NaiveDate;
use entities::plan;
use sea_orm::ActiveValue::Set;

use super::{
    checks::{checked_day, checked_text, checked_year, Origin, Text, Texts},
    Store,
};
use crate::{
    error::{ApiError, ApiResult, FieldPath},
    vocabulary::{PlanDecision, PlanKind},
};

/// The most guiding principles a plan may list.
const MAX_PRINCIPLES: usize = 20;

record_input! {
    /// A new plan.
    new NewPlan {
        municipality_code: i32,
    }
    /// Changes to a plan: `None` keeps a field, `Some(None)` clears an optional one.
    changes PlanChanges;
    fields {
        kind: PlanKind,
        title: String,
        first_year: Option<i32>,
        last_year: Option<i32>,
        part_of_id: Option<i32>,
        decision: Option<PlanDecision>,
        decided_by: Option<String>,
        committee_id: Option<i32>,
        decided_on: Option<NaiveDate>,
        principles: Vec<String>,
    }
}

impl Texts for plan::Entity {
    const TEXTS: &'static [(plan::Column, Text)] = &[
        (plan::Column::Title, Text::Name),
        (plan::Column::DecidedBy, Text::Name),
    ];
}

impl Store {
    /// Creates a plan of the editor's municipality, `private` until shared.
    pub async fn create_plan(
        &self,
        new: NewPlan,
        at: impl Into<FieldPath>,
    ) -> ApiResult<plan::Model> {
        let at: &FieldPath = &at.into();
        let field = |name: &str| at.field(name);
        let record = self
            .new_record(
                at,
                (new.municipality_code, Some("municipality_code")),
                &new.version,
            )
            .await?;
        let code = new.municipality_code;
        checked_period(at, new.first_year, new.last_year)?;
        if let Some(day) = new.decided_on {
            checked_day(&field("decided_on"), day)?;
        }
        let principles = checked_principles(&field("principles"), &new.principles)?;
        let day = new.version.valid_from;
        let (part_of, committee) = (new.part_of_id, new.committee_id);
        let version = plan::ActiveModel {
            kind: Set(new.kind.as_str().to_owned()),
            title: Set(new.title),
            first_year: Set(new.first_year),
            last_year: Set(new.last_year),
            part_of_id: Set(new.part_of_id),
            decision: Set(new.decision.map(|d| d.as_str().to_owned())),
            decided_by: Set(new.decided_by),
            committee_id: Set(new.committee_id),
            decided_on: Set(new.decided_on),
            principles: Set(principles),
            ..Default::default()
        };
        self.create::<plan::Entity>(version, record, async || {
            self.check_reference::<plan::Entity>(&field("part_of_id"), "plan", code, part_of, day)
                .await?;
            self.check_committee(&field("committee_id"), code, committee, day)
                .await
        })
        .await
    }

    /// Changes the plan `id` from `from` on.
    pub async fn update_plan(
        &self,
        id: i32,
        revision: i32,
        from: NaiveDate,
        changes: PlanChanges,
        origin: Origin,
        at: impl Into<FieldPath>,
    ) -> ApiResult<plan::Model> {
        let at: &FieldPath = &at.into();
        let field = |name: &str| at.field(name);
        let code = self.owner_for_edit::<plan::Entity>(id).await?;
        let change = self.change_from(at, from, &origin).await?;
        // The period as it will be: the changed ends, and the others as they are on `from`.
        if changes.first_year.is_some() || changes.last_year.is_some() {
            let current = self.holding_from::<plan::Entity>(id, from).await?;
            checked_period(
                at,
                changes.first_year.unwrap_or(current.first_year),
                changes.last_year.unwrap_or(current.last_year),
            )?;
        }
        if let Some(Some(day)) = changes.decided_on {
            checked_day(&field("decided_on"), day)?;
        }
        let principles = changes
            .principles
            .as_deref()
            .map(|principles| checked_principles(&field("principles"), principles))
            .transpose()?;
        if changes.part_of_id == Some(Some(id)) {
            return Err(ApiError::bad_input(
                field("part_of_id"),
                "a plan cannot be part of itself",
            ));
        }
        let references = async || {
            if let Some(part_of) = changes.part_of_id {
                let field = field("part_of_id");
                self.check_reference::<plan::Entity>(&field, "plan", code, part_of, from)
                    .await?;
                let cycle = self
                    .first_cycle_after_move::<plan::Entity>(
                        code,
                        id,
                        part_of,
                        from,
                        plan::Column::PartOfId,
                    )
                    .await?;
                if let Some(day) = cycle {
                    return Err(ApiError::bad_input(
                        field,
                        format!(
                            "the plan would be part of itself or of one of its own parts on {day}"
                        ),
                    ));
                }
            }
            match changes.committee_id {
                Some(committee) => {
                    self.check_committee(&field("committee_id"), code, committee, from)
                        .await
                }
                None => Ok(()),
            }
        };
        let changed = changed!(plan {
            kind: changes.kind.map(|kind| kind.as_str().to_owned()),
            title: changes.title,
            first_year: changes.first_year,
            last_year: changes.last_year,
            part_of_id: changes.part_of_id,
            decision: changes
                .decision
                .map(|decision| decision.map(|d| d.as_str().to_owned())),
            decided_by: changes.decided_by,
            committee_id: changes.committee_id,
            decided_on: changes.decided_on,
            principles,
        });
        self.update_from::<plan::Entity>(id, revision, change, changed, references)
            .await
    }
}

/// The years a plan covers: each a year a day may have, the first not after the last.
pub(super) fn checked_period(
    at: &FieldPath,
    first: Option<i32>,
    last: Option<i32>,
) -> ApiResult<()> {
    if let Some(first) = first {
        checked_year(&at.field("first_year"), first)?;
    }
    if let Some(last) = last {
        checked_year(&at.field("last_year"), last)?;
    }
    match (first, last) {
        (Some(first), Some(last)) if first > last => Err(ApiError::bad_input(
            at.field("last_year"),
            format!("must not be before the first year ({first})"),
        )),
        _ => Ok(()),
    }
}

/// A plan's guiding principles, stored as a JSON array (none: `None`): each a name, at most
/// [`MAX_PRINCIPLES`], none twice.
pub(super) fn checked_principles(
    field: &FieldPath,
    principles: &[String],
) -> ApiResult<Option<String>> {
    if principles.len() > MAX_PRINCIPLES {
        return Err(ApiError::bad_input(
            field,
            format!("at most {MAX_PRINCIPLES} principles"),
        ));
    }
    let mut checked: Vec<String> = Vec::with_capacity(principles.len());
    for (index, principle) in principles.iter().enumerate() {
        let principle = checked_text(&field.index(index), principle)?;
        if checked.contains(&principle) {
            return Err(ApiError::bad_input(field.index(index), "is listed twice"));
        }
        checked.push(principle);
    }
    if checked.is_empty() {
        return Ok(None);
    }
    serde_json::to_string(&checked)
        .map(Some)
        .map_err(|error| ApiError::Internal(error.into()))
}

/// The principles stored as `text` (a JSON array of strings; none when absent).
pub fn principles_of(text: Option<&str>) -> Vec<String> {
    text.and_then(|text| serde_json::from_str(text).ok())
        .unwrap_or_default()
}
