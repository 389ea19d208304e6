//! The unit tree over time: whether a set of unit versions places a unit under itself on any day.
//!
//! A unit's parent is an attribute of its versions, so the tree differs from day to day. It can
//! only change on a day a version starts (an ending version removes a link, which cannot close a
//! cycle), so checking the tree on the first day of a window and on every day a version starts
//! inside it checks every day of the window. A move and an import both check their writes this
//! way.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;

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

/// The units placed under themselves on some day of `[from, to)` (none: unbounded), each with
/// the first such day (none: from the start of time).
pub(super) fn units_in_cycles(
    placements: &[Placement],
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> BTreeMap<i32, Option<NaiveDate>> {
    let inside =
        |day: NaiveDate| from.is_none_or(|from| from < day) && to.is_none_or(|to| day < to);
    let days: BTreeSet<Option<NaiveDate>> = std::iter::once(from)
        .chain(
            placements
                .iter()
                .filter_map(|placement| placement.valid_from)
                .filter(|day| inside(*day))
                .map(Some),
        )
        .collect();
    let mut found = BTreeMap::new();
    for day in days {
        let parents: HashMap<i32, i32> = placements
            .iter()
            .filter(|placement| placement.holds_on(day))
            .filter_map(|placement| Some((placement.unit, placement.parent?)))
            .collect();
        for unit in on_cycles(&parents) {
            found.entry(unit).or_insert(day);
        }
    }
    found
}

/// The units of a parent map that are their own ancestors.
fn on_cycles(parents: &HashMap<i32, i32>) -> BTreeSet<i32> {
    let mut cyclic = BTreeSet::new();
    // Units whose chain up is known to end at a root or to join a cycle already found.
    let mut settled: BTreeSet<i32> = BTreeSet::new();
    for &start in parents.keys() {
        let mut path: Vec<i32> = Vec::new();
        let mut next = Some(start);
        while let Some(unit) = next {
            if settled.contains(&unit) {
                break;
            }
            if let Some(position) = path.iter().position(|&seen| seen == unit) {
                cyclic.extend(&path[position..]);
                break;
            }
            path.push(unit);
            next = parents.get(&unit).copied();
        }
        settled.extend(path);
    }
    cyclic
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
