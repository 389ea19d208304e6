//! The change feed for integrations: `changes(after:, first:)`, every write the caller may see, in
//! commit order (see `service::changes`).

use async_graphql::{
    connection::{Connection, Edge},
    Context, Object, Result, ID,
};
use entities::outbox;

use super::{
    ids::{Cursor, GlobalId, Kind},
    limits,
    node::{node_of, Node},
    pagination::page_request,
    scalars::Date,
    store,
};
use crate::{error::ApiError, vocabulary::WriteAction};

/// The name cursors of the feed carry.
const FEED: &str = "changes";

/// One change to a record of a municipality's model.
pub struct Change(outbox::Model);

#[Object]
impl Change {
    /// The changed record (it may since have been deleted).
    async fn record_id(&self) -> Result<ID> {
        Kind::of_table(&self.0.kind)
            .map(|kind| kind.id(self.0.record_id))
            .ok_or_else(|| unknown_kind(&self.0.kind).into())
    }
    /// The GraphQL type of the record (`Unit`, `BudgetLine`, …).
    async fn record_type(&self) -> Result<&'static str> {
        Kind::of_table(&self.0.kind)
            .map(|kind| kind.type_name())
            .ok_or_else(|| unknown_kind(&self.0.kind).into())
    }
    /// The record as it is now (its latest version), if it still exists and the caller may see
    /// it; read it here or by `node(id:)` with `asOf`.
    async fn record(&self, ctx: &Context<'_>) -> Result<Option<Node>> {
        match Kind::of_table(&self.0.kind) {
            Some(kind) => node_of(ctx, kind, self.0.record_id).await,
            None => Err(unknown_kind(&self.0.kind).into()),
        }
    }
    /// The municipality whose model changed.
    async fn municipality_code(&self) -> i32 {
        self.0.municipality_code
    }
    async fn action(&self) -> Result<WriteAction> {
        WriteAction::parse(&self.0.action).ok_or_else(|| {
            ApiError::Internal(anyhow::anyhow!("unknown action {}", self.0.action)).into()
        })
    }
    /// The record's revision after the change.
    async fn revision(&self) -> i32 {
        self.0.revision
    }
    /// The first day the change holds (none for a delete or a change of visibility).
    async fn effective_from(&self) -> Option<Date> {
        self.0.effective_from.map(Date)
    }
    /// When the change was committed (RFC 3339, UTC).
    async fn recorded_at(&self) -> String {
        self.0.recorded_at.to_rfc3339()
    }
}

fn unknown_kind(table: &str) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("no record kind has the table {table}"))
}

#[derive(Default)]
pub struct ChangeQuery;

#[Object]
impl ChangeQuery {
    /// Changes to the municipalities' models that the caller may see, oldest first, in the order
    /// they were committed: an integration follows them from the last `endCursor` it stored
    /// (keep it when a page is empty). Nothing committed is skipped, also across restarts and
    /// between replicas; an entry may be read twice if the cursor was not stored (at least once).
    /// A machine client with `budgets:read` follows the budget lines of its municipalities.
    async fn changes(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<Cursor, Change>> {
        let request = page_request(limits(ctx)?, FEED, first, after)?;
        let page = store(ctx)?.changes(request).await?;
        let mut connection = Connection::new(request.after.is_some(), page.has_next_page);
        connection.edges.extend(page.rows.into_iter().map(|row| {
            let cursor = Cursor {
                list: FEED.to_owned(),
                after: row.sequence,
            };
            Edge::new(cursor, Change(row))
        }));
        Ok(connection)
    }
}
