//! The checks every write makes of its input: names, days, the source a change comes from,
//! references to other records of the same municipality, and the values several kinds of record
//! have (hours, amounts, phone numbers, ages), for the mutations and the import of a model alike.
//! Errors name the input field at fault.

use chrono::NaiveDate;
use entities::{partner_organisation, political_committee, source, unit};
use rust_decimal::{prelude::ToPrimitive, Decimal};
use sea_orm::{
    ActiveModelTrait, ActiveValue, ColumnTrait, Condition, EntityTrait, IdenStatic, QueryFilter,
    Value,
};

use super::{int_value, versions::Recorded, writes::Writable, Store};
use crate::error::{excerpt, ApiError, ApiResult, FieldPath};

/// The longest name, title or kind a record may have.
const MAX_NAME_CHARS: usize = 200;
/// The longest free text (a purpose, a description, a finding) a record may have.
const MAX_TEXT_CHARS: usize = 4000;
/// Dates outside these years are typing mistakes, not history or plans.
const FIRST_YEAR: i32 = 1900;
const LAST_YEAR: i32 = 2200;

/// When a new record's first version holds (`[valid_from, valid_to)`) and where its facts come
/// from: what every create takes besides the record's own fields.
#[derive(Debug, Clone)]
pub struct NewVersion {
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub origin: Origin,
}

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
/// edit it), when it holds, and where its facts come from; and the path of its input.
pub(super) struct NewRecord {
    pub at: FieldPath,
    pub municipality: i32,
    pub recorded: Recorded,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub sourced: Sourced,
}

/// What every change has besides its fields, checked: the day it holds from, and where its
/// facts come from.
pub(super) struct Change {
    /// The path of the changes.
    pub at: FieldPath,
    pub from: NaiveDate,
    pub sourced: Sourced,
}

impl Store {
    /// Checks what every new record of `municipality` has; `at` is the path of the input
    /// (`input`), `municipality_field` the input field naming the municipality, if any.
    pub(super) async fn new_record(
        &self,
        at: &FieldPath,
        municipality: (i32, Option<&str>),
        version: &NewVersion,
    ) -> ApiResult<NewRecord> {
        let NewVersion {
            valid_from,
            valid_to,
            ref origin,
        } = *version;
        let (code, field) = municipality;
        if let Some(field) = field {
            if !super::municipality_exists(&self.db, code).await? {
                return Err(ApiError::bad_input(
                    at.field(field),
                    format!("there is no municipality {code}"),
                ));
            }
        }
        let recorded = self.editor_of(code)?;
        answer_first(checked_validity(at, Some(valid_from), valid_to))?;
        let sourced = self.sourced(&at.field("provenance"), origin).await?;
        Ok(NewRecord {
            at: at.clone(),
            municipality: code,
            recorded,
            valid_from,
            valid_to,
            sourced,
        })
    }

    /// Checks what every change has: the day it holds from, and its source. `at` is the path
    /// of the changes.
    pub(super) async fn change_from(
        &self,
        at: &FieldPath,
        from: NaiveDate,
        origin: &Origin,
    ) -> ApiResult<Change> {
        checked_day(&FieldPath::from("from"), from)?;
        let sourced = self.sourced(&FieldPath::new("provenance"), origin).await?;
        Ok(Change {
            at: at.clone(),
            from,
            sourced,
        })
    }

    /// The source document `origin` (at `provenance`) names, with the change's section and note.
    async fn sourced(&self, provenance: &FieldPath, origin: &Origin) -> ApiResult<Sourced> {
        let (section, note) = checked_origin(provenance, &origin.section, origin.note.as_deref())
            .map_err(first_of)?;
        Ok(Sourced {
            source_id: self
                .source_id(&provenance.field("source"), &origin.source)
                .await?,
            section,
            note,
        })
    }

    /// The ID of the source document with the key `key`.
    pub(super) async fn source_id(&self, field: &FieldPath, key: &str) -> ApiResult<i32> {
        source::Entity::find()
            .filter(source::Column::Key.eq(key))
            .one(&self.db)
            .await?
            .map(|source| source.id)
            .ok_or_else(|| {
                ApiError::bad_input(field, format!("there is no source {}", excerpt(key)))
            })
    }

    /// The unit `id` as the caller sees it on `day`.
    pub(super) async fn unit_on(&self, id: i32, day: NaiveDate) -> ApiResult<Option<unit::Model>> {
        Ok(self
            .visible::<unit::Entity>(Condition::all().add(unit::Column::Id.eq(id)), Some(day))
            .one(&self.db)
            .await?)
    }

    /// A unit the input names (`unit`, none for none) at `field` must be one of the municipality
    /// `code` that holds on `day`.
    pub(super) async fn check_unit(
        &self,
        field: &FieldPath,
        code: i32,
        unit: Option<i32>,
        day: NaiveDate,
    ) -> ApiResult<()> {
        self.check_reference::<unit::Entity>(field, "unit", code, unit, day)
            .await
    }

    /// A committee the input names, as [`check_unit`](Self::check_unit) a unit.
    pub(super) async fn check_committee(
        &self,
        field: &FieldPath,
        code: i32,
        committee: Option<i32>,
        day: NaiveDate,
    ) -> ApiResult<()> {
        self.check_reference::<political_committee::Entity>(
            field,
            "committee",
            code,
            committee,
            day,
        )
        .await
    }
}

/// What a free-text column of a kind holds, which decides how long it may be.
#[derive(Debug, Clone, Copy)]
pub enum Text {
    /// A name, a title, a kind in the source's words: at most [`MAX_NAME_CHARS`].
    Name,
    /// A free text (a purpose, a description, a note): at most [`MAX_TEXT_CHARS`].
    Long,
}

impl Text {
    fn checked(self, field: &FieldPath, text: &str) -> ApiResult<String> {
        match self {
            Text::Name => checked_text(field, text),
            Text::Long => checked_long_text(field, text),
        }
    }

    /// What the free-text `column` of `E` holds, as `E` declares it.
    fn of<E: Texts>(column: E::Column) -> Option<Text> {
        E::TEXTS
            .iter()
            .find(|(declared, _)| declared.as_str() == column.as_str())
            .map(|&(_, text)| text)
    }
}

/// The free-text `column` of `E` under `at`, checked and trimmed as `E` declares it (a document's
/// record, field by field, so that every problem is reported).
pub(super) fn checked_text_of<E: Texts>(
    at: &FieldPath,
    column: E::Column,
    text: &str,
) -> ApiResult<String> {
    let field = at.field(column.as_str());
    match Text::of::<E>(column) {
        Some(rule) => rule.checked(&field, text),
        None => Err(ApiError::Internal(anyhow::anyhow!(
            "{} is not a free-text column of {}",
            column.as_str(),
            E::default().table_name()
        ))),
    }
}

/// The free-text columns of a kind's versions, declared once: every version a write makes,
/// created or changed by a mutation or read from a document by the import, has each of them
/// that it sets checked and trimmed by [`checked_texts`], under the column's name.
pub trait Texts: EntityTrait {
    const TEXTS: &'static [(Self::Column, Text)];
}

/// Each free-text column of `E` (`E::TEXTS`) that `version` sets, checked and trimmed in place;
/// the problems, in the order of the declaration, at `at` and the column's name.
pub(super) fn checked_texts<E: Texts>(
    at: &FieldPath,
    version: &mut E::ActiveModel,
) -> Vec<ApiError> {
    let mut problems = Vec::new();
    for &(column, text) in E::TEXTS {
        let ActiveValue::Set(Value::String(Some(given))) = version.get(column) else {
            // Not set by this write, or cleared.
            continue;
        };
        match text.checked(&at.field(column.as_str()), &given) {
            Ok(trimmed) => version.set(column, trimmed.into()),
            Err(problem) => problems.push(problem),
        }
    }
    problems
}

/// When a version holds, `[valid_from, valid_to)` under `at`, checked: days a day may have, the
/// end after the start. What every version has, as a create gives it (`input.validFrom`) and as
/// a document's record does (`unit[3].valid_from`, where the start may be unknown).
pub(super) fn checked_validity(
    at: &FieldPath,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Vec<ApiError> {
    let mut problems: Vec<ApiError> = [("valid_from", from), ("valid_to", to)]
        .into_iter()
        .filter_map(|(name, day)| day.and_then(|day| checked_day(&at.field(name), day).err()))
        .collect();
    if let (true, Some(from)) = (problems.is_empty(), from) {
        problems.extend(checked_end(&at.field("valid_to"), from, to).err());
    }
    problems
}

/// The section and note of a version's source under `at` (a create's `provenance`, a document's
/// record), checked and trimmed; every problem.
pub(super) fn checked_origin(
    at: &FieldPath,
    section: &str,
    note: Option<&str>,
) -> Result<(String, Option<String>), Vec<ApiError>> {
    let section = checked_text(&at.field("section"), section);
    let note = checked_optional(&at.field("note"), note, checked_long_text);
    match (section, note) {
        (Ok(section), Ok(note)) => Ok((section, note)),
        (section, note) => Err(section.err().into_iter().chain(note.err()).collect()),
    }
}

/// A mutation answers the first problem its input has (an import reports every one).
pub(super) fn answer_first(problems: Vec<ApiError>) -> ApiResult<()> {
    problems.into_iter().next().map_or(Ok(()), Err)
}

/// The first of `problems` (a check that failed has one).
fn first_of(problems: Vec<ApiError>) -> ApiError {
    problems
        .into_iter()
        .next()
        .unwrap_or_else(|| ApiError::Internal(anyhow::anyhow!("a failed check without a problem")))
}

/// A name: not blank, at most [`MAX_NAME_CHARS`], trimmed.
pub(super) fn checked_text(field: &FieldPath, text: &str) -> ApiResult<String> {
    text_within(field, text, MAX_NAME_CHARS)
}

/// A free text (a purpose, a description): not blank, at most [`MAX_TEXT_CHARS`], trimmed.
pub(super) fn checked_long_text(field: &FieldPath, text: &str) -> ApiResult<String> {
    text_within(field, text, MAX_TEXT_CHARS)
}

/// An optional text, checked by `check` when given (a blank one is refused: leave it out or send
/// `null` instead).
pub(super) fn checked_optional(
    field: &FieldPath,
    text: Option<&str>,
    check: fn(&FieldPath, &str) -> ApiResult<String>,
) -> ApiResult<Option<String>> {
    text.map(|text| check(field, text)).transpose()
}

fn text_within(field: &FieldPath, text: &str, max_chars: usize) -> ApiResult<String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ApiError::bad_input(field, "must not be empty"));
    }
    if text.chars().count() > max_chars {
        return Err(ApiError::bad_input(
            field,
            format!("must be at most {max_chars} characters"),
        ));
    }
    Ok(text.to_owned())
}

/// A day between [`FIRST_YEAR`] and [`LAST_YEAR`].
pub(super) fn checked_day(field: &FieldPath, day: NaiveDate) -> ApiResult<NaiveDate> {
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

/// A year, within the years a day may have (a budget year, the first or last year of a period).
pub(super) fn checked_year(field: &FieldPath, year: i32) -> ApiResult<()> {
    match NaiveDate::from_ymd_opt(year, 1, 1) {
        Some(day) => checked_day(field, day).map(|_| ()),
        None => Err(ApiError::bad_input(field, "is not a year")),
    }
}

/// Who takes part in a forum or an intervention: one of the municipality's units, or a partner
/// organisation (not a tenant).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Party {
    Unit(i32),
    Partner(i32),
}

impl Party {
    /// The party an input names by `unitId` and `partnerId` under `at`: exactly one of the two.
    pub(super) fn of(at: &FieldPath, unit: Option<i32>, partner: Option<i32>) -> ApiResult<Self> {
        match (unit, partner) {
            (Some(unit), None) => Ok(Self::Unit(unit)),
            (None, Some(partner)) => Ok(Self::Partner(partner)),
            (Some(_), Some(_)) => Err(ApiError::bad_input(
                at.field("partner_id"),
                "name a unit or a partner organisation, not both",
            )),
            (None, None) => Err(ApiError::bad_input(
                at.field("unit_id"),
                "name the unit or the partner organisation (partnerId) that takes part",
            )),
        }
    }

    pub(super) fn unit_id(self) -> Option<i32> {
        match self {
            Self::Unit(id) => Some(id),
            Self::Partner(_) => None,
        }
    }

    pub(super) fn partner_id(self) -> Option<i32> {
        match self {
            Self::Partner(id) => Some(id),
            Self::Unit(_) => None,
        }
    }
}

impl Store {
    /// A party of a record of the municipality `code` on `day`: a unit of that municipality that
    /// holds then, or a partner organisation that exists. `at` is the path of the party's input.
    pub(super) async fn check_party(
        &self,
        at: &FieldPath,
        code: i32,
        party: Party,
        day: NaiveDate,
    ) -> ApiResult<()> {
        match party {
            Party::Unit(id) => {
                self.check_unit(&at.field("unit_id"), code, Some(id), day)
                    .await
            }
            Party::Partner(id) => {
                let found = partner_organisation::Entity::find_by_id(id)
                    .one(&self.db)
                    .await?;
                match found {
                    Some(_) => Ok(()),
                    None => Err(ApiError::bad_input(
                        at.field("partner_id"),
                        "there is no partner organisation with that ID",
                    )),
                }
            }
        }
    }

    /// A record of `E` (a `what`: "goal", "forum") another record of the municipality `code`
    /// refers to: one of the same municipality that the caller sees holding on `day`.
    pub(super) async fn check_reference<E: Writable>(
        &self,
        field: &FieldPath,
        what: &str,
        code: i32,
        id: Option<i32>,
        day: NaiveDate,
    ) -> ApiResult<()> {
        let Some(id) = id else {
            return Ok(());
        };
        match self.version_on::<E>(id, day).await? {
            Some(found) if int_value(&found, E::owner()) == Some(code) => Ok(()),
            Some(_) => Err(ApiError::bad_input(
                field,
                format!("the {what} is one of another municipality"),
            )),
            None => Err(ApiError::bad_input(
                field,
                format!("no {what} with that ID holds on {day}"),
            )),
        }
    }

    /// The version of the record `id` of `E` that the caller sees holding on `day`.
    pub(super) async fn version_on<E: Writable>(
        &self,
        id: i32,
        day: NaiveDate,
    ) -> ApiResult<Option<E::Model>> {
        Ok(self
            .visible::<E>(Condition::all().add(E::id().eq(id)), Some(day))
            .one(&self.db)
            .await?)
    }

    /// The version of the record `id` of `E` that an update from `from` changes: what the fields
    /// it does not change will be.
    pub(super) async fn holding_from<E: Writable>(
        &self,
        id: i32,
        from: NaiveDate,
    ) -> ApiResult<E::Model> {
        self.version_on::<E>(id, from).await?.ok_or_else(|| {
            ApiError::bad_input(
                "from",
                format!("the record does not hold on {from}: choose a day within its validity"),
            )
        })
    }
}

/// The end of a validity that starts on `from`: none, or a day after it.
pub(super) fn checked_end(
    field: &FieldPath,
    from: NaiveDate,
    to: Option<NaiveDate>,
) -> ApiResult<()> {
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

// Values of several kinds of record, checked alike by the mutations and the import of a model.

/// Most weekly hours a role's people can work (a full-time week).
const MAX_WEEKLY_HOURS: i64 = 37;

/// The largest amount a line may have, in DKK: far above any municipal budget, and well within
/// the column (øre in a 64-bit integer).
const MAX_AMOUNT_DKK: i64 = 1_000_000_000_000;

/// The longest phone number, as written (with spaces and a country code).
const MAX_PHONE_CHARS: usize = 30;

/// Digits a phone number may have (E.164 allows at most 15).
const PHONE_DIGITS: std::ops::RangeInclusive<usize> = 3..=15;

/// The longest e-mail address (RFC 5321's path limit).
const MAX_EMAIL_CHARS: usize = 254;

/// Goals are numbered from 1 within their plan, up to this.
const MAX_GOAL_NUMBER: i32 = 999;

/// Ages of a target group run from 0 to this.
const MAX_AGE: i32 = 120;

/// People in a role: none, or zero or more.
pub(super) fn checked_headcount(field: &FieldPath, headcount: Option<i32>) -> ApiResult<()> {
    match headcount {
        Some(count) if count < 0 => Err(ApiError::bad_input(field, "must not be negative")),
        _ => Ok(()),
    }
}

/// Weekly hours per person, from 0 to [`MAX_WEEKLY_HOURS`] in whole minutes, the least not above
/// the most; as minutes, as stored. One end alone is an exact figure (both ends the same).
pub(super) fn checked_hours(
    (min_field, min): (&FieldPath, Option<Decimal>),
    (max_field, max): (&FieldPath, Option<Decimal>),
) -> ApiResult<(Option<i32>, Option<i32>)> {
    let minutes = |field: &FieldPath, hours: Option<Decimal>| -> ApiResult<Option<i32>> {
        let Some(hours) = hours else {
            return Ok(None);
        };
        if hours < Decimal::ZERO || hours > Decimal::from(MAX_WEEKLY_HOURS) {
            return Err(ApiError::bad_input(
                field,
                format!("weekly hours must be from 0 to {MAX_WEEKLY_HOURS}"),
            ));
        }
        let scaled = hours * Decimal::from(60);
        if !scaled.fract().is_zero() {
            return Err(ApiError::bad_input(field, "must be whole minutes"));
        }
        Ok(scaled.to_i32())
    };
    let min = minutes(min_field, min)?;
    let max = minutes(max_field, max)?;
    if let (Some(low), Some(high)) = (min, max) {
        if low > high {
            return Err(ApiError::bad_input(
                min_field,
                "the least weekly hours are above the most",
            ));
        }
    }
    Ok((min.or(max), max.or(min)))
}

/// An amount in DKK as øre: at most two decimals, at most [`MAX_AMOUNT_DKK`] either way.
pub(super) fn ore(field: &FieldPath, amount: Option<Decimal>) -> ApiResult<Option<i64>> {
    let Some(amount) = amount else {
        return Ok(None);
    };
    if amount.abs() > Decimal::from(MAX_AMOUNT_DKK) {
        return Err(ApiError::bad_input(
            field,
            format!("must be at most {MAX_AMOUNT_DKK} DKK either way"),
        ));
    }
    let scaled = amount * Decimal::ONE_HUNDRED;
    if !scaled.fract().is_zero() {
        return Err(ApiError::bad_input(field, "has more than two decimals"));
    }
    Ok(scaled.to_i64())
}

/// A phone number as people write it: digits, spaces, `-`, `.`, parentheses and a leading `+`,
/// with [`PHONE_DIGITS`] digits; trimmed.
pub(super) fn checked_phone(field: &FieldPath, phone: &str) -> ApiResult<String> {
    let phone = phone.trim();
    if phone.chars().count() > MAX_PHONE_CHARS {
        return Err(ApiError::bad_input(
            field,
            format!("must be at most {MAX_PHONE_CHARS} characters"),
        ));
    }
    let body = phone.strip_prefix('+').unwrap_or(phone);
    let allowed = |c: char| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')');
    let digits = body.chars().filter(char::is_ascii_digit).count();
    if !body.chars().all(allowed) || !PHONE_DIGITS.contains(&digits) {
        return Err(ApiError::bad_input(
            field,
            "must be a phone number: digits, spaces, `-` and a leading `+` (e.g. +45 43 57 75 75)",
        ));
    }
    Ok(phone.to_owned())
}

/// An e-mail address: one `@` between a local part and a domain with a dot, no spaces; trimmed.
pub(super) fn checked_email(field: &FieldPath, email: &str) -> ApiResult<String> {
    let email = email.trim();
    if email.chars().count() > MAX_EMAIL_CHARS {
        return Err(ApiError::bad_input(
            field,
            format!("must be at most {MAX_EMAIL_CHARS} characters"),
        ));
    }
    let well_formed = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    };
    if !well_formed {
        return Err(ApiError::bad_input(
            field,
            "must be an e-mail address (name@example.dk)",
        ));
    }
    Ok(email.to_owned())
}

/// A goal's number within its plan: from 1 to [`MAX_GOAL_NUMBER`].
pub(super) fn checked_goal_number(field: &FieldPath, number: i32) -> ApiResult<()> {
    if (1..=MAX_GOAL_NUMBER).contains(&number) {
        Ok(())
    } else {
        Err(ApiError::bad_input(
            field,
            format!("must be from 1 to {MAX_GOAL_NUMBER}"),
        ))
    }
}

/// The ages of a target group: each from 0 to [`MAX_AGE`], the youngest not above the oldest.
pub(super) fn checked_ages(at: &FieldPath, min: Option<i32>, max: Option<i32>) -> ApiResult<()> {
    for (name, age) in [("age_min", min), ("age_max", max)] {
        if age.is_some_and(|age| !(0..=MAX_AGE).contains(&age)) {
            return Err(ApiError::bad_input(
                at.field(name),
                format!("an age must be from 0 to {MAX_AGE}"),
            ));
        }
    }
    if let (Some(min), Some(max)) = (min, max) {
        if min > max {
            return Err(ApiError::bad_input(
                at.field("age_min"),
                "the youngest age is above the oldest",
            ));
        }
    }
    Ok(())
}
