//! Who is asking, and what that lets them see.

use sea_orm::{sea_query::IntoCondition, ColumnTrait, Condition};

use crate::vocabulary::Visibility;

/// The party a request is made for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// Nobody in particular: sees `public` records only.
    Anonymous,
    /// A user of one municipality: sees its own records, `network` records of the municipalities
    /// it shares a network with (`peers`), and `public` records.
    Municipality { code: i32, peers: Vec<i32> },
}

impl Caller {
    /// The condition on a table's owner and visibility columns that keeps what this caller may see.
    pub fn visibility_condition<C: ColumnTrait>(&self, owner: C, visibility: C) -> Condition {
        let public = visibility.eq(Visibility::Public.as_str());
        match self {
            Self::Anonymous => public.into_condition(),
            Self::Municipality { code, peers } => {
                Condition::any().add(public).add(owner.eq(*code)).add(
                    Condition::all()
                        .add(visibility.eq(Visibility::Network.as_str()))
                        .add(owner.is_in(peers.iter().copied())),
                )
            }
        }
    }
}
