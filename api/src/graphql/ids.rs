//! Opaque identifiers: global node IDs (`Node.id`) and keyset cursors.
//! Both are base64url text so that clients treat them as opaque; neither is a stable format.

use async_graphql::{connection::CursorType, ID};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};

use crate::error::{excerpt, ApiError, FieldPath};

pub use entities::Kind;

/// The global ID of a record: its kind's GraphQL type name and its database key.
pub trait GlobalId {
    /// The global ID of the record with database key `key`.
    fn id(self, key: i32) -> ID;
}

impl GlobalId for Kind {
    fn id(self, key: i32) -> ID {
        ID(URL_SAFE_NO_PAD.encode(format!("{}:{key}", self.type_name())))
    }
}

/// Splits a global ID into its kind and database key. Only IDs this server made are accepted
/// (the key in canonical decimal form: not `+1` or `01`); the message repeats a bad ID cut short.
pub fn decode_id(id: &ID, field: impl Into<FieldPath>) -> Result<(Kind, i32), ApiError> {
    let field = field.into();
    let invalid = || ApiError::bad_input(&field, format!("{} is not a valid ID", excerpt(id)));
    let text = decode_text(id).ok_or_else(invalid)?;
    let (kind, key) = text.split_once(':').ok_or_else(invalid)?;
    let kind = Kind::of_type_name(kind).ok_or_else(invalid)?;
    let key = canonical_int(key).ok_or_else(invalid)?;
    Ok((kind, key))
}

/// A keyset cursor: which list it pages (the table), and the id of the last row of a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub list: String,
    pub after: i32,
}

impl Cursor {
    /// The cursor's row id, if it is a cursor of `list`; a cursor of another list is refused
    /// rather than silently paging from an unrelated id.
    pub fn decode_for(text: &str, list: &str) -> Result<i32, String> {
        let invalid = || format!("{} is not a cursor of this list", excerpt(text));
        let cursor = Self::decode_cursor(text).map_err(|_| invalid())?;
        if cursor.list == list {
            Ok(cursor.after)
        } else {
            Err(invalid())
        }
    }
}

impl CursorType for Cursor {
    type Error = &'static str;

    fn decode_cursor(text: &str) -> Result<Self, Self::Error> {
        let malformed = "not a cursor";
        let text = decode_text(text).ok_or(malformed)?;
        let (list, after) = text.split_once(':').ok_or(malformed)?;
        let after = canonical_int(after).ok_or(malformed)?;
        Ok(Self {
            list: list.to_owned(),
            after,
        })
    }

    fn encode_cursor(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}:{}", self.list, self.after))
    }
}

/// The text inside an opaque identifier; none when it is no base64url or no UTF-8. Long input is
/// refused before it is decoded: no identifier this server makes is that long.
fn decode_text(opaque: &str) -> Option<String> {
    const MAX_OPAQUE_LEN: usize = 128;
    if opaque.len() > MAX_OPAQUE_LEN {
        return None;
    }
    String::from_utf8(URL_SAFE_NO_PAD.decode(opaque).ok()?).ok()
}

/// An `i32` written as this server writes it: digits, an optional `-`, no leading zeros.
fn canonical_int(text: &str) -> Option<i32> {
    let value: i32 = text.parse().ok()?;
    (value.to_string() == text).then_some(value)
}

#[cfg(test)]
mod tests {
    use async_graphql::{connection::CursorType, ID};

    use super::{decode_id, Cursor, GlobalId, Kind};

    #[test]
    fn ids_round_trip_and_only_canonical_keys_are_accepted() {
        let id = Kind::Unit.id(42);
        assert_eq!(decode_id(&id, "id").ok(), Some((Kind::Unit, 42)));
        for text in [
            "Unit:+1",
            "Unit:01",
            "Unit: 1",
            "Unit:1 ",
            "Nope:1",
            "Unit:99999999999",
        ] {
            let id = ID(base64::Engine::encode(
                &base64::engine::general_purpose::URL_SAFE_NO_PAD,
                text,
            ));
            assert!(decode_id(&id, "id").is_err(), "{text} must be refused");
        }
    }

    #[test]
    fn cursors_belong_to_one_list() {
        let cursor = Cursor {
            list: "unit".to_owned(),
            after: 7,
        }
        .encode_cursor();
        assert_eq!(Cursor::decode_for(&cursor, "unit"), Ok(7));
        assert!(Cursor::decode_for(&cursor, "forum").is_err());
        let long = "x".repeat(60_000);
        let message = Cursor::decode_for(&long, "unit").unwrap_err();
        assert!(message.len() < 200, "echoed input is cut short: {message}");
    }
}
