//! Who is asking, and what that lets them see: the one place that turns a principal (from a token)
//! into SQL conditions. Deny by default: a principal gets more than `public` records only through
//! a rule below.
//!
//! - Anonymous callers, users without a reading role, and machine clients without a scope see
//!   `public` records.
//! - A user with a reading role (`viewer`, `editor`, `admin`) of a municipality sees its own
//!   records, `network` records of the municipalities it shares a network with, and `public` ones.
//! - A machine client with `budgets:read` sees budget lines of the municipalities it is granted,
//!   whatever their visibility, and `public` records.

use entities::{municipality, network_membership};
use sea_orm::{
    sea_query::{IntoCondition, Query},
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect,
};

use crate::{error::ApiResult, vocabulary::Visibility};

/// A role of a user, in the user's own municipality (`platform-admin`: across the platform).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Viewer,
    Editor,
    Admin,
    PlatformAdmin,
}

impl Role {
    /// The role a token names, if it is one of ours (other roles are ignored).
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "viewer" => Some(Self::Viewer),
            "editor" => Some(Self::Editor),
            "admin" => Some(Self::Admin),
            "platform-admin" => Some(Self::PlatformAdmin),
            _ => None,
        }
    }

    /// Whether the role lets its holder read its municipality's own model.
    fn reads_own_model(self) -> bool {
        matches!(self, Self::Viewer | Self::Editor | Self::Admin)
    }
}

/// The scope that lets a machine client read budget lines.
pub const BUDGETS_READ: &str = "budgets:read";

/// Who a request is made by, as its token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// No token.
    Anonymous,
    /// A person acting for a municipality (none when the token names none).
    User {
        subject: String,
        municipality: Option<i32>,
        roles: Vec<Role>,
    },
    /// A machine client (client-credentials grant) with its scopes and granted municipalities.
    Client {
        client_id: String,
        scopes: Vec<String>,
        municipalities: Vec<i32>,
    },
}

impl Principal {
    /// Who the principal is, for logs and per-principal limits: never the token itself.
    pub fn id(&self) -> Option<String> {
        match self {
            Self::Anonymous => None,
            Self::User { subject, .. } => Some(format!("user:{subject}")),
            Self::Client { client_id, .. } => Some(format!("client:{client_id}")),
        }
    }

    /// What kind of caller it is (`anonymous`, `user`, `client`), for traces: never who.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Anonymous => "anonymous",
            Self::User { .. } => "user",
            Self::Client { .. } => "client",
        }
    }

    /// Whether the principal is an `editor` or `admin` of `municipality`: who may change its
    /// model. Decided from the token alone, so that it can be checked before anything is read.
    pub fn edits(&self, municipality: i32) -> bool {
        self.edited_municipality() == Some(municipality)
    }

    /// The municipality whose model the principal may change (as its `editor` or `admin`), if any.
    pub fn edited_municipality(&self) -> Option<i32> {
        match self {
            Self::User {
                municipality: Some(own),
                roles,
                ..
            } if roles
                .iter()
                .any(|role| matches!(role, Role::Editor | Role::Admin)) =>
            {
                Some(*own)
            }
            _ => None,
        }
    }
}

/// What a principal may see, resolved against the database (the municipality's peers).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Caller {
    /// Sees `public` records only.
    Anonymous,
    /// Reads a municipality's model: its own records, `network` records of the municipalities
    /// it shares a network with (`peers`), and `public` records.
    Municipality { code: i32, peers: Vec<i32> },
    /// Reads budget lines of these municipalities, and `public` records.
    BudgetClient { municipalities: Vec<i32> },
}

/// The kinds of record a rule can single out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    BudgetLines,
    Other,
}

impl Caller {
    /// What `principal` may see. Unknown municipalities grant nothing.
    pub async fn of(db: &DatabaseConnection, principal: &Principal) -> ApiResult<Self> {
        match principal {
            Principal::Anonymous => Ok(Self::Anonymous),
            Principal::User {
                municipality: Some(code),
                roles,
                ..
            } if roles.iter().any(|role| role.reads_own_model()) => {
                Ok(Self::for_municipality(db, *code)
                    .await?
                    .unwrap_or(Self::Anonymous))
            }
            Principal::User { .. } => Ok(Self::Anonymous),
            Principal::Client {
                scopes,
                municipalities,
                ..
            } if scopes.iter().any(|scope| scope == BUDGETS_READ) => Ok(Self::BudgetClient {
                municipalities: municipalities.clone(),
            }),
            Principal::Client { .. } => Ok(Self::Anonymous),
        }
    }

    /// The condition on a table's owner and visibility columns that keeps what this caller may see.
    pub fn visibility_condition<C: ColumnTrait>(
        &self,
        owner: C,
        visibility: C,
        resource: Resource,
    ) -> Condition {
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
            Self::BudgetClient { municipalities } if resource == Resource::BudgetLines => {
                Condition::any()
                    .add(public)
                    .add(owner.is_in(municipalities.iter().copied()))
            }
            Self::BudgetClient { .. } => public.into_condition(),
        }
    }

    /// A caller reading for municipality `code`, with its peers: every municipality that shares a
    /// network with it (the rule for `network` visibility). None when no such municipality exists.
    pub async fn for_municipality(db: &DatabaseConnection, code: i32) -> ApiResult<Option<Self>> {
        if municipality::Entity::find_by_id(code)
            .one(db)
            .await?
            .is_none()
        {
            return Ok(None);
        }
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
        Ok(Some(Self::Municipality { code, peers }))
    }
}
