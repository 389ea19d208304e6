//! What an export names records and reference data by: their keys, as far as the caller may see
//! them ([`Names`]); each section's codec writes its records with them.

use std::collections::{HashMap, HashSet};

use entities::{identity, kinds::Kind};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::import_plan::Reference;
use crate::{error::ApiResult, service::Store, vocabulary::Visibility};

/// What an export writes for a reference to a record the caller may not see.
const HIDDEN: &str = "#hidden";

/// Keys of the records and of the reference data, by id, for writing a document.
pub(super) struct Names {
    records: HashMap<i32, String>,
    sources: HashMap<i32, String>,
    networks: HashMap<i32, String>,
    partners: HashMap<i32, String>,
    legal_bases: HashMap<i32, String>,
}

impl Names {
    /// The names of the records `exported` (the ones the caller may see) and of the reference
    /// data: a reference to a record the caller may not see shows as [`HIDDEN`], not by its key
    /// (which can say what the record is).
    pub(super) async fn load(store: &Store, code: i32, exported: &HashSet<i32>) -> ApiResult<Self> {
        let records = identity::Entity::find()
            .filter(identity::Column::MunicipalityCode.eq(code))
            .all(&store.db)
            .await?
            .into_iter()
            .filter(|row| exported.contains(&row.id))
            .map(|row| (row.id, row.key))
            .collect();
        let reference = Reference::load(store).await?;
        let invert = |map: HashMap<String, i32>| map.into_iter().map(|(k, v)| (v, k)).collect();
        Ok(Self {
            records,
            sources: invert(reference.sources),
            networks: invert(reference.networks),
            partners: invert(reference.partners),
            legal_bases: invert(reference.legal_bases),
        })
    }

    /// The names of a document's records as `plan` knows them, and of the reference data it was
    /// checked against: what an export of the document's rows writes, without a database.
    #[cfg(test)]
    pub(super) fn of_plan(plan: &super::import_plan::ImportPlan) -> Self {
        let invert =
            |map: &HashMap<String, i32>| map.iter().map(|(key, id)| (*id, key.clone())).collect();
        Self {
            records: plan
                .keys
                .iter()
                .map(|(key, keyed)| (keyed.id, key.clone()))
                .collect(),
            sources: invert(&plan.reference.sources),
            networks: invert(&plan.reference.networks),
            partners: invert(&plan.reference.partners),
            legal_bases: invert(&plan.reference.legal_bases),
        }
    }

    /// The key of the record `id`, or [`HIDDEN`].
    pub(super) fn record(&self, id: i32) -> String {
        self.records
            .get(&id)
            .cloned()
            .unwrap_or_else(|| HIDDEN.to_owned())
    }

    pub(super) fn record_opt(&self, id: Option<i32>) -> Option<String> {
        id.map(|id| self.record(id))
    }

    pub(super) fn source(&self, id: i32) -> String {
        Self::of(&self.sources, id)
    }

    pub(super) fn network(&self, id: i32) -> String {
        Self::of(&self.networks, id)
    }

    pub(super) fn partner(&self, id: i32) -> String {
        Self::of(&self.partners, id)
    }

    pub(super) fn legal_basis(&self, id: i32) -> String {
        Self::of(&self.legal_bases, id)
    }

    fn of(map: &HashMap<i32, String>, id: i32) -> String {
        map.get(&id).cloned().unwrap_or_else(|| format!("#{id}"))
    }
}

/// The visibility a record has when the document does not say.
pub(super) fn default_visibility(kind: Kind) -> Visibility {
    match kind {
        // Personal data.
        Kind::Contact => Visibility::Private,
        // The seeds are published documents.
        _ => Visibility::Public,
    }
}
