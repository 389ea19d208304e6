//! The checks every write makes of its input: names, days, the source a change comes from, and
//! references to other records of the same municipality. Errors name the input field at fault.

use chrono::NaiveDate;
use entities::{source, unit};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter};

use super::{versions::Recorded, Store};
use crate::error::{excerpt, ApiError, ApiResult};

/// The longest name, title or kind a record may have.
const MAX_NAME_CHARS: usize = 200;
/// Dates outside these years are typing mistakes, not history or plans.
const FIRST_YEAR: i32 = 1900;
const LAST_YEAR: i32 = 2200;

/// Where a new version's facts come from: a source document of the dataset, and its section.
#[derive(Debug, Clone)]
pub struct Origin {
    pub source: String,
    pub section: String,
    pub note: Option<String>,
}

/// A source document found for a change, with the section and note of the change.
#[derive(Debug, Clone)]
pub(super) struct Sourced {
    pub source_id: i32,
    pub section: String,
    pub note: Option<String>,
}

/// What every new record has besides its own fields, checked: whose it is (the principal may
/// edit it), when it holds, and where its facts come from.
pub(super) struct NewRecord {
    pub municipality: i32,
    pub recorded: Recorded,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub sourced: Sourced,
}

/// What every change has besides its fields, checked: the day it holds from, and where its
/// facts come from.
pub(super) struct Change {
    pub from: NaiveDate,
    pub sourced: Sourced,
}

impl Store {
    /// Checks what every new record of `municipality` has; `at` is the path of the input
    /// (`input`), `municipality_field` the input field naming the municipality, if any.
    pub(super) async fn new_record(
        &self,
        at: &str,
        municipality: (i32, Option<&str>),
        valid_from: NaiveDate,
        valid_to: Option<NaiveDate>,
        origin: &Origin,
    ) -> ApiResult<NewRecord> {
        let (code, field) = municipality;
        if let Some(field) = field {
            if !super::municipality_exists(&self.db, code).await? {
                return Err(ApiError::bad_input(
                    format!("{at}.{field}"),
                    format!("there is no municipality {code}"),
                ));
            }
        }
        let recorded = self.editor_of(code)?;
        checked_day(&format!("{at}.validFrom"), valid_from)?;
        checked_end(&format!("{at}.validTo"), valid_from, valid_to)?;
        let sourced = self
            .sourced(&format!("{at}.provenance.source"), origin)
            .await?;
        Ok(NewRecord {
            municipality: code,
            recorded,
            valid_from,
            valid_to,
            sourced,
        })
    }

    /// Checks what every change has: the day it holds from, and its source.
    pub(super) async fn change_from(&self, from: NaiveDate, origin: &Origin) -> ApiResult<Change> {
        checked_day("from", from)?;
        let sourced = self.sourced("provenance.source", origin).await?;
        Ok(Change { from, sourced })
    }

    /// The source document `origin` names, with the change's section and note.
    async fn sourced(&self, field: &str, origin: &Origin) -> ApiResult<Sourced> {
        checked_text(&field.replace(".source", ".section"), &origin.section)?;
        source::Entity::find()
            .filter(source::Column::Key.eq(origin.source.as_str()))
            .one(&self.db)
            .await?
            .map(|source| Sourced {
                source_id: source.id,
                section: origin.section.trim().to_owned(),
                note: origin.note.clone(),
            })
            .ok_or_else(|| {
                ApiError::bad_input(
                    field,
                    format!("there is no source {}", excerpt(&origin.source)),
                )
            })
    }

    /// The unit `id` as the caller sees it on `day`.
    pub(super) async fn unit_on(&self, id: i32, day: NaiveDate) -> ApiResult<Option<unit::Model>> {
        Ok(self
            .visible::<unit::Entity>(Condition::all().add(unit::Column::Id.eq(id)), Some(day))
            .one(&self.db)
            .await?)
    }

    /// A unit a record refers to: one of the municipality `code` that holds on `day`.
    pub(super) async fn check_unit(
        &self,
        field: &str,
        code: i32,
        unit: Option<i32>,
        day: NaiveDate,
    ) -> ApiResult<()> {
        let Some(id) = unit else {
            return Ok(());
        };
        match self.unit_on(id, day).await? {
            Some(unit) if unit.municipality_code == code => Ok(()),
            Some(_) => Err(ApiError::bad_input(
                field,
                "the unit is one of another municipality",
            )),
            None => Err(ApiError::bad_input(
                field,
                format!("no unit with that ID holds on {day}"),
            )),
        }
    }
}

/// A name: not blank, at most [`MAX_NAME_CHARS`], trimmed.
pub(super) fn checked_text(field: &str, text: &str) -> ApiResult<String> {
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
pub(super) fn checked_day(field: &str, day: NaiveDate) -> ApiResult<NaiveDate> {
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

/// The end of a validity that starts on `from`: none, or a day after it.
fn checked_end(field: &str, from: NaiveDate, to: Option<NaiveDate>) -> ApiResult<()> {
    let Some(to) = to else {
        return Ok(());
    };
    checked_day(field, to)?;
    if to <= from {
        return Err(ApiError::bad_input(
            field,
            "validTo must be after validFrom (validity is [validFrom, validTo))",
        ));
    }
    Ok(())
}
