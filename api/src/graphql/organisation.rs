//! The organisation: units (a tree), the political committees they report to, staff roles and
//! staff contact details.

use async_graphql::{Context, InputObject, MaybeUndefined, Object, Result, ID};
use entities::{contact, political_committee, staff_role, unit};
use rust_decimal::Decimal;

use super::{
    budget::BudgetLine,
    edits::{
        key_of, nullable, optional_key_of, required, revision_of, ProvenanceInput, VersionInput,
    },
    ids::{GlobalId, Kind},
    list_size,
    loaders::*,
    municipality::Municipality,
    pagination::{paginate, List},
    scalars::Date,
    source::{provenance_of, Provenance},
    store,
};
use crate::{
    error::ApiError,
    service::{
        BudgetLineSlice, ContactChanges, NewContact, NewPoliticalCommittee, NewStaffRole, NewUnit,
        PoliticalCommitteeChanges, StaffRoleChanges, StaffRoleFilter, StaffRoleSlice, UnitChanges,
        UnitFilter, UnitSlice,
    },
    vocabulary::{Archetype, BudgetCategory, BudgetPhase, Pillar, PreventionLevel},
};

/// The unit tree is never deeper than this; the bound guards against cycles in bad data.
const MAX_TREE_DEPTH: usize = 32;

dated_record!(
    /// A unit of a municipality's organisation: executive board, centre, department, team, school...
    Unit, unit
);

#[Object]
impl Unit {
    pub(crate) async fn id(&self) -> ID {
        Kind::Unit.id(self.row.id)
    }
    /// Counts the writes to the unit: an update or terminate sends back the revision it read,
    /// and is refused with `CONFLICT` when the unit was changed since.
    async fn revision(&self, ctx: &Context<'_>) -> Result<i32> {
        revision_of(self, ctx, self.row.id).await
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
        self.related(ctx)
            .one(MunicipalityByCode, self.row.municipality_code)
            .await
    }
    async fn parent(&self, ctx: &Context<'_>) -> Result<Option<Unit>> {
        self.related(ctx)
            .optional(UnitById, self.row.parent_id)
            .await
    }
    #[graphql(directive = list_size::apply(10, None))]
    async fn children(&self, ctx: &Context<'_>) -> Result<Vec<Unit>> {
        self.related(ctx).many(UnitsByParent, self.row.id).await
    }
    /// The units above this one, from the top of the hierarchy down to the parent.
    #[graphql(directive = list_size::apply(10, None))]
    async fn ancestors(&self, ctx: &Context<'_>) -> Result<Vec<Unit>> {
        let related = self.related(ctx);
        let mut ancestors = Vec::new();
        let mut next = self.row.parent_id;
        while let Some(parent_id) = next.filter(|_| ancestors.len() < MAX_TREE_DEPTH) {
            let Some(parent): Option<Unit> = related.one(UnitById, parent_id).await? else {
                break;
            };
            next = parent.row.parent_id;
            ancestors.push(parent);
        }
        ancestors.reverse();
        Ok(ancestors)
    }
    /// The political committee the unit reports to, if the sources name one.
    async fn committee(&self, ctx: &Context<'_>) -> Result<Option<PoliticalCommittee>> {
        self.related(ctx)
            .optional(CommitteeById, self.row.committee_id)
            .await
    }
    #[graphql(directive = list_size::apply(10, None))]
    async fn staff_roles(
        &self,
        ctx: &Context<'_>,
        prevention_level: Option<PreventionLevel>,
    ) -> Result<Vec<StaffRole>> {
        let slice = StaffRoleSlice { prevention_level };
        self.related(ctx)
            .many(StaffRolesByUnit(slice), self.row.id)
            .await
    }
    #[graphql(directive = list_size::apply(50, None))]
    async fn budget_lines(
        &self,
        ctx: &Context<'_>,
        year: Option<i32>,
        category: Option<BudgetCategory>,
        phase: Option<BudgetPhase>,
    ) -> Result<Vec<BudgetLine>> {
        let slice = BudgetLineSlice {
            year,
            category,
            phase,
        };
        self.related(ctx)
            .many(BudgetLinesByUnit(slice), self.row.id)
            .await
    }
    /// Staff contact details (private: only the municipality itself sees them).
    #[graphql(directive = list_size::apply(5, None))]
    async fn contacts(&self, ctx: &Context<'_>) -> Result<Vec<Contact>> {
        self.related(ctx).many(ContactsByUnit, self.row.id).await
    }
    async fn provenance(&self) -> Provenance {
        provenance_of!(self)
    }
}

dated_record!(
    /// A political committee (udvalg).
    PoliticalCommittee, political_committee
);

#[Object]
impl PoliticalCommittee {
    pub(crate) async fn id(&self) -> ID {
        Kind::PoliticalCommittee.id(self.row.id)
    }
    /// Counts the writes to the record; a write sends back the revision it read.
    async fn revision(&self, ctx: &Context<'_>) -> Result<i32> {
        revision_of(self, ctx, self.row.id).await
    }
    async fn name(&self) -> &str {
        &self.row.name
    }
    /// The units that report to the committee.
    #[graphql(directive = list_size::apply(20, None))]
    async fn units(&self, ctx: &Context<'_>) -> Result<Vec<Unit>> {
        self.related(ctx).many(UnitsByCommittee, self.row.id).await
    }
    async fn provenance(&self) -> Provenance {
        provenance_of!(self)
    }
}

/// Weekly hours from stored minutes.
fn hours(minutes: Option<i32>) -> Option<Decimal> {
    minutes.map(|m| (Decimal::from(m) / Decimal::from(60)).normalize())
}

dated_record!(
    /// A staff role in a unit: title, headcount and weekly hours (a range where the source gives one).
    StaffRole, staff_role
);

#[Object]
impl StaffRole {
    pub(crate) async fn id(&self) -> ID {
        Kind::StaffRole.id(self.row.id)
    }
    /// Counts the writes to the record; a write sends back the revision it read.
    async fn revision(&self, ctx: &Context<'_>) -> Result<i32> {
        revision_of(self, ctx, self.row.id).await
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
        self.related(ctx).one(UnitById, self.row.unit_id).await
    }
    async fn municipality(&self, ctx: &Context<'_>) -> Result<Option<Municipality>> {
        self.related(ctx)
            .one(MunicipalityByCode, self.row.municipality_code)
            .await
    }
    async fn provenance(&self) -> Provenance {
        provenance_of!(self)
    }
}

fn fte(headcount: Option<i32>, minutes: Option<i32>) -> Option<Decimal> {
    let minutes = i64::from(headcount?) * i64::from(minutes?);
    Some(
        (Decimal::from(minutes) / Decimal::from(crate::service::comparison::FTE_MINUTES))
            .round_dp(2),
    )
}

dated_record!(
    /// Contact details of a member of staff (personal data; private).
    Contact, contact
);

#[Object]
impl Contact {
    pub(crate) async fn id(&self) -> ID {
        Kind::Contact.id(self.row.id)
    }
    /// Counts the writes to the record; a write sends back the revision it read.
    async fn revision(&self, ctx: &Context<'_>) -> Result<i32> {
        revision_of(self, ctx, self.row.id).await
    }
    async fn name(&self) -> &str {
        &self.row.name
    }
    async fn role_title(&self) -> &str {
        &self.row.role_title
    }
    async fn phone(&self) -> Option<&str> {
        self.row.phone.as_deref()
    }
    async fn email(&self) -> Option<&str> {
        self.row.email.as_deref()
    }
    async fn unit(&self, ctx: &Context<'_>) -> Result<Option<Unit>> {
        self.related(ctx).optional(UnitById, self.row.unit_id).await
    }
    async fn provenance(&self) -> Provenance {
        provenance_of!(self)
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
            slice: UnitSlice {
                kind: filter.kind,
                hosts_crime_prevention: filter.hosts_crime_prevention,
            },
        };
        paginate(
            ctx,
            &filter,
            as_of,
            first,
            after,
            |row| row.id,
            |row| Unit::read_at(row, as_of),
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
            .map(|id| super::node::expect_kind(id, Kind::Source, "filter.source"))
            .transpose()?;
        let filter = StaffRoleFilter {
            municipality_codes: filter.municipality_codes,
            search: filter.search,
            source_id,
            slice: StaffRoleSlice {
                prevention_level: filter.prevention_level,
            },
        };
        paginate(
            ctx,
            &filter,
            as_of,
            first,
            after,
            |row| row.id,
            |row| StaffRole::read_at(row, as_of),
        )
        .await
    }
}

/// A new unit of a municipality's organisation.
#[derive(InputObject)]
pub struct CreateUnitInput {
    /// The municipality the unit belongs to (the editor's own).
    pub municipality_code: i32,
    pub name: String,
    /// `executive_board`, `centre`, `department`, `staff_unit`, `team`, `school`, ...
    pub kind: String,
    /// The unit it sits under (none: at the top of the hierarchy).
    pub parent_id: Option<ID>,
    /// The political committee it reports to.
    pub committee_id: Option<ID>,
    pub archetype: Option<Archetype>,
    pub archetype_note: Option<String>,
    #[graphql(default)]
    pub hosts_crime_prevention: bool,
    #[graphql(flatten)]
    pub version: VersionInput,
}

/// Changes to a unit: a field not given keeps its value, `null` clears it.
#[derive(InputObject, Default)]
pub struct UnitChangesInput {
    pub name: MaybeUndefined<String>,
    pub kind: MaybeUndefined<String>,
    /// Moves the unit (`null`: to the top of the hierarchy).
    pub parent_id: MaybeUndefined<ID>,
    pub committee_id: MaybeUndefined<ID>,
    pub archetype: MaybeUndefined<Archetype>,
    pub archetype_note: MaybeUndefined<String>,
    pub hosts_crime_prevention: MaybeUndefined<bool>,
}

impl UnitChangesInput {
    fn into_changes(self) -> Result<UnitChanges, ApiError> {
        Ok(UnitChanges {
            name: required(self.name, "changes.name")?,
            kind: required(self.kind, "changes.kind")?,
            parent_id: nullable(self.parent_id)
                .map(|id| optional_key_of(id.as_ref(), Kind::Unit, "changes.parentId"))
                .transpose()?,
            committee_id: nullable(self.committee_id)
                .map(|id| {
                    optional_key_of(id.as_ref(), Kind::PoliticalCommittee, "changes.committeeId")
                })
                .transpose()?,
            archetype: nullable(self.archetype),
            archetype_note: nullable(self.archetype_note),
            hosts_crime_prevention: required(
                self.hosts_crime_prevention,
                "changes.hostsCrimePrevention",
            )?,
        })
    }
}

#[derive(Default)]
pub struct OrganisationMutation;

#[Object]
impl OrganisationMutation {
    /// Creates a unit (`private` until an admin shares it); an editor of its municipality may.
    async fn create_unit(&self, ctx: &Context<'_>, input: CreateUnitInput) -> Result<Unit> {
        let valid_from = input.version.valid_from.0;
        let new = NewUnit {
            municipality_code: input.municipality_code,
            name: input.name,
            kind: input.kind,
            parent_id: optional_key_of(input.parent_id.as_ref(), Kind::Unit, "input.parentId")?,
            committee_id: optional_key_of(
                input.committee_id.as_ref(),
                Kind::PoliticalCommittee,
                "input.committeeId",
            )?,
            archetype: input.archetype,
            archetype_note: input.archetype_note,
            hosts_crime_prevention: input.hosts_crime_prevention,
            version: input.version.into(),
        };
        let row = store(ctx)?.create_unit(new, "input").await?;
        Ok(Unit::of_model(row, Some(valid_from)))
    }

    /// Changes a unit from `from` on (also moves it: give `parentId`); as of the day before it
    /// reads as it was. `revision` is the one the client read.
    async fn update_unit(
        &self,
        ctx: &Context<'_>,
        id: ID,
        revision: i32,
        from: Date,
        changes: UnitChangesInput,
        provenance: ProvenanceInput,
    ) -> Result<Unit> {
        let key = key_of(&id, Kind::Unit, "id")?;
        let changes = changes.into_changes()?;
        let row = store(ctx)?
            .update_unit(key, revision, from.0, changes, provenance.into(), "changes")
            .await?;
        Ok(Unit::of_model(row, Some(from.0)))
    }

    /// Creates a staff role in a unit of the editor's municipality (`private` until shared).
    async fn create_staff_role(
        &self,
        ctx: &Context<'_>,
        input: CreateStaffRoleInput,
    ) -> Result<StaffRole> {
        let valid_from = input.version.valid_from.0;
        let new = NewStaffRole {
            unit_id: key_of(&input.unit_id, Kind::Unit, "input.unitId")?,
            title: input.title,
            headcount: input.headcount,
            weekly_hours_min: input.weekly_hours_min,
            weekly_hours_max: input.weekly_hours_max,
            prevention_level: input.prevention_level,
            pillar: input.pillar,
            version: input.version.into(),
        };
        let row = store(ctx)?.create_staff_role(new, "input").await?;
        Ok(StaffRole::of_model(row, Some(valid_from)))
    }

    /// Changes a staff role from `from` on; as of the day before it reads as it was.
    async fn update_staff_role(
        &self,
        ctx: &Context<'_>,
        id: ID,
        revision: i32,
        from: Date,
        changes: StaffRoleChangesInput,
        provenance: ProvenanceInput,
    ) -> Result<StaffRole> {
        let key = key_of(&id, Kind::StaffRole, "id")?;
        let changes = StaffRoleChanges {
            unit_id: required(changes.unit_id, "changes.unitId")?
                .map(|id| key_of(&id, Kind::Unit, "changes.unitId"))
                .transpose()?,
            title: required(changes.title, "changes.title")?,
            headcount: nullable(changes.headcount),
            weekly_hours_min: nullable(changes.weekly_hours_min),
            weekly_hours_max: nullable(changes.weekly_hours_max),
            prevention_level: nullable(changes.prevention_level),
            pillar: nullable(changes.pillar),
        };
        let row = store(ctx)?
            .update_staff_role(key, revision, from.0, changes, provenance.into(), "changes")
            .await?;
        Ok(StaffRole::of_model(row, Some(from.0)))
    }

    /// Creates a political committee of the editor's municipality (`private` until shared).
    async fn create_political_committee(
        &self,
        ctx: &Context<'_>,
        input: CreatePoliticalCommitteeInput,
    ) -> Result<PoliticalCommittee> {
        let valid_from = input.version.valid_from.0;
        let new = NewPoliticalCommittee {
            municipality_code: input.municipality_code,
            name: input.name,
            version: input.version.into(),
        };
        let row = store(ctx)?.create_political_committee(new, "input").await?;
        Ok(PoliticalCommittee::of_model(row, Some(valid_from)))
    }

    /// Changes a political committee from `from` on (a new name); as of the day before it reads
    /// as it was.
    async fn update_political_committee(
        &self,
        ctx: &Context<'_>,
        id: ID,
        revision: i32,
        from: Date,
        changes: PoliticalCommitteeChangesInput,
        provenance: ProvenanceInput,
    ) -> Result<PoliticalCommittee> {
        let key = key_of(&id, Kind::PoliticalCommittee, "id")?;
        let changes = PoliticalCommitteeChanges {
            name: required(changes.name, "changes.name")?,
        };
        let row = store(ctx)?
            .update_political_committee(
                key,
                revision,
                from.0,
                changes,
                provenance.into(),
                "changes",
            )
            .await?;
        Ok(PoliticalCommittee::of_model(row, Some(from.0)))
    }

    /// Creates contact details of a member of staff (personal data: `private`, and only an admin
    /// shares them).
    async fn create_contact(
        &self,
        ctx: &Context<'_>,
        input: CreateContactInput,
    ) -> Result<Contact> {
        let valid_from = input.version.valid_from.0;
        let new = NewContact {
            municipality_code: input.municipality_code,
            unit_id: optional_key_of(input.unit_id.as_ref(), Kind::Unit, "input.unitId")?,
            name: input.name,
            role_title: input.role_title,
            phone: input.phone,
            email: input.email,
            version: input.version.into(),
        };
        let row = store(ctx)?.create_contact(new, "input").await?;
        Ok(Contact::of_model(row, Some(valid_from)))
    }

    /// Changes contact details from `from` on; as of the day before they read as they were.
    async fn update_contact(
        &self,
        ctx: &Context<'_>,
        id: ID,
        revision: i32,
        from: Date,
        changes: ContactChangesInput,
        provenance: ProvenanceInput,
    ) -> Result<Contact> {
        let key = key_of(&id, Kind::Contact, "id")?;
        let changes = ContactChanges {
            unit_id: nullable(changes.unit_id)
                .map(|id| optional_key_of(id.as_ref(), Kind::Unit, "changes.unitId"))
                .transpose()?,
            name: required(changes.name, "changes.name")?,
            role_title: required(changes.role_title, "changes.roleTitle")?,
            phone: nullable(changes.phone),
            email: nullable(changes.email),
        };
        let row = store(ctx)?
            .update_contact(key, revision, from.0, changes, provenance.into(), "changes")
            .await?;
        Ok(Contact::of_model(row, Some(from.0)))
    }
}

/// A new staff role.
#[derive(InputObject)]
pub struct CreateStaffRoleInput {
    /// The unit the role is in.
    pub unit_id: ID,
    pub title: String,
    /// People in the role; none when not known.
    pub headcount: Option<i32>,
    /// Weekly hours per person (0–37, whole minutes): one figure, or the ends of a range.
    pub weekly_hours_min: Option<Decimal>,
    pub weekly_hours_max: Option<Decimal>,
    pub prevention_level: Option<PreventionLevel>,
    pub pillar: Option<Pillar>,
    #[graphql(flatten)]
    pub version: VersionInput,
}

/// Changes to a staff role: a field not given keeps its value, `null` clears it.
#[derive(InputObject, Default)]
pub struct StaffRoleChangesInput {
    /// Moves the role to another unit.
    pub unit_id: MaybeUndefined<ID>,
    pub title: MaybeUndefined<String>,
    pub headcount: MaybeUndefined<i32>,
    pub weekly_hours_min: MaybeUndefined<Decimal>,
    pub weekly_hours_max: MaybeUndefined<Decimal>,
    pub prevention_level: MaybeUndefined<PreventionLevel>,
    pub pillar: MaybeUndefined<Pillar>,
}

/// A new political committee (udvalg).
#[derive(InputObject)]
pub struct CreatePoliticalCommitteeInput {
    /// The municipality (the editor's own).
    pub municipality_code: i32,
    pub name: String,
    #[graphql(flatten)]
    pub version: VersionInput,
}

/// Changes to a political committee: a field not given keeps its value.
#[derive(InputObject, Default)]
pub struct PoliticalCommitteeChangesInput {
    pub name: MaybeUndefined<String>,
}

/// New contact details of a member of staff: personal data, so only what work needs.
#[derive(InputObject)]
pub struct CreateContactInput {
    /// The municipality (the editor's own).
    pub municipality_code: i32,
    /// The unit the person works in, if any.
    pub unit_id: Option<ID>,
    pub name: String,
    pub role_title: String,
    /// A work phone number (digits, spaces, `-`, a leading `+`).
    pub phone: Option<String>,
    /// A work e-mail address.
    pub email: Option<String>,
    #[graphql(flatten)]
    pub version: VersionInput,
}

/// Changes to contact details: a field not given keeps its value, `null` clears it.
#[derive(InputObject, Default)]
pub struct ContactChangesInput {
    pub unit_id: MaybeUndefined<ID>,
    pub name: MaybeUndefined<String>,
    pub role_title: MaybeUndefined<String>,
    pub phone: MaybeUndefined<String>,
    pub email: MaybeUndefined<String>,
}
