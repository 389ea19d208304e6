//! The GraphQL schema: one file per domain, merged into the query root, with the protective limits
//! applied where the schema is built.

/// Declares a GraphQL record: a row, and the day the reader reads it at (`asOf`; none: every
/// period).
///
/// Every record type is declared with it, those of undated tables too, because the day must pass
/// through them: a network reached from a forum read in 2014 lists its 2014 forums. Resolvers do
/// not handle the day: they reach related records through
/// [`Dated::related`](loaders::Dated::related) or [`Dated::record`](loaders::Dated::record), which
/// hand it on. Only query roots choose a day, with [`Record::read_at`](loaders::Record::read_at).
macro_rules! dated_record {
    ($(#[$meta:meta])* $name:ident, $model:ty) => {
        $(#[$meta])*
        #[derive(Clone)]
        pub struct $name {
            pub row: $model,
            as_of: Option<chrono::NaiveDate>,
        }

        impl $crate::graphql::loaders::Dated for $name {
            fn as_of(&self) -> Option<chrono::NaiveDate> {
                self.as_of
            }
        }

        impl $crate::graphql::loaders::Record for $name {
            type Entity = <$model as sea_orm::ModelTrait>::Entity;

            fn read_at(row: $model, as_of: Option<chrono::NaiveDate>) -> Self {
                Self { row, as_of }
            }
        }
    };
}

mod budget;
mod comparison;
mod forum;
pub mod ids;
mod intervention;
mod loaders;
mod municipality;
mod node;
mod organisation;
mod pagination;
mod project;
mod scalars;
mod source;

use async_graphql::{Context, EmptyMutation, EmptySubscription, MergedObject, Schema};

use crate::{config::Limits, error::ApiError, service::Store};

pub use loaders::StoreLoader;

/// The query root: every domain's queries, merged.
#[derive(MergedObject, Default)]
pub struct Query(
    municipality::MunicipalityQuery,
    organisation::OrganisationQuery,
    budget::BudgetQuery,
    forum::ForumQuery,
    intervention::InterventionQuery,
    project::ProjectQuery,
    source::SourceQuery,
    comparison::ComparisonQuery,
    node::NodeQuery,
);

/// The schema the server runs. Read-only for now.
pub type AppSchema = Schema<Query, EmptyMutation, EmptySubscription>;

/// Builds the schema with the given limits. Each request must carry a [`Store`] and a
/// [`StoreLoader`] for its caller (see [`request_data`]).
pub fn build_schema(limits: &Limits) -> AppSchema {
    Schema::build(Query::default(), EmptyMutation, EmptySubscription)
        .limit_depth(limits.max_depth)
        .limit_complexity(limits.max_complexity)
        .data(limits.clone())
        .finish()
}

/// Attaches the caller's store and a fresh loader to a request.
pub fn request_data(
    request: async_graphql::Request,
    store: Store,
    limits: &Limits,
) -> async_graphql::Request {
    request
        .data(StoreLoader::new(store.clone(), limits.batch_window()))
        .data(store)
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
