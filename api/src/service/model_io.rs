//! Export and import of a municipality's whole model as one document in the seed dataset's format
//! ([`ModelFile`], TOML); the seed dataset is loaded through the same import.
//!
//! - **Export**: every version of every record of the municipality that the caller may see,
//!   grouped by record (in the order the records were created), its versions in the order of
//!   time, references by key; fields equal to the format's defaults are left out.
//! - **Import**: the document is the municipality's whole model. Records are matched by key: a
//!   stored record whose versions all equal the document's is unchanged; a differing one gets the
//!   document's versions (an `update` from the first day that differs); a new key is a new record
//!   (`create`); a stored record the document leaves out is deleted (`delete`). Every problem of
//!   the document is reported with its path (`unit[3].parent`, indices from 0), checked by the
//!   same functions the mutations use. Everything happens in one transaction; a dry run does the
//!   same and rolls it back. Forum legal bases, intervention partners and project participants
//!   belong to their record, not to one version: the export lists them on every version, the
//!   import takes them from all versions (without repeats).

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::NaiveDate;
use entities::{
    budget_line, contact, forum, forum_legal_basis, forum_member, goal, identity, intervention,
    intervention_partner, key_indicator, legal_basis, municipality, network, partner_organisation,
    political_committee, project_participant, shared_project, source, staff_role, unit,
};
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, Condition, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, Set,
};
use serde::Serialize;
use serde_json::Value as Json;

use super::{
    checks::{
        checked_ages, checked_day, checked_email, checked_end, checked_goal_number,
        checked_headcount, checked_hours, checked_long_text, checked_optional, checked_phone,
        checked_text, checked_year, ore,
    },
    indicator::{checked_figure, Figure},
    links::{linked_rows, LinkTable},
    municipality_exists,
    tree::{units_in_cycles, Placement},
    versions::{self, Recorded},
    writes::{row_json, Writable},
    Principal, Role, Store,
};
use crate::{
    error::{ApiError, ApiResult},
    seed::format::*,
    vocabulary::{
        Archetype, BudgetCategory, BudgetPhase, ForumLevel, ForumScope, IndicatorKind, Measure,
        Pillar, PreventionLevel, ProjectRole, Visibility, WriteAction,
    },
};

/// One problem of a document: its path in the document, and what is wrong there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: String,
    pub message: String,
}

/// Why an import was not applied.
#[derive(Debug)]
pub enum ImportError {
    /// The document has these problems (nothing was written).
    Invalid(Vec<Problem>),
    /// The import was refused as a whole (not signed in, not allowed, a conflict, the database).
    Refused(ApiError),
}

impl From<ApiError> for ImportError {
    fn from(error: ApiError) -> Self {
        match error {
            ApiError::BadUserInput { field, message } => Self::Invalid(vec![Problem {
                path: document_path(&field),
                message,
            }]),
            other => Self::Refused(other),
        }
    }
}

impl From<sea_orm::DbErr> for ImportError {
    fn from(error: sea_orm::DbErr) -> Self {
        Self::Refused(error.into())
    }
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ImportReport {
    /// Whether the changes were written (false for a dry run).
    pub applied: bool,
    pub changes: Vec<RecordChange>,
    /// How many records of the document equal what is stored.
    pub unchanged: usize,
}

/// A record the import adds, changes or removes.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RecordChange {
    /// The table of its versions (`units`, `staff_roles`, …).
    pub kind: String,
    pub key: String,
    pub change: ChangeKind,
    /// The fields whose values differ in any version (`name`, `parent`, `valid_from`, …);
    /// `versions` when the number of versions differs. Empty for added and removed records.
    pub fields: Vec<String>,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Added,
    Changed,
    Removed,
}

/// Who an import writes as, and whether its writes are changes (audit entries and the change
/// feed) or the initial state (the seed dataset).
pub(crate) struct ImportAs {
    pub recorded: Recorded,
    pub record_changes: bool,
    /// Whether the importer may change who sees records (an admin, or the dataset).
    pub may_share: bool,
}

impl Store {
    /// The connection reads and writes go through (the seed dataset writes its reference data in
    /// the import's transaction).
    pub(crate) fn connection(&self) -> &super::Connection {
        &self.db
    }

    /// The model of municipality `code` as a TOML document, as far as the caller may see it.
    pub async fn export_model(&self, code: i32) -> ApiResult<String> {
        if !municipality_exists(&self.db, code).await? {
            return Err(ApiError::not_found(format!("municipality {code}")));
        }
        let stored = self.stored_model(code, true).await?;
        let names = Names::load(self, code, &stored.ids()).await?;
        toml::to_string(&stored.document(code, &names))
            .map_err(|error| ApiError::Internal(anyhow::anyhow!("exporting a model: {error}")))
    }

    /// Imports `text` as the whole model of municipality `code` for an editor or admin of it;
    /// applied unless `dry_run`. The store must not be in a transaction: the import is one.
    pub async fn import_model(
        &self,
        code: i32,
        text: &str,
        dry_run: bool,
    ) -> Result<ImportReport, ImportError> {
        if !municipality_exists(&self.db, code).await? {
            return Err(ApiError::not_found(format!("municipality {code}")).into());
        }
        let recorded = self.editor_of(code)?;
        let may_share = matches!(&self.principal, Principal::User { roles, .. } if roles.contains(&Role::Admin));
        let document = parse_document(text)?;
        let store = self.begin().await?;
        let report = store
            .import_document(
                code,
                &document,
                &ImportAs {
                    recorded,
                    record_changes: true,
                    may_share,
                },
            )
            .await?;
        if dry_run {
            // Dropping the transaction rolls it back.
            return Ok(report);
        }
        store.commit().await?;
        Ok(ImportReport {
            applied: true,
            ..report
        })
    }

    /// Imports `document` as the whole model of municipality `code` in the store's transaction;
    /// the report says `applied: false` (the caller commits or not).
    pub(crate) async fn import_document(
        &self,
        code: i32,
        document: &ModelFile,
        by: &ImportAs,
    ) -> Result<ImportReport, ImportError> {
        let mut plan = Plan::new(self, code, by).await?;
        plan.check_document(document);
        plan.check_days(document);
        plan.create_identities(self).await?;
        let mut desired = plan.desired(document);
        if !plan.problems.is_empty() {
            return Err(ImportError::Invalid(plan.problems));
        }
        let stored = self.stored_model(code, false).await?;
        if by.record_changes {
            desired.keep_contributions_of_others(code, &stored);
        }
        let mut diff = Diff::default();
        diff.compare::<political_committee::Entity>(
            &plan,
            &desired.committees,
            &stored.committees,
            &HashMap::new(),
            &HashMap::new(),
        );
        diff.compare::<unit::Entity>(
            &plan,
            &desired.units,
            &stored.units,
            &HashMap::new(),
            &HashMap::new(),
        );
        diff.compare::<staff_role::Entity>(
            &plan,
            &desired.staff_roles,
            &stored.staff_roles,
            &HashMap::new(),
            &HashMap::new(),
        );
        diff.compare::<budget_line::Entity>(
            &plan,
            &desired.budget_lines,
            &stored.budget_lines,
            &HashMap::new(),
            &HashMap::new(),
        );
        diff.compare::<forum::Entity>(
            &plan,
            &desired.forums,
            &stored.forums,
            &desired.legal_bases_json(),
            &stored.legal_bases_json(),
        );
        diff.compare::<forum_member::Entity>(
            &plan,
            &desired.forum_members,
            &stored.forum_members,
            &HashMap::new(),
            &HashMap::new(),
        );
        diff.compare::<goal::Entity>(
            &plan,
            &desired.goals,
            &stored.goals,
            &HashMap::new(),
            &HashMap::new(),
        );
        diff.compare::<intervention::Entity>(
            &plan,
            &desired.interventions,
            &stored.interventions,
            &desired.partners_json(),
            &stored.partners_json(),
        );
        diff.compare::<shared_project::Entity>(
            &plan,
            &desired.shared_projects,
            &stored.shared_projects,
            &desired.participants_json(),
            &stored.participants_json(),
        );
        diff.compare::<contact::Entity>(
            &plan,
            &desired.contacts,
            &stored.contacts,
            &HashMap::new(),
            &HashMap::new(),
        );
        diff.compare::<key_indicator::Entity>(
            &plan,
            &desired.key_indicators,
            &stored.key_indicators,
            &HashMap::new(),
            &HashMap::new(),
        );
        if diff.shares && !by.may_share {
            return Err(ApiError::Forbidden(format!(
                "only an admin of municipality {code} may decide who sees its records (the \
                 document changes a visibility, or adds a record that is not private)"
            ))
            .into());
        }
        // Writes: the link rows of added, changed and removed records (their rows before go to
        // the audit log), the new versions of added and changed records, then what removed
        // records had.
        let mut apply = Apply {
            store: self,
            plan: &plan,
            by,
            diff: &diff,
            links_before: HashMap::new(),
        };
        if by.record_changes {
            apply.links_before = apply.links_before().await?;
        }
        apply.links(&desired).await?;
        apply
            .kind::<political_committee::Entity>(&desired.committees, &stored.committees)
            .await?;
        apply
            .kind::<unit::Entity>(&desired.units, &stored.units)
            .await?;
        apply
            .kind::<staff_role::Entity>(&desired.staff_roles, &stored.staff_roles)
            .await?;
        apply
            .kind::<budget_line::Entity>(&desired.budget_lines, &stored.budget_lines)
            .await?;
        apply
            .kind::<forum::Entity>(&desired.forums, &stored.forums)
            .await?;
        apply
            .kind::<forum_member::Entity>(&desired.forum_members, &stored.forum_members)
            .await?;
        apply
            .kind::<goal::Entity>(&desired.goals, &stored.goals)
            .await?;
        apply
            .kind::<intervention::Entity>(&desired.interventions, &stored.interventions)
            .await?;
        apply
            .kind::<shared_project::Entity>(&desired.shared_projects, &stored.shared_projects)
            .await?;
        apply
            .kind::<contact::Entity>(&desired.contacts, &stored.contacts)
            .await?;
        apply
            .kind::<key_indicator::Entity>(&desired.key_indicators, &stored.key_indicators)
            .await?;
        apply.remove_identities().await?;
        let unchanged = diff.unchanged;
        Ok(ImportReport {
            applied: false,
            changes: diff.changes,
            unchanged,
        })
    }

    /// Every version of every record of `code` (those the caller may see, when `visible_only`),
    /// by record in the order of their identities, each record's versions in the order of time.
    async fn stored_model(&self, code: i32, visible_only: bool) -> ApiResult<Rows> {
        let links = |ids: &BTreeSet<i32>| ids.iter().copied().collect::<Vec<_>>();
        let mut model = Rows {
            committees: self
                .versions_of::<political_committee::Entity>(code, visible_only)
                .await?,
            units: self.versions_of::<unit::Entity>(code, visible_only).await?,
            staff_roles: self
                .versions_of::<staff_role::Entity>(code, visible_only)
                .await?,
            budget_lines: self
                .versions_of::<budget_line::Entity>(code, visible_only)
                .await?,
            forums: self
                .versions_of::<forum::Entity>(code, visible_only)
                .await?,
            forum_members: self
                .versions_of::<forum_member::Entity>(code, visible_only)
                .await?,
            goals: self.versions_of::<goal::Entity>(code, visible_only).await?,
            interventions: self
                .versions_of::<intervention::Entity>(code, visible_only)
                .await?,
            shared_projects: self
                .versions_of::<shared_project::Entity>(code, visible_only)
                .await?,
            contacts: self
                .versions_of::<contact::Entity>(code, visible_only)
                .await?,
            key_indicators: self
                .versions_of::<key_indicator::Entity>(code, visible_only)
                .await?,
            ..Rows::default()
        };
        let forums: BTreeSet<i32> = model.forums.iter().map(|v| v.id).collect();
        for row in forum_legal_basis::Entity::find()
            .filter(forum_legal_basis::Column::ForumId.is_in(links(&forums)))
            .order_by_asc(forum_legal_basis::Column::Id)
            .all(&self.db)
            .await?
        {
            model
                .legal_bases
                .entry(row.forum_id)
                .or_default()
                .push(row.legal_basis_id);
        }
        let interventions: BTreeSet<i32> = model.interventions.iter().map(|v| v.id).collect();
        for row in intervention_partner::Entity::find()
            .filter(intervention_partner::Column::InterventionId.is_in(links(&interventions)))
            .order_by_asc(intervention_partner::Column::Id)
            .all(&self.db)
            .await?
        {
            model
                .partners
                .entry(row.intervention_id)
                .or_default()
                .push((row.unit_id, row.partner_id, row.role));
        }
        let projects: BTreeSet<i32> = model.shared_projects.iter().map(|v| v.id).collect();
        for row in project_participant::Entity::find()
            .filter(project_participant::Column::ProjectId.is_in(links(&projects)))
            .order_by_asc(project_participant::Column::Id)
            .all(&self.db)
            .await?
        {
            model.participants.entry(row.project_id).or_default().push((
                row.participant_code,
                row.role,
                row.contribution_ore,
                row.contribution_note,
            ));
        }
        Ok(model)
    }

    /// The versions of the records of `E` owned by `code`, by identity, each in the order of time.
    async fn versions_of<E: Writable>(
        &self,
        code: i32,
        visible_only: bool,
    ) -> ApiResult<Vec<E::Model>> {
        let mut query = E::find().filter(E::owner().eq(code));
        if visible_only {
            if let Some(tenancy) = <E as super::Scoped>::tenancy() {
                query = query.filter(self.caller.visibility_condition(
                    tenancy.owner,
                    tenancy.visibility,
                    tenancy.resource,
                ));
            }
        }
        let mut rows = query
            .order_by_asc(E::id())
            .order_by_asc(E::version())
            .all(&self.db)
            .await?;
        rows.sort_by_key(|row| {
            let from = date_of::<E>(row, E::valid_from());
            (
                super::int_value(row, E::id()),
                from.is_some(),
                from,
                super::int_value(row, E::version()),
            )
        });
        Ok(rows)
    }
}

/// The problems of `model`, a model file of the seed `dataset`, checked as an import checks it but
/// without a database: against the dataset's own reference data, as if nothing were stored.
pub(crate) fn problems_in_dataset(
    model: &ModelFile,
    dataset: &crate::seed::Dataset,
) -> Vec<Problem> {
    let numbered = |keys: Vec<&String>| -> HashMap<String, i32> {
        (1..).zip(keys).map(|(id, key)| (key.clone(), id)).collect()
    };
    let reference = &dataset.reference;
    let networks = numbered(reference.network.iter().map(|n| &n.key).collect());
    let own_networks = reference
        .network
        .iter()
        .filter(|n| n.members.contains(&model.municipality))
        .filter_map(|n| networks.get(&n.key).copied())
        .collect();
    let mut plan = Plan {
        code: model.municipality,
        recorded: Recorded::now("dataset"),
        reference: Reference {
            sources: numbered(dataset.sources.iter().map(|s| &s.key).collect()),
            networks,
            partners: numbered(reference.partner.iter().map(|p| &p.key).collect()),
            legal_bases: numbered(reference.legal_basis.iter().map(|b| &b.key).collect()),
            municipalities: reference.municipality.iter().map(|m| m.code).collect(),
            own_networks,
        },
        stored: HashMap::new(),
        keys: HashMap::new(),
        order: Vec::new(),
        problems: Vec::new(),
    };
    plan.check_document(model);
    plan.check_days(model);
    plan.desired(model);
    plan.problems
}

/// Parses a document; a syntax error or an unknown field is a problem at `document`.
pub fn parse_document(text: &str) -> Result<ModelFile, ImportError> {
    toml::from_str(text).map_err(|error| {
        let place = error
            .span()
            .map(|span| {
                let before = &text[..span.start.min(text.len())];
                let line = before.matches('\n').count() + 1;
                let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                format!("line {line}, column {column}: ")
            })
            .unwrap_or_default();
        ImportError::Invalid(vec![Problem {
            path: "document".to_owned(),
            message: format!("{place}{}", error.message()),
        }])
    })
}

/// A check's field as a path in the document: the mutations' names (`weeklyHoursMin`) in the
/// document's spelling (`weekly_hours_min`).
fn document_path(field: &str) -> String {
    let mut path = String::with_capacity(field.len() + 4);
    for c in field.chars() {
        if c.is_ascii_uppercase() {
            path.push('_');
            path.push(c.to_ascii_lowercase());
        } else {
            path.push(c);
        }
    }
    path
}

fn date_of<E: Writable>(row: &E::Model, column: E::Column) -> Option<NaiveDate> {
    use sea_orm::ModelTrait;
    match row.get(column) {
        sea_orm::Value::ChronoDate(Some(day)) => Some(*day),
        _ => None,
    }
}

/// A municipality's model as rows: versions of each table, and the rows that belong to a record
/// rather than to a version (by the record's identity).
#[derive(Default)]
struct Rows {
    committees: Vec<political_committee::Model>,
    units: Vec<unit::Model>,
    staff_roles: Vec<staff_role::Model>,
    budget_lines: Vec<budget_line::Model>,
    forums: Vec<forum::Model>,
    forum_members: Vec<forum_member::Model>,
    goals: Vec<goal::Model>,
    interventions: Vec<intervention::Model>,
    shared_projects: Vec<shared_project::Model>,
    contacts: Vec<contact::Model>,
    key_indicators: Vec<key_indicator::Model>,
    /// Legal bases by forum.
    legal_bases: HashMap<i32, Vec<i32>>,
    partners: HashMap<i32, Vec<Partner>>,
    participants: HashMap<i32, Vec<Participant>>,
}

impl Rows {
    /// The identities of the records the rows are versions of.
    fn ids(&self) -> HashSet<i32> {
        let mut ids = HashSet::new();
        ids.extend(self.committees.iter().map(|v| v.id));
        ids.extend(self.units.iter().map(|v| v.id));
        ids.extend(self.staff_roles.iter().map(|v| v.id));
        ids.extend(self.budget_lines.iter().map(|v| v.id));
        ids.extend(self.forums.iter().map(|v| v.id));
        ids.extend(self.forum_members.iter().map(|v| v.id));
        ids.extend(self.goals.iter().map(|v| v.id));
        ids.extend(self.interventions.iter().map(|v| v.id));
        ids.extend(self.shared_projects.iter().map(|v| v.id));
        ids.extend(self.contacts.iter().map(|v| v.id));
        ids.extend(self.key_indicators.iter().map(|v| v.id));
        ids
    }
}

/// A version's validity, `[valid_from, valid_to)`.
type Validity = (Option<NaiveDate>, Option<NaiveDate>);

/// A partner of an intervention: unit, partner organisation, role.
type Partner = (Option<i32>, Option<i32>, Option<String>);

/// A participant of a shared project: municipality, role, contribution in øre, its note.
type Participant = (i32, String, Option<i64>, Option<String>);

impl Rows {
    /// A municipality's document does not decide what other municipalities contribute to its
    /// shared projects: each participant writes its own part (`setProjectContribution`), which
    /// stays as stored (none for a new participant). The seed dataset writes them all.
    fn keep_contributions_of_others(&mut self, code: i32, stored: &Rows) {
        for (project, rows) in &mut self.participants {
            for row in rows.iter_mut().filter(|row| row.0 != code) {
                let kept = stored
                    .participants
                    .get(project)
                    .and_then(|rows| rows.iter().find(|stored| stored.0 == row.0));
                row.2 = kept.and_then(|stored| stored.2);
                row.3 = kept.and_then(|stored| stored.3.clone());
            }
        }
    }

    fn legal_bases_json(&self) -> HashMap<i32, Json> {
        self.legal_bases
            .iter()
            .map(|(id, v)| (*id, serde_json::json!(v)))
            .collect()
    }
    fn partners_json(&self) -> HashMap<i32, Json> {
        self.partners
            .iter()
            .map(|(id, v)| (*id, serde_json::json!(v)))
            .collect()
    }
    fn participants_json(&self) -> HashMap<i32, Json> {
        self.participants
            .iter()
            .map(|(id, v)| (*id, serde_json::json!(v)))
            .collect()
    }
}

/// Keys of the records and of the reference data, by id, for writing a document.
/// What an export writes for a reference to a record the caller may not see.
const HIDDEN: &str = "#hidden";

struct Names {
    records: HashMap<i32, String>,
    sources: HashMap<i32, String>,
    networks: HashMap<i32, String>,
    partners: HashMap<i32, String>,
    legal_bases: HashMap<i32, String>,
}

impl Names {
    /// The names of the records `exported` (the ones the caller may see) and of the reference
    /// data: a reference to a record the caller may not see shows as [`HIDDEN`], not by its key
    /// (which can say what the record is).
    async fn load(store: &Store, code: i32, exported: &HashSet<i32>) -> ApiResult<Self> {
        let records = identity::Entity::find()
            .filter(identity::Column::MunicipalityCode.eq(code))
            .all(&store.db)
            .await?
            .into_iter()
            .filter(|row| exported.contains(&row.id))
            .map(|row| (row.id, row.key))
            .collect();
        let reference = Reference::load(store).await?;
        let invert = |map: HashMap<String, i32>| map.into_iter().map(|(k, v)| (v, k)).collect();
        Ok(Self {
            records,
            sources: invert(reference.sources),
            networks: invert(reference.networks),
            partners: invert(reference.partners),
            legal_bases: invert(reference.legal_bases),
        })
    }

    fn record(&self, id: i32) -> String {
        self.records
            .get(&id)
            .cloned()
            .unwrap_or_else(|| HIDDEN.to_owned())
    }
    fn record_opt(&self, id: Option<i32>) -> Option<String> {
        id.map(|id| self.record(id))
    }
    fn of(map: &HashMap<i32, String>, id: i32) -> String {
        map.get(&id).cloned().unwrap_or_else(|| format!("#{id}"))
    }
}

/// The visibility a record has when the document does not say.
fn default_visibility(kind: &str) -> Visibility {
    if kind == "contacts" {
        Visibility::Private
    } else {
        Visibility::Public
    }
}

/// Hours as a document writes them (`37`, `27.5`).
fn hours(minutes: i32) -> Decimal {
    (Decimal::from(minutes) / Decimal::from(60)).normalize()
}

/// øre as DKK with two decimals (`5280000.00`).
fn kroner(ore: i64) -> Decimal {
    Decimal::new(ore, 2)
}

/// Writes the provenance fields of a version into a record's (a macro: each record type has its
/// own fields of the same names).
macro_rules! record {
    ($type:ident { $($field:ident: $value:expr),* $(,)? }, $row:expr, $names:expr, $kind:expr) => {{
        let row = $row;
        $type {
            key: $names.record(row.id),
            $($field: $value,)*
            source: Names::of(&$names.sources, row.source_id),
            section: row.source_section.clone(),
            valid_from: row.valid_from,
            valid_to: row.valid_to,
            visibility: (row.visibility != default_visibility($kind).as_str())
                .then(|| row.visibility.clone()),
            note: row.note.clone(),
        }
    }};
}

impl Rows {
    /// The model as a document.
    fn document(&self, code: i32, names: &Names) -> ModelFile {
        let legal_bases = |id: i32| -> Vec<String> {
            self.legal_bases
                .get(&id)
                .map(|ids| {
                    ids.iter()
                        .map(|b| Names::of(&names.legal_bases, *b))
                        .collect()
                })
                .unwrap_or_default()
        };
        let mut forums: Vec<ForumRecord> = self
            .forums
            .iter()
            .map(|row| {
                record!(
                    ForumRecord {
                        name: row.name.clone(),
                        scope: row.scope.clone(),
                        level: row.level.clone(),
                        cadence: row.cadence.clone(),
                        purpose: row.purpose.clone(),
                        network: row.network_id.map(|id| Names::of(&names.networks, id)),
                        legal_bases: legal_bases(row.id),
                        member: Vec::new(),
                    },
                    row,
                    names,
                    "forums"
                )
            })
            .collect();
        // A member is listed under a version of its forum, and gives itself what of its
        // provenance differs from that version's. A document cannot say "no end" or "no start"
        // against a version that has one, so the version is one whose open ends the member
        // shares: the one with the member's validity, else one holding on the member's first
        // day, else any such; else (only then a document loses an open end) the forum's first.
        for row in &self.forum_members {
            let versions: Vec<&forum::Model> = self
                .forums
                .iter()
                .filter(|f| f.id == row.forum_id)
                .collect();
            let representable = |f: &forum::Model| {
                (row.valid_from.is_some() || f.valid_from.is_none())
                    && (row.valid_to.is_some() || f.valid_to.is_none())
            };
            let holds = |f: &forum::Model| {
                row.valid_from.is_some_and(|day| {
                    f.valid_from.is_none_or(|from| from <= day)
                        && f.valid_to.is_none_or(|to| day < to)
                })
            };
            let chosen = versions
                .iter()
                .find(|f| (f.valid_from, f.valid_to) == (row.valid_from, row.valid_to))
                .or_else(|| versions.iter().find(|f| representable(f) && holds(f)))
                .or_else(|| versions.iter().find(|f| representable(f)))
                .or(versions.first())
                .and_then(|chosen| self.forums.iter().position(|f| std::ptr::eq(f, *chosen)));
            let Some(index) = chosen else {
                // Its forum is not visible to the caller.
                continue;
            };
            let f = &self.forums[index];
            let differs = |mine: &str, theirs: &str| (mine != theirs).then(|| mine.to_owned());
            let member = ForumMemberRecord {
                key: names.record(row.id),
                unit: names.record_opt(row.unit_id),
                partner: row.partner_id.map(|id| Names::of(&names.partners, id)),
                role_title: row.role_title.clone(),
                source: (row.source_id != f.source_id)
                    .then(|| Names::of(&names.sources, row.source_id)),
                section: differs(&row.source_section, &f.source_section),
                valid_from: (row.valid_from != f.valid_from)
                    .then_some(row.valid_from)
                    .flatten(),
                valid_to: (row.valid_to != f.valid_to)
                    .then_some(row.valid_to)
                    .flatten(),
                visibility: differs(&row.visibility, &f.visibility),
                note: row.note.clone(),
            };
            forums[index].member.push(member);
        }
        let partners = |id: i32| -> Vec<InterventionPartnerRecord> {
            self.partners
                .get(&id)
                .map(|rows| {
                    rows.iter()
                        .map(|(unit, partner, role)| InterventionPartnerRecord {
                            unit: names.record_opt(*unit),
                            partner: partner.map(|p| Names::of(&names.partners, p)),
                            role: role.clone(),
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        let participants = |id: i32| -> Vec<ProjectParticipantRecord> {
            self.participants
                .get(&id)
                .map(|rows| {
                    rows.iter()
                        .map(|(code, role, ore, note)| ProjectParticipantRecord {
                            municipality: *code,
                            role: role.clone(),
                            contribution: ore.map(kroner),
                            contribution_note: note.clone(),
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        ModelFile {
            municipality: code,
            committee: self
                .committees
                .iter()
                .map(|row| {
                    record!(
                        CommitteeRecord {
                            name: row.name.clone()
                        },
                        row,
                        names,
                        "political_committees"
                    )
                })
                .collect(),
            unit: self
                .units
                .iter()
                .map(|row| {
                    record!(
                        UnitRecord {
                            name: row.name.clone(),
                            kind: row.kind.clone(),
                            parent: names.record_opt(row.parent_id),
                            committee: names.record_opt(row.committee_id),
                            archetype: row.archetype.clone(),
                            archetype_note: row.archetype_note.clone(),
                            hosts_crime_prevention: row.hosts_crime_prevention,
                        },
                        row,
                        names,
                        "units"
                    )
                })
                .collect(),
            staff_role: self
                .staff_roles
                .iter()
                .map(|row| {
                    let (exact, min, max) = match (row.weekly_minutes_min, row.weekly_minutes_max) {
                        (Some(min), Some(max)) if min == max => (Some(hours(min)), None, None),
                        (min, max) => (None, min.map(hours), max.map(hours)),
                    };
                    record!(
                        StaffRoleRecord {
                            unit: names.record(row.unit_id),
                            title: row.title.clone(),
                            headcount: row.headcount,
                            weekly_hours: exact,
                            weekly_hours_min: min,
                            weekly_hours_max: max,
                            prevention_level: row.prevention_level.clone(),
                            pillar: row.pillar.clone(),
                        },
                        row,
                        names,
                        "staff_roles"
                    )
                })
                .collect(),
            budget_line: self
                .budget_lines
                .iter()
                .map(|row| {
                    record!(
                        BudgetLineRecord {
                            unit: names.record_opt(row.unit_id),
                            year: row.year,
                            category: row.category.clone(),
                            phase: row.phase.clone(),
                            amount: row.amount_ore.map(kroner),
                            function_code: row.function_code.clone(),
                            description: row.description.clone(),
                        },
                        row,
                        names,
                        "budget_lines"
                    )
                })
                .collect(),
            forum: forums,
            goal: self
                .goals
                .iter()
                .map(|row| {
                    record!(
                        GoalRecord {
                            plan: row.plan.clone(),
                            number: row.number,
                            title: row.title.clone(),
                        },
                        row,
                        names,
                        "goals"
                    )
                })
                .collect(),
            intervention: self
                .interventions
                .iter()
                .map(|row| {
                    record!(
                        InterventionRecord {
                            name: row.name.clone(),
                            description: row.description.clone(),
                            goal: names.record_opt(row.goal_id),
                            lead_unit: names.record_opt(row.lead_unit_id),
                            prevention_level: row.prevention_level.clone(),
                            target_group: row.target_group.clone(),
                            age_min: row.age_min,
                            age_max: row.age_max,
                            funding: row.funding.clone(),
                            partner: partners(row.id),
                        },
                        row,
                        names,
                        "interventions"
                    )
                })
                .collect(),
            shared_project: self
                .shared_projects
                .iter()
                .map(|row| {
                    record!(
                        SharedProjectRecord {
                            name: row.name.clone(),
                            description: row.description.clone(),
                            participant: participants(row.id),
                        },
                        row,
                        names,
                        "shared_projects"
                    )
                })
                .collect(),
            contact: self
                .contacts
                .iter()
                .map(|row| {
                    record!(
                        ContactRecord {
                            unit: names.record_opt(row.unit_id),
                            name: row.name.clone(),
                            role_title: row.role_title.clone(),
                            phone: row.phone.clone(),
                            email: row.email.clone(),
                        },
                        row,
                        names,
                        "contacts"
                    )
                })
                .collect(),
            key_indicator: self
                .key_indicators
                .iter()
                .map(|row| {
                    record!(
                        KeyIndicatorRecord {
                            measure: row.measure.clone(),
                            title: row.title.clone(),
                            period_start: row.period_start,
                            period_end: row.period_end,
                            kind: row.value_kind.clone(),
                            value: row.value_hundredths.map(|v| kroner(v).normalize()),
                            unit: row.unit.clone(),
                            finding: row.finding.clone(),
                        },
                        row,
                        names,
                        "key_indicators"
                    )
                })
                .collect(),
        }
    }
}

/// The reference data documents name by key: sources, networks, partner organisations, legal
/// bases (not owned by a municipality).
struct Reference {
    sources: HashMap<String, i32>,
    networks: HashMap<String, i32>,
    partners: HashMap<String, i32>,
    legal_bases: HashMap<String, i32>,
    municipalities: HashSet<i32>,
    /// The networks the importing municipality is in.
    own_networks: HashSet<i32>,
}

impl Reference {
    async fn load(store: &Store) -> ApiResult<Self> {
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
struct Keyed {
    kind: &'static str,
    id: i32,
    /// The revision stored (none for a new record).
    revision: Option<i32>,
    /// The path of its first version, for problems.
    at: String,
    /// When its latest version so far ends (for the order of versions).
    last_end: Option<Option<NaiveDate>>,
}

/// What an import knows while it checks a document: the stored records, the document's keys,
/// the reference data, and the problems found.
struct Plan {
    code: i32,
    recorded: Recorded,
    reference: Reference,
    /// Stored identities of the municipality by key: kind, id, revision.
    stored: HashMap<String, (String, i32, i32)>,
    /// The document's records by key.
    keys: HashMap<String, Keyed>,
    /// Keys in the order the document names them first.
    order: Vec<String>,
    problems: Vec<Problem>,
}

impl Plan {
    async fn new(store: &Store, code: i32, by: &ImportAs) -> ApiResult<Self> {
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
            .map(|row| (row.key, (row.kind, row.id, row.revision)))
            .collect();
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

    fn problem(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem {
            path: path.into(),
            message: message.into(),
        });
    }

    /// The value of a check, or its problem noted.
    fn check<T>(&mut self, result: ApiResult<T>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(ApiError::BadUserInput { field, message }) => {
                self.problem(document_path(&field), message);
                None
            }
            Err(other) => {
                self.problem("document", other.message());
                None
            }
        }
    }

    /// Notes the key of a version of a record of `kind` at `at`, valid `[from, to)`: a key seen
    /// before names the record's next version, which must be of the same kind and start when or
    /// after the previous one ends.
    fn key(
        &mut self,
        at: &str,
        kind: &'static str,
        key: &str,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) {
        if self
            .check(checked_text(&format!("{at}.key"), key))
            .is_none()
        {
            return;
        }
        if let Some(seen) = self.keys.get_mut(key) {
            let problem = if seen.kind != kind {
                Some((
                    format!("{at}.key"),
                    format!(
                        "key {key:?} is already the key of a record of {} ({})",
                        seen.kind, seen.at
                    ),
                ))
            } else {
                let previous_end = seen.last_end.flatten();
                seen.last_end = Some(to);
                let follows =
                    matches!((previous_end, from), (Some(end), Some(start)) if start >= end);
                (!follows).then(|| {
                    (
                        format!("{at}.valid_from"),
                        format!(
                            "a next version of {key:?} must start when or after the previous \
                             one ends (its valid_to{}): versions of a record do not overlap",
                            previous_end.map(|d| format!(", {d}")).unwrap_or_default()
                        ),
                    )
                })
            };
            if let Some((path, message)) = problem {
                self.problem(path, message);
            }
            return;
        }
        match self.stored.get(key) {
            Some((stored_kind, _, _)) if stored_kind != kind => {
                self.problem(
                    format!("{at}.key"),
                    format!("key {key:?} is the key of a stored record of {stored_kind}"),
                );
                return;
            }
            None if versions::is_generated_key(key) => {
                self.problem(
                    format!("{at}.key"),
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
                at: at.to_owned(),
                last_end: Some(to),
            },
        );
        self.order.push(key.to_owned());
    }

    /// Notes every record's key and checks the order of its versions.
    fn check_document(&mut self, document: &ModelFile) {
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
            ($list:expr, $name:literal, $kind:literal) => {
                for (i, r) in $list.iter().enumerate() {
                    self.key(
                        &format!(concat!($name, "[{}]"), i),
                        $kind,
                        &r.key,
                        r.valid_from,
                        r.valid_to,
                    );
                }
            };
        }
        keys!(document.committee, "committee", "political_committees");
        keys!(document.unit, "unit", "units");
        keys!(document.staff_role, "staff_role", "staff_roles");
        keys!(document.budget_line, "budget_line", "budget_lines");
        keys!(document.forum, "forum", "forums");
        for (i, forum) in document.forum.iter().enumerate() {
            for (j, member) in forum.member.iter().enumerate() {
                let from = member.valid_from.or(forum.valid_from);
                let to = member.valid_to.or(forum.valid_to);
                self.key(
                    &format!("forum[{i}].member[{j}]"),
                    "forum_members",
                    &member.key,
                    from,
                    to,
                );
            }
        }
        keys!(document.goal, "goal", "goals");
        keys!(document.intervention, "intervention", "interventions");
        keys!(document.shared_project, "shared_project", "shared_projects");
        keys!(document.contact, "contact", "contacts");
        keys!(document.key_indicator, "key_indicator", "key_indicators");
    }

    /// Allocates the identities of the document's new records (in the import's transaction).
    async fn create_identities(&mut self, store: &Store) -> ApiResult<()> {
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
    fn reference(&mut self, field: &str, kind: &str, key: &str) -> Option<i32> {
        let found = self.keys.get(key).map(|keyed| (keyed.kind, keyed.id));
        match found {
            Some((found_kind, id)) if found_kind == kind => Some(id),
            Some((found_kind, _)) => {
                self.problem(
                    field,
                    format!("{key:?} is a record of {found_kind}, not of {kind}"),
                );
                None
            }
            None => {
                self.problem(
                    field,
                    format!("there is no record of {kind} with key {key:?} in the document"),
                );
                None
            }
        }
    }

    fn reference_opt(&mut self, field: &str, kind: &str, key: Option<&str>) -> Option<Option<i32>> {
        match key {
            None => Some(None),
            Some(key) => self.reference(field, kind, key).map(Some),
        }
    }

    /// The id of reference data (`source`, `network`, …) the document names by `key`.
    fn named(&mut self, field: &str, what: &str, key: &str) -> Option<i32> {
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
    fn vocabulary(&mut self, field: &str, value: &str, allowed: &[&str]) -> Option<String> {
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

    fn vocabulary_opt(
        &mut self,
        field: &str,
        value: Option<&str>,
        allowed: &[&str],
    ) -> Option<Option<String>> {
        match value {
            None => Some(None),
            Some(value) => self.vocabulary(field, value, allowed).map(Some),
        }
    }

    fn name(&mut self, field: String, text: &str) -> Option<String> {
        self.check(checked_text(&field, text))
    }

    fn long_text(&mut self, field: String, text: Option<&str>) -> Option<Option<String>> {
        self.check(checked_optional(&field, text, checked_long_text))
    }

    fn short_text(&mut self, field: String, text: Option<&str>) -> Option<Option<String>> {
        self.check(checked_optional(&field, text, checked_text))
    }

    /// The columns every version has, checked.
    fn common(&mut self, at: &str, kind: &str, p: Provenance<'_>) -> Option<Common> {
        let source = self.named(&format!("{at}.source"), "source", p.source);
        let section = self.name(format!("{at}.section"), p.section);
        let mut days = true;
        for (name, day) in [("valid_from", p.valid_from), ("valid_to", p.valid_to)] {
            if let Some(day) = day {
                days &= self
                    .check(checked_day(&format!("{at}.{name}"), day))
                    .is_some();
            }
        }
        if let (Some(from), true) = (p.valid_from, days) {
            days &= self
                .check(checked_end(&format!("{at}.valid_to"), from, p.valid_to))
                .is_some();
        }
        let visibility = match p.visibility {
            None => Some(default_visibility(kind).as_str().to_owned()),
            Some(text) => self.vocabulary(&format!("{at}.visibility"), text, Visibility::ALL),
        };
        let note = self.long_text(format!("{at}.note"), p.note);
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

    fn id_of(&self, key: &str) -> i32 {
        self.keys.get(key).map_or(0, |k| k.id)
    }
}

/// The columns every version has.
struct Common {
    municipality_code: i32,
    visibility: String,
    valid_from: Option<NaiveDate>,
    valid_to: Option<NaiveDate>,
    source_id: i32,
    source_section: String,
    note: Option<String>,
}

/// A version's model from its own columns and a [`Common`]; the identity columns are set when it
/// is written.
macro_rules! version {
    ($module:ident { $($field:ident: $value:expr),* $(,)? }, $id:expr, $common:expr, $recorded:expr) => {{
        let common: Common = $common;
        $module::Model {
            id: $id,
            version: 0,
            latest: false,
            $($field: $value,)*
            municipality_code: common.municipality_code,
            visibility: common.visibility,
            valid_from: common.valid_from,
            valid_to: common.valid_to,
            source_id: common.source_id,
            source_section: common.source_section,
            note: common.note,
            recorded_at: $recorded.at,
            recorded_by: $recorded.by.clone(),
        }
    }};
}

impl Plan {
    /// The document as rows, every field checked (problems noted; rows with problems left out).
    fn desired(&mut self, d: &ModelFile) -> Rows {
        let mut model = Rows::default();
        let recorded = self.recorded.clone();
        for (i, r) in d.committee.iter().enumerate() {
            let at = format!("committee[{i}]");
            let name = self.name(format!("{at}.name"), &r.name);
            let common = self.common(&at, "political_committees", r.provenance());
            if let (Some(name), Some(common)) = (name, common) {
                model.committees.push(version!(
                    political_committee { name: name },
                    self.id_of(&r.key),
                    common,
                    recorded
                ));
            }
        }
        let mut placements: Vec<(Placement, String)> = Vec::new();
        for (i, r) in d.unit.iter().enumerate() {
            let at = format!("unit[{i}]");
            let name = self.name(format!("{at}.name"), &r.name);
            let kind = self.name(format!("{at}.kind"), &r.kind);
            let parent = self.reference_opt(&format!("{at}.parent"), "units", r.parent.as_deref());
            let committee = self.reference_opt(
                &format!("{at}.committee"),
                "political_committees",
                r.committee.as_deref(),
            );
            let archetype = self.vocabulary_opt(
                &format!("{at}.archetype"),
                r.archetype.as_deref(),
                Archetype::ALL,
            );
            let archetype_note =
                self.long_text(format!("{at}.archetype_note"), r.archetype_note.as_deref());
            let common = self.common(&at, "units", r.provenance());
            let id = self.id_of(&r.key);
            if let Some(parent) = parent {
                let placement = Placement {
                    unit: id,
                    parent,
                    valid_from: r.valid_from,
                    valid_to: r.valid_to,
                };
                placements.push((placement, format!("{at}.parent")));
            }
            if let (
                Some(name),
                Some(kind),
                Some(parent),
                Some(committee),
                Some(archetype),
                Some(archetype_note),
                Some(common),
            ) = (
                name,
                kind,
                parent,
                committee,
                archetype,
                archetype_note,
                common,
            ) {
                model.units.push(version!(
                    unit {
                        parent_id: parent,
                        committee_id: committee,
                        name: name,
                        kind: kind,
                        archetype: archetype,
                        archetype_note: archetype_note,
                        hosts_crime_prevention: r.hosts_crime_prevention,
                    },
                    id,
                    common,
                    recorded
                ));
            }
        }
        self.check_tree(&placements);
        for (i, r) in d.staff_role.iter().enumerate() {
            let at = format!("staff_role[{i}]");
            let unit = self.reference(&format!("{at}.unit"), "units", &r.unit);
            let title = self.name(format!("{at}.title"), &r.title);
            let headcount = self.check(checked_headcount(&format!("{at}.headcount"), r.headcount));
            let minutes = match (r.weekly_hours, r.weekly_hours_min, r.weekly_hours_max) {
                (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
                    self.problem(
                        format!("{at}.weekly_hours"),
                        "give weekly_hours or a min/max range, not both",
                    );
                    None
                }
                (Some(exact), None, None) => {
                    let field = format!("{at}.weekly_hours");
                    self.check(checked_hours((&field, Some(exact)), (&field, Some(exact))))
                }
                (None, min, max) => self.check(checked_hours(
                    (&format!("{at}.weekly_hours_min"), min),
                    (&format!("{at}.weekly_hours_max"), max),
                )),
            };
            let level = self.vocabulary_opt(
                &format!("{at}.prevention_level"),
                r.prevention_level.as_deref(),
                PreventionLevel::ALL,
            );
            let pillar =
                self.vocabulary_opt(&format!("{at}.pillar"), r.pillar.as_deref(), Pillar::ALL);
            let common = self.common(&at, "staff_roles", r.provenance());
            if let (
                Some(unit),
                Some(title),
                Some(()),
                Some((min, max)),
                Some(level),
                Some(pillar),
                Some(common),
            ) = (unit, title, headcount, minutes, level, pillar, common)
            {
                model.staff_roles.push(version!(
                    staff_role {
                        unit_id: unit,
                        title: title,
                        headcount: r.headcount,
                        weekly_minutes_min: min,
                        weekly_minutes_max: max,
                        prevention_level: level,
                        pillar: pillar,
                    },
                    self.id_of(&r.key),
                    common,
                    recorded
                ));
            }
        }
        for (i, r) in d.budget_line.iter().enumerate() {
            let at = format!("budget_line[{i}]");
            let unit = self.reference_opt(&format!("{at}.unit"), "units", r.unit.as_deref());
            let year = self.check(checked_year(&format!("{at}.year"), r.year));
            let category =
                self.vocabulary(&format!("{at}.category"), &r.category, BudgetCategory::ALL);
            let phase = self.vocabulary(&format!("{at}.phase"), &r.phase, BudgetPhase::ALL);
            let amount = self.check(ore(&format!("{at}.amount"), r.amount));
            let function_code =
                self.short_text(format!("{at}.function_code"), r.function_code.as_deref());
            let description = self.name(format!("{at}.description"), &r.description);
            let common = self.common(&at, "budget_lines", r.provenance());
            if let (
                Some(unit),
                Some(()),
                Some(category),
                Some(phase),
                Some(amount),
                Some(function_code),
                Some(description),
                Some(common),
            ) = (
                unit,
                year,
                category,
                phase,
                amount,
                function_code,
                description,
                common,
            ) {
                model.budget_lines.push(version!(
                    budget_line {
                        unit_id: unit,
                        year: r.year,
                        category: category,
                        phase: phase,
                        amount_ore: amount,
                        function_code: function_code,
                        description: description,
                    },
                    self.id_of(&r.key),
                    common,
                    recorded
                ));
            }
        }
        for (i, r) in d.forum.iter().enumerate() {
            let at = format!("forum[{i}]");
            let id = self.id_of(&r.key);
            let name = self.name(format!("{at}.name"), &r.name);
            let scope = self.vocabulary(&format!("{at}.scope"), &r.scope, ForumScope::ALL);
            let level = self.vocabulary(&format!("{at}.level"), &r.level, ForumLevel::ALL);
            let cadence = self.short_text(format!("{at}.cadence"), r.cadence.as_deref());
            let purpose = self.long_text(format!("{at}.purpose"), r.purpose.as_deref());
            let network = match r.network.as_deref() {
                None => Some(None),
                Some(key) => {
                    let field = format!("{at}.network");
                    let found = self.named(&field, "network", key);
                    if found.is_some_and(|n| !self.reference.own_networks.contains(&n)) {
                        self.problem(
                            &field,
                            format!("municipality {} is not in the network", self.code),
                        );
                    }
                    found.map(Some)
                }
            };
            for (j, basis) in r.legal_bases.iter().enumerate() {
                if let Some(basis) =
                    self.named(&format!("{at}.legal_bases[{j}]"), "legal basis", basis)
                {
                    let bases = model.legal_bases.entry(id).or_default();
                    if !bases.contains(&basis) {
                        bases.push(basis);
                    }
                }
            }
            let common = self.common(&at, "forums", r.provenance());
            for (j, m) in r.member.iter().enumerate() {
                let at = format!("{at}.member[{j}]");
                let unit = self.reference_opt(&format!("{at}.unit"), "units", m.unit.as_deref());
                let partner = match m.partner.as_deref() {
                    None => Some(None),
                    Some(key) => self
                        .named(&format!("{at}.partner"), "partner organisation", key)
                        .map(Some),
                };
                if m.unit.is_some() == m.partner.is_some() {
                    self.problem(
                        format!("{at}.unit"),
                        "a member names exactly one of unit or partner",
                    );
                }
                let role_title = self.name(format!("{at}.role_title"), &m.role_title);
                let provenance = Provenance {
                    source: m.source.as_deref().unwrap_or(&r.source),
                    section: m.section.as_deref().unwrap_or(&r.section),
                    valid_from: m.valid_from.or(r.valid_from),
                    valid_to: m.valid_to.or(r.valid_to),
                    visibility: m.visibility.as_deref().or(r.visibility.as_deref()),
                    note: m.note.as_deref(),
                };
                let member_common = self.common(&at, "forum_members", provenance);
                if let (Some(unit), Some(partner), Some(role_title), Some(common)) =
                    (unit, partner, role_title, member_common)
                {
                    model.forum_members.push(version!(
                        forum_member {
                            forum_id: id,
                            unit_id: unit,
                            partner_id: partner,
                            role_title: role_title,
                        },
                        self.id_of(&m.key),
                        common,
                        recorded
                    ));
                }
            }
            if let (
                Some(name),
                Some(scope),
                Some(level),
                Some(cadence),
                Some(purpose),
                Some(network),
                Some(common),
            ) = (name, scope, level, cadence, purpose, network, common)
            {
                model.forums.push(version!(
                    forum {
                        network_id: network,
                        name: name,
                        scope: scope,
                        level: level,
                        cadence: cadence,
                        purpose: purpose,
                    },
                    id,
                    common,
                    recorded
                ));
            }
        }
        for (i, r) in d.goal.iter().enumerate() {
            let at = format!("goal[{i}]");
            let plan = self.name(format!("{at}.plan"), &r.plan);
            let number = self.check(checked_goal_number(&format!("{at}.number"), r.number));
            let title = self.name(format!("{at}.title"), &r.title);
            let common = self.common(&at, "goals", r.provenance());
            if let (Some(plan), Some(()), Some(title), Some(common)) = (plan, number, title, common)
            {
                model.goals.push(version!(
                    goal {
                        plan: plan,
                        number: r.number,
                        title: title
                    },
                    self.id_of(&r.key),
                    common,
                    recorded
                ));
            }
        }
        for (i, r) in d.intervention.iter().enumerate() {
            let at = format!("intervention[{i}]");
            let id = self.id_of(&r.key);
            let name = self.name(format!("{at}.name"), &r.name);
            let description = self.long_text(format!("{at}.description"), r.description.as_deref());
            let goal = self.reference_opt(&format!("{at}.goal"), "goals", r.goal.as_deref());
            let lead =
                self.reference_opt(&format!("{at}.lead_unit"), "units", r.lead_unit.as_deref());
            let level = self.vocabulary_opt(
                &format!("{at}.prevention_level"),
                r.prevention_level.as_deref(),
                PreventionLevel::ALL,
            );
            let target_group =
                self.long_text(format!("{at}.target_group"), r.target_group.as_deref());
            let ages = self.check(checked_ages(&at, r.age_min, r.age_max));
            let funding = self.long_text(format!("{at}.funding"), r.funding.as_deref());
            for (j, p) in r.partner.iter().enumerate() {
                let at = format!("{at}.partner[{j}]");
                let unit = self.reference_opt(&format!("{at}.unit"), "units", p.unit.as_deref());
                let partner = match p.partner.as_deref() {
                    None => Some(None),
                    Some(key) => self
                        .named(&format!("{at}.partner"), "partner organisation", key)
                        .map(Some),
                };
                if p.unit.is_some() == p.partner.is_some() {
                    self.problem(
                        format!("{at}.unit"),
                        "a partner names exactly one of unit or partner",
                    );
                }
                let role = self.short_text(format!("{at}.role"), p.role.as_deref());
                if let (Some(unit), Some(partner), Some(role)) = (unit, partner, role) {
                    let partners = model.partners.entry(id).or_default();
                    if !partners.contains(&(unit, partner, role.clone())) {
                        partners.push((unit, partner, role));
                    }
                }
            }
            let common = self.common(&at, "interventions", r.provenance());
            if let (
                Some(name),
                Some(description),
                Some(goal),
                Some(lead),
                Some(level),
                Some(target_group),
                Some(()),
                Some(funding),
                Some(common),
            ) = (
                name,
                description,
                goal,
                lead,
                level,
                target_group,
                ages,
                funding,
                common,
            ) {
                model.interventions.push(version!(
                    intervention {
                        goal_id: goal,
                        lead_unit_id: lead,
                        name: name,
                        description: description,
                        prevention_level: level,
                        target_group: target_group,
                        age_min: r.age_min,
                        age_max: r.age_max,
                        funding: funding,
                    },
                    id,
                    common,
                    recorded
                ));
            }
        }
        for (i, r) in d.shared_project.iter().enumerate() {
            let at = format!("shared_project[{i}]");
            let id = self.id_of(&r.key);
            let name = self.name(format!("{at}.name"), &r.name);
            let description = self.long_text(format!("{at}.description"), r.description.as_deref());
            for (j, p) in r.participant.iter().enumerate() {
                let at = format!("{at}.participant[{j}]");
                if !self.reference.municipalities.contains(&p.municipality) {
                    self.problem(
                        format!("{at}.municipality"),
                        format!("there is no municipality {}", p.municipality),
                    );
                }
                let role = self.vocabulary(&format!("{at}.role"), &p.role, ProjectRole::ALL);
                let contribution = self.check(ore(&format!("{at}.contribution"), p.contribution));
                let note = self.long_text(
                    format!("{at}.contribution_note"),
                    p.contribution_note.as_deref(),
                );
                if let (Some(role), Some(contribution), Some(note)) = (role, contribution, note) {
                    let row = (p.municipality, role, contribution, note);
                    let participants = model.participants.entry(id).or_default();
                    if !participants.contains(&row) {
                        participants.push(row);
                    }
                }
            }
            let common = self.common(&at, "shared_projects", r.provenance());
            if let (Some(name), Some(description), Some(common)) = (name, description, common) {
                model.shared_projects.push(version!(
                    shared_project {
                        name: name,
                        description: description
                    },
                    id,
                    common,
                    recorded
                ));
            }
        }
        for (i, r) in d.contact.iter().enumerate() {
            let at = format!("contact[{i}]");
            let unit = self.reference_opt(&format!("{at}.unit"), "units", r.unit.as_deref());
            let name = self.name(format!("{at}.name"), &r.name);
            let role_title = self.name(format!("{at}.role_title"), &r.role_title);
            let phone = self.check(checked_optional(
                &format!("{at}.phone"),
                r.phone.as_deref(),
                checked_phone,
            ));
            let email = self.check(checked_optional(
                &format!("{at}.email"),
                r.email.as_deref(),
                checked_email,
            ));
            let common = self.common(&at, "contacts", r.provenance());
            if let (
                Some(unit),
                Some(name),
                Some(role_title),
                Some(phone),
                Some(email),
                Some(common),
            ) = (unit, name, role_title, phone, email, common)
            {
                model.contacts.push(version!(
                    contact {
                        unit_id: unit,
                        name: name,
                        role_title: role_title,
                        phone: phone,
                        email: email,
                    },
                    self.id_of(&r.key),
                    common,
                    recorded
                ));
            }
        }
        for (i, r) in d.key_indicator.iter().enumerate() {
            let at = format!("key_indicator[{i}]");
            let measure = self.vocabulary(&format!("{at}.measure"), &r.measure, Measure::ALL);
            let title = self.name(format!("{at}.title"), &r.title);
            let unit = self.short_text(format!("{at}.unit"), r.unit.as_deref());
            let kind = self.vocabulary(&format!("{at}.kind"), &r.kind, IndicatorKind::ALL);
            let figure = kind
                .as_deref()
                .and_then(IndicatorKind::parse)
                .and_then(|kind| {
                    self.check(checked_figure(
                        &at,
                        Figure {
                            period_start: r.period_start,
                            period_end: r.period_end,
                            kind,
                            value: r.value,
                            finding: r.finding.clone(),
                        },
                    ))
                });
            let common = self.common(&at, "key_indicators", r.provenance());
            if let (
                Some(measure),
                Some(title),
                Some(unit),
                Some(kind),
                Some(figure),
                Some(common),
            ) = (measure, title, unit, kind, figure, common)
            {
                model.key_indicators.push(version!(
                    key_indicator {
                        measure: measure,
                        title: title,
                        period_start: r.period_start,
                        period_end: r.period_end,
                        value_kind: kind,
                        value_hundredths: figure.value_hundredths,
                        unit: unit,
                        finding: figure.finding,
                    },
                    self.id_of(&r.key),
                    common,
                    recorded
                ));
            }
        }
        model
    }

    /// A record a version refers to holds on the version's first day (when it has one), as the
    /// mutations ask of the records their input names: a unit's parent and committee, the unit
    /// of a staff role, a budget line, a forum member or a contact, an intervention's goal and
    /// lead unit. (An intervention's partners belong to no version.)
    fn check_days(&mut self, d: &ModelFile) {
        let mut validity: HashMap<&str, Vec<Validity>> = HashMap::new();
        let committees = d
            .committee
            .iter()
            .map(|r| (&r.key, r.valid_from, r.valid_to));
        let units = d.unit.iter().map(|r| (&r.key, r.valid_from, r.valid_to));
        let goals = d.goal.iter().map(|r| (&r.key, r.valid_from, r.valid_to));
        for (key, from, to) in committees.chain(units).chain(goals) {
            validity.entry(key).or_default().push((from, to));
        }
        let mut references: Vec<(String, Option<&str>, Option<NaiveDate>)> = Vec::new();
        for (i, r) in d.unit.iter().enumerate() {
            references.push((
                format!("unit[{i}].parent"),
                r.parent.as_deref(),
                r.valid_from,
            ));
            references.push((
                format!("unit[{i}].committee"),
                r.committee.as_deref(),
                r.valid_from,
            ));
        }
        for (i, r) in d.staff_role.iter().enumerate() {
            references.push((format!("staff_role[{i}].unit"), Some(&r.unit), r.valid_from));
        }
        for (i, r) in d.budget_line.iter().enumerate() {
            references.push((
                format!("budget_line[{i}].unit"),
                r.unit.as_deref(),
                r.valid_from,
            ));
        }
        for (i, forum) in d.forum.iter().enumerate() {
            for (j, m) in forum.member.iter().enumerate() {
                let day = m.valid_from.or(forum.valid_from);
                references.push((
                    format!("forum[{i}].member[{j}].unit"),
                    m.unit.as_deref(),
                    day,
                ));
            }
        }
        for (i, r) in d.intervention.iter().enumerate() {
            references.push((
                format!("intervention[{i}].goal"),
                r.goal.as_deref(),
                r.valid_from,
            ));
            references.push((
                format!("intervention[{i}].lead_unit"),
                r.lead_unit.as_deref(),
                r.valid_from,
            ));
        }
        for (i, r) in d.contact.iter().enumerate() {
            references.push((
                format!("contact[{i}].unit"),
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

    /// No unit is placed under itself or one of its own units on any day: the problem is the
    /// parent of a version that holds on the first day of a cycle.
    fn check_tree(&mut self, placements: &[(Placement, String)]) {
        let tree: Vec<Placement> = placements.iter().map(|(placement, _)| *placement).collect();
        let mut refused = BTreeSet::new();
        for (unit, day) in units_in_cycles(&tree, None, None) {
            let field = placements
                .iter()
                .find(|(placement, _)| placement.unit == unit && placement.holds_on(day))
                .map(|(_, field)| field.clone());
            refused.extend(field);
        }
        for field in refused {
            self.problem(
                field,
                "a unit cannot be placed under itself or one of its own units",
            );
        }
    }
}

/// The differences between the document's records and the stored ones.
#[derive(Default)]
struct Diff {
    changes: Vec<RecordChange>,
    unchanged: usize,
    /// Whether a visibility changes (or a new record is not private): an admin's decision.
    shares: bool,
    /// What to write, by identity: the first day that differs, for a change.
    effective: HashMap<i32, Option<NaiveDate>>,
    removed: Vec<i32>,
}

/// The columns of a version that say what it is (not which version or when it was recorded), as
/// JSON, by the document's field names.
fn comparable<E: Writable>(row: &E::Model) -> serde_json::Map<String, Json> {
    let Json::Object(mut object) = row_json(row) else {
        return serde_json::Map::new();
    };
    for column in ["id", "version", "latest", "recorded_at", "recorded_by"] {
        object.remove(column);
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
    fn compare<E: Writable>(
        &mut self,
        plan: &Plan,
        desired: &[E::Model],
        stored: &[E::Model],
        desired_extra: &HashMap<i32, Json>,
        stored_extra: &HashMap<i32, Json>,
    ) {
        let kind = E::default().table_name().to_owned();
        let kind = kind.as_str();
        let by_id = |rows: &[E::Model]| {
            let mut map: HashMap<i32, Vec<serde_json::Map<String, Json>>> = HashMap::new();
            for row in rows {
                let id = super::int_value(row, E::id()).unwrap_or_default();
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
            let visibility_of = |versions: &[serde_json::Map<String, Json>]| -> BTreeSet<String> {
                versions
                    .iter()
                    .filter_map(|v| {
                        v.get("visibility")
                            .and_then(Json::as_str)
                            .map(str::to_owned)
                    })
                    .collect()
            };
            match have.get(&id) {
                None => {
                    if visibility_of(&new_versions)
                        .iter()
                        .any(|v| v != Visibility::Private.as_str())
                    {
                        self.shares = true;
                    }
                    let first = new_versions
                        .first()
                        .and_then(|v| v.get("valid_from"))
                        .and_then(day_of);
                    self.effective.insert(id, first);
                    self.changes.push(RecordChange {
                        kind: kind.to_owned(),
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
                            "forums" => "legal_bases",
                            "interventions" => "partner",
                            _ => "participant",
                        };
                        fields.insert(name.to_owned());
                        first_difference.get_or_insert(0);
                    }
                    let Some(index) = first_difference else {
                        self.unchanged += 1;
                        continue;
                    };
                    if visibility_of(&new_versions) != visibility_of(old_versions) {
                        self.shares = true;
                    }
                    let effective =
                        first_day_that_differs(new_versions.get(index), old_versions.get(index));
                    self.effective.insert(id, effective);
                    self.changes.push(RecordChange {
                        kind: kind.to_owned(),
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
        for id in gone {
            let key = plan
                .stored
                .iter()
                .find(|(_, (_, stored_id, _))| *stored_id == id)
                .map_or_else(|| format!("#{id}"), |(key, _)| key.clone());
            self.removed.push(id);
            self.changes.push(RecordChange {
                kind: kind.to_owned(),
                key,
                change: ChangeKind::Removed,
                fields: Vec::new(),
            });
        }
    }
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

/// Writes what a [`Diff`] found.
struct Apply<'a> {
    store: &'a Store,
    plan: &'a Plan,
    by: &'a ImportAs,
    diff: &'a Diff,
    /// The link rows of the records written, by identity, as they were before (for the audit).
    links_before: HashMap<i32, (LinkTable, Json)>,
}

impl Apply<'_> {
    /// The identity of the record a change is to.
    fn id_of(&self, change: &RecordChange) -> i32 {
        match change.change {
            ChangeKind::Removed => self.plan.stored[&change.key].1,
            _ => self.plan.keys[&change.key].id,
        }
    }

    /// The link rows of every record the import writes, as they are before it.
    async fn links_before(&self) -> ApiResult<HashMap<i32, (LinkTable, Json)>> {
        let mut before = HashMap::new();
        for change in &self.diff.changes {
            let id = self.id_of(change);
            if let Some(rows) = linked_rows(&self.store.db, &change.kind, id).await? {
                before.insert(id, rows);
            }
        }
        Ok(before)
    }

    /// Replaces the versions of the added and changed records of `E`, and deletes the versions of
    /// its removed records (their identities go last: [`Apply::remove_identities`]).
    async fn kind<E: Writable>(&self, desired: &[E::Model], stored: &[E::Model]) -> ApiResult<()>
    where
        E::Model: Clone,
    {
        let kind = E::default().table_name().to_owned();
        let group = |rows: &[E::Model]| {
            let mut map: HashMap<i32, Vec<E::Model>> = HashMap::new();
            for row in rows {
                map.entry(super::int_value(row, E::id()).unwrap_or_default())
                    .or_default()
                    .push(row.clone());
            }
            map
        };
        let wanted = group(desired);
        let mut have = group(stored);
        for change in self.diff.changes.iter().filter(|c| c.kind == kind) {
            let (id, revision) = match change.change {
                ChangeKind::Removed => {
                    let (_, id, revision) = self.plan.stored[&change.key];
                    (id, revision)
                }
                _ => {
                    let keyed = &self.plan.keys[&change.key];
                    (keyed.id, keyed.revision.unwrap_or(1))
                }
            };
            let before = have.remove(&id).unwrap_or_default();
            if change.change != ChangeKind::Added {
                E::delete_many()
                    .filter(E::id().eq(id))
                    .exec(&self.store.db)
                    .await?;
            }
            if change.change != ChangeKind::Removed {
                let versions = wanted
                    .get(&id)
                    .cloned()
                    .unwrap_or_default()
                    .into_iter()
                    .map(|row| row.into_active_model().reset_all())
                    .collect();
                versions::insert_versions(&self.store.db, versions, id, &self.by.recorded).await?;
            }
            if self.by.record_changes {
                let action = match change.change {
                    ChangeKind::Added => WriteAction::Create,
                    ChangeKind::Changed => WriteAction::Update,
                    ChangeKind::Removed => WriteAction::Delete,
                };
                let effective = self.diff.effective.get(&id).copied().flatten();
                self.store
                    .record_import::<E>(
                        action,
                        (self.plan.code, id, revision),
                        effective,
                        &self.by.recorded,
                        (&before, self.links_before.get(&id)),
                    )
                    .await?;
            }
        }
        Ok(())
    }

    /// Replaces the rows that belong to a changed or added record rather than to a version: a
    /// forum's legal bases, an intervention's partners, a project's participants.
    async fn links(&self, desired: &Rows) -> ApiResult<()> {
        let db = &self.store.db;
        let touched = |kind: &str| -> Vec<i32> {
            self.diff
                .changes
                .iter()
                .filter(|c| c.kind == kind)
                .map(|c| self.id_of(c))
                .collect()
        };
        let forums = touched("forums");
        forum_legal_basis::Entity::delete_many()
            .filter(forum_legal_basis::Column::ForumId.is_in(forums.clone()))
            .exec(db)
            .await?;
        for id in &forums {
            for basis in desired.legal_bases.get(id).into_iter().flatten() {
                forum_legal_basis::ActiveModel {
                    id: NotSet,
                    forum_id: Set(*id),
                    legal_basis_id: Set(*basis),
                }
                .insert(db)
                .await?;
            }
        }
        let interventions = touched("interventions");
        intervention_partner::Entity::delete_many()
            .filter(intervention_partner::Column::InterventionId.is_in(interventions.clone()))
            .exec(db)
            .await?;
        for id in &interventions {
            for (unit, partner, role) in desired.partners.get(id).into_iter().flatten() {
                intervention_partner::ActiveModel {
                    id: NotSet,
                    intervention_id: Set(*id),
                    unit_id: Set(*unit),
                    partner_id: Set(*partner),
                    role: Set(role.clone()),
                }
                .insert(db)
                .await?;
            }
        }
        let projects = touched("shared_projects");
        project_participant::Entity::delete_many()
            .filter(project_participant::Column::ProjectId.is_in(projects.clone()))
            .exec(db)
            .await?;
        for id in &projects {
            for (code, role, ore, note) in desired.participants.get(id).into_iter().flatten() {
                project_participant::ActiveModel {
                    id: NotSet,
                    project_id: Set(*id),
                    participant_code: Set(*code),
                    role: Set(role.clone()),
                    contribution_ore: Set(*ore),
                    contribution_note: Set(note.clone()),
                }
                .insert(db)
                .await?;
            }
        }
        Ok(())
    }

    /// Deletes the identities of removed records, once no version refers to them.
    async fn remove_identities(&self) -> ApiResult<()> {
        let ids = self.diff.removed.clone();
        if ids.is_empty() {
            return Ok(());
        }
        identity::Entity::delete_many()
            .filter(Condition::all().add(identity::Column::Id.is_in(ids)))
            .exec(&self.store.db)
            .await?;
        Ok(())
    }
}
