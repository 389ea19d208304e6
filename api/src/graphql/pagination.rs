//! Relay connections over the keyset pages of the data-access layer.

use async_graphql::{
    connection::{Connection, Edge},
    Context, Object, OutputType,
};
use chrono::NaiveDate;
use futures::future::BoxFuture;
use sea_orm::EntityName;

use super::{ids::Cursor, limits, store};
use crate::{
    config::Limits,
    error::{ApiError, ApiResult},
    service::{ListFilter, PageRequest, Scoped},
};

/// Forward pagination arguments for the list over table `list`, checked against the limits.
pub fn page_request(
    limits: &Limits,
    list: &str,
    first: Option<i32>,
    after: Option<String>,
) -> ApiResult<PageRequest> {
    let first = match first {
        None => limits.default_page_size,
        Some(first) => u64::try_from(first)
            .ok()
            .filter(|first| *first <= limits.max_page_size)
            .ok_or_else(|| {
                ApiError::bad_input(
                    "first",
                    format!("first must be between 0 and {}", limits.max_page_size),
                )
            })?,
    };
    let after = after
        .as_deref()
        .map(|text| Cursor::decode_for(text, list))
        .transpose()
        .map_err(|message| ApiError::bad_input("after", message))?;
    Ok(PageRequest { first, after })
}

/// A top-level list: a page of connection edges plus the total over all pages.
pub type List<N> = Connection<Cursor, N, ListTotal>;

/// The `totalCount` of a list, counted only when a client asks for it.
pub struct ListTotal(Box<dyn Fn() -> BoxFuture<'static, ApiResult<u64>> + Send + Sync>);

#[Object]
impl ListTotal {
    /// How many records match the list's filter, across all pages.
    async fn total_count(&self) -> async_graphql::Result<u64> {
        Ok((self.0)().await?)
    }
}

/// One page of the rows `filter` selects, as a connection: the whole of a top-level list field.
pub async fn paginate<F, N>(
    ctx: &Context<'_>,
    filter: &F,
    as_of: Option<NaiveDate>,
    first: Option<i32>,
    after: Option<String>,
    id_of: impl Fn(&ModelOf<F>) -> i32,
    wrap: impl Fn(ModelOf<F>) -> N,
) -> async_graphql::Result<List<N>>
where
    F: ListFilter,
    N: OutputType,
{
    let entity = F::Entity::default();
    let list = entity.table_name();
    let request = page_request(limits(ctx)?, list, first, after)?;
    let store = store(ctx)?.clone();
    let page = store.list(filter, as_of, request).await?;
    let condition = filter.condition();
    let total = ListTotal(Box::new(move || {
        let store = store.clone();
        let condition = condition.clone();
        Box::pin(async move { store.count::<F::Entity>(condition, as_of).await })
    }));
    let mut connection =
        Connection::with_additional_fields(request.after.is_some(), page.has_next_page, total);
    connection.edges.extend(page.rows.into_iter().map(|row| {
        let cursor = Cursor {
            list: list.to_owned(),
            after: id_of(&row),
        };
        Edge::new(cursor, wrap(row))
    }));
    Ok(connection)
}

type ModelOf<F> = <<F as ListFilter>::Entity as Scoped>::Row;
