//! The batch executor: loads what resolvers ask for in waves, without a timer, and knows nothing
//! of the domain (what a relation is, and how it is read, is the [`Load`] of each relation).
//!
//! Resolvers ask the request's [`Batcher`] for the rows of keys and wait; nothing is read until
//! the executor cannot go on (every resolver that can run has run, the rest wait) and the previous
//! wave of reads has finished. Then [`run_batched`] starts one read per relation, filter and day
//! for all the keys asked for so far, inside the request's own task. So the reads a request costs
//! follow from its query and the depth of its data alone, not from timing or load, and a request
//! that is dropped drops its reads with it. Loaded rows are kept for the rest of the request.

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

use chrono::NaiveDate;
use futures::{future::BoxFuture, stream::FuturesUnordered, task::AtomicWaker, StreamExt};
use tracing::Instrument;

/// What a relation's read answers: each row with the key value it belongs to.
pub type ReadRows<R> = BoxFuture<'static, async_graphql::Result<Vec<(i32, R)>>>;

/// A relation the batcher loads: its rows for a set of key values at a day, read from the
/// request's `Source` in one go. The link's value (a filter) is part of what is batched together.
pub trait Load: Clone + Eq + Hash + std::fmt::Debug + Send + Sync + 'static {
    /// Where rows are read from (the caller's data-access layer).
    type Source: Send + Sync + 'static;
    /// What is kept of a row (shared by everyone who asked for it).
    type Row: Send + Sync + 'static;

    /// Whether the day matters to this relation; when not, every day shares one load.
    fn dated() -> bool {
        true
    }

    /// The rows of `values` at `as_of`, each with the value it belongs to.
    fn load(
        &self,
        source: Arc<Self::Source>,
        values: Vec<i32>,
        as_of: Option<NaiveDate>,
    ) -> ReadRows<Self::Row>;
}

/// The rows loaded for one key, shared by everyone who asked for them.
pub type Loaded<L> = Arc<[<L as Load>::Row]>;

/// What to load: the rows of relation `L` for `value`, valid at `as_of`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key<L> {
    value: i32,
    as_of: Option<NaiveDate>,
    link: L,
}

impl<L: Load> Key<L> {
    /// The key of `value` at `as_of`; a relation the day does not matter to drops it, so that
    /// every reading shares one load.
    pub fn new(link: L, value: i32, as_of: Option<NaiveDate>) -> Self {
        let as_of = as_of.filter(|_| L::dated());
        Self { value, as_of, link }
    }
}

/// A read the batcher starts: it runs inside the request's task (see [`run_batched`]).
type Read = BoxFuture<'static, ()>;

/// Most keys one read binds: well below SQLite's 32,766 and PostgreSQL's 65,535 bind parameters,
/// with room for the filter's own. Only a very large read is split.
pub const MAX_KEYS_PER_READ: usize = 10_000;

/// The request's batch loader: collects the keys resolvers ask for, and reads them from its
/// source when [`run_batched`] says the executor waits.
pub struct Batcher<S> {
    source: Arc<S>,
    tables: Mutex<HashMap<TypeId, Box<dyn AnyTable<S>>>>,
}

impl<S: Send + Sync + 'static> Batcher<S> {
    pub fn new(source: S) -> Arc<Self> {
        Arc::new(Self {
            source: Arc::new(source),
            tables: Mutex::new(HashMap::new()),
        })
    }

    fn tables(&self) -> MutexGuard<'_, HashMap<TypeId, Box<dyn AnyTable<S>>>> {
        // A panic while the lock was held left no half-made entry that matters: keys are
        // recorded before reads are built, and results are written whole.
        self.tables
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The rows of each of `keys`, in order, once they are loaded; asks for the missing ones.
    pub async fn load<L: Load<Source = S>>(
        &self,
        keys: &[Key<L>],
    ) -> async_graphql::Result<Vec<Loaded<L>>> {
        poll_fn(|cx| {
            let mut tables = self.tables();
            let table = table::<S, L>(&mut tables);
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

    /// One read per relation, filter and day for the keys asked for since the last call.
    fn reads(self: &Arc<Self>) -> Vec<Read> {
        let mut tables = self.tables();
        tables
            .values_mut()
            .flat_map(|table| table.reads(self))
            .collect()
    }
}

/// Where a key stands: asked for (and perhaps being read), or loaded.
enum Slot<L: Load> {
    Asked,
    Loaded(async_graphql::Result<Loaded<L>>),
}

/// The keys of one relation: their slots, the ones not sent yet, and who waits.
struct Table<L: Load> {
    slots: HashMap<Key<L>, Slot<L>>,
    asked: Vec<Key<L>>,
    waiting: Vec<Waker>,
}

/// A [`Table`] of any relation, so that one map holds them all.
trait AnyTable<S>: Send {
    fn as_any(&mut self) -> &mut dyn Any;
    /// The reads for the keys asked for since the last call.
    fn reads(&mut self, batcher: &Arc<Batcher<S>>) -> Vec<Read>;
}

fn table<S: Send + Sync + 'static, L: Load<Source = S>>(
    tables: &mut HashMap<TypeId, Box<dyn AnyTable<S>>>,
) -> &mut Table<L> {
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
        .expect("tables are keyed by their relation")
}

impl<S: Send + Sync + 'static, L: Load<Source = S>> AnyTable<S> for Table<L> {
    fn as_any(&mut self) -> &mut dyn Any {
        self
    }

    fn reads(&mut self, batcher: &Arc<Batcher<S>>) -> Vec<Read> {
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
                    .chunks(MAX_KEYS_PER_READ)
                    .map(|chunk| (link.clone(), as_of, chunk.to_vec()))
                    .collect::<Vec<_>>()
            })
            .map(|(link, as_of, values)| {
                let batcher = batcher.clone();
                let span = tracing::info_span!(
                    "db.batch",
                    relation = ?link,
                    keys = values.len(),
                    as_of = ?as_of,
                );
                let read = link
                    .load(Arc::clone(&batcher.source), values.clone(), as_of)
                    .instrument(span);
                Box::pin(async move {
                    let loaded = read.await;
                    let mut tables = batcher.tables();
                    table::<S, L>(&mut tables).fill(link, as_of, &values, loaded);
                }) as Read
            })
            .collect()
    }
}

impl<L: Load> Table<L> {
    /// Records what one read got for `values`, and wakes everyone who waits on this relation.
    fn fill(
        &mut self,
        link: L,
        as_of: Option<NaiveDate>,
        values: &[i32],
        loaded: async_graphql::Result<Vec<(i32, L::Row)>>,
    ) {
        let key = |value| Key {
            value,
            as_of,
            link: link.clone(),
        };
        match loaded {
            Ok(rows) => {
                let mut by_value: HashMap<i32, Vec<L::Row>> = HashMap::new();
                for (value, row) in rows {
                    by_value.entry(value).or_default().push(row);
                }
                for value in values {
                    let rows = by_value.remove(value).unwrap_or_default();
                    self.slots
                        .insert(key(*value), Slot::Loaded(Ok(rows.into())));
                }
            }
            Err(error) => {
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

/// Runs `work` (the executor) and, each time it waits, starts the reads its resolvers asked the
/// `batcher` for.
pub async fn run_batched<S: Send + Sync + 'static, F: Future>(
    batcher: Arc<Batcher<S>>,
    work: F,
) -> F::Output {
    /// How often the executor may ask to be polled again at once before the task yields to the
    /// runtime (a resolver that yields on purpose, or a spent cooperative budget).
    const MAX_ROUNDS: usize = 32;

    let mut work = pin!(work);
    let mut reads = FuturesUnordered::<Read>::new();
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
            if reads.is_empty() {
                // Start the next wave only once the last one is read: whatever order its reads
                // finish in, the keys they lead to go out together.
                reads.extend(batcher.reads());
            }
            while let Poll::Ready(Some(())) = reads.poll_next_unpin(&mut noted) {}
            if !wake.woken.load(Ordering::SeqCst) {
                // Everything waits on the source; its answers wake the task.
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

#[cfg(test)]
mod tests {
    use futures::future::{join, join_all, FutureExt};

    use super::*;

    /// A source of numbers: the rows of a value are its multiples up to 30 (`Multiples`; reading
    /// 13 fails) or its children in a tree where `n`'s children are `2n` and `2n + 1`
    /// (`Children`); every read is logged with the values it got.
    /// A read as the source logged it: the relation, the values, the day.
    type Logged = (&'static str, Vec<i32>, Option<NaiveDate>);

    #[derive(Default)]
    struct Numbers {
        reads: Mutex<Vec<Logged>>,
    }

    const FAILING: i32 = 13;

    impl Numbers {
        fn log(&self, relation: &'static str, values: &[i32], as_of: Option<NaiveDate>) {
            let mut values = values.to_vec();
            values.sort_unstable();
            self.reads.lock().unwrap().push((relation, values, as_of));
        }
        fn reads(&self) -> Vec<Logged> {
            self.reads.lock().unwrap().clone()
        }
    }

    /// Answers after a yield, as a database does.
    fn answer_later(rows: async_graphql::Result<Vec<(i32, i32)>>) -> ReadRows<i32> {
        async move {
            tokio::task::yield_now().await;
            rows
        }
        .boxed()
    }

    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    struct Multiples;

    impl Load for Multiples {
        type Source = Numbers;
        type Row = i32;
        fn dated() -> bool {
            false
        }
        fn load(
            &self,
            source: Arc<Numbers>,
            values: Vec<i32>,
            as_of: Option<NaiveDate>,
        ) -> ReadRows<i32> {
            source.log("multiples", &values, as_of);
            let rows = values
                .iter()
                .flat_map(|v| (1..=30 / v).map(move |k| (*v, v * k)))
                .collect();
            answer_later(if values.contains(&FAILING) {
                Err(async_graphql::Error::new("unlucky"))
            } else {
                Ok(rows)
            })
        }
    }

    /// Children in a binary tree, narrowed to those below a limit (the link's filter).
    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    struct Children {
        below: i32,
    }

    impl Load for Children {
        type Source = Numbers;
        type Row = i32;
        fn load(
            &self,
            source: Arc<Numbers>,
            values: Vec<i32>,
            as_of: Option<NaiveDate>,
        ) -> ReadRows<i32> {
            source.log("children", &values, as_of);
            let below = self.below;
            answer_later(Ok(values
                .iter()
                .flat_map(|v| [(*v, 2 * v), (*v, 2 * v + 1)])
                .filter(|(_, child)| *child < below)
                .collect()))
        }
    }

    fn day(d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(2024, 1, d)
    }

    /// The rows of one key, as the resolver would see them.
    async fn rows<L: Load<Source = Numbers, Row = i32>>(
        batcher: &Batcher<Numbers>,
        link: L,
        value: i32,
        as_of: Option<NaiveDate>,
    ) -> async_graphql::Result<Vec<i32>> {
        let loaded = batcher.load(&[Key::new(link, value, as_of)]).await?;
        Ok(loaded[0].to_vec())
    }

    #[tokio::test]
    async fn keys_asked_for_together_are_read_together() {
        let batcher = Batcher::new(Numbers::default());
        let asks = join_all((1..=5).map(|v| rows(&batcher, Multiples, v, None)));
        let answers = run_batched(batcher.clone(), asks).await;
        assert_eq!(answers[4].as_ref().unwrap(), &vec![5, 10, 15, 20, 25, 30]);
        assert_eq!(
            batcher.source.reads(),
            [("multiples", vec![1, 2, 3, 4, 5], None)]
        );
    }

    #[tokio::test]
    async fn each_level_is_one_wave_and_loaded_keys_are_not_read_again() {
        let batcher = Batcher::new(Numbers::default());
        let link = Children { below: 100 };
        // Two resolvers walk the tree from 1 down three levels; the second asks for what the
        // first already has.
        let walk = |link: Children| {
            let batcher = batcher.clone();
            async move {
                let mut level = vec![1];
                for _ in 0..3 {
                    let next = join_all(
                        level
                            .iter()
                            .map(|v| rows(&batcher, link.clone(), *v, day(1))),
                    )
                    .await;
                    level = next.into_iter().flat_map(Result::unwrap).collect();
                }
                level
            }
        };
        let (first, second) =
            run_batched(batcher.clone(), join(walk(link.clone()), walk(link))).await;
        assert_eq!(first, (8..16).collect::<Vec<_>>());
        assert_eq!(first, second);
        assert_eq!(
            batcher.source.reads(),
            [
                ("children", vec![1], day(1)),
                ("children", vec![2, 3], day(1)),
                ("children", vec![4, 5, 6, 7], day(1)),
            ]
        );
    }

    #[tokio::test]
    async fn days_and_filters_are_read_apart_and_undated_relations_share_one_read() {
        let batcher = Batcher::new(Numbers::default());
        let asks = async {
            join_all([
                rows(&batcher, Children { below: 100 }, 1, day(1)).boxed(),
                rows(&batcher, Children { below: 100 }, 2, day(2)).boxed(),
                rows(&batcher, Children { below: 3 }, 1, day(1)).boxed(),
                rows(&batcher, Multiples, 7, day(1)).boxed(),
                rows(&batcher, Multiples, 7, day(2)).boxed(),
            ])
            .await
        };
        let answers = run_batched(batcher.clone(), asks).await;
        assert_eq!(answers[2].as_ref().unwrap(), &vec![2], "the filter narrows");
        assert_eq!(answers[3], answers[4]);
        let mut reads = batcher.source.reads();
        reads.sort();
        assert_eq!(
            reads,
            [
                ("children", vec![1], day(1)),
                ("children", vec![1], day(1)),
                ("children", vec![2], day(2)),
                ("multiples", vec![7], None),
            ]
        );
    }

    #[tokio::test]
    async fn a_failed_read_fails_every_key_in_it_and_nothing_else() {
        let batcher = Batcher::new(Numbers::default());
        let asks = join_all([
            rows(&batcher, Multiples, 12, None).boxed(),
            rows(&batcher, Multiples, FAILING, None).boxed(),
            rows(&batcher, Children { below: 10 }, 1, None).boxed(),
        ]);
        let answers = run_batched(batcher.clone(), asks).await;
        assert_eq!(answers[0].as_ref().unwrap_err().message, "unlucky");
        assert_eq!(answers[1].as_ref().unwrap_err().message, "unlucky");
        assert_eq!(answers[2].as_ref().unwrap(), &vec![2, 3]);
    }

    #[tokio::test]
    async fn a_large_read_is_split() {
        let batcher = Batcher::new(Numbers::default());
        let first = FAILING + 1;
        let keys: Vec<Key<Multiples>> = (first..=(first + MAX_KEYS_PER_READ as i32))
            .map(|v| Key::new(Multiples, v, None))
            .collect();
        let loaded = run_batched(batcher.clone(), batcher.load(&keys))
            .await
            .unwrap();
        assert_eq!(loaded.len(), keys.len());
        assert_eq!(loaded[0][..], [first, 2 * first]);
        let sizes: Vec<usize> = batcher.source.reads().iter().map(|r| r.1.len()).collect();
        assert_eq!(sizes.iter().sum::<usize>(), keys.len());
        assert!(
            sizes.iter().all(|size| *size <= MAX_KEYS_PER_READ),
            "{sizes:?}"
        );
    }

    #[tokio::test]
    async fn nothing_is_read_when_nothing_is_asked_and_a_dropped_request_reads_no_more() {
        let batcher = Batcher::new(Numbers::default());
        assert_eq!(run_batched(batcher.clone(), async { 42 }).await, 42);
        assert!(batcher.source.reads().is_empty());
        // A request cut off while its first wave is out: the next level is never asked.
        let link = Children { below: 100 };
        let walk = async {
            let first = rows(&batcher, link.clone(), 1, None).await.unwrap();
            rows(&batcher, link.clone(), first[0], None).await
        };
        assert!(run_batched(batcher.clone(), walk).now_or_never().is_none());
        assert_eq!(batcher.source.reads(), [("children", vec![1], None)]);
    }
}
