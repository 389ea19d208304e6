//! The organisation: units (a tree), the political committees they report to, staff roles and
//! staff contact details.

use async_graphql::{Context, InputObject, Object, Result, ID};
use entities::{contact, political_committee, staff_role, unit};
use rust_decimal::Decimal;

use super::{
    budget::BudgetLine,
    ids::NodeKind,
    list_size,
    loaders::*,
    municipality::Municipality,
    pagination::{paginate, List},
    scalars::Date,
    source::{provenance_of, Provenance},
};
use crate::{
    service::{StaffRoleFilter, UnitFilter},
    vocabulary::{Archetype, Pillar, PreventionLevel},
};

/// The unit tree is never deeper than this; the bound guards against cycles in bad data.
const MAX_TREE_DEPTH: usize = 32;

dated_record!(
    /// A unit of a municipality's organisation: executive board, centre, department, team, school...
    Unit, unit::Model
);

#[Object]
impl Unit {
    pub(crate) async fn id(&self) -> ID {
        NodeKind::Unit.id(self.row.id)
    }
    async fn name(&self) -> &str {
        &self.row.name
    }
    /// `executive_board`, `centre`, `department`, `staff_unit`, `team`, `school`, `youth_school`, ...
    async fn kind(&self) -> &str {
        &self.row.kind
    }
    /// The organisation archetype the unit follows, where the sources support one.
    async fn archetype(&self) -> Option<Archetype> {
        self.row.archetype.as_deref().and_then(Archetype::parse)
    }
    /// Why the archetype is what it is, or why it is unknown.
    async fn archetype_note(&self) -> Option<&str> {
        self.row.archetype_note.as_deref()
    }
    /// Whether the municipality's SSP / crime-prevention work sits in this unit.
    async fn hosts_crime_prevention(&self) -> bool {
        self.row.hosts_crime_prevention
    }
    async fn municipality(&self, ctx: &Context<'_>) -> Result<Option<Municipality>> {
        let row = load_one(ctx, MunicipalityByCode, self.row.municipality_code, None).await?;
        Ok(row.map(|row| Municipality::new(row, self.as_of)))
    }
    async fn parent(&self, ctx: &Context<'_>) -> Result<Option<Unit>> {
        let row = load_optional(ctx, UnitById, self.row.parent_id, self.as_of).await?;
        Ok(row.map(|row| Unit::new(row, self.as_of)))
    }
    #[graphql(directive = list_size::apply(10))]
    async fn children(&self, ctx: &Context<'_>) -> Result<Vec<Unit>> {
        let rows = load_many(ctx, UnitsByParent, self.row.id, self.as_of).await?;
        Ok(rows
            .into_iter()
            .map(|row| Unit::new(row, self.as_of))
            .collect())
    }
    /// The units above this one, from the top of the hierarchy down to the parent.
    #[graphql(directive = list_size::apply(10))]
    async fn ancestors(&self, ctx: &Context<'_>) -> Result<Vec<Unit>> {
        let mut ancestors = Vec::new();
        let mut next = self.row.parent_id;
        while let Some(parent_id) = next.filter(|_| ancestors.len() < MAX_TREE_DEPTH) {
            let Some(row) = load_one(ctx, UnitById, parent_id, self.as_of).await? else {
                break;
            };
            next = row.parent_id;
            ancestors.push(Unit::new(row, self.as_of));
        }
        ancestors.reverse();
        Ok(ancestors)
    }
    /// The political committee the unit reports to, if the sources name one.
    async fn committee(&self, ctx: &Context<'_>) -> Result<Option<PoliticalCommittee>> {
        let row = load_optional(ctx, CommitteeById, self.row.committee_id, self.as_of).await?;
        Ok(row.map(|row| PoliticalCommittee::new(row, self.as_of)))
    }
    #[graphql(directive = list_size::apply(10))]
    async fn staff_roles(&self, ctx: &Context<'_>) -> Result<Vec<StaffRole>> {
        let rows = load_many(ctx, StaffRolesByUnit, self.row.id, self.as_of).await?;
        Ok(rows
            .into_iter()
            .map(|row| StaffRole::new(row, self.as_of))
            .collect())
    }
    #[graphql(directive = list_size::apply(50))]
    async fn budget_lines(&self, ctx: &Context<'_>) -> Result<Vec<BudgetLine>> {
        let rows = load_many(ctx, BudgetLinesByUnit, self.row.id, self.as_of).await?;
        Ok(rows
            .into_iter()
            .map(|row| BudgetLine::new(row, self.as_of))
            .collect())
    }
    /// Staff contact details (private: only the municipality itself sees them).
    #[graphql(directive = list_size::apply(5))]
    async fn contacts(&self, ctx: &Context<'_>) -> Result<Vec<Contact>> {
        let rows = load_many(ctx, ContactsByUnit, self.row.id, self.as_of).await?;
        Ok(rows.into_iter().map(Contact).collect())
    }
    async fn provenance(&self) -> Provenance {
        provenance_of!(self.row)
    }
}

dated_record!(
    /// A political committee (udvalg).
    PoliticalCommittee, political_committee::Model
);

#[Object]
impl PoliticalCommittee {
    pub(crate) async fn id(&self) -> ID {
        NodeKind::PoliticalCommittee.id(self.row.id)
    }
    async fn name(&self) -> &str {
        &self.row.name
    }
    /// The units that report to the committee.
    #[graphql(directive = list_size::apply(20))]
    async fn units(&self, ctx: &Context<'_>) -> Result<Vec<Unit>> {
        let rows = load_many(ctx, UnitsByCommittee, self.row.id, self.as_of).await?;
        Ok(rows
            .into_iter()
            .map(|row| Unit::new(row, self.as_of))
            .collect())
    }
    async fn provenance(&self) -> Provenance {
        provenance_of!(self.row)
    }
}

/// Weekly hours from stored minutes.
fn hours(minutes: Option<i32>) -> Option<Decimal> {
    minutes.map(|m| (Decimal::from(m) / Decimal::from(60)).normalize())
}

dated_record!(
    /// A staff role in a unit: title, headcount and weekly hours (a range where the source gives one).
    StaffRole, staff_role::Model
);

#[Object]
impl StaffRole {
    pub(crate) async fn id(&self) -> ID {
        NodeKind::StaffRole.id(self.row.id)
    }
    /// The title as the source words it (titles are data, not an enum).
    async fn title(&self) -> &str {
        &self.row.title
    }
    /// People in the role; null when the source gives no number.
    async fn headcount(&self) -> Option<i32> {
        self.row.headcount
    }
    /// Weekly hours per person, lower end (equal to the upper end when exact).
    async fn weekly_hours_min(&self) -> Option<Decimal> {
        hours(self.row.weekly_minutes_min)
    }
    /// Weekly hours per person, upper end.
    async fn weekly_hours_max(&self) -> Option<Decimal> {
        hours(self.row.weekly_minutes_max)
    }
    /// Full-time equivalents, lower end: headcount × weekly hours / 37, to 2 decimals.
    async fn fte_min(&self) -> Option<Decimal> {
        fte(self.row.headcount, self.row.weekly_minutes_min)
    }
    /// Full-time equivalents, upper end.
    async fn fte_max(&self) -> Option<Decimal> {
        fte(self.row.headcount, self.row.weekly_minutes_max)
    }
    async fn prevention_level(&self) -> Option<PreventionLevel> {
        self.row
            .prevention_level
            .as_deref()
            .and_then(PreventionLevel::parse)
    }
    async fn pillar(&self) -> Option<Pillar> {
        self.row.pillar.as_deref().and_then(Pillar::parse)
    }
    async fn unit(&self, ctx: &Context<'_>) -> Result<Option<Unit>> {
        let row = load_one(ctx, UnitById, self.row.unit_id, self.as_of).await?;
        Ok(row.map(|row| Unit::new(row, self.as_of)))
    }
    async fn municipality(&self, ctx: &Context<'_>) -> Result<Option<Municipality>> {
        let row = load_one(ctx, MunicipalityByCode, self.row.municipality_code, None).await?;
        Ok(row.map(|row| Municipality::new(row, self.as_of)))
    }
    async fn provenance(&self) -> Provenance {
        provenance_of!(self.row)
    }
}

fn fte(headcount: Option<i32>, minutes: Option<i32>) -> Option<Decimal> {
    let minutes = i64::from(headcount?) * i64::from(minutes?);
    Some(
        (Decimal::from(minutes) / Decimal::from(crate::service::comparison::FTE_MINUTES))
            .round_dp(2),
    )
}

/// Contact details of a member of staff (personal data; private).
#[derive(Clone)]
pub struct Contact(pub contact::Model);

#[Object]
impl Contact {
    pub(crate) async fn id(&self) -> ID {
        NodeKind::Contact.id(self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn role_title(&self) -> &str {
        &self.0.role_title
    }
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }
    async fn unit(&self, ctx: &Context<'_>) -> Result<Option<Unit>> {
        Ok(load_optional(ctx, UnitById, self.0.unit_id, None)
            .await?
            .map(|row| Unit::new(row, None)))
    }
    async fn provenance(&self) -> Provenance {
        provenance_of!(self.0)
    }
}

/// Which units to list.
#[derive(Default, InputObject)]
pub struct UnitFilterInput {
    pub municipality_codes: Option<Vec<i32>>,
    /// Text to find in the name (case-insensitive).
    pub search: Option<String>,
    pub kind: Option<String>,
    /// Only units where the crime-prevention work sits (or only the others).
    pub hosts_crime_prevention: Option<bool>,
}

/// Which staff roles to list.
#[derive(Default, InputObject)]
pub struct StaffRoleFilterInput {
    pub municipality_codes: Option<Vec<i32>>,
    /// Text to find in the title (case-insensitive).
    pub search: Option<String>,
    pub prevention_level: Option<PreventionLevel>,
    /// Only roles from this source document (its ID).
    pub source: Option<ID>,
}

#[derive(Default)]
pub struct OrganisationQuery;

#[Object]
impl OrganisationQuery {
    /// Units across the municipalities the caller may see.
    async fn units(
        &self,
        ctx: &Context<'_>,
        filter: Option<UnitFilterInput>,
        as_of: Option<Date>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<List<Unit>> {
        let as_of = Date::day(as_of);
        let filter = filter.unwrap_or_default();
        let filter = UnitFilter {
            municipality_codes: filter.municipality_codes,
            search: filter.search,
            kind: filter.kind,
            hosts_crime_prevention: filter.hosts_crime_prevention,
        };
        paginate(
            ctx,
            &filter,
            as_of,
            first,
            after,
            |row| row.id,
            |row| Unit::new(row, as_of),
        )
        .await
    }

    /// Staff roles across the municipalities the caller may see.
    async fn staff_roles(
        &self,
        ctx: &Context<'_>,
        filter: Option<StaffRoleFilterInput>,
        as_of: Option<Date>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<List<StaffRole>> {
        let as_of = Date::day(as_of);
        let filter = filter.unwrap_or_default();
        let source_id = filter
            .source
            .as_ref()
            .map(|id| super::node::expect_kind(id, NodeKind::Source, "filter.source"))
            .transpose()?;
        let filter = StaffRoleFilter {
            municipality_codes: filter.municipality_codes,
            search: filter.search,
            prevention_level: filter.prevention_level.map(|l| l.as_str().to_owned()),
            source_id,
        };
        paginate(
            ctx,
            &filter,
            as_of,
            first,
            after,
            |row| row.id,
            |row| StaffRole::new(row, as_of),
        )
        .await
    }
}
