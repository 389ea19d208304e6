//! Writing units: the rules of the organisation tree on top of the writes every record has
//! ([`writes`](super::writes)). Errors name the input field at fault, by the path the caller gave
//! its input under (`input.name`, `changes.parentId`).

use chrono::NaiveDate;
use entities::{political_committee, source, unit};
use sea_orm::{ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter};

use super::Store;
use crate::{
    error::{ApiError, ApiResult},
    vocabulary::{Archetype, Visibility},
};

/// The longest name or kind a unit may have.
const MAX_NAME_CHARS: usize = 200;
/// Dates outside these years are typing mistakes, not history or plans.
const FIRST_YEAR: i32 = 1900;
const LAST_YEAR: i32 = 2200;
/// The unit tree is never deeper than this (it also bounds the walk that finds cycles).
const MAX_DEPTH: usize = 32;

/// Where a new version's facts come from: a source document of the dataset, and its section.
#[derive(Debug, Clone)]
pub struct Origin {
    pub source: String,
    pub section: String,
    pub note: Option<String>,
}

/// A new unit.
#[derive(Debug, Clone)]
pub struct NewUnit {
    pub municipality_code: i32,
    pub name: String,
    pub kind: String,
    pub parent_id: Option<i32>,
    pub committee_id: Option<i32>,
    pub archetype: Option<Archetype>,
    pub archetype_note: Option<String>,
    pub hosts_crime_prevention: bool,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub origin: Origin,
}

/// Changes to a unit: `None` keeps a field, `Some` sets it (`Some(None)` clears it).
#[derive(Debug, Clone, Default)]
pub struct UnitChanges {
    pub name: Option<String>,
    pub kind: Option<String>,
    pub parent_id: Option<Option<i32>>,
    pub committee_id: Option<Option<i32>>,
    pub archetype: Option<Option<Archetype>>,
    pub archetype_note: Option<Option<String>>,
    pub hosts_crime_prevention: Option<bool>,
}

impl Store {
    /// Creates a unit, `private` until an admin shares it. `at` is the path of the input.
    pub async fn create_unit(&self, new: NewUnit, at: &str) -> ApiResult<unit::Model> {
        let field = |name: &str| format!("{at}.{name}");
        let code = new.municipality_code;
        if super::municipality_exists(&self.db, code).await? {
            self.editor_of(code)?;
        } else {
            return Err(ApiError::bad_input(
                field("municipalityCode"),
                format!("there is no municipality {code}"),
            ));
        }
        let name = checked_text(&field("name"), &new.name)?;
        let kind = checked_text(&field("kind"), &new.kind)?;
        checked_day(&field("validFrom"), new.valid_from)?;
        if let Some(to) = new.valid_to {
            checked_day(&field("validTo"), to)?;
            if to <= new.valid_from {
                return Err(ApiError::bad_input(
                    field("validTo"),
                    "validTo must be after validFrom (validity is [validFrom, validTo))",
                ));
            }
        }
        self.check_parent(
            &field("parentId"),
            code,
            None,
            new.parent_id,
            new.valid_from,
        )
        .await?;
        self.check_committee(
            &field("committeeId"),
            code,
            new.committee_id,
            new.valid_from,
        )
        .await?;
        let source_id = self
            .source_id(&format!("{at}.provenance.source"), &new.origin)
            .await?;
        let version = unit::ActiveModel {
            parent_id: Set(new.parent_id),
            committee_id: Set(new.committee_id),
            name: Set(name),
            kind: Set(kind),
            archetype: Set(new.archetype.map(|a| a.as_str().to_owned())),
            archetype_note: Set(new.archetype_note),
            hosts_crime_prevention: Set(new.hosts_crime_prevention),
            municipality_code: Set(code),
            visibility: Set(Visibility::Private.as_str().to_owned()),
            valid_from: Set(Some(new.valid_from)),
            valid_to: Set(new.valid_to),
            source_id: Set(source_id),
            source_section: Set(new.origin.section.trim().to_owned()),
            note: Set(new.origin.note),
            ..Default::default()
        };
        self.create::<unit::Entity>(version).await
    }

    /// Changes the unit `id` from `from` on (moving it is changing its parent).
    pub async fn update_unit(
        &self,
        id: i32,
        revision: i32,
        from: NaiveDate,
        changes: UnitChanges,
        origin: Origin,
        at: &str,
    ) -> ApiResult<unit::Model> {
        let field = |name: &str| format!("{at}.{name}");
        checked_day("from", from)?;
        let name = changes
            .name
            .as_deref()
            .map(|name| checked_text(&field("name"), name))
            .transpose()?;
        let kind = changes
            .kind
            .as_deref()
            .map(|kind| checked_text(&field("kind"), kind))
            .transpose()?;
        let code = self.owner_of::<unit::Entity>(id).await?;
        if let Some(parent) = changes.parent_id {
            self.check_parent(&field("parentId"), code, Some(id), parent, from)
                .await?;
        }
        if let Some(committee) = changes.committee_id {
            self.check_committee(&field("committeeId"), code, committee, from)
                .await?;
        }
        let source_id = self.source_id("provenance.source", &origin).await?;
        self.update_from::<unit::Entity>(id, revision, from, |version| {
            if let Some(name) = name {
                version.name = Set(name);
            }
            if let Some(kind) = kind {
                version.kind = Set(kind);
            }
            if let Some(parent) = changes.parent_id {
                version.parent_id = Set(parent);
            }
            if let Some(committee) = changes.committee_id {
                version.committee_id = Set(committee);
            }
            if let Some(archetype) = changes.archetype {
                version.archetype = Set(archetype.map(|a| a.as_str().to_owned()));
            }
            if let Some(note) = changes.archetype_note {
                version.archetype_note = Set(note);
            }
            if let Some(hosts) = changes.hosts_crime_prevention {
                version.hosts_crime_prevention = Set(hosts);
            }
            version.source_id = Set(source_id);
            version.source_section = Set(origin.section.trim().to_owned());
            version.note = Set(origin.note);
        })
        .await
    }

    /// A parent must be a unit of the same municipality that holds on `day`, and not the unit
    /// itself or one of its descendants.
    async fn check_parent(
        &self,
        field: &str,
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

    /// A committee must be one of the same municipality that holds on `day`.
    async fn check_committee(
        &self,
        field: &str,
        code: i32,
        committee: Option<i32>,
        day: NaiveDate,
    ) -> ApiResult<()> {
        let Some(id) = committee else {
            return Ok(());
        };
        let found = self
            .visible::<political_committee::Entity>(
                Condition::all().add(political_committee::Column::Id.eq(id)),
                Some(day),
            )
            .one(&self.db)
            .await?;
        match found {
            Some(committee) if committee.municipality_code == code => Ok(()),
            Some(_) => Err(ApiError::bad_input(
                field,
                "the committee is one of another municipality",
            )),
            None => Err(ApiError::bad_input(
                field,
                format!("no committee with that ID holds on {day}"),
            )),
        }
    }

    /// The unit `id` as the caller sees it on `day`.
    async fn unit_on(&self, id: i32, day: NaiveDate) -> ApiResult<Option<unit::Model>> {
        Ok(self
            .visible::<unit::Entity>(Condition::all().add(unit::Column::Id.eq(id)), Some(day))
            .one(&self.db)
            .await?)
    }

    /// The id of the source document `origin` names.
    async fn source_id(&self, field: &str, origin: &Origin) -> ApiResult<i32> {
        checked_text(&field.replace(".source", ".section"), &origin.section)?;
        source::Entity::find()
            .filter(source::Column::Key.eq(origin.source.as_str()))
            .one(&self.db)
            .await?
            .map(|source| source.id)
            .ok_or_else(|| {
                ApiError::bad_input(
                    field,
                    format!(
                        "there is no source {}",
                        crate::error::excerpt(&origin.source)
                    ),
                )
            })
    }
}

/// A name: not blank, at most [`MAX_NAME_CHARS`], trimmed.
fn checked_text(field: &str, text: &str) -> ApiResult<String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ApiError::bad_input(field, "must not be empty"));
    }
    if text.chars().count() > MAX_NAME_CHARS {
        return Err(ApiError::bad_input(
            field,
            format!("must be at most {MAX_NAME_CHARS} characters"),
        ));
    }
    Ok(text.to_owned())
}

/// A day between [`FIRST_YEAR`] and [`LAST_YEAR`].
fn checked_day(field: &str, day: NaiveDate) -> ApiResult<NaiveDate> {
    use chrono::Datelike;
    if (FIRST_YEAR..=LAST_YEAR).contains(&day.year()) {
        Ok(day)
    } else {
        Err(ApiError::bad_input(
            field,
            format!("must be a day from {FIRST_YEAR} to {LAST_YEAR}"),
        ))
    }
}
