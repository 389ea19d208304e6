//! What every mutation shares: where the facts of a change come from, IDs given as input, the
//! answer of a write that leaves no version to read back, and the writes every record has
//! (terminate, delete, set visibility), whatever its kind.

use async_graphql::{Context, InputObject, MaybeUndefined, Object, Result, SimpleObject, ID};

use super::{
    ids::{decode_id, Kind},
    loaders::{Dated, IdentityById},
    scalars::Date,
    store,
};
use crate::{
    error::{ApiError, FieldPath},
    service::{NewVersion, Origin},
    vocabulary::Visibility,
};

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

/// What every create mutation's input has besides the record's own fields: when the record's
/// first version holds and where its facts come from (flattened into the input).
#[derive(InputObject, Clone)]
pub struct VersionInput {
    /// The first day the record holds.
    pub valid_from: Date,
    /// The first day it no longer holds (none: still holds).
    pub valid_to: Option<Date>,
    pub provenance: ProvenanceInput,
}

impl From<VersionInput> for NewVersion {
    fn from(input: VersionInput) -> Self {
        Self {
            valid_from: input.valid_from.0,
            valid_to: Date::day(input.valid_to),
            origin: input.provenance.into(),
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
pub fn key_of(id: &ID, kind: Kind, field: impl Into<FieldPath>) -> Result<i32, ApiError> {
    let field = field.into();
    match decode_id(id, &field)? {
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
    kind: Kind,
    field: impl Into<FieldPath>,
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

/// A field that may be left out but not cleared.
pub fn required<T>(
    value: MaybeUndefined<T>,
    field: impl Into<FieldPath>,
) -> Result<Option<T>, ApiError> {
    match value {
        MaybeUndefined::Undefined => Ok(None),
        MaybeUndefined::Null => Err(ApiError::bad_input(field, "cannot be cleared")),
        MaybeUndefined::Value(value) => Ok(Some(value)),
    }
}

/// A field that may be left out (`None`) or cleared (`Some(None)`).
pub fn nullable<T>(value: MaybeUndefined<T>) -> Option<Option<T>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(value) => Some(Some(value)),
    }
}

/// Runs `$body` with `$entity` the table of the record kind `$kind`: the versioned records of a
/// municipality's model, every model kind of the registry ([`entities::kinds!`]). Platform kinds
/// (municipalities, sources, …) are refused for `$field`.
macro_rules! with_record_table {
    ($kind:expr, $field:expr, |$entity:ident| $body:expr) => {
        entities::kinds!(dispatch_record_table, $kind, $field, $entity, $body)
    };
}

/// The `match` of [`with_record_table!`], an arm per model kind of the registry.
macro_rules! dispatch_record_table {
    (
        [$kind:expr, $field:expr, $entity:ident, $body:expr]
        platform { $($platform:ident $platform_module:ident,)* }
        model { $($model:ident $model_module:ident $access:ident $section:literal [$($link:ident)?],)* }
    ) => {
        match $kind {
            $(Kind::$model => {
                type $entity = entities::$model_module::Entity;
                $body
            })*
            other => Err(ApiError::bad_input(
                $field,
                format!(
                    "a {} is not a record of a municipality's model",
                    other.type_name()
                ),
            )),
        }
    };
}

/// The writes every record of a municipality's model has, whatever its kind.
#[derive(Default)]
pub struct RecordMutation;

#[Object]
impl RecordMutation {
    /// Ends a record on `from` (the first day it no longer holds); its history stays readable.
    /// `revision` is the one the client read. An editor of the record's municipality may.
    async fn terminate_record(
        &self,
        ctx: &Context<'_>,
        id: ID,
        revision: i32,
        from: Date,
    ) -> Result<WriteResult> {
        let (kind, key) = decode_id(&id, "id")?;
        let store = store(ctx)?;
        let revision = with_record_table!(kind, "id", |Table| {
            store.terminate::<Table>(key, revision, from.0).await
        })?;
        Ok(WriteResult {
            id,
            revision: Some(revision),
        })
    }

    /// Deletes a record and its history, for mistakes (to end a record that existed, terminate
    /// it). Refused with `CONFLICT` while other records refer to it.
    async fn delete_record(&self, ctx: &Context<'_>, id: ID, revision: i32) -> Result<WriteResult> {
        let (kind, key) = decode_id(&id, "id")?;
        let store = store(ctx)?;
        with_record_table!(kind, "id", |Table| {
            store.delete::<Table>(key, revision).await
        })?;
        Ok(WriteResult { id, revision: None })
    }

    /// Sets who may see a record (all its versions): `PRIVATE`, `NETWORK` or `PUBLIC`. An admin
    /// of the record's municipality may.
    async fn set_visibility(
        &self,
        ctx: &Context<'_>,
        id: ID,
        revision: i32,
        visibility: Visibility,
    ) -> Result<WriteResult> {
        let (kind, key) = decode_id(&id, "id")?;
        let store = store(ctx)?;
        let revision = with_record_table!(kind, "id", |Table| {
            store
                .set_visibility::<Table>(key, revision, visibility)
                .await
        })?;
        Ok(WriteResult {
            id,
            revision: Some(revision),
        })
    }
}
