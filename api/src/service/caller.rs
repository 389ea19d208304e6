//! Who is asking, and what that lets them see.

use entities::{municipality, network_membership};
use sea_orm::{
    sea_query::{IntoCondition, Query},
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect,
};

use crate::{
    error::{ApiError, ApiResult},
    vocabulary::Visibility,
};

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

impl Caller {
    /// A caller acting for municipality `code`, with its peers: every municipality that shares a
    /// network with it (the rule for `network` visibility). Errors when no such municipality exists.
    pub async fn for_municipality(db: &DatabaseConnection, code: i32) -> ApiResult<Self> {
        municipality::Entity::find_by_id(code)
            .one(db)
            .await?
            .ok_or_else(|| ApiError::not_found(format!("municipality {code}")))?;
        let own_networks = Query::select()
            .column(network_membership::Column::NetworkId)
            .from(network_membership::Entity)
            .and_where(network_membership::Column::MunicipalityCode.eq(code))
            .to_owned();
        let mut peers: Vec<i32> = network_membership::Entity::find()
            .select_only()
            .column(network_membership::Column::MunicipalityCode)
            .filter(network_membership::Column::NetworkId.in_subquery(own_networks))
            .filter(network_membership::Column::MunicipalityCode.ne(code))
            .into_tuple()
            .all(db)
            .await?;
        peers.sort_unstable();
        peers.dedup();
        Ok(Self::Municipality { code, peers })
    }
}
