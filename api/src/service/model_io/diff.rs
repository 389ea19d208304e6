//! The differences between the document's records and the stored ones.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use entities::{kinds::Kind, versioned::Versioned};
use sea_orm::IdenStatic;
use serde_json::Value as Json;

use super::{import_plan::ImportPlan, ChangeKind, RecordChange};
use crate::{
    service::{
        int_value,
        writes::{row_json, Writable},
    },
    vocabulary::Visibility,
};

/// The differences between the document's records and the stored ones.
#[derive(Default)]
pub(super) struct Diff {
    pub(super) changes: Vec<RecordChange>,
    pub(super) unchanged: usize,
    /// Whether a visibility changes (or a new record is not private): an admin's decision.
    pub(super) shares: bool,
    /// What to write, by identity: the first day that differs, for a change.
    pub(super) effective: HashMap<i32, Option<NaiveDate>>,
    pub(super) removed: Vec<i32>,
}

/// The columns of a version that say what it is (not which version or when it was recorded), as
/// JSON, by the document's field names.
fn comparable<E: Writable>(row: &E::Model) -> serde_json::Map<String, Json> {
    let Json::Object(mut object) = row_json(row) else {
        return serde_json::Map::new();
    };
    // Which record and version a row is, and when and by whom it was recorded, are not what a
    // document says of it.
    for column in [
        E::id(),
        E::version(),
        <E as Versioned>::latest(),
        E::recorded_at(),
        E::recorded_by(),
    ] {
        object.remove(column.as_str());
    }
    object
        .into_iter()
        .map(|(column, value)| (field_name(&column).to_owned(), value))
        .collect()
}

/// A column's name as the document's field (`parent_id` → `parent`, `amount_ore` → `amount`).
fn field_name(column: &str) -> &str {
    match column {
        "source_id" => "source",
        "source_section" => "section",
        "weekly_minutes_min" => "weekly_hours_min",
        "weekly_minutes_max" => "weekly_hours_max",
        "amount_ore" => "amount",
        "value_hundredths" => "value",
        "value_kind" => "kind",
        "lead_unit_id" => "lead_unit",
        "forum_id" => "forum",
        "municipality_code" => "municipality",
        other => other.strip_suffix("_id").unwrap_or(other),
    }
}

impl Diff {
    /// Compares the document's versions of `E` with the stored ones, record by record; `extra`
    /// holds what belongs to a record rather than a version (a forum's legal bases, …).
    pub(super) fn compare<E: Writable>(
        &mut self,
        plan: &ImportPlan,
        desired: &[E::Model],
        stored: &[E::Model],
        desired_extra: &HashMap<i32, Json>,
        stored_extra: &HashMap<i32, Json>,
    ) {
        let kind = E::KIND;
        let by_id = |rows: &[E::Model]| {
            let mut map: HashMap<i32, Vec<serde_json::Map<String, Json>>> = HashMap::new();
            for row in rows {
                let id = int_value(row, E::id()).unwrap_or_default();
                map.entry(id).or_default().push(comparable::<E>(row));
            }
            map
        };
        let wanted = by_id(desired);
        let have = by_id(stored);
        let keys: HashMap<i32, &str> = plan
            .keys
            .iter()
            .filter(|(_, k)| k.kind == kind)
            .map(|(key, k)| (k.id, key.as_str()))
            .collect();
        let mut ordered: Vec<(&str, i32)> = plan
            .order
            .iter()
            .filter_map(|key| {
                plan.keys
                    .get(key)
                    .filter(|k| k.kind == kind)
                    .map(|k| (key.as_str(), k.id))
            })
            .collect();
        ordered.dedup();
        for (key, id) in ordered {
            let new_versions = wanted.get(&id).cloned().unwrap_or_default();
            match have.get(&id) {
                None => {
                    if changes_who_sees(&new_versions, &[]) {
                        self.shares = true;
                    }
                    let first = new_versions
                        .first()
                        .and_then(|v| v.get("valid_from"))
                        .and_then(day_of);
                    self.effective.insert(id, first);
                    self.changes.push(RecordChange {
                        kind: E::KIND,
                        key: key.to_owned(),
                        change: ChangeKind::Added,
                        fields: Vec::new(),
                    });
                }
                Some(old_versions) => {
                    let mut fields = BTreeSet::new();
                    let mut first_difference = None;
                    for (index, (new, old)) in new_versions.iter().zip(old_versions).enumerate() {
                        for (field, value) in new {
                            if old.get(field) != Some(value) {
                                fields.insert(field.clone());
                                first_difference.get_or_insert(index);
                            }
                        }
                    }
                    if new_versions.len() != old_versions.len() {
                        // A version more or less: what it says that the last common one does not.
                        fields.insert("versions".to_owned());
                        let common = new_versions.len().min(old_versions.len());
                        let longer = if new_versions.len() > common {
                            &new_versions
                        } else {
                            old_versions
                        };
                        if let Some(last) = common.checked_sub(1).map(|i| &longer[i]) {
                            for extra in &longer[common..] {
                                for (field, value) in extra {
                                    if last.get(field) != Some(value) && field != "valid_to" {
                                        fields.insert(field.clone());
                                    }
                                }
                            }
                        }
                        first_difference.get_or_insert(common);
                    }
                    if desired_extra.get(&id) != stored_extra.get(&id) {
                        let name = match kind {
                            Kind::Forum => "legal_bases",
                            Kind::Intervention => "partner",
                            _ => "participant",
                        };
                        fields.insert(name.to_owned());
                        first_difference.get_or_insert(0);
                    }
                    let Some(index) = first_difference else {
                        self.unchanged += 1;
                        continue;
                    };
                    if changes_who_sees(&new_versions, old_versions) {
                        self.shares = true;
                    }
                    let effective =
                        first_day_that_differs(new_versions.get(index), old_versions.get(index));
                    self.effective.insert(id, effective);
                    self.changes.push(RecordChange {
                        kind: E::KIND,
                        key: key.to_owned(),
                        change: ChangeKind::Changed,
                        fields: fields.into_iter().collect(),
                    });
                }
            }
        }
        let mut gone: Vec<i32> = have
            .keys()
            .filter(|id| !keys.contains_key(id))
            .copied()
            .collect();
        gone.sort_unstable();
        let stored_keys: HashMap<i32, &String> = if gone.is_empty() {
            HashMap::new()
        } else {
            plan.stored
                .iter()
                .map(|(key, (_, id, _))| (*id, key))
                .collect()
        };
        for id in gone {
            let key = stored_keys
                .get(&id)
                .map_or_else(|| format!("#{id}"), |key| (*key).clone());
            self.removed.push(id);
            self.changes.push(RecordChange {
                kind: E::KIND,
                key,
                change: ChangeKind::Removed,
                fields: Vec::new(),
            });
        }
    }
}

/// Whether a record's versions `new` (in the order of time) change who sees it on any day from
/// what its versions `old` say: on a day the record held, the visibility must stay; on a day it
/// did not, it must be private (as a new record is). Versions in the order of time, without
/// overlaps, so one pass over both.
fn changes_who_sees(
    new: &[serde_json::Map<String, Json>],
    old: &[serde_json::Map<String, Json>],
) -> bool {
    fn span(version: &serde_json::Map<String, Json>) -> (NaiveDate, NaiveDate, Option<&str>) {
        let day = |field: &str| version.get(field).and_then(day_of);
        (
            day("valid_from").unwrap_or(NaiveDate::MIN),
            day("valid_to").unwrap_or(NaiveDate::MAX),
            version.get("visibility").and_then(Json::as_str),
        )
    }
    let old: Vec<_> = old.iter().map(span).collect();
    let private = Some(Visibility::Private.as_str());
    let mut next_old = 0;
    for (from, to, visibility) in new.iter().map(span) {
        // The old versions that end after this one starts; the earlier ones end before the
        // versions after it too.
        while old.get(next_old).is_some_and(|(_, end, _)| *end <= from) {
            next_old += 1;
        }
        let mut covered_until = from;
        for &(old_from, old_to, old_visibility) in old[next_old..].iter() {
            if old_from >= to {
                break;
            }
            let uncovered_before = old_from > covered_until;
            if (uncovered_before && visibility != private) || visibility != old_visibility {
                return true;
            }
            covered_until = covered_until.max(old_to);
        }
        if covered_until < to && visibility != private {
            return true;
        }
    }
    false
}

/// The first day on which two versions (at the same place of a record's versions) differ: the
/// earlier end when only their ends differ, otherwise the earlier start; a version on one side
/// only differs from its start.
fn first_day_that_differs(
    new: Option<&serde_json::Map<String, Json>>,
    old: Option<&serde_json::Map<String, Json>>,
) -> Option<NaiveDate> {
    let day =
        |version: &serde_json::Map<String, Json>, field: &str| version.get(field).and_then(day_of);
    let earlier = |a: Option<NaiveDate>, b: Option<NaiveDate>| match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    match (new, old) {
        (Some(new), Some(old)) => {
            let only_ends = new
                .iter()
                .all(|(field, value)| field == "valid_to" || old.get(field) == Some(value));
            if only_ends {
                earlier(day(new, "valid_to"), day(old, "valid_to"))
            } else {
                earlier(day(new, "valid_from"), day(old, "valid_from"))
            }
        }
        (Some(one), None) | (None, Some(one)) => day(one, "valid_from"),
        (None, None) => None,
    }
}

fn day_of(value: &Json) -> Option<NaiveDate> {
    value.as_str().and_then(|text| text.parse().ok())
}
