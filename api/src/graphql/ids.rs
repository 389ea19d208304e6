//! Opaque identifiers: global node IDs (`Node.id`) and keyset cursors.
//! Both are base64url text so that clients treat them as opaque; neither is a stable format.

use async_graphql::{connection::CursorType, ID};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};

use crate::error::ApiError;

/// The kinds of node a global ID can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    Municipality,
    Network,
    Source,
    PartnerOrganisation,
    LegalBasis,
    PoliticalCommittee,
    Unit,
    StaffRole,
    BudgetLine,
    Forum,
    ForumMember,
    Goal,
    Intervention,
    SharedProject,
    Contact,
}

impl NodeKind {
    const ALL: [NodeKind; 15] = [
        Self::Municipality,
        Self::Network,
        Self::Source,
        Self::PartnerOrganisation,
        Self::LegalBasis,
        Self::PoliticalCommittee,
        Self::Unit,
        Self::StaffRole,
        Self::BudgetLine,
        Self::Forum,
        Self::ForumMember,
        Self::Goal,
        Self::Intervention,
        Self::SharedProject,
        Self::Contact,
    ];

    /// The GraphQL type name, which is also the prefix inside the ID.
    pub fn type_name(self) -> &'static str {
        match self {
            Self::Municipality => "Municipality",
            Self::Network => "Network",
            Self::Source => "Source",
            Self::PartnerOrganisation => "PartnerOrganisation",
            Self::LegalBasis => "LegalBasis",
            Self::PoliticalCommittee => "PoliticalCommittee",
            Self::Unit => "Unit",
            Self::StaffRole => "StaffRole",
            Self::BudgetLine => "BudgetLine",
            Self::Forum => "Forum",
            Self::ForumMember => "ForumMember",
            Self::Goal => "Goal",
            Self::Intervention => "Intervention",
            Self::SharedProject => "SharedProject",
            Self::Contact => "Contact",
        }
    }

    /// The global ID of the record with database key `key`.
    pub fn id(self, key: i32) -> ID {
        ID(URL_SAFE_NO_PAD.encode(format!("{}:{key}", self.type_name())))
    }
}

/// Splits a global ID into its kind and database key.
pub fn decode_id(id: &ID, field: &str) -> Result<(NodeKind, i32), ApiError> {
    let invalid = || ApiError::bad_input(field, format!("{:?} is not a valid ID", id.as_str()));
    let bytes = URL_SAFE_NO_PAD
        .decode(id.as_bytes())
        .map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (kind, key) = text.split_once(':').ok_or_else(invalid)?;
    let kind = NodeKind::ALL
        .into_iter()
        .find(|k| k.type_name() == kind)
        .ok_or_else(invalid)?;
    let key = key.parse().map_err(|_| invalid())?;
    Ok((kind, key))
}

/// A keyset cursor: the id of the last row of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor(pub i32);

const CURSOR_PREFIX: &str = "after:";

impl CursorType for Cursor {
    type Error = String;

    fn decode_cursor(text: &str) -> Result<Self, Self::Error> {
        let invalid = || format!("{text:?} is not a cursor of this list");
        let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| invalid())?;
        let text = String::from_utf8(bytes).map_err(|_| invalid())?;
        let key = text.strip_prefix(CURSOR_PREFIX).ok_or_else(invalid)?;
        key.parse().map(Cursor).map_err(|_| invalid())
    }

    fn encode_cursor(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{CURSOR_PREFIX}{}", self.0))
    }
}
