//! Comparison of organisation models: the figures of DOMAIN.md ("Comparison figures"), each with the
//! records and sources it was computed from, and a reason wherever it cannot be computed.
//!
//! Sources that disagree are not merged: staffing and budget figures are computed per source
//! document, so a municipality described by two documents shows two sets of figures.
//!
//! Figures are computed from the records the caller may see only. Each also says how many records
//! of its selection (same municipality, day, source, year or level) the caller may not see and were
//! left out ([`Figure::hidden_records`]): those are counted in SQL, one statement per table for all
//! the municipalities compared, and the count is the only thing read of them.

use std::{
    collections::{BTreeMap, HashMap, HashSet},
    sync::Arc,
};

use chrono::{Datelike, NaiveDate};
use entities::*;
use rust_decimal::Decimal;
use sea_orm::{
    sea_query::IntoCondition, ColumnTrait, Condition, QueryFilter, QuerySelect, TryGetableMany,
};

use super::{Scoped, Store};
use tracing::Instrument;

use crate::error::{ApiError, ApiResult};

/// Weekly hours of one full-time equivalent, in minutes (37 hours).
pub const FTE_MINUTES: i64 = 37 * 60;
/// Most municipalities one comparison may ask for: every municipality of Denmark (98), with room.
pub const MAX_COMPARED: usize = 100;

/// A record a figure was computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordRef {
    Municipality(i32),
    StaffRole(i32),
    BudgetLine(i32),
    Forum(i32),
    Goal(i32),
    Intervention(i32),
}

/// Why a figure is unknown, or how it was computed: a stable code with its parameters, which a
/// client words in its own language ([`Reason::text`] says it in English).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// Rounded to two decimals.
    Rounded,
    /// Full-time equivalents from weekly hours (37 hours = 1), rounded to two decimals.
    FteFromWeeklyHours,
    /// The headcount of these roles is not given.
    HeadcountNotGiven { roles: Vec<String> },
    /// The weekly hours of these roles are not given.
    WeeklyHoursNotGiven { roles: Vec<String> },
    /// No budget line of the year has an amount.
    NoAmounts { year: i32 },
    /// No budget line of the year that the caller may see has an amount.
    NoSharedAmounts { year: i32 },
    /// Budget lines without an amount are not counted.
    LinesWithoutAmount { count: usize },
    /// The municipality's population is unknown; the dataset's note says why, if it does.
    PopulationUnknown {
        municipality: String,
        note: Option<String>,
    },
    /// The dataset's note on the population figure (its rounding, its year).
    PopulationNote { note: String },
    /// What the figure is divided by is unknown.
    DivisorUnknown { divisor: Divisor },
    /// What the figure is divided by is zero.
    DivisorZero { divisor: Divisor },
    /// Unknown, with nothing more to say.
    Unknown,
}

/// What a derived figure is divided by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Divisor {
    Population,
    Headcount,
}

impl Divisor {
    fn text(self) -> &'static str {
        match self {
            Self::Population => "population",
            Self::Headcount => "headcount",
        }
    }
}

impl Reason {
    /// The reason in English (the API's `reason` text).
    pub fn text(&self) -> String {
        match self {
            Self::Rounded => "rounded to 2 decimals".to_owned(),
            Self::FteFromWeeklyHours => "37 hours a week = 1 FTE; rounded to 2 decimals".to_owned(),
            Self::HeadcountNotGiven { roles } => {
                format!("headcount not given for: {}", roles.join(", "))
            }
            Self::WeeklyHoursNotGiven { roles } => {
                format!("weekly hours not given for: {}", roles.join(", "))
            }
            Self::NoAmounts { year } => format!("no amounts for {year} in this source"),
            Self::NoSharedAmounts { year } => {
                format!("no amounts for {year} in the lines of this source shared with you")
            }
            Self::LinesWithoutAmount { count } => {
                format!("{count} line(s) without an amount are not counted")
            }
            Self::PopulationUnknown { municipality, note } => format!(
                "population of {municipality} unknown: {}",
                note.as_deref().unwrap_or("not given in the sources")
            ),
            Self::PopulationNote { note } => note.clone(),
            Self::DivisorUnknown { divisor } => format!("{} is unknown", divisor.text()),
            Self::DivisorZero { divisor } => format!("{} is zero", divisor.text()),
            Self::Unknown => "unknown".to_owned(),
        }
    }
}

/// A number, exact (`min == max`) or a range, or unknown with the reason why.
#[derive(Debug, Clone, Default)]
pub struct Figure {
    pub min: Option<Decimal>,
    pub max: Option<Decimal>,
    /// Why the figure is unknown, or a caveat about how it was computed (records left out are
    /// said by [`Figure::explanation`], not here).
    pub reason: Option<Reason>,
    /// Shared: a figure is handed out as often as a query asks for it.
    pub records: Arc<[RecordRef]>,
    pub source_ids: Vec<i32>,
    /// How many records of the figure's selection the caller may not see: they are left out of
    /// `min`, `max` and `records`.
    pub hidden_records: usize,
}

impl Figure {
    fn known(min: Decimal, max: Decimal) -> Self {
        Self {
            min: Some(min),
            max: Some(max),
            ..Self::default()
        }
    }

    fn unknown(reason: Reason) -> Self {
        Self {
            reason: Some(reason),
            ..Self::default()
        }
    }

    /// The reason, followed by what was left out: "weekly hours not given for: Leder; 2 records
    /// are not shared with you and are left out". None when there is nothing to say.
    pub fn explanation(&self) -> Option<String> {
        let left_out = left_out_note(self.hidden_records);
        match (self.reason.as_ref().map(Reason::text), left_out) {
            (Some(reason), Some(left_out)) => Some(format!("{reason}; {left_out}")),
            (reason, left_out) => reason.or(left_out),
        }
    }

    /// The figure, saying that `hidden` records of its selection were left out.
    fn left_out(mut self, hidden: usize) -> Self {
        self.hidden_records = hidden;
        self
    }

    fn with_records(mut self, records: Vec<RecordRef>, mut source_ids: Vec<i32>) -> Self {
        source_ids.sort_unstable();
        source_ids.dedup();
        self.records = records.into();
        self.source_ids = source_ids;
        self
    }

    /// `self / divisor × scale`, rounded to two decimals; unknown when either side is. What was
    /// left out of either side is not carried over: the caller says it with [`Figure::left_out`].
    fn per(&self, divisor: &Figure, scale: Decimal, what: Divisor) -> Figure {
        let (Some(min), Some(max)) = (self.min, self.max) else {
            return Figure::unknown(self.reason.clone().unwrap_or(Reason::Unknown));
        };
        let Some(by) = divisor.min else {
            let reason = divisor
                .reason
                .clone()
                .unwrap_or(Reason::DivisorUnknown { divisor: what });
            return Figure::unknown(reason);
        };
        if by.is_zero() {
            return Figure::unknown(Reason::DivisorZero { divisor: what });
        }
        let round = |value: Decimal| (value * scale / by).round_dp(2);
        let mut figure = Figure::known(round(min), round(max));
        figure.reason = Some(Reason::Rounded);
        let mut records = self.records.to_vec();
        records.extend(divisor.records.iter().copied());
        let mut sources = self.source_ids.clone();
        sources.extend(divisor.source_ids.iter().copied());
        figure.with_records(records, sources)
    }
}

/// What a figure says about the records left out of it (none when there are none).
pub fn left_out_note(hidden: usize) -> Option<String> {
    match hidden {
        0 => None,
        1 => Some("1 record is not shared with you and is left out".to_owned()),
        n => Some(format!(
            "{n} records are not shared with you and are left out"
        )),
    }
}

/// Where the crime-prevention work sits: the hosting unit, its path from the top, its committee.
#[derive(Debug, Clone)]
pub struct Placement {
    pub unit: Arc<unit::Version>,
    /// From the top of the hierarchy down to (and including) the unit.
    pub path: Vec<Arc<unit::Version>>,
    /// The committee of the unit or of its nearest ancestor that reports to one.
    pub committee: Option<Arc<political_committee::Version>>,
}

entities::row! {
    /// The columns of a staff role that the figures read (the comparison reads no others).
    #[derive(Debug, Clone)]
    pub struct RoleFacts {
        pub id: i32,
        pub municipality_code: i32,
        pub source_id: i32,
        pub title: String,
        pub headcount: Option<i32>,
        pub weekly_minutes_min: Option<i32>,
        pub weekly_minutes_max: Option<i32>,
        pub prevention_level: Option<String>,
    }
}

entities::row! {
    /// The columns of a budget line that the figures read.
    #[derive(Debug, Clone)]
    pub struct LineFacts {
        pub id: i32,
        pub municipality_code: i32,
        pub source_id: i32,
        pub category: String,
        pub amount_ore: Option<i64>,
    }
}

entities::row! {
    /// The columns of a forum that the counts read.
    #[derive(Debug, Clone)]
    pub struct ForumFacts {
        pub id: i32,
        pub municipality_code: i32,
        pub level: String,
    }
}

entities::row! {
    /// The columns of a goal or an intervention that the plans' counts read.
    #[derive(Debug, Clone)]
    pub struct InPlanFacts {
        pub id: i32,
        pub municipality_code: i32,
        pub source_id: i32,
        pub plan_id: Option<i32>,
    }
}

/// A plan current on the day that is part of no other plan current then (a strategy, with its
/// action plans as parts), and what belongs to it or to its parts.
#[derive(Debug, Clone)]
pub struct PlanFigures {
    pub plan: Arc<plan::Version>,
    /// The plans current on the day that are part of it, directly or further down.
    pub parts: Vec<Arc<plan::Version>>,
    /// How many goals belong to the plan or its parts.
    pub goals: Figure,
    /// How many interventions belong to the plan or its parts.
    pub interventions: Figure,
}

/// The parts of a comparison that are read only when a query asks for them.
#[derive(Debug, Clone, Copy, Default)]
pub struct AskedFor {
    /// The current plans and what belongs to them.
    pub plans: bool,
}

/// What the plans of a comparison are computed from (empty when they were not asked for).
#[derive(Default)]
struct PlansCompared {
    plans: Vec<Arc<plan::Version>>,
    hidden_plans: Vec<(i32, i64)>,
    goals: Vec<InPlanFacts>,
    hidden_goals: Vec<(i32, Option<i32>, i64)>,
    interventions: Vec<InPlanFacts>,
    hidden_interventions: Vec<(i32, Option<i32>, i64)>,
}

/// Headcount and FTE of one prevention level (none = not stated).
#[derive(Debug, Clone)]
pub struct LevelFigures {
    pub level: Option<String>,
    pub headcount: Figure,
    /// Share of the headcount, in per cent.
    pub headcount_share: Figure,
    pub fte: Figure,
}

/// Staffing as one source document gives it.
#[derive(Debug, Clone)]
pub struct StaffingFigures {
    pub source_id: i32,
    /// The roles the caller may see (none when the caller may see none of the source's roles).
    pub roles: Vec<RoleFacts>,
    pub headcount: Figure,
    pub fte: Figure,
    pub headcount_per_10k: Figure,
    pub fte_per_10k: Figure,
    pub by_prevention_level: Vec<Arc<LevelFigures>>,
}

/// A year's budget as one source document gives it.
#[derive(Debug, Clone)]
pub struct BudgetFigures {
    pub source_id: i32,
    pub year: i32,
    pub lines: Vec<LineFacts>,
    /// The `frame` line when there is one, otherwise the sum of the lines with amounts (DKK).
    pub total: Figure,
    pub per_inhabitant: Figure,
}

/// The forums of one level.
#[derive(Debug, Clone)]
pub struct ForumLevel {
    pub level: String,
    /// The forums the caller may see.
    pub forums: Vec<ForumFacts>,
    /// How many forums of the level the caller may not see (left out of `forums`).
    pub hidden_records: usize,
}

/// One municipality in a comparison.
#[derive(Debug, Clone)]
pub struct ComparedModel {
    pub municipality: municipality::Model,
    pub population: Figure,
    pub placements: Vec<Arc<Placement>>,
    pub staffing: Vec<Arc<StaffingFigures>>,
    pub budgets: Vec<Arc<BudgetFigures>>,
    pub forums_by_level: Vec<Arc<ForumLevel>>,
    pub plans: Vec<Arc<PlanFigures>>,
    /// How many plans current on the day the caller may not see (left out of `plans`).
    pub hidden_plans: usize,
}

impl Store {
    /// Compares the organisation models of `codes` as of `as_of`, in the order asked for, with
    /// the parts that are read only when asked for (`asked`).
    /// A fixed number of statements, whatever the number of municipalities or records.
    pub async fn compare(
        &self,
        codes: &[i32],
        as_of: NaiveDate,
        asked: AskedFor,
    ) -> ApiResult<Vec<ComparedModel>> {
        if codes.is_empty() || codes.len() > MAX_COMPARED {
            return Err(ApiError::bad_input(
                "codes",
                format!("give between 1 and {MAX_COMPARED} municipality codes"),
            ));
        }
        if let Some(twice) = codes
            .iter()
            .enumerate()
            .find_map(|(i, code)| codes[..i].contains(code).then_some(code))
        {
            return Err(ApiError::bad_input(
                "codes",
                format!("municipality code {twice} is given more than once"),
            ));
        }
        let mut municipalities = self
            .list_by_column::<municipality::Entity>(
                municipality::Column::Code,
                codes,
                Condition::all(),
                None,
            )
            .await?;
        if let Some(missing) = codes
            .iter()
            .find(|code| !municipalities.iter().any(|m| m.code == **code))
        {
            return Err(ApiError::bad_input(
                "codes",
                format!("no municipality with code {missing}"),
            ));
        }
        municipalities.sort_by_key(|m| codes.iter().position(|code| *code == m.code));

        let day = Some(as_of);
        let roles_of_codes = staff_role::Column::MunicipalityCode
            .is_in(codes.iter().copied())
            .into_condition();
        let forums_of_codes = forum::Column::MunicipalityCode
            .is_in(codes.iter().copied())
            .into_condition();
        let lines_of_codes = Condition::all()
            .add(budget_line::Column::MunicipalityCode.is_in(codes.iter().copied()))
            .add(budget_line::Column::Year.eq(as_of.year()));
        // One read after the other: run at once, a comparison would take most of the pool's
        // connections, and under load the comparisons would starve each other (and every other
        // request) of connections.
        let units = self
            .list_by_column::<unit::Entity>(
                unit::Column::MunicipalityCode,
                codes,
                Condition::all(),
                day,
            )
            .await?;
        let committees = self
            .list_by_column::<political_committee::Entity>(
                political_committee::Column::MunicipalityCode,
                codes,
                Condition::all(),
                day,
            )
            .await?;
        let roles: Vec<RoleFacts> = self
            .list_columns::<staff_role::Entity, _>(roles_of_codes.clone(), day)
            .await?;
        let hidden_roles: Vec<(i32, i32, Option<String>, i64)> = self
            .count_hidden::<staff_role::Entity, _>(
                roles_of_codes,
                as_of,
                &[
                    staff_role::Column::MunicipalityCode,
                    staff_role::Column::SourceId,
                    staff_role::Column::PreventionLevel,
                ],
            )
            .await?;
        let forums: Vec<ForumFacts> = self
            .list_columns::<forum::Entity, _>(forums_of_codes.clone(), day)
            .await?;
        let hidden_forums: Vec<(i32, String, i64)> = self
            .count_hidden::<forum::Entity, _>(
                forums_of_codes,
                as_of,
                &[forum::Column::MunicipalityCode, forum::Column::Level],
            )
            .await?;
        let budget_lines: Vec<LineFacts> = self
            .list_columns::<budget_line::Entity, _>(lines_of_codes.clone(), day)
            .await?;
        let hidden_lines: Vec<(i32, i32, i64)> = self
            .count_hidden::<budget_line::Entity, _>(
                lines_of_codes,
                as_of,
                &[
                    budget_line::Column::MunicipalityCode,
                    budget_line::Column::SourceId,
                ],
            )
            .await?;
        let plans = if asked.plans {
            self.plans_compared(codes, as_of).await?
        } else {
            PlansCompared::default()
        };
        let PlansCompared {
            plans,
            hidden_plans,
            goals,
            hidden_goals,
            interventions,
            hidden_interventions,
        } = plans;
        let mut plans = by_municipality(plans, |p| p.municipality_code);
        let mut goals = by_municipality(goals, |g| g.municipality_code);
        let mut interventions = by_municipality(interventions, |i| i.municipality_code);
        let mut roles = by_municipality(roles, |r| r.municipality_code);
        let mut budget_lines = by_municipality(budget_lines, |l| l.municipality_code);
        let mut forums = by_municipality(forums, |f| f.municipality_code);
        let units: Vec<Arc<unit::Version>> = units.into_iter().map(Arc::new).collect();
        let committees: Vec<Arc<political_committee::Version>> =
            committees.into_iter().map(Arc::new).collect();

        let units_by_id: HashMap<i32, &Arc<unit::Version>> =
            units.iter().map(|u| (u.id, u)).collect();
        let committees_by_id: HashMap<i32, &Arc<political_committee::Version>> =
            committees.iter().map(|c| (c.id, c)).collect();

        Ok(municipalities
            .into_iter()
            .map(|municipality| {
                let code = municipality.code;
                let population = population_figure(&municipality);
                let placements = units
                    .iter()
                    .filter(|u| u.municipality_code == code && u.hosts_crime_prevention)
                    .map(|u| Arc::new(placement(u, &units_by_id, &committees_by_id)))
                    .collect();

                let mut hidden_roles_by_source: BTreeMap<i32, BTreeMap<Option<String>, usize>> =
                    BTreeMap::new();
                for (_, source_id, level, hidden) in hidden_roles.iter().filter(|h| h.0 == code) {
                    hidden_roles_by_source
                        .entry(*source_id)
                        .or_default()
                        .insert(level.clone(), count(*hidden));
                }
                let own_roles = roles.remove(&code).unwrap_or_default();
                let hidden_per_source = hidden_roles_by_source
                    .iter()
                    .map(|(source_id, levels)| (*source_id, levels.values().sum()));
                let staffing = group(own_roles, |r| r.source_id, hidden_per_source)
                    .into_iter()
                    .map(|(source_id, (roles, _))| {
                        let hidden_by_level = hidden_roles_by_source
                            .remove(&source_id)
                            .unwrap_or_default();
                        Arc::new(staffing_figures(
                            source_id,
                            roles,
                            &hidden_by_level,
                            &population,
                        ))
                    })
                    .collect();

                let own_lines = budget_lines.remove(&code).unwrap_or_default();
                let hidden_lines = hidden_lines
                    .iter()
                    .filter(|h| h.0 == code)
                    .map(|(_, source_id, hidden)| (*source_id, count(*hidden)));
                let budgets = group(own_lines, |l| l.source_id, hidden_lines)
                    .into_iter()
                    .map(|(source_id, (lines, hidden))| {
                        Arc::new(budget_figures(
                            source_id,
                            as_of.year(),
                            lines,
                            hidden,
                            &population,
                        ))
                    })
                    .collect();

                let own_forums = forums.remove(&code).unwrap_or_default();
                let hidden_forums = hidden_forums
                    .iter()
                    .filter(|h| h.0 == code)
                    .map(|(_, level, hidden)| (level.clone(), count(*hidden)));
                let forums_by_level = group(own_forums, |f| f.level.clone(), hidden_forums)
                    .into_iter()
                    .map(|(level, (forums, hidden_records))| {
                        Arc::new(ForumLevel {
                            level,
                            forums,
                            hidden_records,
                        })
                    })
                    .collect();

                let hidden_in_plans = |hidden: &[(i32, Option<i32>, i64)]| {
                    hidden
                        .iter()
                        .filter(|h| h.0 == code)
                        .filter_map(|(_, plan, hidden)| {
                            Some((plan.as_ref().copied()?, count(*hidden)))
                        })
                        .collect::<Vec<_>>()
                };
                let plans = plan_figures(
                    plans.remove(&code).unwrap_or_default(),
                    InPlans {
                        rows: goals.remove(&code).unwrap_or_default(),
                        hidden: hidden_in_plans(&hidden_goals),
                        record: RecordRef::Goal,
                    },
                    InPlans {
                        rows: interventions.remove(&code).unwrap_or_default(),
                        hidden: hidden_in_plans(&hidden_interventions),
                        record: RecordRef::Intervention,
                    },
                );
                let hidden_plans = hidden_plans
                    .iter()
                    .filter(|h| h.0 == code)
                    .map(|h| count(h.1))
                    .sum();

                ComparedModel {
                    municipality,
                    population,
                    placements,
                    staffing,
                    budgets,
                    forums_by_level,
                    plans,
                    hidden_plans,
                }
            })
            .collect())
    }

    /// The plans of `codes` current on `as_of`, the goals and interventions that belong to a plan,
    /// and how many of each the caller may not see. Six statements.
    async fn plans_compared(&self, codes: &[i32], as_of: NaiveDate) -> ApiResult<PlansCompared> {
        let plans = self
            .list_by_column::<plan::Entity>(
                plan::Column::MunicipalityCode,
                codes,
                Condition::all(),
                Some(as_of),
            )
            .await?;
        let plans_of_codes = plan::Column::MunicipalityCode
            .is_in(codes.iter().copied())
            .into_condition();
        let hidden_plans: Vec<(i32, i64)> = self
            .count_hidden::<plan::Entity, _>(
                plans_of_codes,
                as_of,
                &[plan::Column::MunicipalityCode],
            )
            .await?;
        let (goals, hidden_goals) = self
            .in_plans::<goal::Entity>(
                codes,
                as_of,
                goal::Column::MunicipalityCode,
                goal::Column::PlanId,
            )
            .await?;
        let (interventions, hidden_interventions) = self
            .in_plans::<intervention::Entity>(
                codes,
                as_of,
                intervention::Column::MunicipalityCode,
                intervention::Column::PlanId,
            )
            .await?;
        Ok(PlansCompared {
            plans: plans.into_iter().map(Arc::new).collect(),
            hidden_plans,
            goals,
            hidden_goals,
            interventions,
            hidden_interventions,
        })
    }

    /// The rows of `E` (goals, interventions) of `codes` current on `as_of` that belong to a plan
    /// and that the caller may see, and per municipality and plan how many it may not. Two
    /// statements.
    async fn in_plans<E: Scoped>(
        &self,
        codes: &[i32],
        as_of: NaiveDate,
        owner: E::Column,
        plan: E::Column,
    ) -> ApiResult<(Vec<InPlanFacts>, Vec<(i32, Option<i32>, i64)>)> {
        let in_plans = Condition::all()
            .add(owner.is_in(codes.iter().copied()))
            .add(plan.is_not_null());
        let rows = self
            .list_columns::<E, InPlanFacts>(in_plans.clone(), Some(as_of))
            .await?;
        let hidden = self
            .count_hidden::<E, _>(in_plans, as_of, &[owner, plan])
            .await?;
        Ok((rows, hidden))
    }

    /// How many rows of `E` that `filter` selects, valid at `as_of`, the caller may NOT see, per
    /// value of the `keys` columns: rows of `(keys…, count)`, in that order, for the keys with at
    /// least one such row. The count is all that is read of those rows: never their content, only
    /// the columns a figure is broken down by. One statement.
    async fn count_hidden<E, K>(
        &self,
        filter: Condition,
        as_of: NaiveDate,
        keys: &[E::Column],
    ) -> ApiResult<Vec<K>>
    where
        E: Scoped,
        K: TryGetableMany,
    {
        // Reference data and link rows are not the caller's to be kept from.
        let Some(tenancy) = E::tenancy() else {
            return Ok(Vec::new());
        };
        let hidden = self
            .caller
            .visibility_condition(tenancy.owner, tenancy.visibility, tenancy.resource)
            .not();
        let mut query = E::find().select_only();
        for key in keys {
            query = query.column(*key).group_by(*key);
        }
        let rows = query
            .column_as(E::id_column().count(), "hidden")
            .filter(filter)
            .filter(super::validity_condition::<E>(as_of))
            .filter(hidden)
            .into_tuple::<K>()
            .all(&self.db)
            .instrument(tracing::info_span!(
                "db.read",
                table = E::default().table_name(),
                hidden = true,
            ))
            .await?;
        Ok(rows)
    }
}

/// The rows of each municipality, in their order: each municipality's figures take its own rows
/// without looking through everybody else's.
fn by_municipality<T>(rows: Vec<T>, code_of: fn(&T) -> i32) -> HashMap<i32, Vec<T>> {
    let mut by_code: HashMap<i32, Vec<T>> = HashMap::new();
    for row in rows {
        by_code.entry(code_of(&row)).or_default().push(row);
    }
    by_code
}

/// A count read from the database, as a length.
fn count(rows: i64) -> usize {
    usize::try_from(rows).unwrap_or(0)
}

/// The visible rows grouped by `key_of`, each group with its number of hidden rows: every key that
/// has a visible row or a hidden one, in key order (a key with hidden rows only has no rows).
fn group<T, K: Ord>(
    rows: impl IntoIterator<Item = T>,
    key_of: impl Fn(&T) -> K,
    hidden: impl Iterator<Item = (K, usize)>,
) -> BTreeMap<K, (Vec<T>, usize)> {
    let mut groups: BTreeMap<K, (Vec<T>, usize)> = BTreeMap::new();
    for row in rows {
        groups.entry(key_of(&row)).or_default().0.push(row);
    }
    for (key, count) in hidden {
        groups.entry(key).or_default().1 += count;
    }
    groups
}

/// The goals or the interventions of a municipality that belong to a plan: the rows the caller
/// may see, and per plan how many they may not.
struct InPlans {
    rows: Vec<InPlanFacts>,
    hidden: Vec<(i32, usize)>,
    record: fn(i32) -> RecordRef,
}

impl InPlans {
    /// How many belong to one of `plans` (a plan and its parts).
    fn count_in(&self, plans: &HashSet<i32>) -> Figure {
        let rows: Vec<&InPlanFacts> = self
            .rows
            .iter()
            .filter(|row| row.plan_id.is_some_and(|plan| plans.contains(&plan)))
            .collect();
        let hidden = self
            .hidden
            .iter()
            .filter(|(plan, _)| plans.contains(plan))
            .map(|(_, hidden)| hidden)
            .sum();
        let number = Decimal::from(rows.len());
        Figure::known(number, number)
            .with_records(
                rows.iter().map(|row| (self.record)(row.id)).collect(),
                rows.iter().map(|row| row.source_id).collect(),
            )
            .left_out(hidden)
    }
}

/// The plans of one municipality current on the day that are part of no other plan current then,
/// in id order, each with its parts (further down too) and the goals and interventions of them all.
fn plan_figures(
    plans: Vec<Arc<plan::Version>>,
    goals: InPlans,
    interventions: InPlans,
) -> Vec<Arc<PlanFigures>> {
    let current: HashSet<i32> = plans.iter().map(|p| p.id).collect();
    let mut parts_of: HashMap<i32, Vec<&Arc<plan::Version>>> = HashMap::new();
    for plan in &plans {
        if let Some(whole) = plan.part_of_id {
            parts_of.entry(whole).or_default().push(plan);
        }
    }
    plans
        .iter()
        .filter(|plan| {
            plan.part_of_id
                .is_none_or(|whole| !current.contains(&whole))
        })
        .map(|plan| {
            // The writes keep plans from being part of themselves; `tree` stops a walk anyway.
            let mut tree = HashSet::from([plan.id]);
            let mut parts = Vec::new();
            let mut next = vec![plan.id];
            while let Some(whole) = next.pop() {
                for part in parts_of.get(&whole).into_iter().flatten() {
                    if tree.insert(part.id) {
                        parts.push(Arc::clone(part));
                        next.push(part.id);
                    }
                }
            }
            parts.sort_by_key(|part| part.id);
            Arc::new(PlanFigures {
                plan: Arc::clone(plan),
                parts,
                goals: goals.count_in(&tree),
                interventions: interventions.count_in(&tree),
            })
        })
        .collect()
}

fn population_figure(municipality: &municipality::Model) -> Figure {
    match municipality.population {
        Some(population) => {
            let mut figure = Figure::known(Decimal::from(population), Decimal::from(population))
                .with_records(
                    vec![RecordRef::Municipality(municipality.code)],
                    municipality.population_source_id.into_iter().collect(),
                );
            figure.reason = municipality
                .population_note
                .clone()
                .map(|note| Reason::PopulationNote { note });
            figure
        }
        None => Figure::unknown(Reason::PopulationUnknown {
            municipality: municipality.name.clone(),
            note: municipality.population_note.clone(),
        }),
    }
}

fn placement(
    unit: &Arc<unit::Version>,
    units_by_id: &HashMap<i32, &Arc<unit::Version>>,
    committees_by_id: &HashMap<i32, &Arc<political_committee::Version>>,
) -> Placement {
    let mut path = vec![unit.clone()];
    let mut current = unit;
    // The depth bound guards against a cycle in bad data.
    while let Some(parent) = current
        .parent_id
        .and_then(|id| units_by_id.get(&id))
        .filter(|_| path.len() < 64)
    {
        path.push((*parent).clone());
        current = parent;
    }
    let committee = path
        .iter()
        .find_map(|u| u.committee_id.and_then(|id| committees_by_id.get(&id)))
        .map(|c| (*c).clone());
    path.reverse();
    Placement {
        unit: unit.clone(),
        path,
        committee,
    }
}

/// The staffing figures of one source from the roles the caller may see, and how many it may not
/// see per prevention level.
fn staffing_figures(
    source_id: i32,
    roles: Vec<RoleFacts>,
    hidden_by_level: &BTreeMap<Option<String>, usize>,
    population: &Figure,
) -> StaffingFigures {
    let hidden: usize = hidden_by_level.values().sum();
    let headcount = headcount_of(&roles).left_out(hidden);
    let fte = fte_of(&roles).left_out(hidden);
    let ten_thousand = Decimal::from(10_000);
    let headcount_per_10k = headcount
        .per(population, ten_thousand, Divisor::Population)
        .left_out(hidden + population.hidden_records);
    let fte_per_10k = fte
        .per(population, ten_thousand, Divisor::Population)
        .left_out(hidden + population.hidden_records);
    let hidden_levels = hidden_by_level
        .iter()
        .map(|(level, hidden)| (level.clone(), *hidden));
    let by_prevention_level = group(
        roles.iter().cloned(),
        |r| r.prevention_level.clone(),
        hidden_levels,
    )
    .into_iter()
    .map(|(level, (level_roles, level_hidden))| {
        let level_headcount = headcount_of(&level_roles).left_out(level_hidden);
        Arc::new(LevelFigures {
            // The share is read from every role of the source: the level's and the others'.
            headcount_share: level_headcount
                .per(&headcount, Decimal::from(100), Divisor::Headcount)
                .left_out(hidden),
            fte: fte_of(&level_roles).left_out(level_hidden),
            headcount: level_headcount,
            level,
        })
    })
    .collect();
    StaffingFigures {
        source_id,
        roles,
        headcount,
        fte,
        headcount_per_10k,
        fte_per_10k,
        by_prevention_level,
    }
}

fn role_records(roles: &[RoleFacts]) -> (Vec<RecordRef>, Vec<i32>) {
    (
        roles.iter().map(|r| RecordRef::StaffRole(r.id)).collect(),
        roles.iter().map(|r| r.source_id).collect(),
    )
}

fn headcount_of(roles: &[RoleFacts]) -> Figure {
    let (records, sources) = role_records(roles);
    let unknown: Vec<&str> = roles
        .iter()
        .filter(|r| r.headcount.is_none())
        .map(|r| r.title.as_str())
        .collect();
    let figure = if unknown.is_empty() {
        let total: i64 = roles
            .iter()
            .filter_map(|r| r.headcount)
            .map(i64::from)
            .sum();
        Figure::known(Decimal::from(total), Decimal::from(total))
    } else {
        Figure::unknown(Reason::HeadcountNotGiven {
            roles: unknown.iter().map(|role| (*role).to_owned()).collect(),
        })
    };
    figure.with_records(records, sources)
}

/// sum(headcount × weekly hours) / 37, as a range where hours are ranges.
fn fte_of(roles: &[RoleFacts]) -> Figure {
    let (records, sources) = role_records(roles);
    let unknown: Vec<&str> = roles
        .iter()
        .filter(|r| r.headcount.is_none() || r.weekly_minutes_min.is_none())
        .map(|r| r.title.as_str())
        .collect();
    let figure = if unknown.is_empty() {
        let minutes = |pick: fn(&RoleFacts) -> Option<i32>| -> i64 {
            roles
                .iter()
                .map(|r| i64::from(r.headcount.unwrap_or(0)) * i64::from(pick(r).unwrap_or(0)))
                .sum()
        };
        let min = minutes(|r| r.weekly_minutes_min);
        let max = minutes(|r| r.weekly_minutes_max.or(r.weekly_minutes_min));
        let fte = |minutes: i64| (Decimal::from(minutes) / Decimal::from(FTE_MINUTES)).round_dp(2);
        let mut figure = Figure::known(fte(min), fte(max));
        figure.reason = Some(Reason::FteFromWeeklyHours);
        figure
    } else {
        Figure::unknown(Reason::WeeklyHoursNotGiven {
            roles: unknown.iter().map(|role| (*role).to_owned()).collect(),
        })
    };
    figure.with_records(records, sources)
}

/// The budget figures of one source and year from the lines the caller may see, `hidden` lines
/// left out.
fn budget_figures(
    source_id: i32,
    year: i32,
    lines: Vec<LineFacts>,
    hidden: usize,
    population: &Figure,
) -> BudgetFigures {
    let frames: Vec<&LineFacts> = lines.iter().filter(|l| l.category == "frame").collect();
    let counted: Vec<&LineFacts> = if frames.is_empty() {
        lines.iter().collect()
    } else {
        frames
    };
    let with_amount: Vec<&&LineFacts> = counted.iter().filter(|l| l.amount_ore.is_some()).collect();
    let total = if with_amount.is_empty() && hidden > 0 {
        Figure::unknown(Reason::NoSharedAmounts { year })
    } else if with_amount.is_empty() {
        Figure::unknown(Reason::NoAmounts { year })
    } else {
        let ore: i64 = with_amount.iter().filter_map(|l| l.amount_ore).sum();
        let dkk = Decimal::new(ore, 2);
        let mut figure = Figure::known(dkk, dkk);
        let without = counted.len() - with_amount.len();
        if without > 0 {
            figure.reason = Some(Reason::LinesWithoutAmount { count: without });
        }
        figure.with_records(
            with_amount
                .iter()
                .map(|l| RecordRef::BudgetLine(l.id))
                .collect(),
            with_amount.iter().map(|l| l.source_id).collect(),
        )
    };
    let total = total.left_out(hidden);
    let per_inhabitant = total
        .per(population, Decimal::ONE, Divisor::Population)
        .left_out(hidden + population.hidden_records);
    BudgetFigures {
        source_id,
        year,
        lines,
        total,
        per_inhabitant,
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn role(
        id: i32,
        headcount: Option<i32>,
        hours: Option<(i32, i32)>,
        level: Option<&str>,
    ) -> RoleFacts {
        RoleFacts {
            id,
            title: format!("role {id}"),
            headcount,
            weekly_minutes_min: hours.map(|(min, _)| min * 60),
            weekly_minutes_max: hours.map(|(_, max)| max * 60),
            prevention_level: level.map(str::to_owned),
            municipality_code: 183,
            source_id: 1,
        }
    }

    fn decimal(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    #[test]
    fn fte_is_hours_over_37_and_a_range_where_hours_are_ranges() {
        let roles = [
            role(1, Some(1), Some((37, 37)), None),
            role(2, Some(4), Some((27, 37)), None),
        ];
        let fte = fte_of(&roles);
        assert_eq!(fte.min, Some(decimal("3.92")), "(37 + 108) / 37");
        assert_eq!(fte.max, Some(decimal("5")), "(37 + 148) / 37");
        assert_eq!(
            fte.records[..],
            [RecordRef::StaffRole(1), RecordRef::StaffRole(2)]
        );
        assert_eq!(fte.source_ids, vec![1]);
    }

    #[test]
    fn unknown_hours_or_headcount_make_the_figure_unknown_with_a_reason() {
        let roles = [
            role(1, Some(1), Some((37, 37)), None),
            role(2, Some(7), None, None),
        ];
        let fte = fte_of(&roles);
        assert_eq!(fte.min, None);
        assert_eq!(
            fte.reason,
            Some(Reason::WeeklyHoursNotGiven {
                roles: vec!["role 2".to_owned()]
            })
        );
        let headcount = headcount_of(&[role(3, None, None, None)]);
        assert_eq!(headcount.min, None);
        assert_eq!(
            headcount.reason.map(|reason| reason.text()).as_deref(),
            Some("headcount not given for: role 3")
        );
    }

    #[test]
    fn per_capita_figures_need_a_population() {
        let headcount = headcount_of(&[role(1, Some(12), None, Some("general"))]);
        let population = Figure::known(Decimal::from(27_500), Decimal::from(27_500));
        let per_10k = headcount.per(&population, Decimal::from(10_000), Divisor::Population);
        assert_eq!(per_10k.min, Some(decimal("4.36")));
        assert_eq!(per_10k.reason, Some(Reason::Rounded));
        let why = Reason::PopulationUnknown {
            municipality: "Ishøj".to_owned(),
            note: None,
        };
        let unknown = Figure::unknown(why.clone());
        let per_10k = headcount.per(&unknown, Decimal::from(10_000), Divisor::Population);
        assert_eq!(per_10k.min, None);
        assert_eq!(per_10k.reason, Some(why));
        let zero = Figure::known(Decimal::ZERO, Decimal::ZERO);
        assert_eq!(
            headcount
                .per(&zero, Decimal::from(100), Divisor::Headcount)
                .reason
                .map(|reason| reason.text())
                .as_deref(),
            Some("headcount is zero")
        );
    }

    #[test]
    fn what_was_left_out_is_said_after_the_reason() {
        let exact = Figure::known(Decimal::ONE, Decimal::ONE);
        assert_eq!(exact.clone().left_out(0).explanation(), None);
        assert_eq!(
            exact.left_out(3).explanation().as_deref(),
            Some("3 records are not shared with you and are left out")
        );
        assert_eq!(
            Figure::unknown(Reason::HeadcountNotGiven {
                roles: vec!["Leder".to_owned()]
            })
            .left_out(1)
            .explanation()
            .as_deref(),
            Some("headcount not given for: Leder; 1 record is not shared with you and is left out")
        );
    }

    #[test]
    fn levels_with_hidden_roles_only_are_listed_and_shares_count_every_hidden_role() {
        let roles = vec![
            role(1, Some(3), None, Some("general")),
            role(2, Some(1), None, None),
        ];
        let hidden = BTreeMap::from([
            (Some("general".to_owned()), 1),
            (Some("targeted".to_owned()), 2),
        ]);
        let population = Figure::known(Decimal::from(10_000), Decimal::from(10_000));
        let staffing = staffing_figures(1, roles, &hidden, &population);
        assert_eq!(staffing.headcount.min, Some(decimal("4")));
        assert_eq!(staffing.headcount.hidden_records, 3);
        assert_eq!(staffing.headcount_per_10k.hidden_records, 3);
        let levels: Vec<(Option<&str>, Option<Decimal>, usize, usize)> = staffing
            .by_prevention_level
            .iter()
            .map(|l| {
                (
                    l.level.as_deref(),
                    l.headcount.min,
                    l.headcount.hidden_records,
                    l.headcount_share.hidden_records,
                )
            })
            .collect();
        assert_eq!(
            levels,
            vec![
                (None, Some(decimal("1")), 0, 3),
                (Some("general"), Some(decimal("3")), 1, 3),
                (Some("targeted"), Some(decimal("0")), 2, 3),
            ]
        );
    }

    #[test]
    fn the_budget_total_is_the_frame_when_there_is_one() {
        let line = |id: i32, category: &str, ore: Option<i64>| LineFacts {
            id,
            category: category.to_owned(),
            amount_ore: ore,
            municipality_code: 169,
            source_id: 5,
        };
        let population = Figure::known(Decimal::from(50_000), Decimal::from(50_000));
        let lines = vec![
            line(1, "frame", Some(528_000_000)),
            line(2, "salaries", Some(460_000_000)),
            line(3, "project_funds", None),
        ];
        let budget = budget_figures(5, 2023, lines, 0, &population);
        assert_eq!(budget.total.min, Some(decimal("5280000.00")));
        assert_eq!(budget.total.records[..], [RecordRef::BudgetLine(1)]);
        assert_eq!(budget.per_inhabitant.min, Some(decimal("105.6")));

        let parts = vec![
            line(4, "pool", Some(10)),
            line(5, "pool", Some(20)),
            line(6, "pool", None),
        ];
        let budget = budget_figures(5, 2023, parts, 0, &population);
        assert_eq!(
            budget.total.min,
            Some(decimal("0.30")),
            "summed in øre, exactly"
        );
        assert_eq!(
            budget.total.reason,
            Some(Reason::LinesWithoutAmount { count: 1 })
        );
    }
}
