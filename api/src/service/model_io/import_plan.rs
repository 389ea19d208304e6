//! What an import knows while it checks a document, and the checks of keys, references, days
//! and the unit tree.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::NaiveDate;
use entities::{
    identity, kinds::Kind, legal_basis, municipality, network, partner_organisation, source,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::{
    document::*, export::default_visibility, rows::Validity, ImportAs, Problem, ReferenceKeys,
};
use crate::{
    error::{ApiError, ApiResult, FieldPath},
    service::{
        checks::{
            checked_long_text, checked_optional, checked_origin, checked_text, checked_text_of,
            checked_validity, Texts,
        },
        tree::{units_in_cycles_within, Placement, MAX_CHECK_STEPS},
        versions::{self, Recorded},
        Store,
    },
    vocabulary::Visibility,
};

/// The reference data documents name by key: sources, networks, partner organisations, legal
/// bases (not owned by a municipality).
pub(super) struct Reference {
    pub(super) sources: HashMap<String, i32>,
    pub(super) networks: HashMap<String, i32>,
    pub(super) partners: HashMap<String, i32>,
    pub(super) legal_bases: HashMap<String, i32>,
    pub(super) municipalities: HashSet<i32>,
    /// The networks the importing municipality is in.
    pub(super) own_networks: HashSet<i32>,
}

impl Reference {
    pub(super) async fn load(store: &Store) -> ApiResult<Self> {
        let db = &store.db;
        Ok(Self {
            sources: source::Entity::find()
                .all(db)
                .await?
                .into_iter()
                .map(|r| (r.key, r.id))
                .collect(),
            networks: network::Entity::find()
                .all(db)
                .await?
                .into_iter()
                .map(|r| (r.key, r.id))
                .collect(),
            partners: partner_organisation::Entity::find()
                .all(db)
                .await?
                .into_iter()
                .map(|r| (r.key, r.id))
                .collect(),
            legal_bases: legal_basis::Entity::find()
                .all(db)
                .await?
                .into_iter()
                .map(|r| (r.key, r.id))
                .collect(),
            municipalities: municipality::Entity::find()
                .all(db)
                .await?
                .into_iter()
                .map(|r| r.code)
                .collect(),
            own_networks: HashSet::new(),
        })
    }
}

/// A record of the document: its kind (table), identity, and whether it is new.
#[derive(Debug, Clone)]
pub(super) struct Keyed {
    pub(super) kind: Kind,
    pub(super) id: i32,
    /// The revision stored (none for a new record).
    pub(super) revision: Option<i32>,
    /// The path of its first version, for problems.
    at: String,
    /// When its versions so far hold, in the document's order: the last one's end orders the next
    /// version, and the records that refer to it must hold on their first day.
    validity: Vec<Validity>,
}

/// What an import knows while it checks a document: the stored records, the document's keys,
/// the reference data, and the problems found.
pub(super) struct ImportPlan {
    pub(super) code: i32,
    pub(super) recorded: Recorded,
    pub(super) reference: Reference,
    /// Stored identities of the municipality by key: kind, id, revision.
    pub(super) stored: HashMap<String, (Kind, i32, i32)>,
    /// The document's records by key.
    pub(super) keys: HashMap<String, Keyed>,
    /// Keys in the order the document names them first.
    pub(super) order: Vec<String>,
    pub(super) problems: Vec<Problem>,
}

impl ImportPlan {
    pub(super) async fn new(store: &Store, code: i32, by: &ImportAs) -> ApiResult<Self> {
        let mut reference = Reference::load(store).await?;
        reference.own_networks = entities::network_membership::Entity::find()
            .filter(entities::network_membership::Column::MunicipalityCode.eq(code))
            .all(&store.db)
            .await?
            .into_iter()
            .map(|row| row.network_id)
            .collect();
        let stored = identity::Entity::find()
            .filter(identity::Column::MunicipalityCode.eq(code))
            .all(&store.db)
            .await?
            .into_iter()
            .map(|row| {
                let kind = Kind::of_table(&row.kind).ok_or_else(|| {
                    ApiError::Internal(anyhow::anyhow!(
                        "identity {} of no kind {:?}",
                        row.id,
                        row.kind
                    ))
                })?;
                Ok((row.key, (kind, row.id, row.revision)))
            })
            .collect::<ApiResult<_>>()?;
        Ok(Self {
            code,
            recorded: by.recorded.clone(),
            reference,
            stored,
            keys: HashMap::new(),
            order: Vec::new(),
            problems: Vec::new(),
        })
    }

    /// The plan of an import of a dataset's model document of municipality `code`, checked
    /// without a database: against the dataset's own reference data, as if nothing were stored.
    pub(super) fn in_dataset(code: i32, reference: &ReferenceKeys<'_>) -> Self {
        let numbered = |keys: Vec<&str>| -> HashMap<String, i32> {
            (1..)
                .zip(keys)
                .map(|(id, key)| (key.to_owned(), id))
                .collect()
        };
        let networks = numbered(reference.networks.iter().map(|(key, _)| *key).collect());
        let own_networks = reference
            .networks
            .iter()
            .filter(|(_, members)| members.contains(&code))
            .filter_map(|(key, _)| networks.get(*key).copied())
            .collect();
        Self {
            code,
            recorded: Recorded::now("dataset"),
            reference: Reference {
                sources: numbered(reference.sources.clone()),
                networks,
                partners: numbered(reference.partners.clone()),
                legal_bases: numbered(reference.legal_bases.clone()),
                municipalities: reference.municipalities.iter().copied().collect(),
                own_networks,
            },
            stored: HashMap::new(),
            keys: HashMap::new(),
            order: Vec::new(),
            problems: Vec::new(),
        }
    }

    pub(super) fn problem(&mut self, path: impl Into<FieldPath>, message: impl Into<String>) {
        self.problems.push(Problem {
            path: path.into().document(),
            message: message.into(),
        });
    }

    /// Whether there are no `problems`; each is noted.
    pub(super) fn none_of(&mut self, problems: Vec<ApiError>) -> bool {
        let none = problems.is_empty();
        for problem in problems {
            self.check::<()>(Err(problem));
        }
        none
    }

    /// The value of a check, or its problem noted.
    pub(super) fn check<T>(&mut self, result: ApiResult<T>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(ApiError::BadUserInput { field, message }) => {
                self.problem(&field, message);
                None
            }
            Err(other) => {
                self.problem(FieldPath::new("document"), other.message());
                None
            }
        }
    }

    /// Notes the key of a version of a record of `kind` at `at`, valid `[from, to)`: a key seen
    /// before names the record's next version, which must be of the same kind and start when or
    /// after the previous one ends.
    pub(super) fn key(&mut self, at: &FieldPath, kind: Kind, key: &str, (from, to): Validity) {
        if self.check(checked_text(&at.field("key"), key)).is_none() {
            return;
        }
        if let Some(seen) = self.keys.get_mut(key) {
            let problem = if seen.kind != kind {
                Some((
                    at.field("key"),
                    format!(
                        "key {key:?} is already the key of a record of {} ({})",
                        seen.kind.table(),
                        seen.at
                    ),
                ))
            } else {
                let previous_end = seen.validity.last().and_then(|(_, end)| *end);
                seen.validity.push((from, to));
                let follows =
                    matches!((previous_end, from), (Some(end), Some(start)) if start >= end);
                (!follows).then(|| {
                    (
                        at.field("valid_from"),
                        format!(
                            "a next version of {key:?} must start when or after the previous \
                             one ends (its valid_to{}): versions of a record do not overlap",
                            previous_end.map(|d| format!(", {d}")).unwrap_or_default()
                        ),
                    )
                })
            };
            if let Some((path, message)) = problem {
                self.problem(&path, message);
            }
            return;
        }
        match self.stored.get(key) {
            Some((stored_kind, _, _)) if *stored_kind != kind => {
                self.problem(
                    at.field("key"),
                    format!(
                        "key {key:?} is the key of a stored record of {}",
                        stored_kind.table()
                    ),
                );
                return;
            }
            None if versions::is_generated_key(key) => {
                self.problem(
                    at.field("key"),
                    format!(
                        "{key:?} has the shape of the keys records made by mutations get \
                         (units-42); give the new record a key of its own"
                    ),
                );
                return;
            }
            _ => {}
        }
        let (id, revision) = self
            .stored
            .get(key)
            // A new record's id is provisional (negative, unique) until its identity is created.
            .map_or((-1 - self.order.len() as i32, None), |(_, id, revision)| {
                (*id, Some(*revision))
            });
        self.keys.insert(
            key.to_owned(),
            Keyed {
                kind,
                id,
                revision,
                at: at.document(),
                validity: vec![(from, to)],
            },
        );
        self.order.push(key.to_owned());
    }

    /// Checks whose model the document is, notes every record's key and checks the order of its
    /// versions.
    pub(super) fn check_document(&mut self, document: &ModelFile) {
        if document.municipality != self.code {
            self.problem(
                "municipality",
                format!(
                    "the document is the model of municipality {}, not of {}",
                    document.municipality, self.code
                ),
            );
        }
        document.note_keys(self);
    }

    /// Allocates the identities of the document's new records (in the import's transaction).
    pub(super) async fn create_identities(&mut self, store: &Store) -> ApiResult<()> {
        if !self.problems.is_empty() {
            return Ok(());
        }
        for key in &self.order {
            let keyed = self.keys.get_mut(key).expect("noted");
            if keyed.revision.is_none() {
                keyed.id = versions::create_identity(
                    &store.db,
                    keyed.kind,
                    self.code,
                    Some(key),
                    &self.recorded,
                )
                .await?;
            }
        }
        Ok(())
    }

    /// The identity of the record of `kind` the document names by `key` at `field` (none when it
    /// names none). A version refers to records that hold on its first day, `on` (as the
    /// mutations ask of the records their input names); the problem is noted, and the identity
    /// still given, so that the checks that follow see the reference.
    pub(super) fn reference(
        &mut self,
        field: &FieldPath,
        kind: Kind,
        key: Option<&str>,
        on: Option<NaiveDate>,
    ) -> Option<Option<i32>> {
        let Some(key) = key else {
            return Some(None);
        };
        let problem = match self.keys.get(key) {
            Some(found) if found.kind == kind => {
                let id = found.id;
                let holds_on = |day: NaiveDate| {
                    found.validity.iter().any(|(from, to)| {
                        from.is_none_or(|from| from <= day) && to.is_none_or(|to| day < to)
                    })
                };
                if let Some(day) = on.filter(|day| !holds_on(*day)) {
                    self.problem(
                        field,
                        format!("{key:?} does not hold on {day}, when this version starts"),
                    );
                }
                return Some(Some(id));
            }
            Some(found) => format!(
                "{key:?} is a record of {}, not of {}",
                found.kind.table(),
                kind.table()
            ),
            None => format!(
                "there is no record of {} with key {key:?} in the document",
                kind.table()
            ),
        };
        self.problem(field, problem);
        None
    }

    /// Who a forum member or an intervention partner (`who`) at `at` is: exactly one of a unit
    /// of the document (holding `on` that day, if any) and a partner organisation, by key.
    pub(super) fn party(
        &mut self,
        at: &FieldPath,
        who: &str,
        (unit, partner): (Option<&str>, Option<&str>),
        on: Option<NaiveDate>,
    ) -> Option<(Option<i32>, Option<i32>)> {
        let partner_id = match partner {
            None => Some(None),
            Some(key) => self
                .named(&at.field("partner"), "partner organisation", key)
                .map(Some),
        };
        let one = unit.is_some() != partner.is_some();
        if !one {
            self.problem(
                at.field("unit"),
                format!("a {who} names exactly one of unit or partner"),
            );
        }
        let unit_id = self.reference(&at.field("unit"), Kind::Unit, unit, on);
        unit_id.zip(partner_id).filter(|_| one)
    }

    /// The id of reference data (`source`, `network`, …) the document names by `key`.
    pub(super) fn named(&mut self, field: &FieldPath, what: &str, key: &str) -> Option<i32> {
        let map = match what {
            "source" => &self.reference.sources,
            "network" => &self.reference.networks,
            "partner organisation" => &self.reference.partners,
            _ => &self.reference.legal_bases,
        };
        let found = map.get(key).copied();
        match found {
            Some(id) => Some(id),
            None => {
                self.problem(
                    field,
                    format!("there is no {what} {}", crate::error::excerpt(key)),
                );
                None
            }
        }
    }

    /// A value of a vocabulary, or its problem.
    pub(super) fn vocabulary(
        &mut self,
        field: &FieldPath,
        value: &str,
        allowed: &[&str],
    ) -> Option<String> {
        if allowed.contains(&value) {
            Some(value.to_owned())
        } else {
            self.problem(
                field,
                format!("{} is not one of {allowed:?}", crate::error::excerpt(value)),
            );
            None
        }
    }

    pub(super) fn vocabulary_opt(
        &mut self,
        field: &FieldPath,
        value: Option<&str>,
        allowed: &[&str],
    ) -> Option<Option<String>> {
        match value {
            None => Some(None),
            Some(value) => self.vocabulary(field, value, allowed).map(Some),
        }
    }

    /// The free-text `column` of a version of `E` at `at`, checked as `E` declares it.
    pub(super) fn text<E: Texts>(
        &mut self,
        at: &FieldPath,
        column: E::Column,
        text: &str,
    ) -> Option<String> {
        self.check(checked_text_of::<E>(at, column, text))
    }

    pub(super) fn text_opt<E: Texts>(
        &mut self,
        at: &FieldPath,
        column: E::Column,
        text: Option<&str>,
    ) -> Option<Option<String>> {
        match text {
            None => Some(None),
            Some(text) => self.text::<E>(at, column, text).map(Some),
        }
    }

    pub(super) fn long_text(
        &mut self,
        field: FieldPath,
        text: Option<&str>,
    ) -> Option<Option<String>> {
        self.check(checked_optional(&field, text, checked_long_text))
    }

    pub(super) fn short_text(
        &mut self,
        field: FieldPath,
        text: Option<&str>,
    ) -> Option<Option<String>> {
        self.check(checked_optional(&field, text, checked_text))
    }

    /// The columns every version has, checked.
    pub(super) fn common(
        &mut self,
        at: &FieldPath,
        kind: Kind,
        p: Provenance<'_>,
    ) -> Option<Common> {
        let source = self.named(&at.field("source"), "source", p.source);
        let days = self.none_of(checked_validity(at, p.valid_from, p.valid_to));
        let visibility = match p.visibility {
            None => Some(default_visibility(kind).as_str().to_owned()),
            Some(text) => self.vocabulary(&at.field("visibility"), text, Visibility::ALL),
        };
        let origin = checked_origin(at, p.section, p.note);
        let (section, note) = match origin {
            Ok((section, note)) => (Some(section), Some(note)),
            Err(problems) => {
                self.none_of(problems);
                (None, None)
            }
        };
        Some(Common {
            municipality_code: self.code,
            visibility: visibility?,
            valid_from: p.valid_from,
            valid_to: p.valid_to,
            source_id: source?,
            source_section: section?,
            note: note?,
        })
        .filter(|_| days)
    }

    pub(super) fn id_of(&self, key: &str) -> i32 {
        self.keys.get(key).map_or(0, |k| k.id)
    }
}

/// The columns every version has.
pub(super) struct Common {
    pub(super) municipality_code: i32,
    pub(super) visibility: String,
    pub(super) valid_from: Option<NaiveDate>,
    pub(super) valid_to: Option<NaiveDate>,
    pub(super) source_id: i32,
    pub(super) source_section: String,
    pub(super) note: Option<String>,
}

impl ImportPlan {
    /// No record of a tree (units under units, plans part of plans) comes under itself on any
    /// day: the problem, `refusal`, is at the parent of a version that holds on the first day of a
    /// cycle. `section` names the document's section when the tree is too big to check.
    pub(super) fn check_tree(
        &mut self,
        placements: &[(Placement, FieldPath)],
        section: &str,
        refusal: &str,
    ) {
        let tree: Vec<Placement> = placements.iter().map(|(placement, _)| *placement).collect();
        let mut versions: HashMap<i32, Vec<usize>> = HashMap::new();
        for (index, placement) in tree.iter().enumerate() {
            versions.entry(placement.unit).or_default().push(index);
        }
        let Some(cycles) = units_in_cycles_within(&tree, (None, None), MAX_CHECK_STEPS) else {
            self.problem(
                FieldPath::new(section),
                format!(
                    "the {section}s' tree over time takes more than {MAX_CHECK_STEPS} steps to \
                     check: it is not an organisation's tree"
                ),
            );
            return;
        };
        let mut refused = BTreeSet::new();
        for (record, day) in cycles {
            let field = versions
                .get(&record)
                .into_iter()
                .flatten()
                .find(|&&index| tree[index].holds_on(day))
                .map(|&index| placements[index].1.document());
            refused.extend(field);
        }
        // In the document's order of paths, each once.
        for field in refused {
            self.problem(FieldPath::verbatim(field), refusal);
        }
    }
}
