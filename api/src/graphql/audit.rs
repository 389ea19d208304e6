//! The audit log: every write to a municipality's model, for that municipality's admins.

use async_graphql::{Context, Object, Result, ID};
use entities::audit_entry;

use super::{
    ids::{GlobalId, Kind},
    list_size, store,
};
use crate::{error::ApiError, service::writes::MAX_AUDIT_ENTRIES};

/// One write: who, when, which record, what was done, and the record's versions before and after.
pub struct AuditEntry(audit_entry::Model);

#[Object]
impl AuditEntry {
    /// The entry's place in the log (later entries have larger numbers).
    async fn sequence(&self) -> i32 {
        self.0.id
    }
    /// When the write was made (RFC 3339, UTC).
    async fn recorded_at(&self) -> String {
        self.0.recorded_at.to_rfc3339()
    }
    /// The token's subject.
    async fn subject(&self) -> &str {
        &self.0.subject
    }
    /// The client the token was issued to, when it names one.
    async fn client(&self) -> Option<&str> {
        self.0.client.as_deref()
    }
    /// The record written (it may since have been deleted).
    async fn record_id(&self) -> Option<ID> {
        Kind::of_table(&self.0.kind).map(|kind| kind.id(self.0.record_id))
    }
    /// `create`, `update`, `terminate`, `delete` or `set_visibility`.
    async fn action(&self) -> &str {
        &self.0.action
    }
    /// The record's revision after the write.
    async fn revision(&self) -> i32 {
        self.0.revision
    }
    /// The record's versions before the write, as a JSON array of their columns.
    async fn before(&self) -> &str {
        &self.0.before
    }
    /// The record's versions after the write (`[]` after a delete).
    async fn after(&self) -> &str {
        &self.0.after
    }
}

/// How many entries a read returns when it does not say.
const DEFAULT_AUDIT_ENTRIES: u64 = 50;

#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// The audit log of a municipality, newest first; only its admins may read it, and nobody
    /// can change it. Without `municipalityCode`, the log of the platform's own records (networks,
    /// partner organisations), for platform admins. `before` takes a `sequence` to read on from.
    // Never from the response cache: who reads the log is itself worth a fresh look.
    #[graphql(
        directive = list_size::apply(MAX_AUDIT_ENTRIES as u32, None),
        cache_control(no_cache)
    )]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        municipality_code: Option<i32>,
        #[graphql(desc = "How many entries (1 to 100; 50 when not given)")] first: Option<i32>,
        before: Option<i32>,
    ) -> Result<Vec<AuditEntry>> {
        let first = match first {
            None => DEFAULT_AUDIT_ENTRIES,
            Some(n) => u64::try_from(n)
                .ok()
                .filter(|n| (1..=MAX_AUDIT_ENTRIES).contains(n))
                .ok_or_else(|| {
                    ApiError::bad_input("first", format!("must be from 1 to {MAX_AUDIT_ENTRIES}"))
                })?,
        };
        let entries = store(ctx)?
            .audit_log(municipality_code, first, before)
            .await?;
        Ok(entries.into_iter().map(AuditEntry).collect())
    }
}
