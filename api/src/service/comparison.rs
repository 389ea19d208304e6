//! Comparison of organisation models: the figures of DOMAIN.md ("Comparison figures"), each with the
//! records and sources it was computed from, and a reason wherever it cannot be computed.
//!
//! Sources that disagree are not merged: staffing and budget figures are computed per source
//! document, so a municipality described by two documents shows two sets of figures.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use entities::*;
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, Condition};

use super::Store;
use crate::error::{ApiError, ApiResult};

/// Weekly hours of one full-time equivalent, in minutes (37 hours).
pub const FTE_MINUTES: i64 = 37 * 60;
/// Most municipalities one comparison may ask for.
pub const MAX_COMPARED: usize = 20;

/// A record a figure was computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordRef {
    Municipality(i32),
    StaffRole(i32),
    BudgetLine(i32),
    Forum(i32),
}

/// A number, exact (`min == max`) or a range, or unknown with the reason why.
#[derive(Debug, Clone, Default)]
pub struct Figure {
    pub min: Option<Decimal>,
    pub max: Option<Decimal>,
    /// Why the figure is unknown, or a caveat about how it was computed.
    pub reason: Option<String>,
    pub records: Vec<RecordRef>,
    pub source_ids: Vec<i32>,
}

impl Figure {
    fn known(min: Decimal, max: Decimal) -> Self {
        Self {
            min: Some(min),
            max: Some(max),
            ..Self::default()
        }
    }

    fn unknown(reason: impl Into<String>) -> Self {
        Self {
            reason: Some(reason.into()),
            ..Self::default()
        }
    }

    fn with_records(mut self, records: Vec<RecordRef>, mut source_ids: Vec<i32>) -> Self {
        source_ids.sort_unstable();
        source_ids.dedup();
        self.records = records;
        self.source_ids = source_ids;
        self
    }

    /// `self / divisor × scale`, rounded to two decimals; unknown when either side is.
    fn per(&self, divisor: &Figure, scale: Decimal, what: &str) -> Figure {
        let (Some(min), Some(max)) = (self.min, self.max) else {
            return Figure::unknown(self.reason.clone().unwrap_or_else(|| "unknown".to_owned()));
        };
        let Some(by) = divisor.min else {
            let reason = divisor
                .reason
                .clone()
                .unwrap_or_else(|| format!("{what} is unknown"));
            return Figure::unknown(reason);
        };
        if by.is_zero() {
            return Figure::unknown(format!("{what} is zero"));
        }
        let round = |value: Decimal| (value * scale / by).round_dp(2);
        let mut figure = Figure::known(round(min), round(max));
        figure.reason = Some("rounded to 2 decimals".to_owned());
        let mut records = self.records.clone();
        records.extend(divisor.records.iter().copied());
        let mut sources = self.source_ids.clone();
        sources.extend(divisor.source_ids.iter().copied());
        figure.with_records(records, sources)
    }
}

/// Where the crime-prevention work sits: the hosting unit, its path from the top, its committee.
#[derive(Debug, Clone)]
pub struct Placement {
    pub unit: unit::Model,
    /// From the top of the hierarchy down to (and including) the unit.
    pub path: Vec<unit::Model>,
    /// The committee of the unit or of its nearest ancestor that reports to one.
    pub committee: Option<political_committee::Model>,
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
    pub roles: Vec<staff_role::Model>,
    pub headcount: Figure,
    pub fte: Figure,
    pub headcount_per_10k: Figure,
    pub fte_per_10k: Figure,
    pub by_prevention_level: Vec<LevelFigures>,
}

/// A year's budget as one source document gives it.
#[derive(Debug, Clone)]
pub struct BudgetFigures {
    pub source_id: i32,
    pub year: i32,
    pub lines: Vec<budget_line::Model>,
    /// The `frame` line when there is one, otherwise the sum of the lines with amounts (DKK).
    pub total: Figure,
    pub per_inhabitant: Figure,
}

/// The forums of one level.
#[derive(Debug, Clone)]
pub struct ForumLevel {
    pub level: String,
    pub forums: Vec<forum::Model>,
}

/// One municipality in a comparison.
#[derive(Debug, Clone)]
pub struct ComparedModel {
    pub municipality: municipality::Model,
    pub population: Figure,
    pub placements: Vec<Placement>,
    pub staffing: Vec<StaffingFigures>,
    pub budgets: Vec<BudgetFigures>,
    pub forums_by_level: Vec<ForumLevel>,
}

impl Store {
    /// Compares the organisation models of `codes` as of `as_of`, in the order asked for.
    /// A fixed number of statements, whatever the number of municipalities or records.
    pub async fn compare(&self, codes: &[i32], as_of: NaiveDate) -> ApiResult<Vec<ComparedModel>> {
        if codes.is_empty() || codes.len() > MAX_COMPARED {
            return Err(ApiError::bad_input(
                "codes",
                format!("give between 1 and {MAX_COMPARED} municipality codes"),
            ));
        }
        let mut municipalities = self
            .list_by_column::<municipality::Entity>(municipality::Column::Code, codes, None)
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
        let units = self
            .list_by_column::<unit::Entity>(unit::Column::MunicipalityCode, codes, day)
            .await?;
        let committees = self
            .list_by_column::<political_committee::Entity>(
                political_committee::Column::MunicipalityCode,
                codes,
                day,
            )
            .await?;
        let roles = self
            .list_by_column::<staff_role::Entity>(staff_role::Column::MunicipalityCode, codes, day)
            .await?;
        let forums = self
            .list_by_column::<forum::Entity>(forum::Column::MunicipalityCode, codes, day)
            .await?;
        let budget_lines = self
            .list_where::<budget_line::Entity>(
                Condition::all()
                    .add(budget_line::Column::MunicipalityCode.is_in(codes.iter().copied()))
                    .add(budget_line::Column::Year.eq(as_of.year())),
                day,
            )
            .await?;

        let units_by_id: HashMap<i32, &unit::Model> = units.iter().map(|u| (u.id, u)).collect();
        let committees_by_id: HashMap<i32, &political_committee::Model> =
            committees.iter().map(|c| (c.id, c)).collect();

        Ok(municipalities
            .into_iter()
            .map(|municipality| {
                let code = municipality.code;
                let population = population_figure(&municipality);
                let placements = units
                    .iter()
                    .filter(|u| u.municipality_code == code && u.hosts_crime_prevention)
                    .map(|u| placement(u, &units_by_id, &committees_by_id))
                    .collect();
                let own_roles = roles.iter().filter(|r| r.municipality_code == code);
                let staffing = group_by_source(own_roles, |r| r.source_id)
                    .into_iter()
                    .map(|(source_id, roles)| staffing_figures(source_id, roles, &population))
                    .collect();
                let own_lines = budget_lines.iter().filter(|l| l.municipality_code == code);
                let budgets = group_by_source(own_lines, |l| l.source_id)
                    .into_iter()
                    .map(|(source_id, lines)| {
                        budget_figures(source_id, as_of.year(), lines, &population)
                    })
                    .collect();
                let mut levels: BTreeMap<String, Vec<forum::Model>> = BTreeMap::new();
                for forum in forums.iter().filter(|f| f.municipality_code == code) {
                    levels
                        .entry(forum.level.clone())
                        .or_default()
                        .push(forum.clone());
                }
                ComparedModel {
                    municipality,
                    population,
                    placements,
                    staffing,
                    budgets,
                    forums_by_level: levels
                        .into_iter()
                        .map(|(level, forums)| ForumLevel { level, forums })
                        .collect(),
                }
            })
            .collect())
    }
}

fn group_by_source<'a, T: Clone + 'a>(
    rows: impl Iterator<Item = &'a T>,
    source_of: impl Fn(&T) -> i32,
) -> BTreeMap<i32, Vec<T>> {
    let mut groups: BTreeMap<i32, Vec<T>> = BTreeMap::new();
    for row in rows {
        groups.entry(source_of(row)).or_default().push(row.clone());
    }
    groups
}

fn population_figure(municipality: &municipality::Model) -> Figure {
    match municipality.population {
        Some(population) => {
            let mut figure = Figure::known(Decimal::from(population), Decimal::from(population))
                .with_records(
                    vec![RecordRef::Municipality(municipality.code)],
                    municipality.population_source_id.into_iter().collect(),
                );
            figure.reason.clone_from(&municipality.population_note);
            figure
        }
        None => Figure::unknown(format!(
            "population of {} unknown: {}",
            municipality.name,
            municipality
                .population_note
                .as_deref()
                .unwrap_or("not given in the sources")
        )),
    }
}

fn placement(
    unit: &unit::Model,
    units_by_id: &HashMap<i32, &unit::Model>,
    committees_by_id: &HashMap<i32, &political_committee::Model>,
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

fn staffing_figures(
    source_id: i32,
    roles: Vec<staff_role::Model>,
    population: &Figure,
) -> StaffingFigures {
    let headcount = headcount_of(&roles);
    let fte = fte_of(&roles);
    let ten_thousand = Decimal::from(10_000);
    let headcount_per_10k = headcount.per(population, ten_thousand, "population");
    let fte_per_10k = fte.per(population, ten_thousand, "population");
    let mut levels: BTreeMap<Option<String>, Vec<staff_role::Model>> = BTreeMap::new();
    for role in &roles {
        levels
            .entry(role.prevention_level.clone())
            .or_default()
            .push(role.clone());
    }
    let by_prevention_level = levels
        .into_iter()
        .map(|(level, level_roles)| {
            let level_headcount = headcount_of(&level_roles);
            LevelFigures {
                headcount_share: level_headcount.per(&headcount, Decimal::from(100), "headcount"),
                fte: fte_of(&level_roles),
                headcount: level_headcount,
                level,
            }
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

fn role_records(roles: &[staff_role::Model]) -> (Vec<RecordRef>, Vec<i32>) {
    (
        roles.iter().map(|r| RecordRef::StaffRole(r.id)).collect(),
        roles.iter().map(|r| r.source_id).collect(),
    )
}

fn headcount_of(roles: &[staff_role::Model]) -> Figure {
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
        Figure::unknown(format!("headcount not given for: {}", unknown.join(", ")))
    };
    figure.with_records(records, sources)
}

/// sum(headcount × weekly hours) / 37, as a range where hours are ranges.
fn fte_of(roles: &[staff_role::Model]) -> Figure {
    let (records, sources) = role_records(roles);
    let unknown: Vec<&str> = roles
        .iter()
        .filter(|r| r.headcount.is_none() || r.weekly_minutes_min.is_none())
        .map(|r| r.title.as_str())
        .collect();
    let figure = if unknown.is_empty() {
        let minutes = |pick: fn(&staff_role::Model) -> Option<i32>| -> i64 {
            roles
                .iter()
                .map(|r| i64::from(r.headcount.unwrap_or(0)) * i64::from(pick(r).unwrap_or(0)))
                .sum()
        };
        let min = minutes(|r| r.weekly_minutes_min);
        let max = minutes(|r| r.weekly_minutes_max.or(r.weekly_minutes_min));
        let fte = |minutes: i64| (Decimal::from(minutes) / Decimal::from(FTE_MINUTES)).round_dp(2);
        let mut figure = Figure::known(fte(min), fte(max));
        figure.reason = Some("37 hours a week = 1 FTE; rounded to 2 decimals".to_owned());
        figure
    } else {
        Figure::unknown(format!(
            "weekly hours not given for: {}",
            unknown.join(", ")
        ))
    };
    figure.with_records(records, sources)
}

fn budget_figures(
    source_id: i32,
    year: i32,
    lines: Vec<budget_line::Model>,
    population: &Figure,
) -> BudgetFigures {
    let frames: Vec<&budget_line::Model> = lines.iter().filter(|l| l.category == "frame").collect();
    let counted: Vec<&budget_line::Model> = if frames.is_empty() {
        lines.iter().collect()
    } else {
        frames
    };
    let with_amount: Vec<&&budget_line::Model> =
        counted.iter().filter(|l| l.amount_ore.is_some()).collect();
    let total = if with_amount.is_empty() {
        Figure::unknown(format!("no amounts for {year} in this source"))
    } else {
        let ore: i64 = with_amount.iter().filter_map(|l| l.amount_ore).sum();
        let dkk = Decimal::new(ore, 2);
        let mut figure = Figure::known(dkk, dkk);
        let without = counted.len() - with_amount.len();
        if without > 0 {
            figure.reason = Some(format!(
                "{without} line(s) without an amount are not counted"
            ));
        }
        figure.with_records(
            with_amount
                .iter()
                .map(|l| RecordRef::BudgetLine(l.id))
                .collect(),
            with_amount.iter().map(|l| l.source_id).collect(),
        )
    };
    let per_inhabitant = total.per(population, Decimal::ONE, "population");
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
    ) -> staff_role::Model {
        staff_role::Model {
            id,
            unit_id: 1,
            title: format!("role {id}"),
            headcount,
            weekly_minutes_min: hours.map(|(min, _)| min * 60),
            weekly_minutes_max: hours.map(|(_, max)| max * 60),
            prevention_level: level.map(str::to_owned),
            pillar: None,
            municipality_code: 183,
            visibility: "public".to_owned(),
            valid_from: None,
            valid_to: None,
            source_id: 1,
            source_section: "test".to_owned(),
            note: None,
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
            fte.records,
            vec![RecordRef::StaffRole(1), RecordRef::StaffRole(2)]
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
        assert!(fte.reason.as_deref().unwrap().contains("role 2"));
        let headcount = headcount_of(&[role(3, None, None, None)]);
        assert_eq!(headcount.min, None);
        assert!(headcount.reason.as_deref().unwrap().contains("role 3"));
    }

    #[test]
    fn per_capita_figures_need_a_population() {
        let headcount = headcount_of(&[role(1, Some(12), None, Some("general"))]);
        let population = Figure::known(Decimal::from(27_500), Decimal::from(27_500));
        let per_10k = headcount.per(&population, Decimal::from(10_000), "population");
        assert_eq!(per_10k.min, Some(decimal("4.36")));
        let unknown = Figure::unknown("population of Ishøj unknown");
        let per_10k = headcount.per(&unknown, Decimal::from(10_000), "population");
        assert_eq!(per_10k.min, None);
        assert_eq!(
            per_10k.reason.as_deref(),
            Some("population of Ishøj unknown")
        );
    }

    #[test]
    fn the_budget_total_is_the_frame_when_there_is_one() {
        let line = |id: i32, category: &str, ore: Option<i64>| budget_line::Model {
            id,
            unit_id: None,
            year: 2023,
            category: category.to_owned(),
            phase: "adopted".to_owned(),
            amount_ore: ore,
            function_code: None,
            description: String::new(),
            municipality_code: 169,
            visibility: "public".to_owned(),
            valid_from: None,
            valid_to: None,
            source_id: 5,
            source_section: "test".to_owned(),
            note: None,
        };
        let population = Figure::known(Decimal::from(50_000), Decimal::from(50_000));
        let lines = vec![
            line(1, "frame", Some(528_000_000)),
            line(2, "salaries", Some(460_000_000)),
            line(3, "project_funds", None),
        ];
        let budget = budget_figures(5, 2023, lines, &population);
        assert_eq!(budget.total.min, Some(decimal("5280000.00")));
        assert_eq!(budget.total.records, vec![RecordRef::BudgetLine(1)]);
        assert_eq!(budget.per_inhabitant.min, Some(decimal("105.6")));

        let parts = vec![
            line(4, "pool", Some(10)),
            line(5, "pool", Some(20)),
            line(6, "pool", None),
        ];
        let budget = budget_figures(5, 2023, parts, &population);
        assert_eq!(
            budget.total.min,
            Some(decimal("0.30")),
            "summed in øre, exactly"
        );
        assert!(budget.total.reason.as_deref().unwrap().contains("1 line"));
    }
}
