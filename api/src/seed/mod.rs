//! The seed dataset: readable TOML files under `data/`, written from the documents in
//! `shared/seeds/`, embedded in the binary, validated, and loaded in one transaction: the reference
//! data as it is, each municipality's model through the importer (`service::model_io`).

pub mod format;
mod validate;

use std::collections::HashMap;

use anyhow::{bail, Context};
use entities::*;
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, Set,
};

use self::format::*;
use crate::{
    error::ApiError,
    service::{
        document::ModelFile, versions::Recorded, Caller, ImportAs, ImportError, ReferenceKeys,
        Store,
    },
};

/// The dataset's files, as embedded at build time: `(path, contents)`.
const SOURCES: &str = include_str!("../../../data/sources.toml");
const REFERENCE: &str = include_str!("../../../data/reference.toml");
const MODELS: &[(&str, &str)] = &[
    (
        "albertslund.toml",
        include_str!("../../../data/municipalities/albertslund.toml"),
    ),
    (
        "viborg.toml",
        include_str!("../../../data/municipalities/viborg.toml"),
    ),
    (
        "hoeje-taastrup.toml",
        include_str!("../../../data/municipalities/hoeje-taastrup.toml"),
    ),
    (
        "ishoej.toml",
        include_str!("../../../data/municipalities/ishoej.toml"),
    ),
    (
        "vallensbaek.toml",
        include_str!("../../../data/municipalities/vallensbaek.toml"),
    ),
];

/// The whole dataset, parsed.
#[derive(Debug)]
pub struct Dataset {
    pub sources: Vec<SourceRecord>,
    pub reference: ReferenceFile,
    pub models: Vec<(String, ModelFile)>,
}

impl Dataset {
    /// Parses and validates the embedded dataset.
    pub fn embedded() -> anyhow::Result<Self> {
        Self::parse(SOURCES, REFERENCE, MODELS)
    }

    /// The texts of the embedded files: `sources.toml`, `reference.toml` and the model files.
    pub fn embedded_texts() -> (
        &'static str,
        &'static str,
        &'static [(&'static str, &'static str)],
    ) {
        (SOURCES, REFERENCE, MODELS)
    }

    /// The keys of the dataset's reference data, which its model documents name.
    pub fn reference_keys(&self) -> ReferenceKeys<'_> {
        let reference = &self.reference;
        ReferenceKeys {
            sources: self.sources.iter().map(|s| s.key.as_str()).collect(),
            networks: reference
                .network
                .iter()
                .map(|n| (n.key.as_str(), n.members.as_slice()))
                .collect(),
            partners: reference.partner.iter().map(|p| p.key.as_str()).collect(),
            legal_bases: reference
                .legal_basis
                .iter()
                .map(|b| b.key.as_str())
                .collect(),
            municipalities: reference.municipality.iter().map(|m| m.code).collect(),
        }
    }

    /// Parses and validates a dataset from the texts of its files.
    pub fn parse(sources: &str, reference: &str, models: &[(&str, &str)]) -> anyhow::Result<Self> {
        let models = models
            .iter()
            .map(|(name, text)| Ok(((*name).to_owned(), parse(name, text)?)))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let dataset = Self {
            sources: parse::<SourcesFile>("sources.toml", sources)?.source,
            reference: parse("reference.toml", reference)?,
            models,
        };
        let problems = validate::problems(&dataset);
        if !problems.is_empty() {
            bail!("the seed dataset is invalid:\n- {}", problems.join("\n- "));
        }
        Ok(dataset)
    }
}

fn parse<T: serde::de::DeserializeOwned>(name: &str, text: &str) -> anyhow::Result<T> {
    toml::from_str(text).with_context(|| format!("data/{name} does not parse"))
}

/// Loads the embedded dataset if the database holds no sources yet. Returns whether it loaded.
///
/// The sources and the reference data are written as they are; each municipality's model is
/// imported through the importer of `service::model_io`, as the `dataset`, without audit entries
/// or change-feed entries (the seed is the initial state, not a change). One transaction.
pub async fn load_if_empty(db: &DatabaseConnection) -> anyhow::Result<bool> {
    if source::Entity::find().count(db).await? > 0 {
        return Ok(false);
    }
    let dataset = Dataset::embedded()?;
    let store = Store::new(db.clone(), Caller::Anonymous)
        .begin()
        .await
        .map_err(api_error)?;
    insert_reference(store.connection(), &dataset).await?;
    let by = ImportAs {
        recorded: Recorded::now(RECORDED_BY),
        record_changes: false,
        may_share: true,
    };
    for (name, model) in &dataset.models {
        store
            .import_document(model.municipality, model, &by)
            .await
            .map_err(|error| match error {
                ImportError::Invalid(problems) => anyhow::anyhow!(
                    "data/municipalities/{name} does not import:\n- {}",
                    problems
                        .iter()
                        .map(|p| format!("{}: {}", p.path, p.message))
                        .collect::<Vec<_>>()
                        .join("\n- ")
                ),
                ImportError::Refused(error) => {
                    api_error(error).context(format!("loading data/municipalities/{name}"))
                }
                // The dataset states no revision, so it is never stale.
                ImportError::Stale(stale) => anyhow::anyhow!(
                    "data/municipalities/{name}: the model changed since revision {}",
                    stale.based_on
                ),
            })?;
    }
    store.commit().await.map_err(api_error)?;
    Ok(true)
}

/// An error of the data-access layer as an error of the load.
fn api_error(error: ApiError) -> anyhow::Error {
    match error {
        ApiError::Internal(source) | ApiError::ServiceUnavailable(source) => source,
        other => anyhow::anyhow!("{}: {}", other.code(), other.message()),
    }
}

/// Who the dataset's versions are recorded as written by.
const RECORDED_BY: &str = "dataset";

/// Writes the sources and the reference data (municipalities, networks, partner organisations,
/// legal bases): what the models name by key.
async fn insert_reference<C: ConnectionTrait>(db: &C, dataset: &Dataset) -> anyhow::Result<()> {
    let mut sources = HashMap::new();
    for record in &dataset.sources {
        let row = source::ActiveModel {
            id: NotSet,
            key: Set(record.key.clone()),
            file: Set(record.file.clone()),
            title: Set(record.title.clone()),
            publisher: Set(record.publisher.clone()),
            date: Set(record.date),
            note: Set(record.note.clone()),
        }
        .insert(db)
        .await?;
        sources.insert(record.key.clone(), row.id);
    }
    let source = |key: &str| {
        sources
            .get(key)
            .copied()
            .with_context(|| format!("unknown source {key:?}"))
    };
    let reference = &dataset.reference;
    for record in &reference.municipality {
        municipality::ActiveModel {
            code: Set(record.code),
            name: Set(record.name.clone()),
            revision: NotSet,
            population: Set(record.population),
            population_year: Set(record.population_year),
            population_source_id: Set(record
                .population_source
                .as_deref()
                .map(&source)
                .transpose()?),
            population_section: Set(record.population_section.clone()),
            population_note: Set(record.population_note.clone()),
        }
        .insert(db)
        .await?;
    }
    for record in &reference.network {
        let row = network::ActiveModel {
            id: NotSet,
            key: Set(record.key.clone()),
            name: Set(record.name.clone()),
            revision: NotSet,
            kind: Set(record.kind.clone()),
            description: Set(record.description.clone()),
            source_id: Set(source(&record.source)?),
            source_section: Set(record.section.clone()),
        }
        .insert(db)
        .await?;
        for code in &record.members {
            network_membership::ActiveModel {
                id: NotSet,
                network_id: Set(row.id),
                municipality_code: Set(*code),
            }
            .insert(db)
            .await?;
        }
    }
    for record in &reference.partner {
        partner_organisation::ActiveModel {
            id: NotSet,
            key: Set(record.key.clone()),
            name: Set(record.name.clone()),
            revision: NotSet,
            kind: Set(record.kind.clone()),
            note: Set(record.note.clone()),
            source_id: Set(source(&record.source)?),
            source_section: Set(record.section.clone()),
        }
        .insert(db)
        .await?;
    }
    for record in &reference.legal_basis {
        legal_basis::ActiveModel {
            id: NotSet,
            key: Set(record.key.clone()),
            law: Set(record.law.clone()),
            section_ref: Set(record.section_ref.clone()),
            title: Set(record.title.clone()),
            source_id: Set(source(&record.source)?),
            source_section: Set(record.section.clone()),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}
