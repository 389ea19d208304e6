//! The seed dataset's files besides the models: `data/sources.toml` and `data/reference.toml`, as
//! serde types. Each `data/municipalities/*.toml` is a model document, the format of export and
//! import ([`ModelFile`](crate::service::document::ModelFile)).

use chrono::NaiveDate;
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
