//! The data-access layer: the one place that decides who sees what.
//!
//! Every read goes through [`Store`], which takes the [`Caller`] and puts the tenant, visibility and
//! `asOf` conditions into the SQL ([`scope_condition`]). Nothing above this module builds a query.

/// In an update's closure over a new version: sets each column whose change is given (`Some`),
/// keeps the others. `column: change`, the change an `Option` of the column's value, or just
/// `column` for a change held in a variable of the column's name.
macro_rules! set_changed {
    ($version:ident { $($column:ident $(: $change:expr)?),* $(,)? }) => {
        $(
            if let Some(value) = set_changed!(@change $column $(, $change)?) {
                $version.$column = sea_orm::ActiveValue::Set(value);
            }
        )*
    };
    (@change $column:ident) => { $column };
    (@change $column:ident, $change:expr) => { $change };
}

/// Declares a kind's input from one list of its own fields: `New…`, what a create takes (whose
/// record it is, the fields, and its first version), and `…Changes`, what an update takes (each
/// field `None` to keep it, `Some` to set it; `Some(None)` clears an optional one).
macro_rules! record_input {
    (
        $(#[$new_meta:meta])*
        new $new:ident { $($owner:ident: $owner_ty:ty),* $(,)? }
        $(#[$changes_meta:meta])*
        changes $changes:ident;
        fields { $($(#[$field_meta:meta])* $field:ident: $ty:ty,)* }
    ) => {
        $(#[$new_meta])*
        #[derive(Debug, Clone)]
        pub struct $new {
            $(pub $owner: $owner_ty,)*
            $($(#[$field_meta])* pub $field: $ty,)*
            pub version: $crate::service::NewVersion,
        }

        $(#[$changes_meta])*
        #[derive(Debug, Clone, Default)]
        pub struct $changes {
            $($(#[$field_meta])* pub $field: Option<$ty>,)*
        }
    };
}

/// A change as the columns it sets: a new active model of the entity `$module` with the columns
/// of [`set_changed!`] set, and no other.
macro_rules! changed {
    ($module:ident { $($columns:tt)* }) => {{
        let mut changed: entities::$module::ActiveModel = Default::default();
        set_changed!(changed { $($columns)* });
        changed
    }};
}

mod access;
mod budget;
pub mod changes;
mod checks;
pub mod comparison;
mod connection;
mod contact;
mod differences;
mod forum;
mod indicator;
mod intervention;
mod links;
mod listing;
mod model_io;
mod organisation;
mod plan;
mod platform;
mod project;
pub mod relations;
mod scoped;
mod tree;
pub mod versions;
pub mod writes;

pub use access::{Caller, Principal, Resource, Role, BUDGETS_READ};
pub use budget::{BudgetLineChanges, NewBudgetLine};
pub use checks::{NewVersion, Origin};
pub use connection::{data_version, Connection, DataVersionReader};
pub use contact::{ContactChanges, NewContact};
pub use differences::{Between, Compared, Difference};
pub use forum::{ForumChanges, ForumMemberChanges, NewForum, NewForumMember};
pub use indicator::{KeyIndicatorChanges, NewKeyIndicator};
pub use intervention::{
    GoalChanges, InterventionChanges, NewGoal, NewIntervention, NewInterventionPartner,
};
pub use listing::*;
pub(crate) use model_io::ImportAs;
pub use model_io::{
    document, parse_document, problems_in_dataset, Basis, ChangeKind, ChangedRecord, ImportError,
    ImportReport, Problem, RecordChange, ReferenceKeys, Stale,
};
pub use organisation::{
    NewPoliticalCommittee, NewStaffRole, NewUnit, PoliticalCommitteeChanges, StaffRoleChanges,
    UnitChanges,
};
pub use plan::{principles_of, NewPlan, PlanChanges};
pub use platform::{
    MunicipalityChanges, NetworkChanges, NewMunicipality, NewNetwork, NewPartner, PartnerChanges,
    Population,
};
pub use project::{Contribution, NewSharedProject, SharedProjectChanges};
pub use scoped::{Scoped, Tenancy};

use std::str::FromStr;

use chrono::NaiveDate;
use entities::by_index::{ByIndex, FromRow};
use sea_orm::{
    sea_query::Expr, ColumnTrait, Condition, DatabaseConnection, EntityTrait, ModelTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select, Value,
};
use tracing::Instrument;

use crate::error::{ApiError, ApiResult};

/// Reads and writes on behalf of one caller.
#[derive(Clone)]
pub struct Store {
    db: Connection,
    caller: Caller,
    /// Who writes (the token's subject, roles and client); writes check it (see [`writes`]).
    principal: Principal,
    /// How long a write waits for the writers' lock (see [`Connection::begin`]).
    lock_wait: std::time::Duration,
}

impl Store {
    /// Reads for `caller`; writes nothing (an anonymous principal).
    pub fn new(db: DatabaseConnection, caller: Caller) -> Self {
        Self {
            db: Connection::Pool(db),
            caller,
            principal: Principal::Anonymous,
            lock_wait: std::time::Duration::from_millis(crate::config::DEFAULT_WRITE_LOCK_WAIT_MS),
        }
    }

    /// The store for the principal a request's token names.
    pub fn for_principal(db: DatabaseConnection, caller: Caller, principal: Principal) -> Self {
        Self {
            principal,
            ..Self::new(db, caller)
        }
    }

    /// The store, its writes waiting at most `lock_wait` for the writers' lock.
    #[must_use]
    pub fn with_lock_wait(self, lock_wait: std::time::Duration) -> Self {
        Self { lock_wait, ..self }
    }

    /// Who the store reads and writes for.
    pub fn principal(&self) -> &Principal {
        &self.principal
    }

    /// What the store's caller may see.
    pub fn caller(&self) -> &Caller {
        &self.caller
    }

    /// Rows of `E` whose `column` is one of `values` and that `filter` keeps, that the caller may
    /// see, valid at `as_of` (all periods when `as_of` is none). One statement, however many
    /// values.
    pub async fn list_by_column<E: Scoped>(
        &self,
        column: E::Column,
        values: &[i32],
        filter: Condition,
        as_of: Option<NaiveDate>,
    ) -> ApiResult<Vec<E::Row>> {
        if values.is_empty() {
            return Ok(Vec::new());
        }
        let condition = filter.add(column.is_in(values.iter().copied()));
        self.list_columns::<E, E::Row>(condition, as_of).await
    }

    /// The rows of `E` that the caller may see, matching `filter`, valid at `as_of`, in id order.
    fn visible<E: Scoped>(&self, filter: Condition, as_of: Option<NaiveDate>) -> Select<E> {
        E::find()
            .filter(scope_condition::<E>(&self.caller, as_of))
            .filter(filter)
            .order_by_asc(E::id_column())
    }

    /// Runs `query` for the columns `T` reads ([`FromRow::COLUMNS`]), and reads its rows by
    /// column position (see `entities::by_index`): a row decodes only the columns it needs.
    async fn read<E: EntityTrait, T: FromRow>(&self, query: Select<E>) -> ApiResult<Vec<T>> {
        let columns = T::COLUMNS
            .iter()
            .map(|name| {
                E::Column::from_str(name).map_err(|_| {
                    ApiError::Internal(anyhow::anyhow!(
                        "{} has no column {name}",
                        E::default().table_name()
                    ))
                })
            })
            .collect::<ApiResult<Vec<_>>>()?;
        // A span per statement (for traces): its table and how many rows it read.
        let span = tracing::info_span!(
            "db.read",
            table = E::default().table_name(),
            rows = tracing::field::Empty,
        );
        let rows = query
            .select_only()
            .columns(columns)
            .into_model::<ByIndex<T>>()
            .all(&self.db)
            .instrument(span.clone())
            .await?;
        span.record("rows", rows.len());
        Ok(rows.into_iter().map(|row| row.0).collect())
    }

    /// The columns `T` reads of every row of `E` that the caller may see, matching `filter`, valid
    /// at `as_of`, in id order: `E::Row` for records, or a narrower row for reads that need a few
    /// columns of many rows, or `E::Model` for reads that compare whole versions.
    pub async fn list_columns<E: Scoped, T: FromRow>(
        &self,
        filter: Condition,
        as_of: Option<NaiveDate>,
    ) -> ApiResult<Vec<T>> {
        self.read(self.visible::<E>(filter, as_of)).await
    }

    /// One page of `E` that the caller may see, matching `filter`, in id order (keyset pagination).
    async fn page<E: Scoped>(
        &self,
        filter: Condition,
        as_of: Option<NaiveDate>,
        request: PageRequest,
    ) -> ApiResult<Page<E::Row>> {
        let mut query = self.visible::<E>(filter, as_of).limit(request.first + 1);
        if let Some(after) = request.after {
            query = query.filter(E::id_column().gt(after));
        }
        let mut rows: Vec<E::Row> = self.read(query).await?;
        let has_next_page = rows.len() as u64 > request.first;
        rows.truncate(request.first as usize);
        Ok(Page {
            rows,
            has_next_page,
        })
    }

    /// One page of the rows a filter selects.
    pub async fn list<F: ListFilter>(
        &self,
        filter: &F,
        as_of: Option<NaiveDate>,
        request: PageRequest,
    ) -> ApiResult<Page<<F::Entity as Scoped>::Row>> {
        self.page::<F::Entity>(filter.condition(), as_of, request)
            .await
    }

    /// How many rows of `E` the caller may see match `filter` (all pages together).
    pub async fn count<E>(&self, filter: Condition, as_of: Option<NaiveDate>) -> ApiResult<u64>
    where
        E: Scoped,
        E::Model: Sync,
    {
        let query = E::find()
            .filter(scope_condition::<E>(&self.caller, as_of))
            .filter(filter);
        Ok(query.count(&self.db).await?)
    }
}

/// The rows of `E` the caller may see: of a table of versions, each record's version valid at
/// `as_of`, or its latest version when no date is given (so that a record appears once).
pub fn scope_condition<E: Scoped>(caller: &Caller, as_of: Option<NaiveDate>) -> Condition {
    let mut condition = Condition::all();
    if let Some(tenancy) = E::tenancy() {
        condition = condition.add(caller.visibility_condition(
            tenancy.owner,
            tenancy.visibility,
            tenancy.resource,
        ));
    }
    condition.add(match as_of {
        Some(day) => validity_condition::<E>(day),
        None => latest_version_condition::<E>(),
    })
}

/// The rows of `E` valid on `day` (all rows of tables without validity).
pub fn validity_condition<E: Scoped>(day: NaiveDate) -> Condition {
    match E::validity() {
        Some((from, to)) => Condition::all()
            .add(Condition::any().add(from.is_null()).add(from.lte(day)))
            .add(Condition::any().add(to.is_null()).add(to.gt(day))),
        None => Condition::all(),
    }
}

/// The latest version of each record of `E` (all rows of tables without versions).
///
/// `latest = TRUE` is written into the SQL, not bound: it is the condition of the partial index of
/// latest versions, and SQLite recompiles a statement whenever a bound value could change whether
/// such an index applies, which made every read prepare its statement anew. With the literal,
/// the prepared statement is reused and both databases can use the index.
fn latest_version_condition<E: Scoped>() -> Condition {
    match E::latest() {
        Some(latest) => Condition::all().add(latest.into_expr().eq(Expr::cust("TRUE"))),
        None => Condition::all(),
    }
}

/// Whether the municipality `code` exists.
async fn municipality_exists(db: &Connection, code: i32) -> ApiResult<bool> {
    Ok(entities::municipality::Entity::find_by_id(code)
        .one(db)
        .await?
        .is_some())
}

/// Reads an integer column of a model (ids and codes are `i32` throughout the schema).
pub fn int_value<M: ModelTrait>(
    model: &M,
    column: <M::Entity as EntityTrait>::Column,
) -> Option<i32> {
    match model.get(column) {
        Value::Int(value) => value,
        Value::BigInt(value) => value.and_then(|v| i32::try_from(v).ok()),
        _ => None,
    }
}
