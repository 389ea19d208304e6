//! What an import knows while it checks a document, and the checks of keys, references, days
//! and the unit tree.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::NaiveDate;
use entities::{
    identity, kinds::Kind, legal_basis, municipality, network, partner_organisation, source,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::{document::*, export::default_visibility, rows::Validity, ImportAs, Problem};
use crate::{
    error::{ApiError, ApiResult, FieldPath},
    service::{
        checks::{checked_day, checked_end, checked_long_text, checked_optional, checked_text},
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
    /// When its latest version so far ends (for the order of versions).
    last_end: Option<Option<NaiveDate>>,
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

    pub(super) fn problem(&mut self, path: impl Into<FieldPath>, message: impl Into<String>) {
        self.problems.push(Problem {
            path: path.into().document(),
            message: message.into(),
        });
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
    fn key(
        &mut self,
        at: &FieldPath,
        kind: Kind,
        key: &str,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) {
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
                let previous_end = seen.last_end.flatten();
                seen.last_end = Some(to);
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
                last_end: Some(to),
            },
        );
        self.order.push(key.to_owned());
    }

    /// Notes every record's key and checks the order of its versions.
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
        macro_rules! keys {
            ($list:expr, $name:literal, $kind:expr) => {
                for (i, r) in $list.iter().enumerate() {
                    self.key(
                        &FieldPath::new($name).index(i),
                        $kind,
                        &r.key,
                        r.valid_from,
                        r.valid_to,
                    );
                }
            };
        }
        keys!(document.committee, "committee", Kind::PoliticalCommittee);
        keys!(document.plan, "plan", Kind::Plan);
        keys!(document.unit, "unit", Kind::Unit);
        keys!(document.staff_role, "staff_role", Kind::StaffRole);
        keys!(document.budget_line, "budget_line", Kind::BudgetLine);
        keys!(document.forum, "forum", Kind::Forum);
        for (i, forum) in document.forum.iter().enumerate() {
            for (j, member) in forum.member.iter().enumerate() {
                let from = member.valid_from.or(forum.valid_from);
                let to = member.valid_to.or(forum.valid_to);
                self.key(
                    &FieldPath::new("forum").index(i).field("member").index(j),
                    Kind::ForumMember,
                    &member.key,
                    from,
                    to,
                );
            }
        }
        keys!(document.goal, "goal", Kind::Goal);
        keys!(document.intervention, "intervention", Kind::Intervention);
        keys!(
            document.shared_project,
            "shared_project",
            Kind::SharedProject
        );
        keys!(document.contact, "contact", Kind::Contact);
        keys!(document.key_indicator, "key_indicator", Kind::KeyIndicator);
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

    /// The identity of a record of `kind` the document names by `key` at `field`.
    pub(super) fn reference(&mut self, field: &FieldPath, kind: Kind, key: &str) -> Option<i32> {
        let found = self.keys.get(key).map(|keyed| (keyed.kind, keyed.id));
        match found {
            Some((found_kind, id)) if found_kind == kind => Some(id),
            Some((found_kind, _)) => {
                self.problem(
                    field,
                    format!(
                        "{key:?} is a record of {}, not of {}",
                        found_kind.table(),
                        kind.table()
                    ),
                );
                None
            }
            None => {
                self.problem(
                    field,
                    format!(
                        "there is no record of {} with key {key:?} in the document",
                        kind.table()
                    ),
                );
                None
            }
        }
    }

    pub(super) fn reference_opt(
        &mut self,
        field: &FieldPath,
        kind: Kind,
        key: Option<&str>,
    ) -> Option<Option<i32>> {
        match key {
            None => Some(None),
            Some(key) => self.reference(field, kind, key).map(Some),
        }
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

    pub(super) fn name(&mut self, field: FieldPath, text: &str) -> Option<String> {
        self.check(checked_text(&field, text))
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
        let section = self.name(at.field("section"), p.section);
        let mut days = true;
        for (name, day) in [("valid_from", p.valid_from), ("valid_to", p.valid_to)] {
            if let Some(day) = day {
                days &= self.check(checked_day(&at.field(name), day)).is_some();
            }
        }
        if let (Some(from), true) = (p.valid_from, days) {
            days &= self
                .check(checked_end(&at.field("valid_to"), from, p.valid_to))
                .is_some();
        }
        let visibility = match p.visibility {
            None => Some(default_visibility(kind).as_str().to_owned()),
            Some(text) => self.vocabulary(&at.field("visibility"), text, Visibility::ALL),
        };
        let note = self.long_text(at.field("note"), p.note);
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
    /// A record a version refers to holds on the version's first day (when it has one), as the
    /// mutations ask of the records their input names: a unit's parent and committee, the unit
    /// of a staff role, a budget line, a forum member or a contact, an intervention's goal and
    /// lead unit. (An intervention's partners belong to no version.)
    pub(super) fn check_days(&mut self, d: &ModelFile) {
        let mut validity: HashMap<&str, Vec<Validity>> = HashMap::new();
        let committees = d
            .committee
            .iter()
            .map(|r| (&r.key, r.valid_from, r.valid_to));
        let units = d.unit.iter().map(|r| (&r.key, r.valid_from, r.valid_to));
        let goals = d.goal.iter().map(|r| (&r.key, r.valid_from, r.valid_to));
        let plans = d.plan.iter().map(|r| (&r.key, r.valid_from, r.valid_to));
        for (key, from, to) in committees.chain(units).chain(goals).chain(plans) {
            validity.entry(key).or_default().push((from, to));
        }
        let mut references: Vec<(FieldPath, Option<&str>, Option<NaiveDate>)> = Vec::new();
        for (i, r) in d.unit.iter().enumerate() {
            references.push((
                FieldPath::new("unit").index(i).field("parent"),
                r.parent.as_deref(),
                r.valid_from,
            ));
            references.push((
                FieldPath::new("unit").index(i).field("committee"),
                r.committee.as_deref(),
                r.valid_from,
            ));
        }
        for (i, r) in d.plan.iter().enumerate() {
            references.push((
                FieldPath::new("plan").index(i).field("part_of"),
                r.part_of.as_deref(),
                r.valid_from,
            ));
            references.push((
                FieldPath::new("plan").index(i).field("committee"),
                r.committee.as_deref(),
                r.valid_from,
            ));
        }
        for (i, r) in d.goal.iter().enumerate() {
            references.push((
                FieldPath::new("goal").index(i).field("part_of"),
                r.part_of.as_deref(),
                r.valid_from,
            ));
        }
        for (i, r) in d.staff_role.iter().enumerate() {
            references.push((
                FieldPath::new("staff_role").index(i).field("unit"),
                Some(&r.unit),
                r.valid_from,
            ));
        }
        for (i, r) in d.budget_line.iter().enumerate() {
            references.push((
                FieldPath::new("budget_line").index(i).field("unit"),
                r.unit.as_deref(),
                r.valid_from,
            ));
        }
        for (i, forum) in d.forum.iter().enumerate() {
            for (j, m) in forum.member.iter().enumerate() {
                let day = m.valid_from.or(forum.valid_from);
                references.push((
                    FieldPath::new("forum")
                        .index(i)
                        .field("member")
                        .index(j)
                        .field("unit"),
                    m.unit.as_deref(),
                    day,
                ));
            }
        }
        for (i, r) in d.intervention.iter().enumerate() {
            references.push((
                FieldPath::new("intervention").index(i).field("goal"),
                r.goal.as_deref(),
                r.valid_from,
            ));
            references.push((
                FieldPath::new("intervention").index(i).field("lead_unit"),
                r.lead_unit.as_deref(),
                r.valid_from,
            ));
            references.push((
                FieldPath::new("intervention").index(i).field("part_of"),
                r.part_of.as_deref(),
                r.valid_from,
            ));
        }
        for (i, r) in d.contact.iter().enumerate() {
            references.push((
                FieldPath::new("contact").index(i).field("unit"),
                r.unit.as_deref(),
                r.valid_from,
            ));
        }
        for (field, key, day) in references {
            let (Some(key), Some(day)) = (key, day) else {
                continue;
            };
            // An unknown key is reported where it is resolved.
            let Some(versions) = validity.get(key) else {
                continue;
            };
            let holds = versions.iter().any(|(from, to)| {
                from.is_none_or(|from| from <= day) && to.is_none_or(|to| day < to)
            });
            if !holds {
                self.problem(
                    field,
                    format!("{key:?} does not hold on {day}, when this version starts"),
                );
            }
        }
    }

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
