//! Writing goals of action plans and interventions (indsatser). An intervention of the editor's
//! municipality may serve one of its goals, be led by one of its units, and name its partners.
//!
//! Partners are rows of `intervention_partners`, which have no validity of their own: they belong
//! to the intervention as a whole. So an intervention's partners are given with it and, on an
//! update, replaced as a set for every day of the intervention (not from the update's day); the
//! versions the update makes are as usual.

use std::collections::HashSet;

use chrono::NaiveDate;
use entities::{goal, intervention, intervention_partner, plan};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::{NotSet, Set},
    ColumnTrait, EntityTrait, QueryFilter,
};

use super::{
    checks::{
        checked_ages, checked_goal_number, checked_optional, checked_text, Origin, Party, Text,
        Texts,
    },
    Store,
};
use crate::{
    error::{ApiError, ApiResult, FieldPath},
    vocabulary::PreventionLevel,
};

/// The most partners an intervention may name.
const MAX_PARTNERS: usize = 50;

record_input! {
    /// A new goal of an action plan.
    new NewGoal {
        municipality_code: i32,
    }
    /// Changes to a goal: `None` keeps a field, `Some` sets it.
    changes GoalChanges;
    fields {
        plan: String,
        /// The plan record the goal belongs to (one of the municipality's).
        part_of_id: Option<i32>,
        number: i32,
        title: String,
    }
}

impl Texts for goal::Entity {
    const TEXTS: &'static [(goal::Column, Text)] = &[
        (goal::Column::Plan, Text::Name),
        (goal::Column::Title, Text::Name),
    ];
}

impl Texts for intervention::Entity {
    const TEXTS: &'static [(intervention::Column, Text)] = &[
        (intervention::Column::Name, Text::Name),
        (intervention::Column::Description, Text::Long),
        (intervention::Column::TargetGroup, Text::Long),
        (intervention::Column::Funding, Text::Long),
    ];
}

impl Store {
    /// Creates a goal of the editor's municipality, `private` until shared.
    pub async fn create_goal(
        &self,
        new: NewGoal,
        at: impl Into<FieldPath>,
    ) -> ApiResult<goal::Model> {
        let at: &FieldPath = &at.into();
        let field = |name: &str| at.field(name);
        let record = self
            .new_record(
                at,
                (new.municipality_code, Some("municipality_code")),
                &new.version,
            )
            .await?;
        checked_goal_number(&field("number"), new.number)?;
        let code = new.municipality_code;
        let part_of = new.part_of_id;
        let day = new.version.valid_from;
        let version = goal::ActiveModel {
            plan: Set(new.plan),
            plan_id: Set(part_of),
            number: Set(new.number),
            title: Set(new.title),
            ..Default::default()
        };
        self.create::<goal::Entity>(version, record, async || {
            self.check_reference::<plan::Entity>(&field("part_of_id"), "plan", code, part_of, day)
                .await
        })
        .await
    }

    /// Changes the goal `id` from `from` on.
    pub async fn update_goal(
        &self,
        id: i32,
        revision: i32,
        from: NaiveDate,
        changes: GoalChanges,
        origin: Origin,
        at: impl Into<FieldPath>,
    ) -> ApiResult<goal::Model> {
        let at: &FieldPath = &at.into();
        let field = |name: &str| at.field(name);
        let code = self.owner_for_edit::<goal::Entity>(id).await?;
        let change = self.change_from(at, from, &origin).await?;
        if let Some(number) = changes.number {
            checked_goal_number(&field("number"), number)?;
        }
        let changed = changed!(goal {
            plan: changes.plan,
            plan_id: changes.part_of_id,
            number: changes.number,
            title: changes.title,
        });
        self.update_from::<goal::Entity>(id, revision, change, changed, async || {
            match changes.part_of_id {
                Some(part_of) => {
                    self.check_reference::<plan::Entity>(
                        &field("part_of_id"),
                        "plan",
                        code,
                        part_of,
                        from,
                    )
                    .await
                }
                None => Ok(()),
            }
        })
        .await
    }
}

/// A partner of an intervention: exactly one of a unit and a partner organisation, and its part.
#[derive(Debug, Clone)]
pub struct NewInterventionPartner {
    pub unit_id: Option<i32>,
    pub partner_id: Option<i32>,
    pub role: Option<String>,
}

record_input! {
    /// A new intervention.
    new NewIntervention {
        municipality_code: i32,
    }
    /// Changes to an intervention: `None` keeps a field, `Some` sets it (`Some(None)` clears it);
    /// `partners`, when given, replaces the whole set.
    changes InterventionChanges;
    fields {
        goal_id: Option<i32>,
        /// The plan the intervention belongs to (one of the municipality's).
        part_of_id: Option<i32>,
        lead_unit_id: Option<i32>,
        name: String,
        description: Option<String>,
        prevention_level: Option<PreventionLevel>,
        target_group: Option<String>,
        age_min: Option<i32>,
        age_max: Option<i32>,
        funding: Option<String>,
        partners: Vec<NewInterventionPartner>,
    }
}

/// An intervention's checked partners, with their parts.
type Partners = Vec<(Party, Option<String>)>;

impl Store {
    /// Creates an intervention of the editor's municipality with its partners, `private` until
    /// shared.
    pub async fn create_intervention(
        &self,
        new: NewIntervention,
        at: impl Into<FieldPath>,
    ) -> ApiResult<intervention::Model> {
        let at: &FieldPath = &at.into();
        let field = |name: &str| at.field(name);
        let code = new.municipality_code;
        let day = new.version.valid_from;
        let record = self
            .new_record(at, (code, Some("municipality_code")), &new.version)
            .await?;
        checked_ages(at, new.age_min, new.age_max)?;
        let partners = self
            .checked_partners(&field("partners"), code, &new.partners, day)
            .await?;
        let version = intervention::ActiveModel {
            goal_id: Set(new.goal_id),
            plan_id: Set(new.part_of_id),
            lead_unit_id: Set(new.lead_unit_id),
            name: Set(new.name),
            description: Set(new.description),
            prevention_level: Set(new.prevention_level.map(|l| l.as_str().to_owned())),
            target_group: Set(new.target_group),
            age_min: Set(new.age_min),
            age_max: Set(new.age_max),
            funding: Set(new.funding),
            ..Default::default()
        };
        let references = async || {
            let (goal, part_of, lead) = (new.goal_id, new.part_of_id, new.lead_unit_id);
            self.check_reference::<goal::Entity>(&field("goal_id"), "goal", code, goal, day)
                .await?;
            self.check_reference::<plan::Entity>(&field("part_of_id"), "plan", code, part_of, day)
                .await?;
            self.check_unit(&field("lead_unit_id"), code, lead, day)
                .await
        };
        self.create_linked::<intervention::Entity>(version, record, references, async |id| {
            self.replace_partners(id, partners).await
        })
        .await
    }

    /// Changes the intervention `id` from `from` on; given partners replace its partners.
    pub async fn update_intervention(
        &self,
        id: i32,
        revision: i32,
        from: NaiveDate,
        changes: InterventionChanges,
        origin: Origin,
        at: impl Into<FieldPath>,
    ) -> ApiResult<intervention::Model> {
        let at: &FieldPath = &at.into();
        let field = |name: &str| at.field(name);
        let code = self.owner_for_edit::<intervention::Entity>(id).await?;
        let change = self.change_from(at, from, &origin).await?;
        // The ages as they will be: the changed ends, and the others as they are on `from`.
        let (age_min, age_max) = if changes.age_min.is_some() || changes.age_max.is_some() {
            let current = self.holding_from::<intervention::Entity>(id, from).await?;
            let min = changes.age_min.unwrap_or(current.age_min);
            let max = changes.age_max.unwrap_or(current.age_max);
            checked_ages(at, min, max)?;
            (Some(min), Some(max))
        } else {
            (None, None)
        };
        let references = async || {
            if let Some(goal) = changes.goal_id {
                self.check_reference::<goal::Entity>(&field("goal_id"), "goal", code, goal, from)
                    .await?;
            }
            if let Some(part_of) = changes.part_of_id {
                let field = field("part_of_id");
                self.check_reference::<plan::Entity>(&field, "plan", code, part_of, from)
                    .await?;
            }
            match changes.lead_unit_id {
                Some(lead) => {
                    self.check_unit(&field("lead_unit_id"), code, lead, from)
                        .await
                }
                None => Ok(()),
            }
        };
        let partners = match &changes.partners {
            Some(partners) => Some(
                self.checked_partners(&field("partners"), code, partners, from)
                    .await?,
            ),
            None => None,
        };
        let changed = changed!(intervention {
            goal_id: changes.goal_id,
            plan_id: changes.part_of_id,
            lead_unit_id: changes.lead_unit_id,
            name: changes.name,
            description: changes.description,
            prevention_level: changes
                .prevention_level
                .map(|level| level.map(|l| l.as_str().to_owned())),
            target_group: changes.target_group,
            age_min,
            age_max,
            funding: changes.funding,
        });
        self.update_linked::<intervention::Entity>(
            id,
            revision,
            change,
            changed,
            references,
            async |id| match partners {
                Some(partners) => self.replace_partners(id, partners).await,
                None => Ok(()),
            },
        )
        .await
    }

    /// The partners of an intervention of the municipality `code` on `day`, checked: each names
    /// one unit of the municipality or one partner organisation, and none twice.
    async fn checked_partners(
        &self,
        at: &FieldPath,
        code: i32,
        partners: &[NewInterventionPartner],
        day: NaiveDate,
    ) -> ApiResult<Partners> {
        if partners.len() > MAX_PARTNERS {
            return Err(ApiError::bad_input(
                at,
                format!("an intervention names at most {MAX_PARTNERS} partners"),
            ));
        }
        let mut seen = HashSet::new();
        let mut checked = Vec::with_capacity(partners.len());
        for (index, partner) in partners.iter().enumerate() {
            let at = at.index(index);
            let party = Party::of(&at, partner.unit_id, partner.partner_id)?;
            self.check_party(&at, code, party, day).await?;
            if !seen.insert(party) {
                let field = match party {
                    Party::Unit(_) => "unit_id",
                    Party::Partner(_) => "partner_id",
                };
                return Err(ApiError::bad_input(
                    at.field(field),
                    "names a partner already listed",
                ));
            }
            let role = checked_optional(&at.field("role"), partner.role.as_deref(), checked_text)?;
            checked.push((party, role));
        }
        Ok(checked)
    }

    /// Makes `partners` the partners of the intervention `id` (a link table without versions,
    /// written here; see the module documentation).
    async fn replace_partners(&self, id: i32, partners: Partners) -> ApiResult<()> {
        intervention_partner::Entity::delete_many()
            .filter(intervention_partner::Column::InterventionId.eq(id))
            .exec(&self.db)
            .await?;
        for (party, role) in partners {
            intervention_partner::ActiveModel {
                id: NotSet,
                intervention_id: Set(id),
                unit_id: Set(party.unit_id()),
                partner_id: Set(party.partner_id()),
                role: Set(role),
            }
            .insert(&self.db)
            .await?;
        }
        Ok(())
    }
}
