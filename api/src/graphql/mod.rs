//! The GraphQL schema: one file per domain, merged into the query root, with the protective limits
//! applied where the schema is built.

/// Declares a GraphQL record: a row of a table (by its module in `entities`), and the day the reader reads it at (`asOf`; none: every
/// period).
///
/// Every record type is declared with it, those of undated tables too, because the day must pass
/// through them: a network reached from a forum read in 2014 lists its 2014 forums. Resolvers do
/// not handle the day: they reach related records through
/// [`Dated::related`](loaders::Dated::related) or [`Dated::record`](loaders::Dated::record), which
/// hand it on. Only query roots choose a day, with [`Record::read_at`](loaders::Record::read_at).
macro_rules! dated_record {
    ($(#[$meta:meta])* $name:ident, $module:ident) => {
        $(#[$meta])*
        #[derive(Clone)]
        pub struct $name {
            /// Shared with every other record made from the same loaded row.
            pub row: std::sync::Arc<<$module::Entity as $crate::service::Scoped>::Row>,
            as_of: Option<chrono::NaiveDate>,
        }

        impl $crate::graphql::loaders::Dated for $name {
            fn as_of(&self) -> Option<chrono::NaiveDate> {
                self.as_of
            }
        }

        impl $crate::graphql::loaders::Record for $name {
            type Entity = $module::Entity;

            fn read_at(
                row: impl Into<
                    std::sync::Arc<<$module::Entity as $crate::service::Scoped>::Row>,
                >,
                as_of: Option<chrono::NaiveDate>,
            ) -> Self {
                Self {
                    row: row.into(),
                    as_of,
                }
            }
        }
    };
}

mod audit;
pub mod batch;
mod budget;
mod changes;
mod comparison;
mod differences;
mod edits;
mod forum;
pub mod gate;
pub mod ids;
mod indicator;
mod intervention;
mod loaders;
mod municipality;
mod node;
mod organisation;
mod pagination;
mod plan;
mod platform;
mod project;
mod scalars;
mod sign_in;
mod source;

use std::sync::Arc;

use async_graphql::{Context, EmptySubscription, MergedObject, Schema};

use crate::{config::Limits, error::ApiError, service::Store};

use self::gate::{Allowed, QueryGate};
pub use loaders::Batcher;
pub use sign_in::SignInOptions;

/// The query root: every domain's queries, merged.
#[derive(MergedObject, Default)]
pub struct Query(
    municipality::MunicipalityQuery,
    organisation::OrganisationQuery,
    budget::BudgetQuery,
    forum::ForumQuery,
    intervention::InterventionQuery,
    indicator::IndicatorQuery,
    project::ProjectQuery,
    source::SourceQuery,
    comparison::ComparisonQuery,
    audit::AuditQuery,
    changes::ChangeQuery,
    differences::DifferencesQuery,
    node::NodeQuery,
    sign_in::SignInQuery,
);

/// The mutation root: every domain's mutations, merged. A request's mutations run in one
/// transaction, committed only when all of them succeed (see [`Api::run`]).
#[derive(MergedObject, Default)]
pub struct Mutation(
    organisation::OrganisationMutation,
    budget::BudgetMutation,
    forum::ForumMutation,
    intervention::InterventionMutation,
    plan::PlanMutation,
    indicator::IndicatorMutation,
    edits::RecordMutation,
    platform::PlatformMutation,
    project::ProjectMutation,
);

/// The schema the server runs.
pub type AppSchema = Schema<Query, Mutation, EmptySubscription>;

/// How many rows a nested list can return, for the complexity limit (see [`gate`]). Shown in the
/// SDL as `@listSize(assumedSize: N)` after the GraphQL cost directives, so clients can work out
/// what their queries cost; `slicingArgument` names a list argument with one item per row.
#[async_graphql::TypeDirective(name = "listSize", location = "FieldDefinition")]
pub fn list_size(assumed_size: u32, slicing_argument: Option<String>) {}

/// Builds the bare schema. Requests must pass the [`Api`]'s gate before it runs them; tests that
/// run it directly do so through [`execute`], for one caller's [`Store`].
pub fn build_schema(limits: &Limits) -> AppSchema {
    // No async-graphql depth or complexity limits: they expand fragments (see `gate`).
    Schema::build(Query::default(), Mutation::default(), EmptySubscription)
        .data(limits.clone())
        .finish()
}

/// The GraphQL API: the schema, and the gate in front of it built from the same limits.
#[derive(Clone)]
pub struct Api {
    schema: AppSchema,
    gate: Arc<QueryGate>,
    /// How long a mutation request waits for the writers' lock.
    lock_wait: std::time::Duration,
}

impl Api {
    pub fn new(limits: &Limits) -> Self {
        let schema = build_schema(limits);
        let gate = Arc::new(QueryGate::new(&schema.sdl(), limits));
        Self {
            schema,
            gate,
            lock_wait: limits.write_lock_wait(),
        }
    }

    /// Checks the request at the gate and gives its complexity; `Err` says why it must not run.
    /// Needs no database.
    pub fn admit(
        &self,
        request: &mut async_graphql::Request,
        allowed: Allowed,
    ) -> Result<u64, ApiError> {
        self.gate.admit(request, allowed)
    }

    /// Validates and runs an admitted request for the caller `store` serves. Validation errors
    /// come back as a response without data, and errors of the run inside the response; `Err`
    /// refuses a mutation request as a whole before it runs (a caller who may write nothing, the
    /// writers' lock not free in time) or when its transaction cannot commit.
    pub async fn run(
        &self,
        mut request: async_graphql::Request,
        store: Store,
    ) -> Result<async_graphql::Response, ApiError> {
        let operation_name = request.operation_name.clone();
        let (document, mutation) = match request.parsed_query() {
            Ok(document) => (
                Some(document.clone()),
                gate::is_mutation(document, operation_name.as_deref()),
            ),
            Err(_) => (None, false),
        };
        let mut response = if mutation {
            // Who first: a caller who may change nothing is refused before it queues for the
            // writers' lock or any of its input is checked against what is stored.
            store.check_may_write()?;
            run_in_transaction(&self.schema, request, store.with_lock_wait(self.lock_wait)).await?
        } else {
            execute(&self.schema, request, store).await
        };
        if let Some(document) = &document {
            gate::order_as_asked(document, operation_name.as_deref(), &mut response.data);
        }
        Ok(response)
    }

    /// The fields returning lists of objects without a declared `@listSize`.
    pub fn undeclared_lists(&self) -> Vec<String> {
        self.gate.undeclared_lists()
    }
}

/// Runs a request on `schema` for the caller `store` serves, with the request's own batch loader
/// (which only loads while the request runs through it).
pub async fn execute(
    schema: &AppSchema,
    request: async_graphql::Request,
    store: Store,
) -> async_graphql::Response {
    let batcher = Batcher::new(store.clone());
    let request = request.data(batcher.clone()).data(store);
    batch::run_batched(batcher, schema.execute(request)).await
}

/// Runs a mutation request in one transaction: committed when every field succeeded, rolled back
/// (nothing written) when any failed.
async fn run_in_transaction(
    schema: &AppSchema,
    request: async_graphql::Request,
    store: Store,
) -> Result<async_graphql::Response, ApiError> {
    let transaction = store.begin().await?;
    let mut response = execute(schema, request, transaction.clone()).await;
    if !response.errors.is_empty() {
        // Dropping the transaction rolls it back: no field's data stands.
        response.data = async_graphql::Value::Null;
        return Ok(response);
    }
    transaction.commit().await?;
    Ok(response)
}

/// The SDL of the schema, as checked in at `schema.graphql`.
pub fn sdl() -> String {
    build_schema(&Limits::default()).sdl()
}

fn missing(what: &str) -> async_graphql::Error {
    ApiError::Internal(anyhow::anyhow!("{what} missing from the request")).into()
}

/// The caller's data-access layer.
fn store<'a>(ctx: &'a Context<'_>) -> async_graphql::Result<&'a Store> {
    ctx.data::<Store>().map_err(|_| missing("store"))
}

/// The configured limits.
fn limits<'a>(ctx: &'a Context<'_>) -> async_graphql::Result<&'a Limits> {
    ctx.data::<Limits>().map_err(|_| missing("limits"))
}
