//! Relay connections over the keyset pages of the data-access layer.

use async_graphql::{
    connection::{Connection, CursorType, Edge},
    OutputType,
};

use super::ids::Cursor;
use crate::{
    config::Limits,
    error::{ApiError, ApiResult},
    service::{Page, PageRequest},
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
