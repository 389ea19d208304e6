//! Writing units: the rules of the organisation tree on top of the writes every record has
//! ([`writes`](super::writes)). Errors name the input field at fault, by the path the caller gave
//! its input under (`input.name`, `changes.parentId`).

use chrono::NaiveDate;
use entities::{political_committee, staff_role, unit};
use rust_decimal::Decimal;
use sea_orm::{ActiveValue::Set, ColumnTrait, Condition};

use super::{
    checks::{checked_headcount, checked_hours, Origin, Text, Texts},
    writes::no_references,
    Store,
};
use crate::{
    error::{ApiError, ApiResult, FieldPath},
    vocabulary::{Archetype, Pillar, PreventionLevel},
};

impl Texts for unit::Entity {
    const TEXTS: &'static [(unit::Column, Text)] = &[
        (unit::Column::Name, Text::Name),
        (unit::Column::Kind, Text::Name),
        (unit::Column::ArchetypeNote, Text::Long),
    ];
}

impl Texts for staff_role::Entity {
    const TEXTS: &'static [(staff_role::Column, Text)] = &[(staff_role::Column::Title, Text::Name)];
}

impl Texts for political_committee::Entity {
    const TEXTS: &'static [(political_committee::Column, Text)] =
        &[(political_committee::Column::Name, Text::Name)];
}

/// The unit tree is never deeper than this (it also bounds the walk that finds cycles).
const MAX_DEPTH: usize = 32;

record_input! {
    /// A new unit.
    new NewUnit {
        municipality_code: i32,
    }
    /// Changes to a unit: `None` keeps a field, `Some` sets it (`Some(None)` clears it).
    changes UnitChanges;
    fields {
        name: String,
        kind: String,
        parent_id: Option<i32>,
        committee_id: Option<i32>,
        archetype: Option<Archetype>,
        archetype_note: Option<String>,
        hosts_crime_prevention: bool,
    }
}

impl Store {
    /// Creates a unit, `private` until an admin shares it. `at` is the path of the input.
    pub async fn create_unit(
        &self,
        new: NewUnit,
        at: impl Into<FieldPath>,
    ) -> ApiResult<unit::Model> {
        let at: &FieldPath = &at.into();
        let field = |name: &str| at.field(name);
        let code = new.municipality_code;
        let record = self
            .new_record(at, (code, Some("municipality_code")), &new.version)
            .await?;
        let version = unit::ActiveModel {
            parent_id: Set(new.parent_id),
            committee_id: Set(new.committee_id),
            name: Set(new.name),
            kind: Set(new.kind),
            archetype: Set(new.archetype.map(|a| a.as_str().to_owned())),
            archetype_note: Set(new.archetype_note),
            hosts_crime_prevention: Set(new.hosts_crime_prevention),
            ..Default::default()
        };
        let day = new.version.valid_from;
        self.create::<unit::Entity>(version, record, async || {
            self.check_parent(&field("parent_id"), code, None, new.parent_id, day)
                .await?;
            self.check_committee(&field("committee_id"), code, new.committee_id, day)
                .await
        })
        .await
    }

    /// Changes the unit `id` from `from` on (moving it is changing its parent).
    pub async fn update_unit(
        &self,
        id: i32,
        revision: i32,
        from: NaiveDate,
        changes: UnitChanges,
        origin: Origin,
        at: impl Into<FieldPath>,
    ) -> ApiResult<unit::Model> {
        let at: &FieldPath = &at.into();
        let field = |name: &str| at.field(name);
        let code = self.owner_for_edit::<unit::Entity>(id).await?;
        let change = self.change_from(at, from, &origin).await?;
        let references = async || {
            if let Some(parent) = changes.parent_id {
                self.check_move(&field("parent_id"), code, id, parent, from)
                    .await?;
            }
            match changes.committee_id {
                Some(committee) => {
                    self.check_committee(&field("committee_id"), code, committee, from)
                        .await
                }
                None => Ok(()),
            }
        };
        let changed = changed!(unit {
            name: changes.name,
            kind: changes.kind,
            parent_id: changes.parent_id,
            committee_id: changes.committee_id,
            archetype: changes
                .archetype
                .map(|archetype| archetype.map(|a| a.as_str().to_owned())),
            archetype_note: changes.archetype_note,
            hosts_crime_prevention: changes.hosts_crime_prevention,
        });
        self.update_from::<unit::Entity>(id, revision, change, changed, references)
            .await
    }

    /// Moving the unit `id` under `parent` from `from` on: the parent must be one it may have
    /// ([`check_parent`](Self::check_parent)) on that day, and the unit may not come under itself
    /// on any later day.
    async fn check_move(
        &self,
        field: &FieldPath,
        code: i32,
        id: i32,
        parent: Option<i32>,
        from: NaiveDate,
    ) -> ApiResult<()> {
        self.check_parent(field, code, Some(id), parent, from)
            .await?;
        let cycle = self
            .first_cycle_after_move::<unit::Entity>(code, id, parent, from, unit::Column::ParentId)
            .await?;
        match cycle {
            Some(day) => Err(ApiError::bad_input(
                field,
                format!("the unit would come under itself or one of its own units on {day}"),
            )),
            None => Ok(()),
        }
    }

    /// A parent must be a unit of the same municipality that holds on `day`, and not the unit
    /// itself or one of its descendants.
    async fn check_parent(
        &self,
        field: &FieldPath,
        code: i32,
        unit: Option<i32>,
        parent: Option<i32>,
        day: NaiveDate,
    ) -> ApiResult<()> {
        let Some(mut next) = parent else {
            return Ok(());
        };
        for _ in 0..MAX_DEPTH {
            if Some(next) == unit {
                return Err(ApiError::bad_input(
                    field,
                    "a unit cannot be placed under itself or one of its own units",
                ));
            }
            let Some(ancestor) = self.unit_on(next, day).await? else {
                return Err(ApiError::bad_input(
                    field,
                    format!("no unit with that ID holds on {day}"),
                ));
            };
            if ancestor.municipality_code != code {
                return Err(ApiError::bad_input(
                    field,
                    "the parent is a unit of another municipality",
                ));
            }
            match ancestor.parent_id {
                Some(up) => next = up,
                None => return Ok(()),
            }
        }
        Err(ApiError::bad_input(
            field,
            format!("the unit tree may be at most {MAX_DEPTH} levels deep"),
        ))
    }
}

record_input! {
    /// A new staff role in a unit.
    new NewStaffRole {}
    /// Changes to a staff role: `None` keeps a field, `Some` sets it (`Some(None)` clears it).
    changes StaffRoleChanges;
    fields {
        unit_id: i32,
        title: String,
        headcount: Option<i32>,
        weekly_hours_min: Option<Decimal>,
        weekly_hours_max: Option<Decimal>,
        prevention_level: Option<PreventionLevel>,
        pillar: Option<Pillar>,
    }
}

impl Store {
    /// Creates a staff role in a unit of the editor's municipality, `private` until shared.
    pub async fn create_staff_role(
        &self,
        new: NewStaffRole,
        at: impl Into<FieldPath>,
    ) -> ApiResult<staff_role::Model> {
        let at: &FieldPath = &at.into();
        let field = |name: &str| at.field(name);
        let unit = self
            .unit_on(new.unit_id, new.version.valid_from)
            .await?
            .ok_or_else(|| {
                ApiError::bad_input(
                    field("unit_id"),
                    format!("no unit with that ID holds on {}", new.version.valid_from),
                )
            })?;
        let record = self
            .new_record(at, (unit.municipality_code, None), &new.version)
            .await?;
        checked_headcount(&field("headcount"), new.headcount)?;
        let (min, max) = checked_hours(
            (&field("weekly_hours_min"), new.weekly_hours_min),
            (&field("weekly_hours_max"), new.weekly_hours_max),
        )?;
        let version = staff_role::ActiveModel {
            unit_id: Set(unit.id),
            title: Set(new.title),
            headcount: Set(new.headcount),
            weekly_minutes_min: Set(min),
            weekly_minutes_max: Set(max),
            prevention_level: Set(new.prevention_level.map(|l| l.as_str().to_owned())),
            pillar: Set(new.pillar.map(|p| p.as_str().to_owned())),
            ..Default::default()
        };
        // Its unit is whose record it is, found above: who may write is decided by it.
        self.create::<staff_role::Entity>(version, record, no_references)
            .await
    }

    /// Changes the staff role `id` from `from` on (moving it to another unit is changing `unitId`).
    pub async fn update_staff_role(
        &self,
        id: i32,
        revision: i32,
        from: NaiveDate,
        changes: StaffRoleChanges,
        origin: Origin,
        at: impl Into<FieldPath>,
    ) -> ApiResult<staff_role::Model> {
        let at: &FieldPath = &at.into();
        let field = |name: &str| at.field(name);
        let code = self.owner_for_edit::<staff_role::Entity>(id).await?;
        let change = self.change_from(at, from, &origin).await?;
        let current = self
            .visible::<staff_role::Entity>(
                Condition::all().add(staff_role::Column::Id.eq(id)),
                Some(from),
            )
            .one(&self.db)
            .await?;
        if let Some(headcount) = changes.headcount {
            checked_headcount(&field("headcount"), headcount)?;
        }
        // The range as it will be: the changed ends, and the others as they are on `from`.
        let stored = |minutes: Option<i32>| minutes.map(|m| Decimal::from(m) / Decimal::from(60));
        let min = changes.weekly_hours_min.unwrap_or_else(|| {
            current
                .as_ref()
                .and_then(|role| stored(role.weekly_minutes_min))
        });
        let max = changes.weekly_hours_max.unwrap_or_else(|| {
            current
                .as_ref()
                .and_then(|role| stored(role.weekly_minutes_max))
        });
        let (min, max) = checked_hours(
            (&field("weekly_hours_min"), min),
            (&field("weekly_hours_max"), max),
        )?;
        let changed = changed!(staff_role {
            unit_id: changes.unit_id,
            title: changes.title,
            headcount: changes.headcount,
            weekly_minutes_min: Some(min),
            weekly_minutes_max: Some(max),
            prevention_level: changes
                .prevention_level
                .map(|level| level.map(|l| l.as_str().to_owned())),
            pillar: changes
                .pillar
                .map(|pillar| pillar.map(|p| p.as_str().to_owned())),
        });
        self.update_from::<staff_role::Entity>(
            id,
            revision,
            change,
            changed,
            async || match changes.unit_id {
                Some(unit) => {
                    self.check_unit(&field("unit_id"), code, Some(unit), from)
                        .await
                }
                None => Ok(()),
            },
        )
        .await
    }
}

record_input! {
    /// A new political committee (udvalg) of a municipality.
    new NewPoliticalCommittee {
        municipality_code: i32,
    }
    /// Changes to a political committee: `None` keeps a field, `Some` sets it.
    changes PoliticalCommitteeChanges;
    fields {
        name: String,
    }
}

impl Store {
    /// Creates a political committee of the editor's municipality, `private` until shared.
    pub async fn create_political_committee(
        &self,
        new: NewPoliticalCommittee,
        at: impl Into<FieldPath>,
    ) -> ApiResult<political_committee::Model> {
        let at: &FieldPath = &at.into();
        let record = self
            .new_record(
                at,
                (new.municipality_code, Some("municipality_code")),
                &new.version,
            )
            .await?;
        let version = political_committee::ActiveModel {
            name: Set(new.name),
            ..Default::default()
        };
        self.create::<political_committee::Entity>(version, record, no_references)
            .await
    }

    /// Changes the political committee `id` from `from` on (a renamed committee).
    pub async fn update_political_committee(
        &self,
        id: i32,
        revision: i32,
        from: NaiveDate,
        changes: PoliticalCommitteeChanges,
        origin: Origin,
        at: impl Into<FieldPath>,
    ) -> ApiResult<political_committee::Model> {
        let at: &FieldPath = &at.into();
        self.owner_for_edit::<political_committee::Entity>(id)
            .await?;
        let change = self.change_from(at, from, &origin).await?;
        let changed = changed!(political_committee { name: changes.name });
        self.update_from::<political_committee::Entity>(
            id,
            revision,
            change,
            changed,
            no_references,
        )
        .await
    }
}
