//! What changed in a municipality's model between two days: for each kind of record compared, the
//! records added, ended and changed, with the attributes that differ. Both days are read as the
//! caller may see them, so a difference shows only what the caller could read on either day.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use entities::{budget_line, staff_role, unit, versioned::Versioned};
use sea_orm::{ColumnTrait, Condition, ModelTrait};

use super::{checks::checked_day, municipality_exists, versions::identity_of, Scoped, Store};
use crate::error::{ApiError, ApiResult, FieldPath};

/// A kind of record whose versions a difference compares, attribute by attribute.
pub trait Compared: Scoped + Versioned {
    /// The attributes compared: each column, with the name clients know it by.
    fn compared() -> Vec<(Self::Column, &'static str)>;
}

impl Compared for unit::Entity {
    fn compared() -> Vec<(unit::Column, &'static str)> {
        use unit::Column::*;
        vec![
            (Name, "name"),
            (Kind, "kind"),
            (ParentId, "parent"),
            (CommitteeId, "committee"),
            (Archetype, "archetype"),
            (ArchetypeNote, "archetypeNote"),
            (HostsCrimePrevention, "hostsCrimePrevention"),
        ]
    }
}

impl Compared for staff_role::Entity {
    fn compared() -> Vec<(staff_role::Column, &'static str)> {
        use staff_role::Column::*;
        vec![
            (UnitId, "unit"),
            (Title, "title"),
            (Headcount, "headcount"),
            (WeeklyMinutesMin, "weeklyHoursMin"),
            (WeeklyMinutesMax, "weeklyHoursMax"),
            (PreventionLevel, "preventionLevel"),
            (Pillar, "pillar"),
        ]
    }
}

impl Compared for budget_line::Entity {
    fn compared() -> Vec<(budget_line::Column, &'static str)> {
        use budget_line::Column::*;
        vec![
            (UnitId, "unit"),
            (Year, "year"),
            (Category, "category"),
            (Phase, "phase"),
            (AmountOre, "amount"),
            (FunctionCode, "functionCode"),
            (Description, "description"),
        ]
    }
}

/// One record that differs between the two days.
#[derive(Debug)]
pub struct Difference<M> {
    /// The version that held on the first day (none: the record was added since).
    pub before: Option<M>,
    /// The version that holds on the second day (none: the record ended since).
    pub after: Option<M>,
    /// The attributes that differ, by the names clients know them by (empty when the record was
    /// added or ended).
    pub fields: Vec<&'static str>,
}

/// The two days a difference is taken between, checked.
#[derive(Debug, Clone, Copy)]
pub struct Between {
    pub municipality: i32,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Store {
    /// Checks the municipality and the days of a difference: both days in range, `from` first.
    pub async fn between(
        &self,
        municipality: i32,
        from: NaiveDate,
        to: NaiveDate,
    ) -> ApiResult<Between> {
        checked_day(&FieldPath::from("from"), from)?;
        checked_day(&FieldPath::from("to"), to)?;
        if to <= from {
            return Err(ApiError::bad_input("to", "must be a day after `from`"));
        }
        if !municipality_exists(&self.db, municipality).await? {
            return Err(ApiError::bad_input(
                "municipalityCode",
                format!("there is no municipality {municipality}"),
            ));
        }
        Ok(Between {
            municipality,
            from,
            to,
        })
    }

    /// The records of `E` of the municipality that differ between the two days, in ID order.
    pub async fn differences<E: Compared>(
        &self,
        between: Between,
    ) -> ApiResult<Vec<Difference<E::Model>>> {
        let owned = || Condition::all().add(E::owner().eq(between.municipality));
        let mut records: BTreeMap<i32, Difference<E::Model>> = BTreeMap::new();
        for (day, is_before) in [(between.from, true), (between.to, false)] {
            for version in self.list_columns::<E, E::Model>(owned(), Some(day)).await? {
                let entry = records
                    .entry(identity_of(&version)?)
                    .or_insert_with(|| Difference {
                        before: None,
                        after: None,
                        fields: Vec::new(),
                    });
                if is_before {
                    entry.before = Some(version);
                } else {
                    entry.after = Some(version);
                }
            }
        }
        let compared = E::compared();
        Ok(records
            .into_values()
            .filter_map(|mut difference| {
                if let (Some(before), Some(after)) = (&difference.before, &difference.after) {
                    difference.fields = compared
                        .iter()
                        .filter(|(column, _)| before.get(*column) != after.get(*column))
                        .map(|(_, name)| *name)
                        .collect();
                    if difference.fields.is_empty() {
                        return None;
                    }
                }
                Some(difference)
            })
            .collect())
    }
}
