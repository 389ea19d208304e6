//! Batched loading of related records, at the reader's day.
//!
//! Every nested list or reference goes through [`Related`], so a query costs one statement per
//! relation and level, not one per row; and because `Related` starts from the parent record and
//! wraps what it loads at the parent's day, a record reached from one read `asOf` a day is read at
//! that day too. A resolver never handles the date itself.
//!
//! Batching has no timer. Resolvers ask the request's [`Batcher`] for rows and wait; nothing is
//! read until the executor cannot go on (every resolver that can run has run, the rest wait) and
//! the previous wave of statements has been read. Then [`run_batched`] sends one statement per
//! relation, filter and day for all the keys asked for so far, inside the request's own task. So
//! the statements a request costs follow from its query and the depth of its data alone, not from
//! timing or load, and a request that is dropped drops its statements with it.
//! Loaded rows are kept for the rest of the request and shared (`Arc`), never copied.

use std::{
    any::{Any, TypeId},
    collections::HashMap,
    future::{poll_fn, Future},
    hash::Hash,
    pin::pin,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex, MutexGuard,
    },
    task::{Context as TaskContext, Poll, Wake, Waker},
};

use async_graphql::Context;
use chrono::NaiveDate;
use entities::by_index::FromRow;
use entities::*;
use futures::{future::BoxFuture, stream::FuturesUnordered, task::AtomicWaker, StreamExt};
use sea_orm::{Condition, EntityTrait, IdenStatic};

use super::scalars::Date;
use crate::{
    error::ApiError,
    service::{
        BudgetLineSlice, ForumSlice, InterventionSlice, KeyIndicatorSlice, Scoped, StaffRoleSlice,
        Store, UnitSlice,
    },
};

type Row<E> = <E as Scoped>::Row;

/// Rows loaded once for a request and shared by every record made from them.
pub type Rows<E> = Arc<[Arc<Row<E>>]>;

/// Something read at a day: every GraphQL record (declared by `dated_record!`) and the parts of a
/// comparison.
pub trait Dated {
    /// The day the reader asked for (`asOf`); none: every period.
    fn as_of(&self) -> Option<NaiveDate>;

    /// The way to this record's related records, which are read at the same day.
    fn related<'a, 'ctx>(&self, ctx: &'a Context<'ctx>) -> Related<'a, 'ctx> {
        Related {
            ctx,
            as_of: self.as_of(),
        }
    }

    /// The record of a related row already at hand (nothing to load), read at the same day.
    fn record<R: Record>(&self, row: impl Into<Arc<Row<R::Entity>>>) -> R {
        R::read_at(row, self.as_of())
    }
}

/// A GraphQL record: one row of `Entity`, read at a day.
pub trait Record: Dated + Sized {
    type Entity: Scoped<Model: Sync>;

    /// The record of `row` read at `as_of`. Only query roots call this, with the day of their
    /// `asOf` argument (or none); everything below a root is reached through [`Dated::related`] or
    /// [`Dated::record`], which pass the root's day on.
    fn read_at(row: impl Into<Arc<Row<Self::Entity>>>, as_of: Option<NaiveDate>) -> Self;

    /// The record of a whole row (a version as a write or a difference has it), read at `as_of`.
    fn of_model(model: <Self::Entity as EntityTrait>::Model, as_of: Option<NaiveDate>) -> Self {
        Self::read_at(Arc::new(Row::<Self::Entity>::from(model)), as_of)
    }
}

/// A relation: rows of `Entity` whose `column()` equals a key, narrowed by the link's own
/// filter (a nested list's arguments), if it has one.
pub trait Link: Clone + Eq + Hash + Send + Sync + 'static {
    type Entity: Scoped<Model: Sync>;
    fn column() -> <Self::Entity as EntityTrait>::Column;
    /// The rows of the relation that the link's filter keeps.
    fn condition(&self) -> Condition {
        Condition::all()
    }
}

/// What to load: the rows of link `L` for `value`, valid at `as_of`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key<L> {
    value: i32,
    as_of: Option<NaiveDate>,
    link: L,
}

impl<L: Link> Key<L> {
    /// The key of `value` at `as_of`; undated tables drop the day, so that every reading shares
    /// one load of them.
    fn new(link: L, value: i32, as_of: Option<NaiveDate>) -> Self {
        let as_of = as_of.filter(|_| L::Entity::validity().is_some());
        Self { value, as_of, link }
    }
}

/// A statement the batcher sends: it runs inside the request's task (see [`run_batched`]).
type Statement = BoxFuture<'static, ()>;

/// Most keys one statement binds: well below SQLite's 32,766 and PostgreSQL's 65,535 bind
/// parameters, with room for the filter's own. Only a very large read is split.
const MAX_KEYS_PER_STATEMENT: usize = 10_000;

/// The request's batch loader: collects the keys resolvers ask for, and reads them through the
/// caller's [`Store`] when [`run_batched`] says the executor waits.
pub struct Batcher {
    store: Store,
    tables: Mutex<HashMap<TypeId, Box<dyn AnyTable>>>,
}

impl Batcher {
    pub fn new(store: Store) -> Arc<Self> {
        Arc::new(Self {
            store,
            tables: Mutex::new(HashMap::new()),
        })
    }

    fn tables(&self) -> MutexGuard<'_, HashMap<TypeId, Box<dyn AnyTable>>> {
        // A panic while the lock was held left no half-made entry that matters: keys are
        // recorded before statements are built, and results are written whole.
        self.tables
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The rows of each of `keys`, in order, once they are loaded; asks for the missing ones.
    async fn load<L: Link>(&self, keys: &[Key<L>]) -> async_graphql::Result<Vec<Rows<L::Entity>>> {
        poll_fn(|cx| {
            let mut tables = self.tables();
            let table = table::<L>(&mut tables);
            let mut found = Vec::with_capacity(keys.len());
            for key in keys {
                match table.slots.get(key) {
                    Some(Slot::Loaded(Ok(rows))) => found.push(rows.clone()),
                    Some(Slot::Loaded(Err(error))) => return Poll::Ready(Err(error.clone())),
                    Some(Slot::Asked) => {}
                    None => {
                        table.slots.insert(key.clone(), Slot::Asked);
                        table.asked.push(key.clone());
                    }
                }
            }
            if found.len() == keys.len() {
                Poll::Ready(Ok(found))
            } else {
                table.waiting.push(cx.waker().clone());
                Poll::Pending
            }
        })
        .await
    }

    /// One statement per link, filter and day for the keys asked for since the last call.
    fn statements(self: &Arc<Self>) -> Vec<Statement> {
        let mut tables = self.tables();
        tables
            .values_mut()
            .flat_map(|table| table.statements(self))
            .collect()
    }
}

/// Where a key stands: asked for (and perhaps being read), or loaded.
enum Slot<E: Scoped> {
    Asked,
    Loaded(async_graphql::Result<Rows<E>>),
}

/// The keys of one link type: their slots, the ones not sent yet, and who waits.
struct Table<L: Link> {
    slots: HashMap<Key<L>, Slot<L::Entity>>,
    asked: Vec<Key<L>>,
    waiting: Vec<Waker>,
}

/// A [`Table`] of any link type, so that one map holds them all.
trait AnyTable: Send {
    fn as_any(&mut self) -> &mut dyn Any;
    /// The statements for the keys asked for since the last call.
    fn statements(&mut self, batcher: &Arc<Batcher>) -> Vec<Statement>;
}

fn table<L: Link>(tables: &mut HashMap<TypeId, Box<dyn AnyTable>>) -> &mut Table<L> {
    tables
        .entry(TypeId::of::<L>())
        .or_insert_with(|| {
            Box::new(Table::<L> {
                slots: HashMap::new(),
                asked: Vec::new(),
                waiting: Vec::new(),
            })
        })
        .as_any()
        .downcast_mut()
        .expect("tables are keyed by their link type")
}

impl<L: Link> AnyTable for Table<L> {
    fn as_any(&mut self) -> &mut dyn Any {
        self
    }

    fn statements(&mut self, batcher: &Arc<Batcher>) -> Vec<Statement> {
        let mut groups: HashMap<(L, Option<NaiveDate>), Vec<i32>> = HashMap::new();
        for key in self.asked.drain(..) {
            groups
                .entry((key.link, key.as_of))
                .or_default()
                .push(key.value);
        }
        groups
            .into_iter()
            .flat_map(|((link, as_of), values)| {
                values
                    .chunks(MAX_KEYS_PER_STATEMENT)
                    .map(|chunk| (link.clone(), as_of, chunk.to_vec()))
                    .collect::<Vec<_>>()
            })
            .map(|(link, as_of, values)| {
                let batcher = batcher.clone();
                Box::pin(async move {
                    let loaded = batcher
                        .store
                        .list_by_column::<L::Entity>(L::column(), &values, link.condition(), as_of)
                        .await;
                    let mut tables = batcher.tables();
                    table::<L>(&mut tables).fill(link, as_of, &values, loaded);
                }) as Statement
            })
            .collect()
    }
}

impl<L: Link> Table<L> {
    /// Records what one statement read for `values`, and wakes everyone who waits on this link.
    fn fill(
        &mut self,
        link: L,
        as_of: Option<NaiveDate>,
        values: &[i32],
        loaded: Result<Vec<Row<L::Entity>>, ApiError>,
    ) {
        let key = |value| Key {
            value,
            as_of,
            link: link.clone(),
        };
        match loaded {
            Ok(rows) => {
                let mut by_value: HashMap<i32, Vec<Arc<Row<L::Entity>>>> = HashMap::new();
                for row in rows {
                    if let Some(value) = row.key(L::column().as_str()) {
                        by_value.entry(value).or_default().push(Arc::new(row));
                    }
                }
                for value in values {
                    let rows = by_value.remove(value).unwrap_or_default();
                    self.slots
                        .insert(key(*value), Slot::Loaded(Ok(rows.into())));
                }
            }
            Err(error) => {
                let error = async_graphql::Error::from(error);
                for value in values {
                    self.slots
                        .insert(key(*value), Slot::Loaded(Err(error.clone())));
                }
            }
        }
        for waker in self.waiting.drain(..) {
            waker.wake();
        }
    }
}

/// Runs `work` (the executor) and, each time it waits, sends the statements its resolvers asked
/// the `batcher` for.
pub async fn run_batched<F: Future>(batcher: Arc<Batcher>, work: F) -> F::Output {
    /// How often the executor may ask to be polled again at once before the task yields to the
    /// runtime (a resolver that yields on purpose, or a spent cooperative budget).
    const MAX_ROUNDS: usize = 32;

    let mut work = pin!(work);
    let mut statements = FuturesUnordered::<Statement>::new();
    let wake = Arc::new(NotedWake::default());
    let waker = Waker::from(wake.clone());
    poll_fn(|cx| {
        wake.task.register(cx.waker());
        let mut noted = TaskContext::from_waker(&waker);
        for _ in 0..MAX_ROUNDS {
            wake.woken.store(false, Ordering::SeqCst);
            if let Poll::Ready(output) = work.as_mut().poll(&mut noted) {
                return Poll::Ready(output);
            }
            if wake.woken.load(Ordering::SeqCst) {
                // Resolvers can go on at once: let them ask for more before anything is sent.
                continue;
            }
            if statements.is_empty() {
                // Send the next wave only once the last one is read: whatever order its
                // statements finish in, the keys they lead to go out together.
                statements.extend(batcher.statements());
            }
            while let Poll::Ready(Some(())) = statements.poll_next_unpin(&mut noted) {}
            if !wake.woken.load(Ordering::SeqCst) {
                // Everything waits on the database; its answers wake the task.
                return Poll::Pending;
            }
        }
        cx.waker().wake_by_ref();
        Poll::Pending
    })
    .await
}

/// A waker that notes that it was woken, and wakes the task.
#[derive(Default)]
struct NotedWake {
    woken: AtomicBool,
    task: AtomicWaker,
}

impl Wake for NotedWake {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::SeqCst);
        self.task.wake();
    }
}

/// The records related to a parent record, read at its day: what [`Dated::related`] returns.
#[derive(Clone, Copy)]
pub struct Related<'a, 'ctx> {
    ctx: &'a Context<'ctx>,
    as_of: Option<NaiveDate>,
}

impl<'a, 'ctx> Related<'a, 'ctx> {
    /// The way to records from a query root, which has no parent record: read at `as_of` (the
    /// root's `asOf`; none: every period).
    pub fn from_root(ctx: &'a Context<'ctx>, as_of: Option<NaiveDate>) -> Self {
        Self { ctx, as_of }
    }

    /// Read at the field's own `asOf` argument when it is given, else at the parent's day (a list
    /// with an `asOf` argument starts a new reading for everything below it).
    pub fn as_of(self, day: Option<Date>) -> Self {
        Self {
            as_of: Date::day(day).or(self.as_of),
            ..self
        }
    }

    fn batcher(&self) -> async_graphql::Result<&Arc<Batcher>> {
        self.ctx
            .data::<Arc<Batcher>>()
            .map_err(|_| ApiError::Internal(anyhow::anyhow!("no batcher in the request")).into())
    }

    /// The bare rows related through `link` to `value`: for link tables that are not records
    /// themselves (memberships), whose rows only lead on to records.
    pub async fn rows<L: Link>(
        &self,
        link: L,
        value: i32,
    ) -> async_graphql::Result<Rows<L::Entity>> {
        let key = Key::new(link, value, self.as_of);
        let mut loaded = self.batcher()?.load(&[key]).await?;
        Ok(loaded.pop().unwrap_or_else(|| Arc::new([])))
    }

    /// The records related through `link` to `value`.
    pub async fn many<L: Link, R: Record<Entity = L::Entity>>(
        &self,
        link: L,
        value: i32,
    ) -> async_graphql::Result<Vec<R>> {
        let rows = self.rows(link, value).await?;
        Ok(rows.iter().map(|row| self.wrap(row.clone())).collect())
    }

    /// The one record related through `link` to `value` (by id), if the caller may see it and it
    /// is valid at the day.
    pub async fn one<L: Link, R: Record<Entity = L::Entity>>(
        &self,
        link: L,
        value: i32,
    ) -> async_graphql::Result<Option<R>> {
        let rows = self.rows(link, value).await?;
        Ok(rows.first().map(|row| self.wrap(row.clone())))
    }

    /// The record related through `link` to `value` when there is a value (an optional foreign
    /// key).
    pub async fn optional<L: Link, R: Record<Entity = L::Entity>>(
        &self,
        link: L,
        value: Option<i32>,
    ) -> async_graphql::Result<Option<R>> {
        match value {
            Some(value) => self.one(link, value).await,
            None => Ok(None),
        }
    }

    /// The records for each of `values` (a by-id link), in the order of `values`, in one batch;
    /// rows the caller may not see, or not valid at the day, are left out.
    pub async fn each<L: Link, R: Record<Entity = L::Entity>>(
        &self,
        link: L,
        values: impl IntoIterator<Item = i32>,
    ) -> async_graphql::Result<Vec<R>> {
        let keys: Vec<Key<L>> = values
            .into_iter()
            .map(|value| Key::new(link.clone(), value, self.as_of))
            .collect();
        let loaded = self.batcher()?.load(&keys).await?;
        Ok(loaded
            .iter()
            .filter_map(|rows| rows.first())
            .map(|row| self.wrap(row.clone()))
            .collect())
    }

    fn wrap<R: Record>(&self, row: Arc<Row<R::Entity>>) -> R {
        R::read_at(row, self.as_of)
    }
}

/// Declares link marker types: `Name: module => Column`, or `Name(Filter): module => Column` for
/// a link narrowed by a filter of the data-access layer (a nested list's arguments).
macro_rules! links {
    ($($(#[$meta:meta])* $name:ident $(($filter:ty))?: $module:ident => $column:ident),* $(,)?) => {$(
        links!(@declare $(#[$meta])* $name $(($filter))?);

        impl Link for $name {
            type Entity = $module::Entity;
            fn column() -> $module::Column {
                $module::Column::$column
            }
            $(
                fn condition(&self) -> Condition {
                    <$filter>::condition(&self.0)
                }
            )?
        }
    )*};
    (@declare $(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name;
    };
    (@declare $(#[$meta:meta])* $name:ident ($filter:ty)) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $name(pub $filter);
    };
}

links!(
    SourceById: source => Id,
    IdentityById: identity => Id,
    MunicipalityByCode: municipality => Code,
    NetworkById: network => Id,
    MembershipsByMunicipality: network_membership => MunicipalityCode,
    MembershipsByNetwork: network_membership => NetworkId,
    PartnerById: partner_organisation => Id,
    LegalBasisById: legal_basis => Id,
    CommitteeById: political_committee => Id,
    CommitteesByMunicipality: political_committee => MunicipalityCode,
    UnitById: unit => Id,
    UnitsByParent: unit => ParentId,
    UnitsByMunicipality(UnitSlice): unit => MunicipalityCode,
    UnitsByCommittee: unit => CommitteeId,
    StaffRoleById: staff_role => Id,
    StaffRolesByUnit(StaffRoleSlice): staff_role => UnitId,
    StaffRolesByMunicipality(StaffRoleSlice): staff_role => MunicipalityCode,
    BudgetLineById: budget_line => Id,
    BudgetLinesByMunicipality(BudgetLineSlice): budget_line => MunicipalityCode,
    BudgetLinesByUnit(BudgetLineSlice): budget_line => UnitId,
    ForumById: forum => Id,
    ForumsByMunicipality(ForumSlice): forum => MunicipalityCode,
    ForumsByNetwork(ForumSlice): forum => NetworkId,
    MemberById: forum_member => Id,
    MembersByForum: forum_member => ForumId,
    LegalBasesByForum: forum_legal_basis => ForumId,
    PlanById: plan => Id,
    PlansByMunicipality: plan => MunicipalityCode,
    PlansByPlan: plan => PartOfId,
    GoalById: goal => Id,
    GoalsByMunicipality: goal => MunicipalityCode,
    GoalsByPlan: goal => PlanId,
    InterventionById: intervention => Id,
    InterventionsByMunicipality(InterventionSlice): intervention => MunicipalityCode,
    InterventionsByGoal(InterventionSlice): intervention => GoalId,
    InterventionsByPlan(InterventionSlice): intervention => PlanId,
    PartnersByIntervention: intervention_partner => InterventionId,
    KeyIndicatorById: key_indicator => Id,
    KeyIndicatorsByMunicipality(KeyIndicatorSlice): key_indicator => MunicipalityCode,
    ProjectById: shared_project => Id,
    ProjectsByOwner: shared_project => MunicipalityCode,
    ParticipantsByProject: project_participant => ProjectId,
    ParticipationsByMunicipality: project_participant => ParticipantCode,
    ContactById: contact => Id,
    ContactsByMunicipality: contact => MunicipalityCode,
    ContactsByUnit: contact => UnitId,
);
