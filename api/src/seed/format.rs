//! The seed dataset's file format: what `data/*.toml` may say, as serde types.
//!
//! Records point at each other by string keys (`unit = "ishoj-2023-tk"`); the loader turns keys into
//! database ids. Every tenant-owned record names its `source` (a key of `data/sources.toml`) and the
//! `section` of that document it comes from.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Deserialize;

/// `data/sources.toml`: the documents the dataset is written from.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourcesFile {
    pub source: Vec<SourceRecord>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceRecord {
    pub key: String,
    /// File name under `shared/seeds/`.
    pub file: String,
    pub title: String,
    pub publisher: String,
    /// Date of the document, when it has one.
    pub date: Option<NaiveDate>,
    pub note: Option<String>,
}

/// `data/reference.toml`: the tenants, the networks and everything that is not owned by a tenant.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferenceFile {
    pub municipality: Vec<MunicipalityRecord>,
    pub network: Vec<NetworkRecord>,
    pub partner: Vec<PartnerRecord>,
    pub legal_basis: Vec<LegalBasisRecord>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MunicipalityRecord {
    /// Kommunekode (Danmarks Statistik).
    pub code: i32,
    pub name: String,
    pub population: Option<i64>,
    pub population_year: Option<i32>,
    pub population_source: Option<String>,
    pub population_section: Option<String>,
    /// Why the population is unknown, or how approximate it is ("omkring").
    pub population_note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkRecord {
    pub key: String,
    pub name: String,
    /// `ssp_circle`, `police_district_council`, `heads_forum`, ...
    pub kind: String,
    pub description: Option<String>,
    pub source: String,
    pub section: String,
    /// Municipality codes of the members.
    pub members: Vec<i32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartnerRecord {
    pub key: String,
    pub name: String,
    /// `police`, `prison_and_probation`, `intelligence`, `state_agency`, `council`, `housing`,
    /// `association`, `business`, `education`, `health`, `other`.
    pub kind: String,
    pub note: Option<String>,
    pub source: String,
    pub section: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegalBasisRecord {
    pub key: String,
    /// "Retsplejeloven", "Serviceloven".
    pub law: String,
    /// "§ 115".
    pub section_ref: String,
    pub title: String,
    pub source: String,
    pub section: String,
}

/// `data/municipalities/*.toml`: one municipality's organisation model, all periods and sources.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelFile {
    /// The owning municipality's code.
    pub municipality: i32,
    #[serde(default)]
    pub committee: Vec<CommitteeRecord>,
    #[serde(default)]
    pub unit: Vec<UnitRecord>,
    #[serde(default)]
    pub staff_role: Vec<StaffRoleRecord>,
    #[serde(default)]
    pub budget_line: Vec<BudgetLineRecord>,
    #[serde(default)]
    pub forum: Vec<ForumRecord>,
    #[serde(default)]
    pub goal: Vec<GoalRecord>,
    #[serde(default)]
    pub intervention: Vec<InterventionRecord>,
    #[serde(default)]
    pub shared_project: Vec<SharedProjectRecord>,
    #[serde(default)]
    pub contact: Vec<ContactRecord>,
    #[serde(default)]
    pub key_indicator: Vec<KeyIndicatorRecord>,
}

/// Declares a tenant-owned record type: its own fields plus the fields every such record has (where it
/// comes from, when it held, who may see it). A macro rather than `#[serde(flatten)]` because serde
/// cannot deny unknown fields through a flatten, and a typo in the data must fail the load.
macro_rules! tenant_record {
    ($(#[$meta:meta])* pub struct $name:ident { $($(#[$field_meta:meta])* pub $field:ident : $ty:ty,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $($(#[$field_meta])* pub $field: $ty,)*
            /// Key of the source document.
            pub source: String,
            /// Section of the source document the record comes from.
            pub section: String,
            /// First day the record holds (inclusive); none = not known.
            pub valid_from: Option<NaiveDate>,
            /// First day the record no longer holds (exclusive); none = still holds or not known.
            pub valid_to: Option<NaiveDate>,
            /// `private`, `network` or `public` (the default: the seeds are published documents).
            pub visibility: Option<String>,
            pub note: Option<String>,
        }

        impl $name {
            pub fn provenance(&self) -> Provenance<'_> {
                Provenance {
                    source: &self.source,
                    section: &self.section,
                    valid_from: self.valid_from,
                    valid_to: self.valid_to,
                    visibility: self.visibility.as_deref(),
                    note: self.note.as_deref(),
                }
            }
        }
    };
}

/// The provenance fields of a tenant-owned record, borrowed.
#[derive(Debug, Clone, Copy)]
pub struct Provenance<'a> {
    pub source: &'a str,
    pub section: &'a str,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    pub visibility: Option<&'a str>,
    pub note: Option<&'a str>,
}

tenant_record! {
pub struct CommitteeRecord {
    pub key: String,
    pub name: String,
}
}

tenant_record! {
pub struct UnitRecord {
    pub key: String,
    pub name: String,
    /// `executive_board`, `centre`, `department`, `staff_unit`, `team`, `school`, `youth_school`,
    /// `working_group`, `other`.
    pub kind: String,
    pub parent: Option<String>,
    /// Key of the political committee the unit reports to.
    pub committee: Option<String>,
    /// `clear_line_of_command`, `professional_pillars` or `integrated`.
    pub archetype: Option<String>,
    /// Why the archetype is what it is (or why it is unknown).
    pub archetype_note: Option<String>,
    /// True for the unit(s) where the municipality's SSP / crime-prevention work sits.
    #[serde(default)]
    pub hosts_crime_prevention: bool,
}
}

tenant_record! {
pub struct StaffRoleRecord {
    pub unit: String,
    pub title: String,
    /// People in the role; none when the source gives no number.
    pub headcount: Option<i32>,
    /// Weekly hours per person: `weekly_hours` when exact, or `weekly_hours_min`/`_max` for a range.
    pub weekly_hours: Option<Decimal>,
    pub weekly_hours_min: Option<Decimal>,
    pub weekly_hours_max: Option<Decimal>,
    /// `general`, `targeted` or `individual`.
    pub prevention_level: Option<String>,
    /// `proactive`, `operative` or `reactive` (the pillars of the professional archetype).
    pub pillar: Option<String>,
}
}

tenant_record! {
pub struct BudgetLineRecord {
    pub unit: Option<String>,
    pub year: i32,
    /// `frame` (the total frame), `salaries`, `pool`, `project_funds`, `external_funding`.
    pub category: String,
    /// `proposed`, `adopted`, `adjusted`, `actual`.
    pub phase: String,
    /// Amount in DKK as an exact decimal string ("5280000.00"); none when the source gives none.
    pub amount: Option<Decimal>,
    pub function_code: Option<String>,
    pub description: String,
}
}

tenant_record! {
pub struct ForumRecord {
    pub key: String,
    pub name: String,
    /// `municipal`, `cross_municipal`, `police_district`, `national`.
    pub scope: String,
    /// `strategic`, `coordinating`, `operational`.
    pub level: String,
    /// Free text as the source says it ("hver anden uge", "fire gange årligt").
    pub cadence: Option<String>,
    pub purpose: Option<String>,
    /// Key of the network the forum belongs to, if any.
    pub network: Option<String>,
    #[serde(default)]
    pub legal_bases: Vec<String>,
    #[serde(default)]
    pub member: Vec<ForumMemberRecord>,
}
}

/// Who attends a forum: one of `unit` or `partner`, and the role title of whoever attends.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForumMemberRecord {
    pub unit: Option<String>,
    pub partner: Option<String>,
    pub role_title: String,
    pub note: Option<String>,
}

tenant_record! {
pub struct GoalRecord {
    pub key: String,
    /// The plan the goal belongs to ("Ishøj – En Tryg By").
    pub plan: String,
    pub number: i32,
    pub title: String,
}
}

tenant_record! {
pub struct InterventionRecord {
    pub key: String,
    pub name: String,
    pub description: Option<String>,
    pub goal: Option<String>,
    pub lead_unit: Option<String>,
    pub prevention_level: Option<String>,
    /// The target group as the source words it.
    pub target_group: Option<String>,
    pub age_min: Option<i32>,
    pub age_max: Option<i32>,
    pub funding: Option<String>,
    #[serde(default)]
    pub partner: Vec<InterventionPartnerRecord>,
}
}

/// A partner of an intervention: one of `unit` (own municipality) or `partner` (organisation).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InterventionPartnerRecord {
    pub unit: Option<String>,
    pub partner: Option<String>,
    pub role: Option<String>,
}

tenant_record! {
pub struct SharedProjectRecord {
    pub key: String,
    pub name: String,
    pub description: Option<String>,
    #[serde(default)]
    pub participant: Vec<ProjectParticipantRecord>,
}
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectParticipantRecord {
    pub municipality: i32,
    /// `lead` or `participant`.
    pub role: String,
    /// Contribution in DKK, exact decimal string.
    pub contribution: Option<Decimal>,
    pub contribution_note: Option<String>,
}

tenant_record! {
/// Staff contact details: personal data, always stored `private`.
pub struct ContactRecord {
    pub unit: Option<String>,
    pub name: String,
    pub role_title: String,
    pub phone: Option<String>,
    pub email: Option<String>,
}
}

tenant_record! {
/// An outcome figure the source reports, or a finding it states without a number.
pub struct KeyIndicatorRecord {
    pub key: String,
    /// `reported_crime`, `selected_penal_code_offences`, `charged_young_people`,
    /// `section_115_reports`.
    pub measure: String,
    /// The measure as the source words it.
    pub title: String,
    /// First and last year of the period (inclusive).
    pub period_start: Option<i32>,
    pub period_end: Option<i32>,
    /// `count`, `percent_change`, `lower_bound` or `finding`.
    pub kind: String,
    /// The number, at most two decimals ("-23.5"); none for a finding.
    pub value: Option<Decimal>,
    /// What the value counts ("%", "hændelser om året").
    pub unit: Option<String>,
    /// A finding without a number, as the source states it.
    pub finding: Option<String>,
}
}
