//! Top-level lists: filters (plain Rust, turned into SQL here) and keyset pages.

use entities::*;
use sea_orm::{
    sea_query::{Expr, Func, Query, SimpleExpr},
    ColumnTrait, Condition,
};

use super::Scoped;
use crate::vocabulary::{
    BudgetCategory, BudgetPhase, ForumLevel, ForumScope, Measure, PreventionLevel,
};

/// Which page to read: at most `first` rows after the row with id `after`.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub first: u64,
    pub after: Option<i32>,
}

/// One page of rows, in id order.
#[derive(Debug)]
pub struct Page<T> {
    pub rows: Vec<T>,
    pub has_next_page: bool,
}

/// A filter over the rows of one table.
pub trait ListFilter {
    type Entity: Scoped<Model: Sync>;
    fn condition(&self) -> Condition;
}

/// Case-insensitive "contains", with `%` and `_` in the text taken literally.
/// (SQLite lowercases ASCII letters only, so "Ø" and "ø" in the stored text are not folded there.)
fn contains<C: ColumnTrait>(column: C, text: &str) -> SimpleExpr {
    let escaped = text
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    Expr::expr(Func::lower(Expr::col(column)))
        .like(sea_orm::sea_query::LikeExpr::new(format!("%{escaped}%")).escape('\\'))
}

/// Adds `column IN values` when values are given.
fn in_list<C: ColumnTrait>(
    condition: Condition,
    column: C,
    values: &Option<Vec<i32>>,
) -> Condition {
    match values {
        Some(values) => condition.add(column.is_in(values.iter().copied())),
        None => condition,
    }
}

/// Adds `column = value` when a value is given.
fn equals<C: ColumnTrait, V: Into<sea_orm::Value> + Clone>(
    condition: Condition,
    column: C,
    value: &Option<V>,
) -> Condition {
    match value {
        Some(value) => condition.add(column.eq(value.clone())),
        None => condition,
    }
}

/// Adds a case-insensitive "contains" when a text is given.
fn search<C: ColumnTrait>(condition: Condition, column: C, text: &Option<String>) -> Condition {
    match text.as_deref().map(str::trim) {
        Some(text) if !text.is_empty() => condition.add(contains(column, text)),
        _ => condition,
    }
}

#[derive(Debug, Default, Clone)]
pub struct MunicipalityFilter {
    pub codes: Option<Vec<i32>>,
    pub search: Option<String>,
    pub network_id: Option<i32>,
}

impl ListFilter for MunicipalityFilter {
    type Entity = municipality::Entity;
    fn condition(&self) -> Condition {
        let mut condition = in_list(Condition::all(), municipality::Column::Code, &self.codes);
        condition = search(condition, municipality::Column::Name, &self.search);
        if let Some(network_id) = self.network_id {
            condition = condition.add(
                municipality::Column::Code.in_subquery(
                    Query::select()
                        .column(network_membership::Column::MunicipalityCode)
                        .from(network_membership::Entity)
                        .and_where(network_membership::Column::NetworkId.eq(network_id))
                        .to_owned(),
                ),
            );
        }
        condition
    }
}

#[derive(Debug, Default, Clone)]
pub struct NetworkFilter {
    pub search: Option<String>,
}

impl ListFilter for NetworkFilter {
    type Entity = network::Entity;
    fn condition(&self) -> Condition {
        search(Condition::all(), network::Column::Name, &self.search)
    }
}

#[derive(Debug, Default, Clone)]
pub struct SourceFilter {
    pub search: Option<String>,
}

impl ListFilter for SourceFilter {
    type Entity = source::Entity;
    fn condition(&self) -> Condition {
        search(Condition::all(), source::Column::Title, &self.search)
    }
}

#[derive(Debug, Default, Clone)]
pub struct PartnerFilter {
    pub search: Option<String>,
    pub kind: Option<String>,
}

impl ListFilter for PartnerFilter {
    type Entity = partner_organisation::Entity;
    fn condition(&self) -> Condition {
        let condition = search(
            Condition::all(),
            partner_organisation::Column::Name,
            &self.search,
        );
        equals(condition, partner_organisation::Column::Kind, &self.kind)
    }
}

/// The filters a nested list of units offers (under a municipality); part of [`UnitFilter`].
#[derive(Debug, Default, Clone, PartialEq, Eq, Hash)]
pub struct UnitSlice {
    pub kind: Option<String>,
    pub hosts_crime_prevention: Option<bool>,
}

impl UnitSlice {
    pub fn condition(&self) -> Condition {
        let condition = equals(Condition::all(), unit::Column::Kind, &self.kind);
        equals(
            condition,
            unit::Column::HostsCrimePrevention,
            &self.hosts_crime_prevention,
        )
    }
}

#[derive(Debug, Default, Clone)]
pub struct UnitFilter {
    pub municipality_codes: Option<Vec<i32>>,
    pub search: Option<String>,
    pub slice: UnitSlice,
}

impl ListFilter for UnitFilter {
    type Entity = unit::Entity;
    fn condition(&self) -> Condition {
        let condition = in_list(
            self.slice.condition(),
            unit::Column::MunicipalityCode,
            &self.municipality_codes,
        );
        search(condition, unit::Column::Name, &self.search)
    }
}

/// The filters a nested list of staff roles offers (under a municipality or a unit); part of
/// [`StaffRoleFilter`].
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StaffRoleSlice {
    pub prevention_level: Option<PreventionLevel>,
}

impl StaffRoleSlice {
    pub fn condition(&self) -> Condition {
        equals(
            Condition::all(),
            staff_role::Column::PreventionLevel,
            &self.prevention_level.map(PreventionLevel::as_str),
        )
    }
}

#[derive(Debug, Default, Clone)]
pub struct StaffRoleFilter {
    pub municipality_codes: Option<Vec<i32>>,
    pub search: Option<String>,
    pub source_id: Option<i32>,
    pub slice: StaffRoleSlice,
}

impl ListFilter for StaffRoleFilter {
    type Entity = staff_role::Entity;
    fn condition(&self) -> Condition {
        let condition = in_list(
            self.slice.condition(),
            staff_role::Column::MunicipalityCode,
            &self.municipality_codes,
        );
        let condition = search(condition, staff_role::Column::Title, &self.search);
        equals(condition, staff_role::Column::SourceId, &self.source_id)
    }
}

/// The filters a nested list of budget lines offers (under a municipality or a unit); part of
/// [`BudgetLineFilter`].
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BudgetLineSlice {
    pub year: Option<i32>,
    pub category: Option<BudgetCategory>,
    pub phase: Option<BudgetPhase>,
}

impl BudgetLineSlice {
    pub fn condition(&self) -> Condition {
        let condition = equals(Condition::all(), budget_line::Column::Year, &self.year);
        let condition = equals(
            condition,
            budget_line::Column::Category,
            &self.category.map(BudgetCategory::as_str),
        );
        equals(
            condition,
            budget_line::Column::Phase,
            &self.phase.map(BudgetPhase::as_str),
        )
    }
}

#[derive(Debug, Default, Clone)]
pub struct BudgetLineFilter {
    pub municipality_codes: Option<Vec<i32>>,
    pub function_code: Option<String>,
    pub slice: BudgetLineSlice,
}

impl ListFilter for BudgetLineFilter {
    type Entity = budget_line::Entity;
    fn condition(&self) -> Condition {
        let condition = in_list(
            self.slice.condition(),
            budget_line::Column::MunicipalityCode,
            &self.municipality_codes,
        );
        equals(
            condition,
            budget_line::Column::FunctionCode,
            &self.function_code,
        )
    }
}

/// The filters a nested list of forums offers (under a municipality or a network); part of
/// [`ForumFilter`].
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ForumSlice {
    pub level: Option<ForumLevel>,
    pub scope: Option<ForumScope>,
}

impl ForumSlice {
    pub fn condition(&self) -> Condition {
        let condition = equals(
            Condition::all(),
            forum::Column::Level,
            &self.level.map(ForumLevel::as_str),
        );
        equals(
            condition,
            forum::Column::Scope,
            &self.scope.map(ForumScope::as_str),
        )
    }
}

#[derive(Debug, Default, Clone)]
pub struct ForumFilter {
    pub municipality_codes: Option<Vec<i32>>,
    pub search: Option<String>,
    pub network_id: Option<i32>,
    pub slice: ForumSlice,
}

impl ListFilter for ForumFilter {
    type Entity = forum::Entity;
    fn condition(&self) -> Condition {
        let condition = in_list(
            self.slice.condition(),
            forum::Column::MunicipalityCode,
            &self.municipality_codes,
        );
        let condition = search(condition, forum::Column::Name, &self.search);
        equals(condition, forum::Column::NetworkId, &self.network_id)
    }
}

/// The filters a nested list of interventions offers (under a municipality or a goal); part of
/// [`InterventionFilter`].
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Hash)]
pub struct InterventionSlice {
    pub prevention_level: Option<PreventionLevel>,
}

impl InterventionSlice {
    pub fn condition(&self) -> Condition {
        equals(
            Condition::all(),
            intervention::Column::PreventionLevel,
            &self.prevention_level.map(PreventionLevel::as_str),
        )
    }
}

#[derive(Debug, Default, Clone)]
pub struct InterventionFilter {
    pub municipality_codes: Option<Vec<i32>>,
    pub search: Option<String>,
    pub goal_id: Option<i32>,
    pub slice: InterventionSlice,
}

impl ListFilter for InterventionFilter {
    type Entity = intervention::Entity;
    fn condition(&self) -> Condition {
        let condition = in_list(
            self.slice.condition(),
            intervention::Column::MunicipalityCode,
            &self.municipality_codes,
        );
        let condition = search(condition, intervention::Column::Name, &self.search);
        equals(condition, intervention::Column::GoalId, &self.goal_id)
    }
}

/// The filters a nested list of key indicators offers (under a municipality); part of
/// [`KeyIndicatorFilter`].
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyIndicatorSlice {
    pub measure: Option<Measure>,
    /// Indicators whose period takes in this year (those without a period are left out).
    pub year: Option<i32>,
}

impl KeyIndicatorSlice {
    pub fn condition(&self) -> Condition {
        let condition = equals(
            Condition::all(),
            key_indicator::Column::Measure,
            &self.measure.map(Measure::as_str),
        );
        match self.year {
            Some(year) => condition
                .add(key_indicator::Column::PeriodStart.lte(year))
                .add(key_indicator::Column::PeriodEnd.gte(year)),
            None => condition,
        }
    }
}

#[derive(Debug, Default, Clone)]
pub struct KeyIndicatorFilter {
    pub municipality_codes: Option<Vec<i32>>,
    pub slice: KeyIndicatorSlice,
}

impl ListFilter for KeyIndicatorFilter {
    type Entity = key_indicator::Entity;
    fn condition(&self) -> Condition {
        in_list(
            self.slice.condition(),
            key_indicator::Column::MunicipalityCode,
            &self.municipality_codes,
        )
    }
}

#[derive(Debug, Default, Clone)]
pub struct SharedProjectFilter {
    /// Projects led or joined by any of these municipalities.
    pub municipality_codes: Option<Vec<i32>>,
    pub search: Option<String>,
}

impl ListFilter for SharedProjectFilter {
    type Entity = shared_project::Entity;
    fn condition(&self) -> Condition {
        let mut condition = search(Condition::all(), shared_project::Column::Name, &self.search);
        if let Some(codes) = &self.municipality_codes {
            condition = condition.add(
                Condition::any()
                    .add(shared_project::Column::MunicipalityCode.is_in(codes.iter().copied()))
                    .add(
                        shared_project::Column::Id.in_subquery(
                            Query::select()
                                .column(project_participant::Column::ProjectId)
                                .from(project_participant::Entity)
                                .and_where(
                                    project_participant::Column::ParticipantCode
                                        .is_in(codes.iter().copied()),
                                )
                                .to_owned(),
                        ),
                    ),
            );
        }
        condition
    }
}
