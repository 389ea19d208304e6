//! The comparison query: organisation models side by side, with figures that say where they
//! come from (see `service::comparison` for the definitions).

use std::sync::Arc;

use async_graphql::{Context, Object, Result, ID};
use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::{
    budget::BudgetLine,
    forum::Forum,
    ids::{GlobalId, Kind},
    indicator::KeyIndicator,
    list_size,
    loaders::{
        BudgetLineById, Dated, ForumById, KeyIndicatorsByMunicipality, SourceById, StaffRoleById,
    },
    municipality::Municipality,
    organisation::{PoliticalCommittee, StaffRole, Unit},
    plan::Plan,
    scalars::Date,
    source::Source,
    store,
};
use crate::{
    service::{
        comparison::{self as figures, RecordRef},
        KeyIndicatorSlice,
    },
    vocabulary::{Archetype, ForumLevel, Measure, PreventionLevel},
};

/// The parts of a comparison are read at its day (`asOf` is required there) and hand it on to the
/// records in them, like the records do.
macro_rules! read_at_comparison_day {
    ($($part:ty),* $(,)?) => {$(
        impl Dated for $part {
            fn as_of(&self) -> Option<NaiveDate> {
                Some(self.as_of)
            }
        }
    )*};
}

read_at_comparison_day!(
    Placement,
    LevelFigures,
    StaffingFigures,
    BudgetFigures,
    ForumLevelCount,
    ComparedPlan,
    ComparedMunicipality,
);

/// Why a figure is unknown or how it was computed: a stable code, the parameters the code uses
/// (the others are null or empty), and `text`, the same in English.
#[derive(async_graphql::SimpleObject)]
pub struct FigureReason {
    pub code: FigureReasonCode,
    /// The titles of the roles it is about (`HEADCOUNT_NOT_GIVEN`, `WEEKLY_HOURS_NOT_GIVEN`).
    pub roles: Vec<String>,
    /// The budget year (`NO_AMOUNTS`, `NO_SHARED_AMOUNTS`).
    pub year: Option<i32>,
    /// How many (`LINES_WITHOUT_AMOUNT`: budget lines; `RECORDS_LEFT_OUT`: records).
    pub count: Option<i32>,
    /// What the figure is divided by (`DIVISOR_UNKNOWN`, `DIVISOR_ZERO`).
    pub divisor: Option<FigureDivisor>,
    /// The municipality's name (`POPULATION_UNKNOWN`).
    pub municipality: Option<String>,
    /// The dataset's editorial note (`POPULATION_UNKNOWN`, `POPULATION_NOTE`), as recorded.
    pub note: Option<String>,
    /// The reason in English.
    pub text: String,
}

/// The kinds of [`FigureReason`].
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum FigureReasonCode {
    /// Rounded to two decimals.
    Rounded,
    /// Full-time equivalents from weekly hours: 37 hours a week = 1; rounded to two decimals.
    FteFromWeeklyHours,
    /// The headcount of `roles` is not given, so the figure is unknown.
    HeadcountNotGiven,
    /// The weekly hours of `roles` are not given, so the figure is unknown.
    WeeklyHoursNotGiven,
    /// No budget line of `year` has an amount in this source.
    NoAmounts,
    /// No budget line of `year` that is shared with you has an amount in this source.
    NoSharedAmounts,
    /// `count` budget lines without an amount are not counted.
    LinesWithoutAmount,
    /// The population of `municipality` is unknown (`note` says why, when the dataset does).
    PopulationUnknown,
    /// The dataset's `note` on the population figure.
    PopulationNote,
    /// What the figure is divided by (`divisor`) is unknown.
    DivisorUnknown,
    /// What the figure is divided by (`divisor`) is zero.
    DivisorZero,
    /// `count` records are not shared with you and are left out.
    RecordsLeftOut,
    /// Unknown, with nothing more to say.
    Unknown,
}

/// What a derived figure is divided by.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum FigureDivisor {
    Population,
    Headcount,
}

impl FigureReason {
    fn new(code: FigureReasonCode) -> Self {
        Self {
            code,
            roles: Vec::new(),
            year: None,
            count: None,
            divisor: None,
            municipality: None,
            note: None,
            text: String::new(),
        }
    }

    fn of(reason: &figures::Reason) -> Self {
        use figures::Reason;
        let divisor = |divisor: &figures::Divisor| {
            Some(match divisor {
                figures::Divisor::Population => FigureDivisor::Population,
                figures::Divisor::Headcount => FigureDivisor::Headcount,
            })
        };
        let reason_of = match reason {
            Reason::Rounded => Self::new(FigureReasonCode::Rounded),
            Reason::FteFromWeeklyHours => Self::new(FigureReasonCode::FteFromWeeklyHours),
            Reason::HeadcountNotGiven { roles } => Self {
                roles: roles.clone(),
                ..Self::new(FigureReasonCode::HeadcountNotGiven)
            },
            Reason::WeeklyHoursNotGiven { roles } => Self {
                roles: roles.clone(),
                ..Self::new(FigureReasonCode::WeeklyHoursNotGiven)
            },
            Reason::NoAmounts { year } => Self {
                year: Some(*year),
                ..Self::new(FigureReasonCode::NoAmounts)
            },
            Reason::NoSharedAmounts { year } => Self {
                year: Some(*year),
                ..Self::new(FigureReasonCode::NoSharedAmounts)
            },
            Reason::LinesWithoutAmount { count } => Self {
                count: i32::try_from(*count).ok(),
                ..Self::new(FigureReasonCode::LinesWithoutAmount)
            },
            Reason::PopulationUnknown { municipality, note } => Self {
                municipality: Some(municipality.clone()),
                note: note.clone(),
                ..Self::new(FigureReasonCode::PopulationUnknown)
            },
            Reason::PopulationNote { note } => Self {
                note: Some(note.clone()),
                ..Self::new(FigureReasonCode::PopulationNote)
            },
            Reason::DivisorUnknown { divisor: what } => Self {
                divisor: divisor(what),
                ..Self::new(FigureReasonCode::DivisorUnknown)
            },
            Reason::DivisorZero { divisor: what } => Self {
                divisor: divisor(what),
                ..Self::new(FigureReasonCode::DivisorZero)
            },
            Reason::Unknown => Self::new(FigureReasonCode::Unknown),
        };
        Self {
            text: reason.text(),
            ..reason_of
        }
    }
}

/// A computed number: exact (`value`), a range (`min`–`max`), or unknown (`reason` says why).
/// Computed from the records you may see; `hiddenRecords` says how many were left out.
pub struct Figure {
    figure: figures::Figure,
    as_of: Option<NaiveDate>,
}

impl Figure {
    /// `figure`, read at the day of the comparison `part` it belongs to.
    fn of(part: &impl Dated, figure: &figures::Figure) -> Self {
        Self {
            figure: figure.clone(),
            as_of: part.as_of(),
        }
    }
}

impl Dated for Figure {
    fn as_of(&self) -> Option<NaiveDate> {
        self.as_of
    }
}

#[Object]
impl Figure {
    /// The number when it is exact; null for ranges and unknowns.
    async fn value(&self) -> Option<Decimal> {
        self.figure.min.filter(|min| Some(*min) == self.figure.max)
    }
    /// Lower end of the range (equal to `max` when exact).
    async fn min(&self) -> Option<Decimal> {
        self.figure.min
    }
    /// Upper end of the range.
    async fn max(&self) -> Option<Decimal> {
        self.figure.max
    }
    async fn is_known(&self) -> bool {
        self.figure.min.is_some()
    }
    async fn is_range(&self) -> bool {
        self.figure.min.is_some() && self.figure.min != self.figure.max
    }
    /// Why the figure is unknown, or how it was computed. When records are left out because you
    /// may not see them (`hiddenRecords` > 0), it ends with "N records are not shared with you and
    /// are left out" ("1 record is not shared with you and is left out"), after a "; " when there
    /// is a reason before it.
    async fn reason(&self) -> Option<String> {
        self.figure.explanation()
    }
    /// The same as `reason`, as codes with their parameters, for clients that word them in their
    /// own language: the reason, if any, then `RECORDS_LEFT_OUT` when records are left out.
    #[graphql(directive = list_size::apply(2, None))]
    async fn reasons(&self) -> Vec<FigureReason> {
        let mut reasons: Vec<FigureReason> =
            self.figure.reason.iter().map(FigureReason::of).collect();
        if let Some(text) = figures::left_out_note(self.figure.hidden_records) {
            reasons.push(FigureReason {
                count: i32::try_from(self.figure.hidden_records).ok(),
                text,
                ..FigureReason::new(FigureReasonCode::RecordsLeftOut)
            });
        }
        reasons
    }
    /// How many records of the selection this figure is computed from (the same municipality,
    /// day, source, year and level) you may not see: they are left out, and the figure is computed
    /// from the records you may see. 0 when none is left out. Derived figures (per inhabitant, per
    /// 10 000, shares) count what was left out of the figures they are computed from.
    async fn hidden_records(&self) -> usize {
        self.figure.hidden_records
    }
    /// Global IDs of the records the figure was computed from.
    async fn computed_from(&self) -> Vec<ID> {
        self.figure
            .records
            .iter()
            .map(|record| match *record {
                RecordRef::Municipality(code) => Kind::Municipality.id(code),
                RecordRef::StaffRole(id) => Kind::StaffRole.id(id),
                RecordRef::BudgetLine(id) => Kind::BudgetLine.id(id),
                RecordRef::Forum(id) => Kind::Forum.id(id),
                RecordRef::Goal(id) => Kind::Goal.id(id),
                RecordRef::Intervention(id) => Kind::Intervention.id(id),
            })
            .collect()
    }
    /// The source documents of those records.
    // Calibrated on the seed dataset: a figure combines at most 2 sources there.
    #[graphql(directive = list_size::apply(3, None))]
    async fn sources(&self, ctx: &Context<'_>) -> Result<Vec<Source>> {
        self.related(ctx)
            .each(SourceById, self.figure.source_ids.iter().copied())
            .await
    }
}

/// Where the crime-prevention work sits in the municipal hierarchy.
pub struct Placement {
    placement: Arc<figures::Placement>,
    as_of: NaiveDate,
}

#[Object]
impl Placement {
    /// The unit that hosts the work.
    async fn unit(&self) -> Unit {
        self.record(self.placement.unit.clone())
    }
    /// From the top of the hierarchy down to the unit.
    #[graphql(directive = list_size::apply(10, None))]
    async fn path(&self) -> Vec<Unit> {
        self.placement
            .path
            .iter()
            .map(|row| self.record(row.clone()))
            .collect()
    }
    /// The path as text: "Direktionen › Den Kriminalpræventive Enhed".
    async fn path_text(&self) -> String {
        let names: Vec<&str> = self
            .placement
            .path
            .iter()
            .map(|u| u.name.as_str())
            .collect();
        names.join(" › ")
    }
    /// The political committee the unit (or its nearest ancestor) reports to.
    async fn committee(&self) -> Option<PoliticalCommittee> {
        self.placement.committee.clone().map(|row| self.record(row))
    }
    async fn archetype(&self) -> Option<Archetype> {
        self.placement
            .unit
            .archetype
            .as_deref()
            .and_then(Archetype::parse)
    }
    async fn archetype_note(&self) -> Option<&str> {
        self.placement.unit.archetype_note.as_deref()
    }
}

/// Headcount and FTE of one prevention level.
pub struct LevelFigures {
    figures: Arc<figures::LevelFigures>,
    as_of: NaiveDate,
}

#[Object]
impl LevelFigures {
    /// The level; null for roles whose level the source does not state.
    async fn level(&self) -> Option<PreventionLevel> {
        self.figures
            .level
            .as_deref()
            .and_then(PreventionLevel::parse)
    }
    async fn headcount(&self) -> Figure {
        Figure::of(self, &self.figures.headcount)
    }
    /// Share of the headcount, in per cent.
    async fn headcount_share(&self) -> Figure {
        Figure::of(self, &self.figures.headcount_share)
    }
    async fn fte(&self) -> Figure {
        Figure::of(self, &self.figures.fte)
    }
}

/// Staffing as one source document gives it.
pub struct StaffingFigures {
    figures: Arc<figures::StaffingFigures>,
    as_of: NaiveDate,
}

#[Object]
impl StaffingFigures {
    async fn source(&self, ctx: &Context<'_>) -> Result<Option<Source>> {
        self.related(ctx)
            .one(SourceById, self.figures.source_id)
            .await
    }
    // Calibrated: a source lists at most 6 staff roles of a municipality in the seed.
    #[graphql(directive = list_size::apply(20, None))]
    async fn staff_roles(&self, ctx: &Context<'_>) -> Result<Vec<StaffRole>> {
        let ids = self.figures.roles.iter().map(|role| role.id);
        self.related(ctx).each(StaffRoleById, ids).await
    }
    /// People in staff roles.
    async fn headcount(&self) -> Figure {
        Figure::of(self, &self.figures.headcount)
    }
    /// sum(headcount × weekly hours) / 37; a range where hours are ranges.
    async fn fte(&self) -> Figure {
        Figure::of(self, &self.figures.fte)
    }
    #[graphql(name = "headcountPer10kInhabitants")]
    async fn headcount_per_10k_inhabitants(&self) -> Figure {
        Figure::of(self, &self.figures.headcount_per_10k)
    }
    #[graphql(name = "ftePer10kInhabitants")]
    async fn fte_per_10k_inhabitants(&self) -> Figure {
        Figure::of(self, &self.figures.fte_per_10k)
    }
    #[graphql(directive = list_size::apply(5, None))]
    async fn by_prevention_level(&self) -> Vec<LevelFigures> {
        self.figures
            .by_prevention_level
            .iter()
            .map(|figures| LevelFigures {
                figures: figures.clone(),
                as_of: self.as_of,
            })
            .collect()
    }
}

/// A year's budget as one source document gives it.
pub struct BudgetFigures {
    figures: Arc<figures::BudgetFigures>,
    as_of: NaiveDate,
}

#[Object]
impl BudgetFigures {
    async fn source(&self, ctx: &Context<'_>) -> Result<Option<Source>> {
        self.related(ctx)
            .one(SourceById, self.figures.source_id)
            .await
    }
    async fn year(&self) -> i32 {
        self.figures.year
    }
    // Calibrated: a source gives at most 4 budget lines of a year in the seed.
    #[graphql(directive = list_size::apply(20, None))]
    async fn budget_lines(&self, ctx: &Context<'_>) -> Result<Vec<BudgetLine>> {
        let ids = self.figures.lines.iter().map(|line| line.id);
        self.related(ctx).each(BudgetLineById, ids).await
    }
    /// The total frame if the source gives one, otherwise the sum of the lines with amounts (DKK).
    async fn total(&self) -> Figure {
        Figure::of(self, &self.figures.total)
    }
    /// DKK per inhabitant.
    async fn per_inhabitant(&self) -> Figure {
        Figure::of(self, &self.figures.per_inhabitant)
    }
}

/// The forums of one level.
pub struct ForumLevelCount {
    level: Arc<figures::ForumLevel>,
    as_of: NaiveDate,
}

#[Object]
impl ForumLevelCount {
    async fn level(&self) -> Option<ForumLevel> {
        ForumLevel::parse(&self.level.level)
    }
    /// How many forums of the level you may see.
    async fn count(&self) -> usize {
        self.level.forums.len()
    }
    /// How many forums of the level you may not see: they are left out of `count` and `forums`.
    /// 0 when none is left out.
    async fn hidden_records(&self) -> usize {
        self.level.hidden_records
    }
    // Calibrated: at most 6 forums of one level in the seed (Ishøj has 16 in all).
    #[graphql(directive = list_size::apply(10, None))]
    async fn forums(&self, ctx: &Context<'_>) -> Result<Vec<Forum>> {
        let ids = self.level.forums.iter().map(|forum| forum.id);
        self.related(ctx).each(ForumById, ids).await
    }
}

/// A plan current on the day that is part of no other plan current then (a strategy, with its
/// action plans as parts), with the goals and interventions that belong to it or to its parts.
pub struct ComparedPlan {
    figures: Arc<figures::PlanFigures>,
    as_of: NaiveDate,
}

#[Object]
impl ComparedPlan {
    /// The plan: its kind, title, period (`firstYear`–`lastYear`), decision and source.
    async fn plan(&self) -> Plan {
        self.record(self.figures.plan.clone())
    }
    /// The plans current on the day that are part of it, directly or further down.
    // Calibrated: at most 1 part in the seed.
    #[graphql(directive = list_size::apply(5, None))]
    async fn parts(&self) -> Vec<Plan> {
        self.figures
            .parts
            .iter()
            .map(|part| self.record(part.clone()))
            .collect()
    }
    /// How many goals current on the day belong to the plan or its parts.
    async fn goals(&self) -> Figure {
        Figure::of(self, &self.figures.goals)
    }
    /// How many interventions current on the day belong to the plan or its parts.
    async fn interventions(&self) -> Figure {
        Figure::of(self, &self.figures.interventions)
    }
}

/// One municipality's organisation model in a comparison.
pub struct ComparedMunicipality {
    model: figures::ComparedModel,
    as_of: NaiveDate,
}

#[Object]
impl ComparedMunicipality {
    async fn municipality(&self) -> Municipality {
        self.record(self.model.municipality.clone())
    }
    async fn population(&self) -> Figure {
        Figure::of(self, &self.model.population)
    }
    /// Where the crime-prevention work sits (several units where it is split).
    #[graphql(directive = list_size::apply(10, None))]
    async fn placements(&self) -> Vec<Placement> {
        self.model
            .placements
            .iter()
            .map(|placement| Placement {
                placement: placement.clone(),
                as_of: self.as_of,
            })
            .collect()
    }
    /// Staffing figures, one set per source document (sources that disagree are both shown). A
    /// source whose staff roles you may not see at all is listed too, with no staff roles and its
    /// figures' `hiddenRecords`.
    // Calibrated: one set per source document; at most 2 in the seed.
    #[graphql(directive = list_size::apply(3, None))]
    async fn staffing(&self) -> Vec<StaffingFigures> {
        self.model
            .staffing
            .iter()
            .map(|figures| StaffingFigures {
                figures: figures.clone(),
                as_of: self.as_of,
            })
            .collect()
    }
    /// Budget figures for the year of `asOf`, one set per source document (also a source whose
    /// lines you may not see at all).
    // Calibrated: one set per source document of the year; at most 1 in the seed.
    #[graphql(directive = list_size::apply(3, None))]
    async fn budgets(&self) -> Vec<BudgetFigures> {
        self.model
            .budgets
            .iter()
            .map(|figures| BudgetFigures {
                figures: figures.clone(),
                as_of: self.as_of,
            })
            .collect()
    }
    /// The key indicators the sources report for the municipality, of one measure or covering one
    /// year when asked: outcomes to read next to the organisation.
    #[graphql(directive = list_size::apply(20, None))]
    async fn key_indicators(
        &self,
        ctx: &Context<'_>,
        measure: Option<Measure>,
        year: Option<i32>,
    ) -> Result<Vec<KeyIndicator>> {
        let slice = KeyIndicatorSlice { measure, year };
        self.related(ctx)
            .many(
                KeyIndicatorsByMunicipality(slice),
                self.model.municipality.code,
            )
            .await
    }
    /// Forums by level (also a level whose forums you may not see at all).
    #[graphql(directive = list_size::apply(5, None))]
    async fn forums_by_level(&self) -> Vec<ForumLevelCount> {
        self.model
            .forums_by_level
            .iter()
            .map(|level| ForumLevelCount {
                level: level.clone(),
                as_of: self.as_of,
            })
            .collect()
    }
    /// The crime-prevention plans current on the day (none: the municipality has no current plan
    /// you may see), each with the plans that are part of it.
    // Calibrated: at most 1 plan that is part of no other in the seed.
    #[graphql(directive = list_size::apply(5, None))]
    async fn plans(&self) -> Vec<ComparedPlan> {
        self.model
            .plans
            .iter()
            .map(|figures| ComparedPlan {
                figures: figures.clone(),
                as_of: self.as_of,
            })
            .collect()
    }
    /// How many plans current on the day you may not see: they are left out of `plans`. 0 when
    /// none is left out.
    async fn hidden_plans(&self) -> usize {
        self.model.hidden_plans
    }
}

#[derive(Default)]
pub struct ComparisonQuery;

#[Object]
impl ComparisonQuery {
    /// Organisation models of several municipalities side by side, as of a date (required: models
    /// change, and figures from different years do not compare).
    #[graphql(directive = list_size::apply(figures::MAX_COMPARED as u32, Some("codes".to_owned())))]
    async fn compare_municipalities(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Municipality codes, in the order wanted (1 to 100)")] codes: Vec<i32>,
        as_of: Date,
    ) -> Result<Vec<ComparedMunicipality>> {
        let as_of = as_of.0;
        // The plans cost six statements more: read only when the query selects them.
        let selected = ctx.look_ahead();
        let asked = figures::AskedFor {
            plans: selected.field("plans").exists() || selected.field("hiddenPlans").exists(),
        };
        let models = store(ctx)?.compare(&codes, as_of, asked).await?;
        Ok(models
            .into_iter()
            .map(|model| ComparedMunicipality { model, as_of })
            .collect())
    }
}
