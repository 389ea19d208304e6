//! Relay connections over the keyset pages of the data-access layer.

use async_graphql::{
    connection::{Connection, CursorType, Edge},
    Context, OutputType,
};
use chrono::NaiveDate;
use sea_orm::EntityTrait;

use super::{ids::Cursor, limits, store};
use crate::{
    config::Limits,
    error::{ApiError, ApiResult},
    service::{ListFilter, Page, PageRequest},
};

/// Forward pagination arguments, checked against the configured limits.
pub fn page_request(
    limits: &Limits,
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
        .map(Cursor::decode_cursor)
        .transpose()
        .map_err(|message| ApiError::bad_input("after", message))?
        .map(|cursor| cursor.0);
    Ok(PageRequest { first, after })
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
) -> async_graphql::Result<Connection<Cursor, N>>
where
    F: ListFilter,
    N: OutputType,
{
    let request = page_request(limits(ctx)?, first, after)?;
    let page = store(ctx)?.list(filter, as_of, request).await?;
    Ok(connection(page, request, id_of, wrap))
}

type ModelOf<F> = <<F as ListFilter>::Entity as EntityTrait>::Model;

/// A connection from a page; `id_of` gives the keyset value of a row, `wrap` the GraphQL node.
pub fn connection<R, N: OutputType>(
    page: Page<R>,
    request: PageRequest,
    id_of: impl Fn(&R) -> i32,
    wrap: impl Fn(R) -> N,
) -> Connection<Cursor, N> {
    let mut connection = Connection::new(request.after.is_some(), page.has_next_page);
    connection.edges.extend(
        page.rows
            .into_iter()
            .map(|row| Edge::new(Cursor(id_of(&row)), wrap(row))),
    );
    connection
}
