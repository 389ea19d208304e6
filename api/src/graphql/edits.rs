//! What every mutation shares: where the facts of a change come from, IDs given as input, and
//! the answer of a write that leaves no version to read back.

use async_graphql::{Context, InputObject, Result, SimpleObject, ID};

use super::{
    ids::{decode_id, NodeKind},
    loaders::{Dated, IdentityById},
};
use crate::{error::ApiError, service::Origin};

/// Where the facts of a change come from: a source document (its key, see `sources`) and the
/// section of it; every version of a record names its source.
#[derive(InputObject, Clone)]
pub struct ProvenanceInput {
    /// The key of the source document (`sources { key }`).
    pub source: String,
    /// The section of the document the change comes from.
    pub section: String,
    /// Remarks: approximations, ranges, disagreements between sources.
    pub note: Option<String>,
}

impl From<ProvenanceInput> for Origin {
    fn from(input: ProvenanceInput) -> Self {
        Self {
            source: input.source,
            section: input.section,
            note: input.note,
        }
    }
}

/// A record a write ended or removed, and its revision after the write.
#[derive(SimpleObject)]
pub struct WriteResult {
    pub id: ID,
    /// The record's revision after the write (none after a delete).
    pub revision: Option<i32>,
}

/// The database key of an ID that must name a record of `kind`; `field` names the input.
pub fn key_of(id: &ID, kind: NodeKind, field: &str) -> Result<i32, ApiError> {
    match decode_id(id, field)? {
        (found, key) if found == kind => Ok(key),
        (found, _) => Err(ApiError::bad_input(
            field,
            format!(
                "expected the ID of a {}, not of a {}",
                kind.type_name(),
                found.type_name()
            ),
        )),
    }
}

/// The database key of an optional ID (`null` clears the reference).
pub fn optional_key_of(
    id: Option<&ID>,
    kind: NodeKind,
    field: &str,
) -> Result<Option<i32>, ApiError> {
    id.map(|id| key_of(id, kind, field)).transpose()
}

/// The current revision of the record `id`: what an update must send back.
pub async fn revision_of(record: &impl Dated, ctx: &Context<'_>, id: i32) -> Result<i32> {
    let rows = record.related(ctx).rows(IdentityById, id).await?;
    rows.first()
        .map(|identity| identity.revision)
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("record {id} has no identity")).into())
}
