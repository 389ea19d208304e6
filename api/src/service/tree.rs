//! A tree of records over time (units under units, plans part of plans): whether a set of
//! versions places a record under itself on any day.
//!
//! A record's parent is an attribute of its versions, so the tree differs from day to day. It can
//! only gain a cycle on a day a version starts (an ending version removes a link, which cannot
//! close a cycle), so checking the tree on the first day of a window and the links added on every
//! day a version starts inside it checks every day of the window. A move and an import both check
//! their writes this way.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use super::{writes::Writable, Store};
use crate::error::ApiResult;

/// A unit version as the tree sees it: the unit, its parent, and when the version holds
/// (`[valid_from, valid_to)`; none: unbounded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Placement {
    pub unit: i32,
    pub parent: Option<i32>,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

impl Placement {
    /// Whether the version holds on `day` (none: before every dated day).
    pub fn holds_on(&self, day: Option<NaiveDate>) -> bool {
        let started = match (self.valid_from, day) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(from), Some(day)) => from <= day,
        };
        let ended = match (self.valid_to, day) {
            (Some(to), Some(day)) => to <= day,
            _ => false,
        };
        started && !ended
    }
}

/// The most links [`units_in_cycles_within`] follows for an import's document: far more than any
/// organisation's tree needs (a chain of 20,000 units, each from its own day, needs none), few
/// enough to take well under a second.
pub(super) const MAX_CHECK_STEPS: usize = 10_000_000;

/// The units placed under themselves on some day of `[from, to)` (none: unbounded), each with
/// the first such day (none: from the start of time).
pub(super) fn units_in_cycles(
    placements: &[Placement],
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> BTreeMap<i32, Option<NaiveDate>> {
    units_in_cycles_within(placements, (from, to), usize::MAX).unwrap_or_default()
}

/// Like [`units_in_cycles`], following at most `steps` links from unit to parent; none when that
/// is not enough.
///
/// The tree of the window's first day is checked whole; after that the days on which versions
/// start or end are visited in order, each changing only the links of those versions. A cycle
/// that appears on a day passes through a link added that day, and only through one whose unit
/// has units under it, so only those are followed up: a chain of units, each starting on its own
/// day, costs a sort, not a walk per day.
pub(super) fn units_in_cycles_within(
    placements: &[Placement],
    (from, to): (Option<NaiveDate>, Option<NaiveDate>),
    steps: usize,
) -> Option<BTreeMap<i32, Option<NaiveDate>>> {
    let inside =
        |day: NaiveDate| from.is_none_or(|from| from < day) && to.is_none_or(|to| day < to);
    // A version that holds on no day (ends before it starts) never links its unit.
    let holds_at_all = |p: &Placement| match (p.valid_from, p.valid_to) {
        (Some(start), Some(end)) => start < end,
        _ => true,
    };
    let mut tree = Tree {
        steps_left: steps,
        ..Tree::default()
    };
    // Versions starting or ending on each day inside the window (an end unlinks first).
    let mut changes: BTreeMap<NaiveDate, (Vec<usize>, Vec<usize>)> = BTreeMap::new();
    for (index, placement) in placements.iter().enumerate() {
        if !holds_at_all(placement) {
            continue;
        }
        if placement.holds_on(from) {
            tree.link(index, placement);
        }
        if let Some(start) = placement.valid_from.filter(|day| inside(*day)) {
            changes.entry(start).or_default().1.push(index);
        }
        if let Some(end) = placement.valid_to.filter(|day| inside(*day)) {
            changes.entry(end).or_default().0.push(index);
        }
    }
    let mut found: BTreeMap<i32, Option<NaiveDate>> =
        on_cycles(&tree.parents, &mut tree.steps_left)?
            .into_iter()
            .map(|unit| (unit, from))
            .collect();
    for (day, (ended, started)) in changes {
        for index in ended {
            tree.unlink(index, &placements[index]);
        }
        for &index in &started {
            tree.link(index, &placements[index]);
        }
        for index in started {
            for unit in tree.cycle_through(placements[index].unit)? {
                found.entry(unit).or_insert(Some(day));
            }
        }
    }
    Some(found)
}

/// The tree on one day: each unit's parent (and the version that places it there), and how many
/// units each unit has directly under it.
#[derive(Default)]
struct Tree {
    parents: HashMap<i32, i32>,
    placed_by: HashMap<i32, usize>,
    children: HashMap<i32, usize>,
    /// How many more links the check may follow.
    steps_left: usize,
}

impl Tree {
    /// Places the unit of version `index` under its parent, if it has one.
    fn link(&mut self, index: usize, placement: &Placement) {
        let Some(parent) = placement.parent else {
            return;
        };
        // Versions of one unit do not overlap; where a document's do, the later one wins.
        if let Some(before) = self.parents.insert(placement.unit, parent) {
            self.unchild(before);
        }
        self.placed_by.insert(placement.unit, index);
        *self.children.entry(parent).or_default() += 1;
    }

    /// Takes the unit of version `index` from its parent, if that version placed it there.
    fn unlink(&mut self, index: usize, placement: &Placement) {
        if self.placed_by.get(&placement.unit) != Some(&index) {
            return;
        }
        self.placed_by.remove(&placement.unit);
        if let Some(parent) = self.parents.remove(&placement.unit) {
            self.unchild(parent);
        }
    }

    fn unchild(&mut self, parent: i32) {
        if let Some(count) = self.children.get_mut(&parent) {
            *count -= 1;
        }
    }

    /// The units of a cycle through `unit`'s link to its parent, if there is one: `unit` is
    /// among its own parent's ancestors (which needs a unit under it to begin with). None when
    /// the steps ran out.
    fn cycle_through(&mut self, unit: i32) -> Option<Vec<i32>> {
        let Some(&parent) = self.parents.get(&unit) else {
            return Some(Vec::new());
        };
        if parent != unit && self.children.get(&unit).is_none_or(|count| *count == 0) {
            return Some(Vec::new());
        }
        let mut cycle = vec![unit];
        let mut seen = HashSet::new();
        let mut next = parent;
        while next != unit {
            self.steps_left = self.steps_left.checked_sub(1)?;
            // A cycle that does not pass through `unit` was there before.
            if !seen.insert(next) {
                return Some(Vec::new());
            }
            cycle.push(next);
            match self.parents.get(&next) {
                Some(&up) => next = up,
                None => return Some(Vec::new()),
            }
        }
        Some(cycle)
    }
}

/// The units of a parent map that are their own ancestors (none when the steps ran out).
fn on_cycles(parents: &HashMap<i32, i32>, steps_left: &mut usize) -> Option<BTreeSet<i32>> {
    let mut cyclic = BTreeSet::new();
    // Units whose chain up is known to end at a root or to join a cycle already found.
    let mut settled: HashSet<i32> = HashSet::new();
    for &start in parents.keys() {
        let mut path: Vec<i32> = Vec::new();
        let mut on_path: HashMap<i32, usize> = HashMap::new();
        let mut next = Some(start);
        while let Some(unit) = next {
            *steps_left = steps_left.checked_sub(1)?;
            if settled.contains(&unit) {
                break;
            }
            if let Some(&position) = on_path.get(&unit) {
                cyclic.extend(&path[position..]);
                break;
            }
            on_path.insert(unit, path.len());
            path.push(unit);
            next = parents.get(&unit).copied();
        }
        settled.extend(path);
    }
    Some(cyclic)
}

impl Store {
    /// Whether moving `record` of `code`'s tree of `E` under `parent` from `from` on closes a
    /// cycle: the first day it would then come under itself, none when it never would. The move
    /// holds from `from` to the end of the version of `record` that holds then (later versions
    /// keep their own parent); every day of that span is checked, whatever the other records'
    /// versions do then.
    pub(super) async fn first_cycle_after_move<E: Writable>(
        &self,
        code: i32,
        record: i32,
        parent: Option<i32>,
        from: NaiveDate,
        parent_column: <E as EntityTrait>::Column,
    ) -> ApiResult<Option<NaiveDate>> {
        /// A version's id, parent and validity.
        type Version = (i32, Option<i32>, Option<NaiveDate>, Option<NaiveDate>);
        let versions: Vec<Version> = E::find()
            .select_only()
            .columns([E::id(), parent_column, E::valid_from(), E::valid_to()])
            .filter(E::owner().eq(code))
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut placements = Vec::with_capacity(versions.len() + 1);
        let mut until = None;
        for (id, parent_then, valid_from, valid_to) in versions {
            let placement = Placement {
                unit: id,
                parent: parent_then,
                valid_from,
                valid_to,
            };
            if id == record && placement.holds_on(Some(from)) {
                // The version is split at `from`: as it was before, moved after.
                until = valid_to;
                placements.push(Placement {
                    valid_to: Some(from),
                    ..placement
                });
                placements.push(Placement {
                    parent,
                    valid_from: Some(from),
                    ..placement
                });
            } else {
                placements.push(placement);
            }
        }
        Ok(units_in_cycles(&placements, Some(from), until)
            .get(&record)
            .map(|day| day.unwrap_or(from)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(year: i32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, 1, 1).unwrap()
    }

    fn placed(unit: i32, parent: Option<i32>, from: Option<i32>, to: Option<i32>) -> Placement {
        Placement {
            unit,
            parent,
            valid_from: from.map(day),
            valid_to: to.map(day),
        }
    }

    #[test]
    fn a_tree_has_no_cycles() {
        let tree = [
            placed(1, None, None, None),
            placed(2, Some(1), Some(2010), None),
            placed(3, Some(2), Some(2012), Some(2020)),
        ];
        assert!(units_in_cycles(&tree, None, None).is_empty());
    }

    #[test]
    fn a_cycle_on_a_later_day_is_found_with_its_first_day() {
        // 2 moves under 3 from 2015 while 3 is under 2 until 2020: a cycle from 2015 to 2020.
        let placements = [
            placed(1, None, None, None),
            placed(2, Some(1), Some(2010), Some(2015)),
            placed(2, Some(3), Some(2015), None),
            placed(3, Some(2), Some(2012), Some(2020)),
            placed(3, Some(1), Some(2020), None),
        ];
        let found = units_in_cycles(&placements, Some(day(2011)), None);
        assert_eq!(
            found,
            BTreeMap::from([(2, Some(day(2015))), (3, Some(day(2015)))])
        );
        // Not inside a window that ends before it, nor in one that starts after it.
        assert!(units_in_cycles(&placements, Some(day(2011)), Some(day(2015))).is_empty());
        assert!(units_in_cycles(&placements, Some(day(2020)), None).is_empty());
    }

    #[test]
    fn parents_on_different_days_do_not_make_a_cycle() {
        // 2 is under 3 until 2015, and 3 under 2 from 2015: never both on one day.
        let placements = [
            placed(2, Some(3), None, Some(2015)),
            placed(3, Some(2), Some(2015), None),
        ];
        assert!(units_in_cycles(&placements, None, None).is_empty());
    }

    #[test]
    fn a_long_chain_added_day_by_day_and_its_late_cycle() {
        // 20,000 units, each under the previous one from its own day: no cycle (and no walk up
        // the chain on each day).
        let first = day(1960);
        let mut placements: Vec<Placement> = (0..20_000)
            .map(|i| Placement {
                unit: i,
                parent: (i > 0).then(|| i - 1),
                valid_from: first.checked_add_days(chrono::Days::new(i as u64)),
                valid_to: None,
            })
            .collect();
        assert!(units_in_cycles(&placements, None, None).is_empty());
        // From 2100 the first unit is under the last: every unit is on the cycle from then.
        placements[0].valid_to = Some(day(2100));
        placements.push(placed(0, Some(19_999), Some(2100), None));
        let found = units_in_cycles(&placements, None, None);
        assert_eq!(found.len(), 20_000);
        assert!(found.values().all(|first| *first == Some(day(2100))));
    }

    #[test]
    fn a_tree_that_takes_too_many_steps_is_not_checked() {
        // 100 units in a chain, then 100 more each placed under its bottom with one unit of its
        // own under it: each of those walks up the chain.
        let mut placements: Vec<Placement> = (0..100)
            .map(|i| placed(i, (i > 0).then(|| i - 1), Some(2000), None))
            .collect();
        for i in 0..100 {
            placements.push(placed(1000 + i, Some(2000 + i), Some(2000), None));
            placements.push(placed(2000 + i, Some(99), Some(2001 + i), None));
        }
        let window = (None, None);
        assert_eq!(
            units_in_cycles_within(&placements, window, 20_000),
            Some(BTreeMap::new())
        );
        assert_eq!(units_in_cycles_within(&placements, window, 5_000), None);
    }

    #[test]
    fn a_unit_under_itself_and_undated_cycles_are_found() {
        let placements = [
            placed(7, Some(7), None, None),
            placed(8, Some(9), None, None),
        ];
        let found = units_in_cycles(&placements, None, None);
        assert_eq!(found, BTreeMap::from([(7, None)]));
        let placements = [
            placed(8, Some(9), None, None),
            placed(9, Some(8), None, None),
        ];
        assert_eq!(
            units_in_cycles(&placements, None, None),
            BTreeMap::from([(8, None), (9, None)])
        );
    }
}
