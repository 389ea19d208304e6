//! The model document: a municipality's whole organisation model as TOML, the format of export
//! and import (`GET`/`PUT /models/{code}`) and of the seed's `data/municipalities/*.toml`, as
//! serde types.
//!
//! Records point at each other by string keys (`unit = "ishoj-2023-tk"`); the importer turns keys
//! into database ids. Every tenant-owned record names its `source` (a key of the sources) and the
//! `section` of that document it comes from; every record has a `key`, records that share a key
//! are the versions of one record, in order, and fields equal to their default are left out when
//! written.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// `data/municipalities/*.toml`: one municipality's organisation model, all periods and sources.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ModelFile {
    /// The owning municipality's code.
    pub municipality: i32,
    /// The model's revision this document was exported at (an export always states it; a seed
    /// file does not): an import of it is refused when the model has changed since.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<i32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub committee: Vec<CommitteeRecord>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub plan: Vec<PlanRecord>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unit: Vec<UnitRecord>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub staff_role: Vec<StaffRoleRecord>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub budget_line: Vec<BudgetLineRecord>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forum: Vec<ForumRecord>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub goal: Vec<GoalRecord>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub intervention: Vec<InterventionRecord>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shared_project: Vec<SharedProjectRecord>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contact: Vec<ContactRecord>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub key_indicator: Vec<KeyIndicatorRecord>,
}

/// Declares a tenant-owned record type: its key, its own fields, and the fields every such record
/// has (where it comes from, when it held, who may see it). A macro rather than `#[serde(flatten)]`
/// because serde cannot deny unknown fields through a flatten, and a typo in the data must fail
/// the load.
macro_rules! tenant_record {
    ($(#[$meta:meta])* pub struct $name:ident { $($(#[$field_meta:meta])* pub $field:ident : $ty:ty,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            /// The record's key, unique per municipality: records of a document that share it are
            /// the versions of one record, in the order of the document.
            pub key: String,
            $($(#[$field_meta])* pub $field: $ty,)*
            /// Key of the source document.
            pub source: String,
            /// Section of the source document the record comes from.
            pub section: String,
            /// First day the record holds (inclusive); none = not known.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub valid_from: Option<NaiveDate>,
            /// First day the record no longer holds (exclusive); none = still holds or not known.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub valid_to: Option<NaiveDate>,
            /// `private`, `network` or `public`. When not given: `public` (the seeds are published
            /// documents), for contacts `private` (personal data).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub visibility: Option<String>,
            #[serde(default, skip_serializing_if = "Option::is_none")]
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
    pub name: String,
}
}

tenant_record! {
pub struct UnitRecord {
    pub name: String,
    /// `executive_board`, `centre`, `department`, `staff_unit`, `team`, `school`, `youth_school`,
    /// `working_group`, `other`.
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Key of the political committee the unit reports to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub committee: Option<String>,
    /// `clear_line_of_command`, `professional_pillars` or `integrated`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archetype: Option<String>,
    /// Why the archetype is what it is (or why it is unknown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archetype_note: Option<String>,
    /// True for the unit(s) where the municipality's SSP / crime-prevention work sits.
    #[serde(default, skip_serializing_if = "is_false")]
    pub hosts_crime_prevention: bool,
}
}

tenant_record! {
pub struct StaffRoleRecord {
    pub unit: String,
    pub title: String,
    /// People in the role; none when the source gives no number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headcount: Option<i32>,
    /// Weekly hours per person: `weekly_hours` when exact, or `weekly_hours_min`/`_max` for a range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weekly_hours: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weekly_hours_min: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weekly_hours_max: Option<Decimal>,
    /// `general`, `targeted` or `individual`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prevention_level: Option<String>,
    /// `proactive`, `operative` or `reactive` (the pillars of the professional archetype).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pillar: Option<String>,
}
}

tenant_record! {
pub struct BudgetLineRecord {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    pub year: i32,
    /// `frame` (the total frame), `salaries`, `pool`, `project_funds`, `external_funding`.
    pub category: String,
    /// `proposed`, `adopted`, `adjusted`, `actual`.
    pub phase: String,
    /// Amount in DKK as an exact decimal string ("5280000.00"); none when the source gives none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function_code: Option<String>,
    pub description: String,
}
}

tenant_record! {
pub struct ForumRecord {
    pub name: String,
    /// `municipal`, `cross_municipal`, `police_district`, `national`.
    pub scope: String,
    /// `strategic`, `coordinating`, `operational`.
    pub level: String,
    /// Free text as the source says it ("hver anden uge", "fire gange årligt").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cadence: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    /// Key of the network the forum belongs to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<String>,
    /// Keys of the legal bases the forum cites: they belong to the forum, not to one version (the
    /// versions of a forum list the same ones).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub legal_bases: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub member: Vec<ForumMemberRecord>,
}
}

/// Who attends a forum: one of `unit` or `partner`, and the role title of whoever attends. A
/// member is a record of its own (members that share a key are its versions); its provenance is
/// the forum version's it is listed under, except what it gives itself, and its note its own.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ForumMemberRecord {
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner: Option<String>,
    pub role_title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visibility: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

tenant_record! {
/// A crime-prevention strategy or action plan.
pub struct PlanRecord {
    /// `strategy` or `action_plan`.
    pub kind: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_year: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_year: Option<i32>,
    /// The key of the plan it carries out or belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part_of: Option<String>,
    /// `adopted` or `noted`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<String>,
    /// The body that adopted or noted it, as the source names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<String>,
    /// The key of that body, when it is one of the municipality's committees.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub committee: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub principles: Vec<String>,
}
}

tenant_record! {
pub struct GoalRecord {
    /// The name of the plan the goal belongs to ("Ishøj – En Tryg By").
    pub plan: String,
    /// The key of the plan record it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part_of: Option<String>,
    pub number: i32,
    pub title: String,
}
}

tenant_record! {
pub struct InterventionRecord {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goal: Option<String>,
    /// The key of the plan it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part_of: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead_unit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prevention_level: Option<String>,
    /// The target group as the source words it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_group: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_min: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_max: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub funding: Option<String>,
    /// The partners: they belong to the intervention, not to one version.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partner: Vec<InterventionPartnerRecord>,
}
}

/// A partner of an intervention: one of `unit` (own municipality) or `partner` (organisation).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct InterventionPartnerRecord {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

tenant_record! {
pub struct SharedProjectRecord {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The participants: they belong to the project, not to one version.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub participant: Vec<ProjectParticipantRecord>,
}
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectParticipantRecord {
    pub municipality: i32,
    /// `lead` or `participant`.
    pub role: String,
    /// Contribution in DKK, exact decimal string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contribution: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contribution_note: Option<String>,
}

tenant_record! {
/// Staff contact details: personal data, always stored `private`.
pub struct ContactRecord {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    pub name: String,
    pub role_title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}
}

tenant_record! {
/// An outcome figure the source reports, or a finding it states without a number.
pub struct KeyIndicatorRecord {
    /// `reported_crime`, `selected_penal_code_offences`, `charged_young_people`,
    /// `section_115_reports`.
    pub measure: String,
    /// The measure as the source words it.
    pub title: String,
    /// First and last year of the period (inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_start: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_end: Option<i32>,
    /// `count`, `percent_change`, `lower_bound` or `finding`.
    pub kind: String,
    /// The number, at most two decimals ("-23.5"); none for a finding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Decimal>,
    /// What the value counts ("%", "hændelser om året").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// A finding without a number, as the source states it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finding: Option<String>,
}
}

fn is_false(value: &bool) -> bool {
    !value
}
