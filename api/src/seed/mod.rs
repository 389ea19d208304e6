//! The seed dataset: readable TOML files under `data/`, written from the documents in
//! `shared/seeds/`, embedded in the binary, validated, and loaded in one transaction.

pub mod format;
mod validate;

use std::collections::HashMap;

use anyhow::{bail, Context};
use entities::*;
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, Set, TransactionTrait,
};

use self::format::*;
use crate::{
    service::versions::{self, Recorded, VersionModel},
    vocabulary::Visibility,
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
pub async fn load_if_empty(db: &DatabaseConnection) -> anyhow::Result<bool> {
    if source::Entity::find().count(db).await? > 0 {
        return Ok(false);
    }
    let dataset = Dataset::embedded()?;
    let txn = db.begin().await?;
    insert(&txn, &dataset).await?;
    txn.commit().await?;
    Ok(true)
}

/// Database ids of the records inserted so far, by their keys in the data files.
struct Ids {
    sources: HashMap<String, i32>,
    networks: HashMap<String, i32>,
    partners: HashMap<String, i32>,
    legal_bases: HashMap<String, i32>,
    /// Identities of the keyed records (committees, units, forums, goals, …) by their keys
    /// (unique across the dataset).
    local: HashMap<String, i32>,
    /// Who the load is recorded as written by, and when.
    recorded: Recorded,
}

impl Ids {
    fn get(map: &HashMap<String, i32>, key: &str) -> anyhow::Result<i32> {
        map.get(key)
            .copied()
            .with_context(|| format!("unknown key {key:?}"))
    }
    fn new(recorded: Recorded) -> Self {
        Self {
            sources: HashMap::new(),
            networks: HashMap::new(),
            partners: HashMap::new(),
            legal_bases: HashMap::new(),
            local: HashMap::new(),
            recorded,
        }
    }

    fn source(&self, key: &str) -> anyhow::Result<i32> {
        Self::get(&self.sources, key)
    }
    fn local(&self, key: &str) -> anyhow::Result<i32> {
        Self::get(&self.local, key)
    }
    fn local_opt(&self, key: Option<&str>) -> anyhow::Result<Option<i32>> {
        key.map(|k| self.local(k)).transpose()
    }

    /// Writes `version` as the next version of the record `key` names: records that share a key
    /// are versions of one record, in the order of the file. A record without a key, or with a
    /// key not seen before, is a new record.
    async fn write<C, A>(
        &mut self,
        db: &C,
        key: Option<&str>,
        version: A,
    ) -> anyhow::Result<<A::Entity as EntityTrait>::Model>
    where
        C: ConnectionTrait,
        A: VersionModel,
    {
        let seen = key.and_then(|key| self.local.get(key).copied());
        let row = match seen {
            Some(id) => versions::add_version(db, version, id, &self.recorded).await?,
            None => versions::create(db, version, &self.recorded).await?,
        };
        if let (Some(key), None) = (key, seen) {
            self.local
                .insert(key.to_owned(), versions::identity_of(&row)?);
        }
        Ok(row)
    }

    fn partner_opt(&self, key: Option<&str>) -> anyhow::Result<Option<i32>> {
        key.map(|k| Self::get(&self.partners, k)).transpose()
    }
}

/// An exact decimal with at most two decimals → hundredths (DKK → øre).
fn hundredths(amount: Decimal) -> anyhow::Result<i64> {
    let scaled = amount * Decimal::ONE_HUNDRED;
    if !scaled.fract().is_zero() {
        bail!("amount {amount} has more than two decimals");
    }
    i64::try_from(scaled).with_context(|| format!("amount {amount} is out of range"))
}

/// Hours → minutes.
fn minutes(hours: Option<Decimal>) -> anyhow::Result<Option<i32>> {
    hours
        .map(|h| {
            let scaled = h * Decimal::from(60);
            if !scaled.fract().is_zero() {
                bail!("weekly hours {h} are not whole minutes");
            }
            i32::try_from(scaled).with_context(|| format!("weekly hours {h} out of range"))
        })
        .transpose()
}

/// Who the dataset's versions are recorded as written by.
const RECORDED_BY: &str = "dataset";

/// Values every tenant-owned row repeats; filled from a record's provenance.
struct Common {
    municipality_code: i32,
    visibility: String,
    valid_from: Option<chrono::NaiveDate>,
    valid_to: Option<chrono::NaiveDate>,
    source_id: i32,
    source_section: String,
    note: Option<String>,
}

impl Common {
    fn of(municipality_code: i32, provenance: Provenance<'_>, ids: &Ids) -> anyhow::Result<Self> {
        Ok(Self {
            municipality_code,
            visibility: provenance
                .visibility
                .unwrap_or(Visibility::Public.as_str())
                .to_owned(),
            valid_from: provenance.valid_from,
            valid_to: provenance.valid_to,
            source_id: ids.source(provenance.source)?,
            source_section: provenance.section.to_owned(),
            note: provenance.note.map(str::to_owned),
        })
    }
}

/// A version of a tenant-owned record with its own columns and a [`Common`]; its identity,
/// number and transaction time are set when it is written ([`Ids::write`]).
macro_rules! with_common {
    ($module:ident { $($field:ident: $value:expr),* $(,)? }, $common:expr) => {{
        let common = $common;
        $module::ActiveModel {
            $($field: Set($value),)*
            municipality_code: Set(common.municipality_code),
            visibility: Set(common.visibility),
            valid_from: Set(common.valid_from),
            valid_to: Set(common.valid_to),
            source_id: Set(common.source_id),
            source_section: Set(common.source_section),
            note: Set(common.note),
            ..Default::default()
        }
    }};
}

async fn insert<C: ConnectionTrait>(db: &C, dataset: &Dataset) -> anyhow::Result<()> {
    let mut ids = Ids::new(Recorded::now(RECORDED_BY));
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
        ids.sources.insert(record.key.clone(), row.id);
    }
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
                .map(|k| ids.source(k))
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
            source_id: Set(ids.source(&record.source)?),
            source_section: Set(record.section.clone()),
        }
        .insert(db)
        .await?;
        ids.networks.insert(record.key.clone(), row.id);
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
        let row = partner_organisation::ActiveModel {
            id: NotSet,
            key: Set(record.key.clone()),
            name: Set(record.name.clone()),
            revision: NotSet,
            kind: Set(record.kind.clone()),
            note: Set(record.note.clone()),
            source_id: Set(ids.source(&record.source)?),
            source_section: Set(record.section.clone()),
        }
        .insert(db)
        .await?;
        ids.partners.insert(record.key.clone(), row.id);
    }
    for record in &reference.legal_basis {
        let row = legal_basis::ActiveModel {
            id: NotSet,
            key: Set(record.key.clone()),
            law: Set(record.law.clone()),
            section_ref: Set(record.section_ref.clone()),
            title: Set(record.title.clone()),
            source_id: Set(ids.source(&record.source)?),
            source_section: Set(record.section.clone()),
        }
        .insert(db)
        .await?;
        ids.legal_bases.insert(record.key.clone(), row.id);
    }
    for (name, model) in &dataset.models {
        insert_model(db, model, &mut ids)
            .await
            .with_context(|| format!("loading data/municipalities/{name}"))?;
    }
    Ok(())
}

async fn insert_model<C: ConnectionTrait>(
    db: &C,
    model: &ModelFile,
    ids: &mut Ids,
) -> anyhow::Result<()> {
    let code = model.municipality;
    for record in &model.committee {
        let version = with_common!(
            political_committee {
                name: record.name.clone()
            },
            Common::of(code, record.provenance(), ids)?
        );
        ids.write(db, Some(&record.key), version).await?;
    }
    // Parents come before their children in the files (checked by validation).
    for record in &model.unit {
        let version = with_common!(
            unit {
                parent_id: ids.local_opt(record.parent.as_deref())?,
                committee_id: ids.local_opt(record.committee.as_deref())?,
                name: record.name.clone(),
                kind: record.kind.clone(),
                archetype: record.archetype.clone(),
                archetype_note: record.archetype_note.clone(),
                hosts_crime_prevention: record.hosts_crime_prevention,
            },
            Common::of(code, record.provenance(), ids)?
        );
        ids.write(db, Some(&record.key), version).await?;
    }
    for record in &model.staff_role {
        let (min, max) = match record.weekly_hours {
            Some(hours) => (Some(hours), Some(hours)),
            None => (
                record.weekly_hours_min,
                record.weekly_hours_max.or(record.weekly_hours_min),
            ),
        };
        let version = with_common!(
            staff_role {
                unit_id: ids.local(&record.unit)?,
                title: record.title.clone(),
                headcount: record.headcount,
                weekly_minutes_min: minutes(min)?,
                weekly_minutes_max: minutes(max)?,
                prevention_level: record.prevention_level.clone(),
                pillar: record.pillar.clone(),
            },
            Common::of(code, record.provenance(), ids)?
        );
        ids.write(db, None, version).await?;
    }
    for record in &model.budget_line {
        let version = with_common!(
            budget_line {
                unit_id: ids.local_opt(record.unit.as_deref())?,
                year: record.year,
                category: record.category.clone(),
                phase: record.phase.clone(),
                amount_ore: record.amount.map(hundredths).transpose()?,
                function_code: record.function_code.clone(),
                description: record.description.clone(),
            },
            Common::of(code, record.provenance(), ids)?
        );
        ids.write(db, None, version).await?;
    }
    let mut linked_bases = std::collections::HashSet::new();
    for record in &model.forum {
        let version = with_common!(
            forum {
                network_id: record
                    .network
                    .as_deref()
                    .map(|k| Ids::get(&ids.networks, k))
                    .transpose()?,
                name: record.name.clone(),
                scope: record.scope.clone(),
                level: record.level.clone(),
                cadence: record.cadence.clone(),
                purpose: record.purpose.clone(),
            },
            Common::of(code, record.provenance(), ids)?
        );
        let forum_row = ids.write(db, Some(&record.key), version).await?;
        for member in &record.member {
            // Members share their forum's provenance; their own note replaces the forum's.
            let mut common = Common::of(code, record.provenance(), ids)?;
            common.note = member.note.clone();
            let version = with_common!(
                forum_member {
                    forum_id: forum_row.id,
                    unit_id: ids.local_opt(member.unit.as_deref())?,
                    partner_id: ids.partner_opt(member.partner.as_deref())?,
                    role_title: member.role_title.clone(),
                },
                common
            );
            ids.write(db, None, version).await?;
        }
        for key in &record.legal_bases {
            // Legal bases belong to the forum, not to one of its versions.
            let basis = Ids::get(&ids.legal_bases, key)?;
            if !linked_bases.insert((forum_row.id, basis)) {
                continue;
            }
            forum_legal_basis::ActiveModel {
                id: NotSet,
                forum_id: Set(forum_row.id),
                legal_basis_id: Set(basis),
            }
            .insert(db)
            .await?;
        }
    }
    for record in &model.goal {
        let version = with_common!(
            goal {
                plan: record.plan.clone(),
                number: record.number,
                title: record.title.clone(),
            },
            Common::of(code, record.provenance(), ids)?
        );
        ids.write(db, Some(&record.key), version).await?;
    }
    for record in &model.intervention {
        let version = with_common!(
            intervention {
                goal_id: ids.local_opt(record.goal.as_deref())?,
                lead_unit_id: ids.local_opt(record.lead_unit.as_deref())?,
                name: record.name.clone(),
                description: record.description.clone(),
                prevention_level: record.prevention_level.clone(),
                target_group: record.target_group.clone(),
                age_min: record.age_min,
                age_max: record.age_max,
                funding: record.funding.clone(),
            },
            Common::of(code, record.provenance(), ids)?
        );
        let row = ids.write(db, Some(&record.key), version).await?;
        for partner in &record.partner {
            intervention_partner::ActiveModel {
                id: NotSet,
                intervention_id: Set(row.id),
                unit_id: Set(ids.local_opt(partner.unit.as_deref())?),
                partner_id: Set(ids.partner_opt(partner.partner.as_deref())?),
                role: Set(partner.role.clone()),
            }
            .insert(db)
            .await?;
        }
    }
    for record in &model.shared_project {
        let version = with_common!(
            shared_project {
                name: record.name.clone(),
                description: record.description.clone(),
            },
            Common::of(code, record.provenance(), ids)?
        );
        let row = ids.write(db, Some(&record.key), version).await?;
        for participant in &record.participant {
            project_participant::ActiveModel {
                id: NotSet,
                project_id: Set(row.id),
                participant_code: Set(participant.municipality),
                role: Set(participant.role.clone()),
                contribution_ore: Set(participant.contribution.map(hundredths).transpose()?),
                contribution_note: Set(participant.contribution_note.clone()),
            }
            .insert(db)
            .await?;
        }
    }
    for record in &model.contact {
        // Contact details are personal data: private unless the file says otherwise.
        let mut common = Common::of(code, record.provenance(), ids)?;
        if record.visibility.is_none() {
            common.visibility = Visibility::Private.as_str().to_owned();
        }
        let version = with_common!(
            contact {
                unit_id: ids.local_opt(record.unit.as_deref())?,
                name: record.name.clone(),
                role_title: record.role_title.clone(),
                phone: record.phone.clone(),
                email: record.email.clone(),
            },
            common
        );
        ids.write(db, None, version).await?;
    }
    for record in &model.key_indicator {
        let version = with_common!(
            key_indicator {
                measure: record.measure.clone(),
                title: record.title.clone(),
                period_start: record.period_start,
                period_end: record.period_end,
                value_kind: record.kind.clone(),
                value_hundredths: record.value.map(hundredths).transpose()?,
                unit: record.unit.clone(),
                finding: record.finding.clone(),
            },
            Common::of(code, record.provenance(), ids)?
        );
        ids.write(db, Some(&record.key), version).await?;
    }
    Ok(())
}
