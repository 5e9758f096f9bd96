//! Configured shares: each group's share of its device group's bandwidth as
//! the weights configure it (as if every group were busy), which `status`
//! shows.
//!
//! * Flat: a group's share is its weight over the sum of the weights of all
//!   groups of all devices of the device group. That is so for every type
//!   but cgroup, and for a cgroup device with fewer than two attached
//!   groups; computed here from the tables, no ioctl.
//! * Nested: on a device of type cgroup, a group whose cgroup lies below
//!   another attached group's takes its share out of that group's (the
//!   module splits an attached cgroup's share by weight between itself and
//!   its attached descendants' subtrees, level by level). Only the module
//!   knows the cgroup tree as it sees it, so for a device that may nest
//!   (type cgroup, two or more attached groups) the shares and parents are
//!   its reply to the `shares` message ([`crate::dm::shares`], one ioctl per
//!   such device). The other devices of its device group then share what
//!   the top level weighs: the default groups, the groups of flat devices,
//!   and the groups the module reports at the top level.
//! * A device that may nest and whose reply is missing (a module too old to
//!   know `shares`) leaves its device group's shares unknown: none is shown,
//!   and `status` goes on.

use std::collections::BTreeMap;

use crate::render::DeviceSnapshot;
use crate::target::{Config, GroupId, GroupType, Shares, SHARE_ONE};

/// One group's configured share of its device group.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Share {
    /// In millionths.
    pub ppm: u64,
    /// In percent: exact for flat shares, `ppm / 10^4` for the module's.
    pub percent: f64,
    /// The attached group this one's share is carved from (type cgroup);
    /// `None` at the top level.
    pub parent: Option<u64>,
}

/// Can the groups of a device with configuration `c` nest? (Type cgroup
/// with two or more attached groups: then the module's `shares` reply is
/// needed.)
pub fn may_nest(c: &Config) -> bool {
    c.group_type == GroupType::Cgroup && c.groups.len() >= 2
}

/// Every group of `c` with its weight, default group first.
fn weights(c: &Config) -> impl Iterator<Item = (GroupId, u64)> + '_ {
    std::iter::once((GroupId::Default, u64::from(c.default_weight))).chain(
        c.groups
            .iter()
            .map(|g| (GroupId::Id(g.id), u64::from(g.weight))),
    )
}

/// What the top level of device `c` weighs, by the module's reply `s`: the
/// weights of the groups it reports without a parent (a group the reply
/// misses, attached meanwhile, counts at the top).
fn top_weight(c: &Config, s: &Shares) -> u64 {
    weights(c)
        .filter(|(id, _)| s.group(*id).is_none_or(|g| g.parent.is_none()))
        .map(|(_, w)| w)
        .sum()
}

/// The configured shares of the groups of a set of devices.
#[derive(Debug, Clone, Default)]
pub struct Book {
    /// Per device group: the weight of its top level, `None` when unknown.
    tops: BTreeMap<u32, Option<u64>>,
}

impl Book {
    /// The book for `all` (every ioband device: a device group's top level
    /// spans devices not shown); [`DeviceSnapshot::shares`] holds the
    /// module's reply for the devices that [`may_nest`].
    pub fn new(all: &[DeviceSnapshot]) -> Self {
        let mut tops: BTreeMap<u32, Option<u64>> = BTreeMap::new();
        for d in all {
            let c = &d.config;
            let mine = if may_nest(c) {
                d.shares.as_ref().map(|s| top_weight(c, s))
            } else {
                Some(c.total_weight())
            };
            let t = tops.entry(c.device_group).or_insert(Some(0));
            *t = t.zip(mine).map(|(a, b)| a + b);
        }
        Book { tops }
    }

    /// The configured share of group `id` of device `d`, where known.
    pub fn share(&self, d: &DeviceSnapshot, id: GroupId) -> Option<Share> {
        let c = &d.config;
        if may_nest(c) {
            let g = d.shares.as_ref()?.group(id)?;
            return Some(Share {
                ppm: g.ppm,
                percent: g.ppm as f64 / 10_000.0,
                parent: g.parent,
            });
        }
        let w = u64::from(c.weight_of(id)?);
        let top = self.tops.get(&c.device_group).copied().flatten()?;
        (top > 0).then(|| Share {
            ppm: w * SHARE_ONE / top,
            percent: w as f64 * 100.0 / top as f64,
            parent: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dev(name: &str, table: &str, shares: Option<&str>) -> DeviceSnapshot {
        DeviceSnapshot {
            shares: shares.map(|s| s.parse().unwrap()),
            ..DeviceSnapshot::from_table(name, table)
        }
    }

    #[test]
    fn flat_shares_need_no_reply() {
        let all = [
            dev(
                "a",
                "8:1 1 4 128 user weight 2048 :40 1000:30 2000:20",
                None,
            ),
            dev("b", "8:2 1 4 128 none weight 2048 :10", None),
            // one cgroup cannot nest
            dev("c", "8:3 2 4 128 cgroup weight 2048 :100 69:300", None),
        ];
        assert!(!all.iter().any(|d| may_nest(&d.config)));
        let b = Book::new(&all);
        let s = b.share(&all[0], GroupId::Id(1000)).unwrap();
        assert_eq!((s.ppm, s.percent, s.parent), (300_000, 30.0, None));
        assert_eq!(
            b.share(&all[1], GroupId::Default).map(|s| s.ppm),
            Some(100_000)
        );
        assert_eq!(
            b.share(&all[2], GroupId::Id(69)).map(|s| s.ppm),
            Some(750_000)
        );
        assert_eq!(b.share(&all[0], GroupId::Id(7)), None);
    }

    #[test]
    fn nested_shares_come_from_the_reply() {
        // Default 100, 69 (a slice, weight 80) with 151, 152 and 315 below
        // it (100, 100, 200); a flat device of weight 40 shares the top.
        let all = [
            dev(
                "a",
                "8:1 1 4 128 cgroup weight 2048 :100 69:80 151:100 152:100 315:200",
                Some("-1:-:454545 69:-:60605 151:69:75757 152:69:75757 315:69:151514"),
            ),
            dev("b", "8:2 1 4 128 none weight 2048 :40", None),
        ];
        let b = Book::new(&all);
        let s = b.share(&all[0], GroupId::Id(315)).unwrap();
        assert_eq!((s.ppm, s.parent), (151_514, Some(69)));
        assert!((s.percent - 15.1514).abs() < 1e-9);
        assert_eq!(
            b.share(&all[0], GroupId::Id(69)).map(|s| s.parent),
            Some(None)
        );
        // top level: 100 + 80 (a) + 40 (b) = 220
        let s = b.share(&all[1], GroupId::Default).unwrap();
        assert_eq!((s.ppm, s.parent), (40 * 1_000_000 / 220, None));
    }

    #[test]
    fn a_missing_reply_leaves_the_device_group_unknown() {
        let all = [
            dev(
                "a",
                "8:1 1 4 128 cgroup weight 2048 :100 69:80 151:100",
                None,
            ),
            dev("b", "8:2 1 4 128 none weight 2048 :40", None),
            dev("c", "8:3 2 4 128 none weight 2048 :40", None),
        ];
        let b = Book::new(&all);
        assert_eq!(b.share(&all[0], GroupId::Default), None);
        assert_eq!(b.share(&all[1], GroupId::Default), None);
        // another device group is not affected
        assert_eq!(
            b.share(&all[2], GroupId::Default).map(|s| s.ppm),
            Some(1_000_000)
        );
    }
}
