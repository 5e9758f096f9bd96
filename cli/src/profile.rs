//! Declarative YAML profiles: what `ioband apply` takes and `ioband show`
//! prints.
//!
//! YAML crate: serde_yaml_ng, the maintained drop-in fork of the deprecated
//! serde_yaml (same API and error locations, MSRV 1.64 so it fits our 1.88,
//! and libyaml's recursion and alias-repetition limits against hostile input).
//!
//! A profile lists device groups (settings shared by all ioband devices with
//! the same device-group id) and ioband devices. Everything a device may have
//! that the profile leaves out means the default (io_throttle 4, io_limit
//! auto, token 2048, policy fair, type none, weight 100, no groups): a
//! profile describes the whole state of each device it names. io_limit
//! `auto` follows the queue depth of the device below; the number 128 (the
//! 2008 default, which the kernel prints for auto) means auto too. Devices it does not name
//! are left alone unless `apply --prune`.
//!
//! A group, and a device for its default group, may have `limit:` caps
//! (maximum rates: `read_bps: 200M`, `write_iops: 2k`; units as in
//! [`crate::caps`]), `floor:` floors (minimum rates, the same keys and
//! units, none above the same key's cap), `class: idle` (no floor
//! then) and `write_weight:` (the weight of its writes, 1 to 1000000: with
//! weight 100, `write_weight: 50` makes its writes count double); what is
//! left out means no cap, no floor, class normal, writes weighing as reads.
//!
//! Values are checked while parsing, so errors carry the line and column.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::caps::Class;
use crate::target::{
    CapKey, Caps, GroupId, GroupLimit, GroupType, LimitError, Policy, DEFAULT_IO_LIMIT,
    DEFAULT_IO_THROTTLE, DEFAULT_POLICY, DEFAULT_TOKEN, DEFAULT_WEIGHT, MAX_CAP_BPS, MAX_CAP_IOPS,
    MAX_DEVICE_GROUP, MAX_IO_LIMIT, MAX_TOKEN, MAX_WEIGHT, MIN_IO_LIMIT,
};

pub use crate::target::IoLimit;

/// Largest profile file accepted (bytes).
pub const MAX_PROFILE_BYTES: usize = 1 << 20;
/// Most ioband devices in all profiles of one run.
pub const MAX_DEVICES: usize = 4096;
/// Most groups on one device.
pub const MAX_GROUPS: usize = 4096;
/// Deepest nesting accepted (a profile needs 5 levels).
pub const MAX_DEPTH: usize = 16;

/// An unsigned number in `MIN..=MAX`, checked while parsing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Bounded<const MIN: u64, const MAX: u64>(pub u64);

impl<const MIN: u64, const MAX: u64> Bounded<MIN, MAX> {
    /// The value as u32 (all our bounds fit but group ids).
    pub fn get(self) -> u64 {
        self.0
    }
    /// Make one, checking the range.
    pub fn new(v: u64) -> Result<Self, String> {
        if (MIN..=MAX).contains(&v) {
            Ok(Bounded(v))
        } else {
            Err(format!("{v} is out of range ({MIN} to {MAX})"))
        }
    }
}

struct BoundedVisitor<const MIN: u64, const MAX: u64>;

impl<const MIN: u64, const MAX: u64> serde::de::Visitor<'_> for BoundedVisitor<MIN, MAX> {
    type Value = Bounded<MIN, MAX>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an integer from {MIN} to {MAX}")
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Bounded::new(v).map_err(E::custom)
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
        match u64::try_from(v) {
            Ok(v) => self.visit_u64(v),
            Err(_) => Err(E::custom(format!("{v} is out of range ({MIN} to {MAX})"))),
        }
    }
}

// Checked inside the visitor so that the error carries the value's own
// line and column.
impl<'de, const MIN: u64, const MAX: u64> Deserialize<'de> for Bounded<MIN, MAX> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_u64(BoundedVisitor)
    }
}

impl<const MIN: u64, const MAX: u64> Serialize for Bounded<MIN, MAX> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(self.0)
    }
}

impl<const MIN: u64, const MAX: u64> fmt::Display for Bounded<MIN, MAX> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A weight, 1 to 1000000.
pub type Weight = Bounded<1, { MAX_WEIGHT as u64 }>;
/// io_throttle, 1 to 65535.
pub type IoThrottle = Bounded<1, { MAX_IO_LIMIT as u64 - 1 }>;
/// Tokens, 1 to 2^30.
pub type Token = Bounded<1, { MAX_TOKEN as u64 }>;
/// Device-group id, 0 to 2^31-1.
pub type DeviceGroupId = Bounded<0, { MAX_DEVICE_GROUP as u64 }>;

/// A device-mapper device name, checked while parsing.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct DevName(pub String);

struct DevNameVisitor;

impl serde::de::Visitor<'_> for DevNameVisitor {
    type Value = DevName;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a device name")
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        crate::dm::validate_name(v).map_err(E::custom)?;
        Ok(DevName(v.to_string()))
    }
}

impl<'de> Deserialize<'de> for DevName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(DevNameVisitor)
    }
}

/// A cap as a profile writes it: a number, or text with a unit (`200M`,
/// `2k`), or `max` (no cap). Kept as written and checked with its device,
/// so that an error names the device, the group and the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapValue(pub String);

impl Serialize for CapValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0.parse::<u64>() {
            Ok(v) => s.serialize_u64(v),
            Err(_) => s.serialize_str(&self.0),
        }
    }
}

struct CapValueVisitor;

impl serde::de::Visitor<'_> for CapValueVisitor {
    type Value = CapValue;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a rate: a number, or text such as 200M, 2k or max")
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<CapValue, E> {
        Ok(CapValue(v.to_string()))
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<CapValue, E> {
        Ok(CapValue(v.to_string()))
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<CapValue, E> {
        Ok(CapValue(v.to_string()))
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<CapValue, E> {
        Ok(CapValue(v.to_string()))
    }
}

impl<'de> Deserialize<'de> for CapValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(CapValueVisitor)
    }
}

/// A write weight as a profile writes it (`write_weight: 50`): kept as
/// written and checked with its device, so that an error names the
/// device, the group and the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeightValue(pub String);

impl WeightValue {
    /// The weight of a group with write weight `w`.
    pub fn of(w: u32) -> WeightValue {
        WeightValue(w.to_string())
    }

    /// The weight: an integer from 1 to 1000000.
    pub fn get(&self) -> Result<u32, String> {
        match self.0.parse::<u32>() {
            Ok(v) if (1..=MAX_WEIGHT).contains(&v) => Ok(v),
            _ => Err(format!(
                "{:?} must be an integer from 1 to {MAX_WEIGHT} (leave it out for writes that \
                 weigh as reads)",
                self.0
            )),
        }
    }
}

impl Serialize for WeightValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0.parse::<u64>() {
            Ok(v) => s.serialize_u64(v),
            Err(_) => s.serialize_str(&self.0),
        }
    }
}

struct WeightValueVisitor;

impl serde::de::Visitor<'_> for WeightValueVisitor {
    type Value = WeightValue;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a weight: an integer from 1 to {MAX_WEIGHT}")
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<WeightValue, E> {
        Ok(WeightValue(v.to_string()))
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<WeightValue, E> {
        Ok(WeightValue(v.to_string()))
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<WeightValue, E> {
        Ok(WeightValue(v.to_string()))
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<WeightValue, E> {
        Ok(WeightValue(v.to_string()))
    }
}

impl<'de> Deserialize<'de> for WeightValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(WeightValueVisitor)
    }
}

/// A group's caps (`limit:`) or floors (`floor:`): each key optional, in
/// the module's order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitSpec {
    /// Bytes read per second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_bps: Option<CapValue>,
    /// Bytes written per second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub write_bps: Option<CapValue>,
    /// Bytes read and written per second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bps: Option<CapValue>,
    /// Reads per second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_iops: Option<CapValue>,
    /// Writes per second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub write_iops: Option<CapValue>,
    /// Reads and writes per second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iops: Option<CapValue>,
}

impl LimitSpec {
    fn values(&self) -> [(CapKey, &Option<CapValue>); 6] {
        [
            (CapKey::ReadBps, &self.read_bps),
            (CapKey::WriteBps, &self.write_bps),
            (CapKey::Bps, &self.bps),
            (CapKey::ReadIops, &self.read_iops),
            (CapKey::WriteIops, &self.write_iops),
            (CapKey::Iops, &self.iops),
        ]
    }

    fn values_mut(&mut self) -> [(CapKey, &mut Option<CapValue>); 6] {
        [
            (CapKey::ReadBps, &mut self.read_bps),
            (CapKey::WriteBps, &mut self.write_bps),
            (CapKey::Bps, &mut self.bps),
            (CapKey::ReadIops, &mut self.read_iops),
            (CapKey::WriteIops, &mut self.write_iops),
            (CapKey::Iops, &mut self.iops),
        ]
    }

    /// The rates it gives; an error names the key (`read_bps: "0" must be ...`).
    pub fn caps(&self) -> Result<Caps, String> {
        let mut caps = Caps::NONE;
        for (k, v) in self.values() {
            if let Some(v) = v {
                let rate = crate::caps::parse_value_of(k, &v.0, None, SHARES_HOW)
                    .map_err(|e| format!("{k}: {e}"))?;
                caps.set(k, rate).map_err(|e| format!("{k}: {e}"))?;
            }
        }
        Ok(caps)
    }

    /// The rates of a `capacity:`: no shares of the disk, no `max`.
    pub fn capacity(&self) -> Result<Caps, String> {
        let mut caps = Caps::NONE;
        for (k, v) in self.values() {
            if let Some(v) = v {
                if crate::caps::percent(&v.0).is_some() {
                    return Err(format!("{k}: {:?}: a capacity is a rate, not a share", v.0));
                }
                match crate::caps::parse_value(k, &v.0).map_err(|e| format!("{k}: {e}"))? {
                    Some(rate) => caps.set(k, Some(rate)).map_err(|e| format!("{k}: {e}"))?,
                    None => return Err(format!("{k}: a capacity cannot be max")),
                }
            }
        }
        Ok(caps)
    }

    /// The same without its shares of the disk (`20%`), whose syntax is
    /// checked: a device is checked before its device group is known.
    fn without_shares(&self) -> Result<LimitSpec, String> {
        let mut out = self.clone();
        for (k, v) in out.values_mut() {
            if let Some(p) = v.as_ref().and_then(|c| crate::caps::percent(&c.0)) {
                p.map_err(|e| format!("{k}: {e}"))?;
                *v = None;
            }
        }
        Ok(out)
    }

    /// Its shares of the disk (`20%`) as rates of `capacity` (`None`: not
    /// known; `how` says how to give it).
    fn resolve_shares(&mut self, capacity: Option<&Caps>, how: &str) -> Result<(), String> {
        for (k, v) in self.values_mut() {
            let Some(c) = v else { continue };
            if crate::caps::percent(&c.0).is_none() {
                continue;
            }
            let rate = crate::caps::parse_value_of(k, &c.0, capacity, how)
                .map_err(|e| format!("{k}: {e}"))?;
            *v = rate.map(|r| CapValue(crate::caps::exact_text(k, r)));
        }
        Ok(())
    }

    /// `caps` (or floors) as a profile writes them (`200M`, `2k` where
    /// exact); `None` for none.
    pub fn of(caps: &Caps) -> Option<LimitSpec> {
        if caps.is_empty() {
            return None;
        }
        let v = |k| caps.get(k).map(|r| CapValue(crate::caps::exact_text(k, r)));
        Some(LimitSpec {
            read_bps: v(CapKey::ReadBps),
            write_bps: v(CapKey::WriteBps),
            bps: v(CapKey::Bps),
            read_iops: v(CapKey::ReadIops),
            write_iops: v(CapKey::WriteIops),
            iops: v(CapKey::Iops),
        })
    }
}

/// How to make a share of the disk (`20%`) known, for errors.
const SHARES_HOW: &str = "give `capacity:` in its device group";

/// An optional `limit:` or `floor:` without its shares of the disk.
fn without_shares(l: &Option<LimitSpec>) -> Result<Option<LimitSpec>, String> {
    l.as_ref().map(LimitSpec::without_shares).transpose()
}

/// `group_limit` as far as it can be checked before the device group is
/// known: shares of the disk checked as written, then left out.
fn limits_without_shares(f: LimitFields<'_>) -> Result<GroupLimit, String> {
    let limit = without_shares(f.limit).map_err(|e| format!("limit: {e}"))?;
    let floor = without_shares(f.floor).map_err(|e| format!("floor: {e}"))?;
    group_limit(
        GroupId::Default,
        LimitFields {
            limit: &limit,
            floor: &floor,
            ..f
        },
    )
}

/// The rates of an optional `limit:` or `floor:`.
fn caps_of(l: &Option<LimitSpec>) -> Result<Caps, String> {
    l.as_ref().map_or(Ok(Caps::NONE), LimitSpec::caps)
}

/// What a group (or a device, for its default group) says of its limits:
/// `limit:`, `floor:`, `class:` and `write_weight:`.
struct LimitFields<'a> {
    limit: &'a Option<LimitSpec>,
    floor: &'a Option<LimitSpec>,
    class: Option<Class>,
    write_weight: &'a Option<WeightValue>,
}

/// The limits of group `id` from its `limit:`, `floor:`, `class:` and
/// `write_weight:`. An error starts with the part at fault: `limit:
/// read_bps: ...`, `floor: bps: 300M is above the cap (200M) ...`, `class:
/// idle: ...`, `write_weight: ...`.
fn group_limit(id: GroupId, f: LimitFields<'_>) -> Result<GroupLimit, String> {
    let l = GroupLimit {
        id,
        caps: caps_of(f.limit).map_err(|e| format!("limit: {e}"))?,
        floors: caps_of(f.floor).map_err(|e| format!("floor: {e}"))?,
        idle: f.class.is_some_and(Class::is_idle),
        write_weight: f
            .write_weight
            .as_ref()
            .map(WeightValue::get)
            .transpose()
            .map_err(|e| format!("write_weight: {e}"))?,
    };
    l.check().map_err(|e| match e {
        LimitError::FloorAboveCap { key, floor, cap } => format!(
            "floor: {key}: {} is above the cap ({}); a floor must be at most its cap",
            crate::caps::exact_text(key, floor),
            crate::caps::exact_text(key, cap)
        ),
        LimitError::IdleWithFloor => {
            "class: idle: a group of the idle class cannot have a floor; drop `floor:` or \
             the class"
                .to_string()
        }
        LimitError::NotAttached(_) => e.to_string(),
    })?;
    Ok(l)
}

/// Whether a device should exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Create or update it.
    #[default]
    Present,
    /// Remove it if it exists.
    Absent,
}

impl State {
    fn is_present(&self) -> bool {
        *self == State::Present
    }
}

/// Settings shared by every ioband device of one device group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, remote = "Self")]
pub struct DeviceGroupSpec {
    /// Device-group id.
    pub id: DeviceGroupId,
    /// Bios in flight before bandwidth control starts (default 4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub io_throttle: Option<IoThrottle>,
    /// Bios in flight before all I/O blocks: `auto` (the default, also
    /// written 128) follows the queue depth of the device below.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub io_limit: Option<IoLimit>,
    /// Tokens per refill (default 2048).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<Token>,
    /// Scheduling policy (default fair; `default` is weight).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<Policy>,
    /// What the disk delivers (the keys of `limit:`), for caps and floors
    /// given as a share of it (`bps: 20%`). Only the CLI reads it: the
    /// module gets the rates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<LimitSpec>,
}

impl DeviceGroupSpec {
    /// The values to configure, as the kernel takes them: (io_throttle,
    /// io_limit, token, policy); io_limit auto, given or left out, is 128.
    pub fn effective(&self) -> (u32, u32, u32, Policy) {
        (
            self.io_throttle
                .map(|v| v.get() as u32)
                .unwrap_or(DEFAULT_IO_THROTTLE),
            self.io_limit.unwrap_or_default().to_kernel(),
            self.token.map(|v| v.get() as u32).unwrap_or(DEFAULT_TOKEN),
            self.policy.unwrap_or(DEFAULT_POLICY),
        )
    }

    fn check(self) -> Result<Self, String> {
        let (t, l, _, _) = self.effective();
        if t >= l {
            let limit = match self.io_limit {
                None => format!("auto, the default, counts as {DEFAULT_IO_LIMIT} here"),
                Some(IoLimit::Auto) => format!("auto counts as {DEFAULT_IO_LIMIT} here"),
                Some(IoLimit::Fixed(v)) => v.to_string(),
            };
            return Err(format!(
                "device group {}: io_throttle ({t}) must be less than io_limit ({limit}); \
                 give io_limit a larger number",
                self.id
            ));
        }
        if let Some(c) = &self.capacity {
            c.capacity()
                .map_err(|e| format!("device group {}: capacity: {e}", self.id))?;
        }
        Ok(self)
    }
}

/// One ioband group of a device: exactly one of `id`, `user`, `group`,
/// `cgroup`, `unit`, `slice`, and a weight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, remote = "Self")]
pub struct GroupSpec {
    /// Numeric id (uid, gid, pid, pgrp or cgroup inode, per the type).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// User name (types user, uid).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Group name (type gid).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Cgroup directory, absolute or relative to /sys/fs/cgroup (type cgroup).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cgroup: Option<String>,
    /// A systemd unit's cgroup, by the unit's name (type cgroup), e.g.
    /// `postgresql.service`: found by searching /sys/fs/cgroup for a
    /// directory of that name when applying.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// A systemd slice's cgroup, by the slice's name (type cgroup), e.g.
    /// `machine.slice`; `a-b.slice` is /sys/fs/cgroup/a.slice/a-b.slice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slice: Option<String>,
    /// Weight (default 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<Weight>,
    /// Weight of its writes, 1 to 1000000 (default: writes weigh as reads).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub write_weight: Option<WeightValue>,
    /// Caps (maximum rates; default none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<LimitSpec>,
    /// Floors (minimum rates; default none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub floor: Option<LimitSpec>,
    /// Class (default normal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<Class>,
}

impl GroupSpec {
    /// The group's caps (none without `limit:`).
    pub fn caps(&self) -> Result<Caps, String> {
        caps_of(&self.limit)
    }

    fn fields(&self) -> LimitFields<'_> {
        LimitFields {
            limit: &self.limit,
            floor: &self.floor,
            class: self.class,
            write_weight: &self.write_weight,
        }
    }

    /// The group's caps, floors, class and write weight, given its id; an
    /// error names the part at fault (`group_limit`).
    pub fn limits(&self, id: GroupId) -> Result<GroupLimit, String> {
        group_limit(id, self.fields())
    }

    /// What names the group, as `(field, text)`: the field is one of
    /// `id`, `user`, `group`, `cgroup`, `unit`, `slice`.
    pub fn key(&self) -> (&'static str, String) {
        let named = [
            ("user", &self.user),
            ("group", &self.group),
            ("cgroup", &self.cgroup),
            ("unit", &self.unit),
            ("slice", &self.slice),
        ];
        if let Some(id) = self.id {
            return ("id", id.to_string());
        }
        named
            .into_iter()
            .find_map(|(k, v)| v.as_ref().map(|v| (k, v.clone())))
            .unwrap_or(("id", String::new()))
    }

    /// Effective weight.
    pub fn weight(&self) -> u32 {
        self.weight
            .map(|w| w.get() as u32)
            .unwrap_or(DEFAULT_WEIGHT)
    }

    fn check(self) -> Result<Self, String> {
        let names = [
            &self.user,
            &self.group,
            &self.cgroup,
            &self.unit,
            &self.slice,
        ];
        let n = names.iter().filter(|v| v.is_some()).count() + usize::from(self.id.is_some());
        if n != 1 {
            return Err(
                "a group needs exactly one of id, user, group, cgroup, unit or slice".into(),
            );
        }
        for s in names.into_iter().flatten() {
            if s.is_empty() || s.len() > 4096 || s.contains('\0') {
                return Err(format!("{s:?} is not a valid name or path"));
            }
        }
        if let Some(u) = &self.unit {
            crate::ids::check_unit_name(u, false).map_err(|e| format!("unit: {e}"))?;
        }
        if let Some(u) = &self.slice {
            crate::ids::check_unit_name(u, true).map_err(|e| format!("slice: {e}"))?;
        }
        Ok(self)
    }
}

/// One ioband device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, remote = "Self")]
pub struct DeviceSpec {
    /// Device-mapper name (/dev/mapper/NAME).
    pub name: DevName,
    /// present (default) or absent.
    #[serde(default, skip_serializing_if = "State::is_present")]
    pub state: State,
    /// Underlying block device: a path (/dev/sda1, /dev/disk/by-id/...,
    /// /dev/disk/by-uuid/...), an LVM name (vg0/lv0) or MAJOR:MINOR.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    /// Device-group id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_group: Option<DeviceGroupId>,
    /// Group type (default none).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub group_type: Option<GroupType>,
    /// Weight of the default group (default 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<Weight>,
    /// Weight of the default group's writes, 1 to 1000000 (default: writes
    /// weigh as reads).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub write_weight: Option<WeightValue>,
    /// Caps of the default group (maximum rates; default none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<LimitSpec>,
    /// Floors of the default group (minimum rates; default none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub floor: Option<LimitSpec>,
    /// Class of the default group (default normal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<Class>,
    /// Attached groups, in attach order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<GroupSpec>,
}

impl DeviceSpec {
    /// Effective group type.
    pub fn group_type(&self) -> GroupType {
        self.group_type.unwrap_or(GroupType::None)
    }

    /// Effective default-group weight.
    pub fn weight(&self) -> u32 {
        self.weight
            .map(|w| w.get() as u32)
            .unwrap_or(DEFAULT_WEIGHT)
    }

    /// The default group's caps (none without `limit:`).
    pub fn caps(&self) -> Result<Caps, String> {
        caps_of(&self.limit)
    }

    fn fields(&self) -> LimitFields<'_> {
        LimitFields {
            limit: &self.limit,
            floor: &self.floor,
            class: self.class,
            write_weight: &self.write_weight,
        }
    }

    /// The default group's caps, floors, class and write weight; an error
    /// names the part at fault (`group_limit`).
    pub fn limits(&self) -> Result<GroupLimit, String> {
        group_limit(GroupId::Default, self.fields())
    }

    /// Its groups' and its own shares of the disk (`20%`) as rates of
    /// `capacity`, its device group's; then checked again as a whole.
    fn resolve_shares(self, capacity: Option<&Caps>) -> Result<Self, String> {
        let name = self.name.0.clone();
        let dg = self.device_group.map_or(0, |g| g.get());
        let how = format!("give `capacity:` in device group {dg}");
        let mut d = self;
        for (what, l) in [("limit", &mut d.limit), ("floor", &mut d.floor)] {
            if let Some(l) = l {
                l.resolve_shares(capacity, &how)
                    .map_err(|e| format!("device {name}: {what}: {e}"))?;
            }
        }
        for g in &mut d.groups {
            let (kind, key) = g.key();
            for (what, l) in [("limit", &mut g.limit), ("floor", &mut g.floor)] {
                if let Some(l) = l {
                    l.resolve_shares(capacity, &how).map_err(|e| {
                        format!("device {name}: group `{kind}: {key}`: {what}: {e}")
                    })?;
                }
            }
        }
        d.check()
    }

    fn check(self) -> Result<Self, String> {
        let name = &self.name.0;
        if self.state == State::Absent {
            return Ok(self);
        }
        let Some(dev) = &self.device else {
            return Err(format!(
                "device {name}: `device` is required (unless state: absent)"
            ));
        };
        if dev.is_empty() || dev.len() > 4096 || dev.contains('\0') || dev.contains(' ') {
            return Err(format!("device {name}: {dev:?} is not a device path"));
        }
        if self.device_group.is_none() {
            return Err(format!(
                "device {name}: `device_group` is required (unless state: absent)"
            ));
        }
        if self.groups.len() > MAX_GROUPS {
            return Err(format!("device {name}: more than {MAX_GROUPS} groups"));
        }
        let t = self.group_type();
        let mut seen = BTreeSet::new();
        for g in &self.groups {
            let (kind, key) = g.key();
            let ok = match kind {
                "id" => t != GroupType::None,
                "user" => t.is_uid(),
                "group" => t == GroupType::Gid,
                _ => t == GroupType::Cgroup,
            };
            if !ok {
                return Err(format!(
                    "device {name}: group `{kind}: {key}` does not fit type {t}{}",
                    if t == GroupType::None {
                        " (set `type:` to user, uid, gid, pid, pgrp or cgroup)"
                    } else {
                        ""
                    }
                ));
            }
            if let Some(id) = g.id {
                let max = crate::ids::max_id(t);
                if id > max {
                    return Err(format!(
                        "device {name}: {t} id {id} is out of range (0 to {max})"
                    ));
                }
            }
            if !seen.insert((kind, key.clone())) {
                return Err(format!(
                    "device {name}: group `{kind}: {key}` is listed twice"
                ));
            }
            limits_without_shares(g.fields())
                .map_err(|e| format!("device {name}: group `{kind}: {key}`: {e}"))?;
        }
        limits_without_shares(self.fields()).map_err(|e| format!("device {name}: {e}"))?;
        Ok(self)
    }
}

/// A whole profile.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Device groups (optional: unlisted groups use the defaults).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub device_groups: Vec<DeviceGroupSpec>,
    /// ioband devices.
    #[serde(default)]
    pub devices: Vec<DeviceSpec>,
}

macro_rules! checked {
    ($t:ty) => {
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                <$t>::deserialize(d)?.check().map_err(D::Error::custom)
            }
        }
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                <$t>::serialize(self, s)
            }
        }
    };
}
checked!(DeviceGroupSpec);
checked!(GroupSpec);
checked!(DeviceSpec);

/// A profile error: which file, where, what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileError {
    /// File name (or `<input>`).
    pub file: String,
    /// 1-based line and column, when known.
    pub location: Option<(usize, usize)>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.location {
            Some((l, c)) => write!(f, "{}:{l}:{c}: {}", self.file, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

fn depth_of(text: &str) -> usize {
    // A cheap upper bound of the nesting depth of flow collections, which
    // is where a short hostile document gets deep; block nesting is bounded
    // by indentation and checked by the parser's own recursion limit.
    let (mut d, mut max) = (0usize, 0usize);
    for b in text.bytes() {
        match b {
            b'[' | b'{' => {
                d += 1;
                max = max.max(d);
            }
            b']' | b'}' => d = d.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// Parse and check one profile text. `file` names it in errors.
pub fn parse(file: &str, text: &str) -> Result<Profile, ProfileError> {
    let err = |location, message: String| ProfileError {
        file: file.to_string(),
        location,
        message,
    };
    if text.len() > MAX_PROFILE_BYTES {
        return Err(err(
            None,
            format!(
                "the profile is {} bytes; the limit is {MAX_PROFILE_BYTES}",
                text.len()
            ),
        ));
    }
    if depth_of(text) > MAX_DEPTH {
        return Err(err(
            None,
            format!("the profile nests more than {MAX_DEPTH} levels deep"),
        ));
    }
    if text.trim().is_empty() {
        return Ok(Profile::default());
    }
    let p: Profile = serde_yaml_ng::from_str(text).map_err(|e| {
        let loc = e.location().map(|l| (l.line(), l.column()));
        // The message ends with " at line L column C"; we print it in front.
        let mut m = e.to_string();
        if let Some(i) = m.rfind(" at line ") {
            m.truncate(i);
        }
        err(loc, m)
    })?;
    check_profile(&p).map_err(|m| err(None, m))?;
    Ok(p)
}

/// Checks across devices of one profile (names and device groups unique).
pub fn check_profile(p: &Profile) -> Result<(), String> {
    if p.devices.len() > MAX_DEVICES {
        return Err(format!("more than {MAX_DEVICES} devices"));
    }
    let mut groups = BTreeSet::new();
    for g in &p.device_groups {
        if !groups.insert(g.id) {
            return Err(format!("device group {} is listed twice", g.id));
        }
    }
    let mut names = BTreeSet::new();
    for d in &p.devices {
        if !names.insert(&d.name) {
            return Err(format!("device {} is listed twice", d.name.0));
        }
    }
    Ok(())
}

/// Merge profiles from several files into one; a device or device group
/// in two files is an error.
pub fn merge(profiles: Vec<(String, Profile)>) -> Result<Profile, String> {
    let mut out = Profile::default();
    let mut dg_from: BTreeMap<u64, String> = BTreeMap::new();
    let mut dev_from: BTreeMap<String, String> = BTreeMap::new();
    for (file, p) in profiles {
        for g in p.device_groups {
            if let Some(prev) = dg_from.insert(g.id.get(), file.clone()) {
                return Err(format!(
                    "device group {} is in both {prev} and {file}",
                    g.id
                ));
            }
            out.device_groups.push(g);
        }
        for d in p.devices {
            if let Some(prev) = dev_from.insert(d.name.0.clone(), file.clone()) {
                return Err(format!("device {} is in both {prev} and {file}", d.name.0));
            }
            out.devices.push(d);
        }
    }
    check_profile(&out)?;
    resolve_shares(out)
}

/// The shares of the disk (`20%`) in caps and floors as rates of their
/// device group's `capacity:`: what the rest of the CLI and the module see.
pub fn resolve_shares(p: Profile) -> Result<Profile, String> {
    let mut capacity = BTreeMap::new();
    for g in &p.device_groups {
        if let Some(c) = &g.capacity {
            let caps = c
                .capacity()
                .map_err(|e| format!("device group {}: capacity: {e}", g.id))?;
            capacity.insert(g.id.get(), caps);
        }
    }
    let devices = p
        .devices
        .into_iter()
        .map(|d| {
            if d.state == State::Absent {
                return Ok(d);
            }
            let c = d.device_group.and_then(|g| capacity.get(&g.get()));
            d.resolve_shares(c)
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Profile {
        device_groups: p.device_groups,
        devices,
    })
}

/// The underlying device path a profile names: `vg/lv` becomes
/// `/dev/mapper/vg-lv` (dashes doubled as LVM does), `MAJOR:MINOR` and
/// paths are kept.
pub fn expand_device_name(dev: &str) -> String {
    if dev.starts_with('/') || dev.contains(':') {
        return dev.to_string();
    }
    match dev.split_once('/') {
        Some((vg, lv)) if !vg.is_empty() && !lv.is_empty() && !lv.contains('/') => format!(
            "/dev/mapper/{}-{}",
            vg.replace('-', "--"),
            lv.replace('-', "--")
        ),
        _ => format!("/dev/{dev}"),
    }
}

/// YAML text of a profile.
pub fn to_yaml(p: &Profile) -> Result<String, String> {
    serde_yaml_ng::to_string(p).map_err(|e| e.to_string())
}

/// The schema of one cap or floor (`noun`): a number, or text with a
/// unit, or max.
fn cap_schema(bytes: bool, what: &str, noun: &str) -> serde_json::Value {
    use serde_json::json;
    let (max, pattern, units) = if bytes {
        (
            MAX_CAP_BPS,
            "^(max|([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([kKmMgGtTpP](i|iB)?|B)?(/s)?)$",
            "k, M, G, T, P: powers of 1024, e.g. 200M",
        )
    } else {
        (
            MAX_CAP_IOPS,
            "^(max|([0-9]+(\\.[0-9]*)?|\\.[0-9]+)[kKmMgG]?(/s)?)$",
            "k, M, G: powers of 1000, e.g. 2k",
        )
    };
    if noun == "capacity" {
        // what the disk delivers: no max, no share
        return json!({
            "oneOf": [
                {"type": "integer", "minimum": 1, "maximum": max},
                {"type": "string", "pattern": pattern, "not": {"const": "max"}}
            ],
            "description": format!("{what} the disk delivers: a number, or with a unit ({units}); 1 to {max}")
        });
    }
    // the same, or a share of the disk: a number and %
    let pattern = pattern.replacen("(/s)?)$", "(/s)?|%)$", 1);
    json!({
        "oneOf": [
            {"type": "integer", "minimum": 1, "maximum": max},
            {"type": "string", "pattern": pattern}
        ],
        "description": format!("{what}: a number, or with a unit ({units}), or a share of the disk (20%, of its device group's capacity), or max (no {noun}); 1 to {max}")
    })
}

/// The schema of `limit:` (`noun` cap) or `floor:` (floor): six
/// optional rates.
fn limit_schema(noun: &str, description: &str) -> serde_json::Value {
    serde_json::json!({
        "type": "object",
        "additionalProperties": false,
        "description": description,
        "properties": {
            "read_bps": cap_schema(true, "Bytes read per second", noun),
            "write_bps": cap_schema(true, "Bytes written per second", noun),
            "bps": cap_schema(true, "Bytes read and written per second", noun),
            "read_iops": cap_schema(false, "Reads per second", noun),
            "write_iops": cap_schema(false, "Writes per second", noun),
            "iops": cap_schema(false, "Reads and writes per second", noun)
        }
    })
}

/// The schema of `class:`.
fn class_schema() -> serde_json::Value {
    serde_json::json!({
        "enum": ["normal", "idle"],
        "description": "Class (default normal): idle uses the disk only when no other group has used it for a moment, and cannot have a floor"
    })
}

/// The schema of `write_weight:`.
fn write_weight_schema() -> serde_json::Value {
    serde_json::json!({
        "type": "integer", "minimum": 1, "maximum": MAX_WEIGHT,
        "description": "Weight of the group's writes (default: writes weigh as reads, by the weight); with weight 100, write_weight 50 makes its writes count double"
    })
}

/// The schema of one group of a device: one of id, user, group, cgroup,
/// unit, slice; a weight and caps.
fn group_schema(weight: serde_json::Value) -> serde_json::Value {
    serde_json::json!({
        "type": "object",
        "additionalProperties": false,
        "minProperties": 1,
        "oneOf": [
            {"required": ["id"]},
            {"required": ["user"]},
            {"required": ["group"]},
            {"required": ["cgroup"]},
            {"required": ["unit"]},
            {"required": ["slice"]}
        ],
        "properties": {
            "id": {"type": "integer", "minimum": 0,
                "description": "uid, gid, pid, pgrp or cgroup inode, per the device's type"},
            "user": {"type": "string", "minLength": 1, "description": "User name (type user or uid)"},
            "group": {"type": "string", "minLength": 1, "description": "Group name (type gid)"},
            "cgroup": {"type": "string", "minLength": 1,
                "description": "Cgroup v2 directory, absolute or relative to /sys/fs/cgroup (type cgroup)"},
            "unit": {"type": "string", "minLength": 1,
                "pattern": "^[A-Za-z0-9:_.\\\\@-]+\\.(service|scope|slice|socket|mount|swap)$",
                "description": "A systemd unit's cgroup, by name, e.g. postgresql.service (type cgroup); the unit must be running when applying"},
            "slice": {"type": "string", "minLength": 1,
                "pattern": "^[A-Za-z0-9:_.\\\\@-]+\\.slice$",
                "description": "A systemd slice's cgroup, by name, e.g. machine.slice (type cgroup); a-b.slice is /sys/fs/cgroup/a.slice/a-b.slice"},
            "weight": weight,
            "write_weight": write_weight_schema(),
            "limit": {"$ref": "#/$defs/limit"},
            "floor": {"$ref": "#/$defs/floor"},
            "class": class_schema()
        }
    })
}

/// The JSON Schema (draft 2020-12) of a profile.
pub fn json_schema() -> serde_json::Value {
    use serde_json::json;
    let uint = |min: u64, max: u64, desc: &str| json!({"type": "integer", "minimum": min, "maximum": max, "description": desc});
    let weight = uint(1, u64::from(MAX_WEIGHT), "Weight (default 100)");
    let types = ["none", "user", "uid", "gid", "pid", "pgrp", "cgroup"];
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://github.com/ioband/ioband/profile.schema.json",
        "title": "ioband profile",
        "description": "Declarative configuration of dm-ioband devices (`ioband apply`).",
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "device_groups": {
                "type": "array",
                "description": "Settings shared by all ioband devices with the same device-group id",
                "items": {"$ref": "#/$defs/device_group"}
            },
            "devices": {
                "type": "array",
                "maxItems": MAX_DEVICES,
                "items": {"$ref": "#/$defs/device"}
            }
        },
        "$defs": {
            "device_group": {
                "type": "object",
                "additionalProperties": false,
                "required": ["id"],
                "properties": {
                    "id": uint(0, u64::from(MAX_DEVICE_GROUP), "Device-group id"),
                    "io_throttle": uint(1, u64::from(MAX_IO_LIMIT) - 1,
                        "Bios in flight before bandwidth control starts (default 4; below io_limit)"),
                    "io_limit": {
                        "oneOf": [
                            {"const": "auto"},
                            {"type": "integer", "minimum": MIN_IO_LIMIT, "maximum": MAX_IO_LIMIT}
                        ],
                        "description": "Bios in flight before all I/O blocks: auto (the default; 128 means auto too) follows the queue depth of the device below, a number pins it"
                    },
                    "token": uint(1, u64::from(MAX_TOKEN), "Tokens per refill (default 2048)"),
                    "policy": {"enum": ["fair", "fair-iosize", "time", "weight", "weight-iosize", "default"],
                        "description": "Scheduling policy (default fair; default is the 2008 name of weight)"},
                    "capacity": limit_schema("capacity", "What the disk delivers, for caps and floors given as a share of it (bps: 20%); read by the CLI only")
                }
            },
            "device": {
                "type": "object",
                "additionalProperties": false,
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "minLength": 1, "maxLength": 127,
                        "pattern": "^[!-.0-\\[\\]-~]+$",
                        "description": "Device-mapper name (/dev/mapper/NAME)"},
                    "state": {"enum": ["present", "absent"],
                        "description": "present (default) or absent"},
                    "device": {"type": "string", "minLength": 1,
                        "description": "Underlying block device: /dev path, /dev/disk/by-id or by-uuid link, LVM vg/lv, or MAJOR:MINOR"},
                    "device_group": uint(0, u64::from(MAX_DEVICE_GROUP), "Device-group id"),
                    "type": {"enum": types, "description": "Group type (default none)"},
                    "weight": weight.clone(),
                    "write_weight": write_weight_schema(),
                    "limit": {"$ref": "#/$defs/limit"},
                    "floor": {"$ref": "#/$defs/floor"},
                    "class": class_schema(),
                    "groups": {
                        "type": "array",
                        "maxItems": MAX_GROUPS,
                        "items": {"$ref": "#/$defs/group"}
                    }
                },
                "if": {"not": {"properties": {"state": {"const": "absent"}}, "required": ["state"]}},
                "then": {"required": ["name", "device", "device_group"]}
            },
            "group": group_schema(weight),
            "limit": limit_schema("cap", "Caps: the group's maximum rates; keys left out are not capped"),
            "floor": limit_schema("floor", "Floors: the group's minimum rates while it has I/O waiting (above them the disk goes by weight); keys left out have no floor; none above the same key's cap")
        }
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::path::PathBuf;

    fn profiles_dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../profiles")
    }

    pub(crate) fn example_profiles() -> Vec<(String, String)> {
        let mut v = Vec::new();
        let rd = match std::fs::read_dir(profiles_dir()) {
            Ok(r) => r,
            Err(e) => panic!("profiles/: {e}"),
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "yaml") {
                let text = std::fs::read_to_string(&p).unwrap_or_default();
                v.push((p.display().to_string(), text));
            }
        }
        v.sort();
        v
    }

    #[test]
    fn every_example_profile_parses() {
        let v = example_profiles();
        assert!(
            v.len() >= 7,
            "expected the example profiles, got {}",
            v.len()
        );
        for (f, text) in &v {
            let p = parse(f, text).unwrap_or_else(|e| panic!("{e}"));
            assert!(!p.devices.is_empty(), "{f} has no devices");
            assert!(text.starts_with('#'), "{f} has no comment block");
            // Round trip through YAML.
            let y = to_yaml(&p).unwrap_or_default();
            assert_eq!(parse("again", &y).ok(), Some(p), "{f}");
        }
    }

    #[test]
    fn errors_carry_line_and_column() {
        let text = "devices:\n  - name: a\n    device: /dev/sda1\n    device_group: 1\n  - name: b\n    device: /dev/sda2\n    device_group: 1\n    weight: 0\n";
        let e = parse("p.yaml", text).unwrap_err();
        assert_eq!(e.location.map(|l| l.0), Some(8), "{e}");
        assert!(e.to_string().starts_with("p.yaml:8:"), "{e}");
        assert!(e.message.contains("out of range"), "{e}");

        let e = parse("p", "devices:\n  - name: a\n    devise: x\n").unwrap_err();
        assert!(e.message.contains("unknown field `devise`"), "{e}");
        assert_eq!(e.location.map(|l| l.0), Some(3));

        let e = parse("p", "devices:\n  - name: a\n    device: /dev/x\n").unwrap_err();
        assert!(e.message.contains("device_group"), "{e}");
        assert!(e.location.is_some(), "{e}");

        // (profile, what its error says)
        let cases = [
            (
                "devices:\n  - name: a/b\n",
                "contains",
            ),
            (
                "device_groups:\n  - id: 1\n    io_throttle: 200\n",
                "less than io_limit",
            ),
            (
                "devices:\n  - name: a\n    device: /dev/x\n    device_group: 1\n    groups:\n      - user: alice\n",
                "does not fit type none",
            ),
            (
                "devices:\n  - name: a\n    device: /dev/x\n    device_group: 1\n    type: pid\n    groups:\n      - id: 1\n        user: x\n",
                "exactly one",
            ),
            (
                "devices:\n  - name: a\n    state: absent\n  - name: a\n    state: absent\n",
                "twice",
            ),
            (
                "devices:\n  - name: a\n    device: /dev/x\n    device_group: 1\n    type: users\n",
                "unknown variant",
            ),
            (
                "devices:\n  - name: a\n    device: /dev/x\n    device_group: 1\n    type: user\n    groups:\n      - unit: postgresql.service\n",
                "group `unit: postgresql.service` does not fit type user",
            ),
            (
                "devices:\n  - name: a\n    device: /dev/x\n    device_group: 1\n    type: cgroup\n    groups:\n      - slice: postgresql.service\n",
                "slice: postgresql.service is a service, not a slice",
            ),
            (
                "devices:\n  - name: a\n    device: /dev/x\n    device_group: 1\n    type: cgroup\n    groups:\n      - unit: system.slice/postgresql.service\n",
                "give a cgroup directory as `cgroup: system.slice/postgresql.service`",
            ),
            (
                "devices:\n  - name: a\n    device: /dev/x\n    device_group: 1\n    type: cgroup\n    groups:\n      - unit: multi-user.target\n",
                "not the name of a unit with a cgroup",
            ),
            (
                "devices:\n  - name: a\n    device: /dev/x\n    device_group: 1\n    type: cgroup\n    groups:\n      - slice: a--b.slice\n",
                "not a valid slice name",
            ),
            (
                "devices:\n  - name: a\n    device: /dev/x\n    device_group: 1\n    type: cgroup\n    groups:\n      - unit: x.service\n        slice: x.slice\n",
                "exactly one of id, user, group, cgroup, unit or slice",
            ),
            (
                "devices:\n  - name: a\n    device: /dev/x\n    device_group: 1\n    type: cgroup\n    groups:\n      - slice: x.slice\n      - slice: x.slice\n",
                "group `slice: x.slice` is listed twice",
            ),
        ];
        for (text, says) in cases {
            let e = parse("p", text).unwrap_err();
            assert!(e.message.contains(says), "{text:?}: {e}");
        }
    }

    #[test]
    fn io_limit_auto_and_the_defaults() {
        let group = |line: &str| {
            parse("p", &format!("device_groups:\n  - id: 1\n{line}"))
                .map(|p| p.device_groups[0].clone())
        };
        // (io_limit line, setting, what the kernel gets)
        for (line, want, kernel) in [
            ("", None, 128),
            ("    io_limit: auto\n", Some(IoLimit::Auto), 128),
            ("    io_limit: 128\n", Some(IoLimit::Auto), 128),
            ("    io_limit: 64\n", Some(IoLimit::Fixed(64)), 64),
            (
                "    io_limit: 65536\n",
                Some(IoLimit::Fixed(65_536)),
                65_536,
            ),
        ] {
            let g = group(line).unwrap_or_else(|e| panic!("{line:?}: {e}"));
            assert_eq!(g.io_limit, want, "{line:?}");
            // Defaults: fair, 4, 2048.
            assert_eq!(g.effective(), (4, kernel, 2048, Policy::Fair), "{line:?}");
        }
        let g = group("    io_throttle: 1\n    io_limit: 2\n").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(g.effective().1, 2);
        // Errors name the line and say what is allowed.
        for bad in ["automatic", "1", "0", "65537", "-4", "1.5"] {
            let e = group(&format!("    io_limit: {bad}\n")).unwrap_err();
            assert_eq!(e.location.map(|l| l.0), Some(3), "{bad}: {e}");
            assert!(
                e.message.contains("auto") && e.message.contains("65536"),
                "{bad}: {e}"
            );
        }
        // io_throttle stays below io_limit; auto counts as 128 for that.
        for (lines, says) in [
            (
                "    io_throttle: 128\n",
                "io_limit (auto, the default, counts as 128 here)",
            ),
            (
                "    io_throttle: 200\n    io_limit: auto\n",
                "io_limit (auto counts as 128 here)",
            ),
            ("    io_throttle: 64\n    io_limit: 64\n", "io_limit (64)"),
        ] {
            let e = group(lines).unwrap_err();
            assert!(e.message.contains(says), "{lines:?}: {e}");
            assert!(e.message.contains("device group 1: io_throttle"), "{e}");
        }
        assert!(group("    io_throttle: 127\n    io_limit: auto\n").is_ok());
        // `default` is the 2008 name of weight.
        let g = group("    policy: default\n").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(g.policy, Some(Policy::Weight));
        // auto writes back as auto, a pinned number as a number.
        let p = parse(
            "p",
            "device_groups:\n  - {id: 1, io_limit: auto}\n  - {id: 2, io_limit: 64}\n",
        )
        .unwrap_or_default();
        let y = to_yaml(&p).unwrap_or_default();
        assert!(
            y.contains("io_limit: auto") && y.contains("io_limit: 64"),
            "{y}"
        );
        // The schema agrees.
        let schema = json_schema();
        for ok in [
            serde_json::json!("auto"),
            serde_json::json!(2),
            serde_json::json!(128),
        ] {
            let v = serde_json::json!({"device_groups": [{"id": 1, "io_limit": ok}]});
            validate(&schema, &schema, &v).unwrap_or_else(|e| panic!("{v}: {e}"));
        }
        for bad in [
            serde_json::json!("x"),
            serde_json::json!(1),
            serde_json::json!(65_537),
        ] {
            let v = serde_json::json!({"device_groups": [{"id": 1, "io_limit": bad}]});
            assert!(validate(&schema, &schema, &v).is_err(), "{v}");
        }
    }

    #[test]
    fn hostile_yaml_fails_fast() {
        let t0 = std::time::Instant::now();
        // Billion laughs.
        let mut bomb =
            String::from("a: &a [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]\n");
        for i in 1..12 {
            bomb.push_str(&format!(
                "{}: &{} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n",
                (b'a' + i) as char,
                (b'a' + i) as char,
                p = (b'a' + i - 1) as char
            ));
        }
        bomb.push_str("devices: *l\n");
        assert!(parse("bomb", &bomb).is_err());
        // Alias bomb inside the schema's own fields.
        let mut b2 = String::from("x0: &x0 {name: a, device: /dev/x, device_group: 1}\n");
        for i in 1..20 {
            b2.push_str(&format!(
                "x{i}: &x{i} [*x{p}, *x{p}, *x{p}, *x{p}]\n",
                p = i - 1
            ));
        }
        assert!(parse("bomb2", &b2).is_err());
        // Deep nesting, flow and block.
        let deep = format!("devices: {}{}", "[".repeat(100_000), "]".repeat(100_000));
        let e = parse("deep", &deep).unwrap_err();
        assert!(e.message.contains("nests"), "{e}");
        let mut block = String::from("devices:\n");
        for i in 0..300 {
            block.push_str(&" ".repeat(i * 2 + 2));
            block.push_str("- \n");
        }
        assert!(parse("block", &block).is_err());
        // Huge file.
        let huge = format!("# {}\ndevices: []\n", "x".repeat(MAX_PROFILE_BYTES));
        let e = parse("huge", &huge).unwrap_err();
        assert!(e.message.contains("limit"), "{e}");
        // Garbage.
        assert!(parse("bin", "\u{0}\u{1}\u{2}: [").is_err());
        assert!(parse("num", "devices: 5").is_err());
        assert!(
            t0.elapsed() < std::time::Duration::from_secs(10),
            "took {:?}",
            t0.elapsed()
        );
    }

    #[test]
    fn lvm_names_and_paths() {
        assert_eq!(expand_device_name("vg0/lv0"), "/dev/mapper/vg0-lv0");
        assert_eq!(expand_device_name("my-vg/lv-a"), "/dev/mapper/my--vg-lv--a");
        assert_eq!(expand_device_name("/dev/sda1"), "/dev/sda1");
        assert_eq!(expand_device_name("8:1"), "8:1");
        assert_eq!(expand_device_name("sda1"), "/dev/sda1");
    }

    #[test]
    fn shares_of_the_disk_become_rates_of_its_capacity() {
        let disk = "device_groups:\n  - id: 1\n    capacity: {bps: 400M, iops: 2k}\n";
        let dev = "devices:\n  - name: a\n    device: /dev/x\n    device_group: 1\n    \
                   type: user\n    limit: {bps: 50%}\n    groups:\n      - id: 7\n        \
                   floor: {bps: 20%, read_iops: 10%}\n        limit: {iops: 25%, bps: 300M}\n";
        let load = |files: &[(&str, &str)]| {
            let ps = files
                .iter()
                .map(|(f, t)| parse(f, t).map(|p| (f.to_string(), p)))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| e.to_string())?;
            merge(ps)
        };
        // in one file, and with the capacity in another
        for files in [
            vec![("p", format!("{disk}{dev}"))],
            vec![("d", disk.to_string()), ("p", dev.to_string())],
        ] {
            let files: Vec<(&str, &str)> = files.iter().map(|(f, t)| (*f, t.as_str())).collect();
            let p = load(&files).expect("resolves");
            let d = &p.devices[0];
            let v = |l: &Option<LimitSpec>, k: CapKey| {
                l.as_ref().and_then(|l| {
                    l.values()
                        .into_iter()
                        .find(|(key, _)| *key == k)
                        .and_then(|(_, v)| v.clone())
                })
            };
            assert_eq!(v(&d.limit, CapKey::Bps), Some(CapValue("200M".into())));
            let g = &d.groups[0];
            assert_eq!(v(&g.floor, CapKey::Bps), Some(CapValue("80M".into())));
            assert_eq!(v(&g.floor, CapKey::ReadIops), Some(CapValue("200".into())));
            assert_eq!(v(&g.limit, CapKey::Iops), Some(CapValue("500".into())));
            assert_eq!(v(&g.limit, CapKey::Bps), Some(CapValue("300M".into())));
            // the capacity stays in the profile; the rates are what the
            // module gets
            assert!(g.limits(GroupId::Id(7)).is_ok());
        }
        // no capacity: the device, the group, the key, and how
        let e = load(&[("p", dev)]).unwrap_err();
        assert!(
            e.contains("device a: limit: bps: 50% is a share of the disk, whose bps is not known: give `capacity:` in device group 1"),
            "{e}"
        );
        let no_iops = "device_groups:\n  - id: 1\n    capacity: {bps: 400M}\n";
        let e = load(&[("p", &format!("{no_iops}{dev}"))]).unwrap_err();
        assert!(
            e.contains("device a: group `id: 7`: limit: iops: 25% is a share of the disk, whose iops is not known: give `capacity:` in device group 1"),
            "{e}"
        );
        // a floor above its cap once both are rates
        let above = "devices:\n  - name: a\n    device: /dev/x\n    device_group: 1\n    \
                     type: user\n    groups:\n      - id: 7\n        floor: {bps: 50%}\n        \
                     limit: {bps: 100M}\n";
        let e = load(&[("p", &format!("{disk}{above}"))]).unwrap_err();
        assert!(
            e.contains("floor: bps: 200M is above the cap (100M)"),
            "{e}"
        );
        // what a share or a capacity may not be
        for (text, says) in [
            (
                "device_groups:\n  - id: 1\n    capacity: {bps: 20%}\n",
                "device group 1: capacity: bps: \"20%\": a capacity is a rate, not a share",
            ),
            (
                "device_groups:\n  - id: 1\n    capacity: {bps: max}\n",
                "device group 1: capacity: bps: a capacity cannot be max",
            ),
            (
                "devices:\n  - name: a\n    device: /dev/x\n    device_group: 1\n    limit: {bps: 120%}\n",
                "device a: limit: bps: \"120%\" is not a share of the disk",
            ),
        ] {
            let e = load(&[("p", text)]).unwrap_err();
            assert!(e.contains(says), "{text}: {e}");
        }
    }

    #[test]
    fn merge_rejects_duplicates() {
        let a = parse("a", "devices:\n  - name: x\n    state: absent\n").unwrap_or_default();
        let b = a.clone();
        let e = merge(vec![("a".into(), a.clone()), ("b".into(), b)]).unwrap_err();
        assert!(e.contains("both a and b"), "{e}");
        assert!(merge(vec![("a".into(), a)]).is_ok());
    }

    /// A small JSON Schema checker for the keywords our schema uses.
    fn validate(
        schema: &serde_json::Value,
        root: &serde_json::Value,
        v: &serde_json::Value,
    ) -> Result<(), String> {
        use serde_json::Value as V;
        let s = match schema.get("$ref").and_then(V::as_str) {
            Some(r) => {
                let name = r.trim_start_matches("#/$defs/");
                &root["$defs"][name]
            }
            None => schema,
        };
        if let Some(t) = s.get("type").and_then(V::as_str) {
            let ok = match t {
                "object" => v.is_object(),
                "array" => v.is_array(),
                "string" => v.is_string(),
                "integer" => v.is_u64() || v.is_i64(),
                _ => true,
            };
            if !ok {
                return Err(format!("{v} is not {t}"));
            }
        }
        if let Some(e) = s.get("enum").and_then(V::as_array) {
            if !e.contains(v) {
                return Err(format!("{v} not in {e:?}"));
            }
        }
        if let Some(c) = s.get("const") {
            if c != v {
                return Err(format!("{v} is not {c}"));
            }
        }
        if let Some(one) = s.get("oneOf").and_then(V::as_array) {
            let n = one
                .iter()
                .filter(|alt| validate(alt, root, v).is_ok())
                .count();
            if n != 1 {
                return Err(format!("{v} matches {n} of oneOf"));
            }
        }
        if let (Some(min), Some(n)) = (s.get("minimum").and_then(V::as_u64), v.as_u64()) {
            if n < min {
                return Err(format!("{n} < {min}"));
            }
        }
        if let (Some(max), Some(n)) = (s.get("maximum").and_then(V::as_u64), v.as_u64()) {
            if n > max {
                return Err(format!("{n} > {max}"));
            }
        }
        if let Some(o) = v.as_object() {
            if let Some(props) = s.get("properties").and_then(V::as_object) {
                for (k, val) in o {
                    match props.get(k) {
                        Some(ps) => validate(ps, root, val)?,
                        None => return Err(format!("property {k} not in schema")),
                    }
                }
            }
            for r in s
                .get("required")
                .and_then(V::as_array)
                .into_iter()
                .flatten()
            {
                let k = r.as_str().unwrap_or_default();
                if !o.contains_key(k) {
                    return Err(format!("missing {k}"));
                }
            }
        }
        if let (Some(items), Some(a)) = (s.get("items"), v.as_array()) {
            for x in a {
                validate(items, root, x)?;
            }
        }
        Ok(())
    }

    #[test]
    fn schema_accepts_examples_and_knows_every_field() {
        let schema = json_schema();
        for (f, text) in example_profiles() {
            let p = parse(&f, &text).unwrap_or_else(|e| panic!("{e}"));
            let v = serde_json::to_value(&p).unwrap_or_default();
            validate(&schema, &schema, &v).unwrap_or_else(|e| panic!("{f}: {e}"));
            // The raw YAML too, as written.
            let raw: serde_json::Value = serde_yaml_ng::from_str(&text).unwrap_or_default();
            validate(&schema, &schema, &raw).unwrap_or_else(|e| panic!("{f}: {e}"));
        }
        // A profile using every field validates; a misspelt one does not.
        let full = "device_groups:\n  - {id: 1, io_throttle: 8, io_limit: 64, token: 100, policy: weight-iosize}\ndevices:\n  - {name: a, state: present, device: vg/lv, device_group: 1, type: user, weight: 5, write_weight: 10, limit: {write_bps: 50M}, floor: {read_bps: 1M}, class: normal, groups: [{user: alice, weight: 3, write_weight: 1000000, limit: {read_bps: 1048576, write_bps: 1.5G, bps: max, read_iops: 2k, write_iops: 7, iops: max}, floor: {read_bps: 512k, write_bps: max, bps: 5, read_iops: 1, write_iops: 2, iops: 3}}, {id: 7, class: idle}]}\n  - {name: b, type: cgroup, device: /dev/x, device_group: 1, groups: [{cgroup: db}, {unit: postgresql.service}, {slice: machine.slice, weight: 9}]}\n  - {name: c, type: gid, device: /dev/y, device_group: 1, groups: [{group: www-data}]}\n";
        let p = parse("full", full).unwrap_or_else(|e| panic!("{e}"));
        let v = serde_json::to_value(&p).unwrap_or_default();
        validate(&schema, &schema, &v).unwrap_or_else(|e| panic!("{e}"));
        let bad: serde_json::Value = serde_json::json!({"devices": [{"name": "a", "devise": "x"}]});
        assert!(validate(&schema, &schema, &bad).is_err());
        let bad: serde_json::Value = serde_json::json!({"devices": [{"name": "a", "device": "x", "device_group": 1, "weight": 0}]});
        assert!(validate(&schema, &schema, &bad).is_err());
        for bad in [
            serde_json::json!({"read_bps": 0}),
            serde_json::json!({"iops": 1_000_000_001u64}),
            serde_json::json!({"reads": 5}),
            serde_json::json!({"bps": [1]}),
        ] {
            let v = serde_json::json!({"devices": [{"name": "a", "device": "x", "device_group": 1, "limit": bad}]});
            assert!(validate(&schema, &schema, &v).is_err(), "{v}");
            let v = serde_json::json!({"devices": [{"name": "a", "device": "x", "device_group": 1, "floor": bad}]});
            assert!(validate(&schema, &schema, &v).is_err(), "{v}");
        }
        for bad in ["Idle", "besteffort", ""] {
            let v = serde_json::json!({"devices": [{"name": "a", "device": "x", "device_group": 1, "groups": [{"id": 1, "class": bad}]}]});
            assert!(validate(&schema, &schema, &v).is_err(), "{v}");
        }
        for bad in [
            serde_json::json!(0),
            serde_json::json!(1_000_001),
            serde_json::json!("same"),
        ] {
            let v = serde_json::json!({"devices": [{"name": "a", "device": "x", "device_group": 1, "write_weight": bad}]});
            assert!(validate(&schema, &schema, &v).is_err(), "{v}");
            let v = serde_json::json!({"devices": [{"name": "a", "device": "x", "device_group": 1, "groups": [{"id": 1, "write_weight": bad}]}]});
            assert!(validate(&schema, &schema, &v).is_err(), "{v}");
        }
    }

    #[test]
    fn limits_take_units_and_name_what_is_wrong() {
        let dev = |limit: &str| {
            parse(
                "p",
                &format!(
                    "devices:\n  - name: a\n    device: /dev/x\n    device_group: 1\n    type: uid\n    groups:\n      - id: 5\n        limit: {limit}\n"
                ),
            )
        };
        let p = dev("{read_bps: 200M, write_iops: 2k, bps: 1073741824, iops: max}")
            .unwrap_or_else(|e| panic!("{e}"));
        let caps = p.devices[0].groups[0].caps().unwrap_or_default();
        assert_eq!(
            caps.to_string(),
            "read_bps=209715200,bps=1073741824,write_iops=2000"
        );
        assert!(p.devices[0].caps().unwrap_or_default().is_empty());
        // Written back as given; exported with units where exact.
        let y = to_yaml(&p).unwrap_or_default();
        assert!(
            y.contains("read_bps: 200M") && y.contains("bps: 1073741824"),
            "{y}"
        );
        assert_eq!(parse("again", &y).ok(), Some(p));
        let l = LimitSpec::of(&caps).unwrap_or_default();
        assert_eq!(l.bps, Some(CapValue("1G".into())));
        assert_eq!(l.write_iops, Some(CapValue("2k".into())));
        assert_eq!(l.iops, None);
        assert_eq!(l.caps(), Ok(caps));
        assert_eq!(LimitSpec::of(&Caps::NONE), None);
        assert!(dev("{}").is_ok());
        // (limit, what the error says)
        for (limit, says) in [
            (
                "{read_bps: 0}",
                "device a: group `id: 5`: limit: read_bps: \"0\" must be 1 to",
            ),
            (
                "{iops: 1.5M5}",
                "device a: group `id: 5`: limit: iops: \"1.5M5\" is not a rate",
            ),
            (
                "{write_bps: 2P}",
                "write_bps: \"2P\" must be 1 to 1125899906842624 or max",
            ),
            ("{speed: 5}", "unknown field `speed`"),
            ("{iops: true}", "a rate"),
            ("5", "struct LimitSpec"),
        ] {
            let e = dev(limit).unwrap_err();
            assert!(e.message.contains(says), "{limit}: {e}");
            assert!(e.location.is_some(), "{limit}: {e}");
        }
    }

    #[test]
    fn floors_and_the_idle_class_are_checked_with_their_caps() {
        let dev = |group: &str, default: &str| {
            parse(
                "p.yaml",
                &format!(
                    "devices:\n  - name: a\n    device: /dev/x\n    device_group: 1\n    type: uid\n{default}    groups:\n      - id: 5\n{group}"
                ),
            )
        };
        let p = dev(
            "        limit: {bps: 200M}\n        floor: {bps: 200M, iops: 1k}\n",
            "    class: idle\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let d = &p.devices[0];
        let l = d.groups[0]
            .limits(GroupId::Id(5))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            l.to_string(),
            "limit 5:bps=209715200 floor 5:bps=209715200,iops=1000"
        );
        assert_eq!(
            d.limits().map(|l| l.to_string()),
            Ok("class -1:idle".into())
        );
        let y = to_yaml(&p).unwrap_or_default();
        assert!(y.contains("class: idle") && y.contains("floor:"), "{y}");
        assert_eq!(parse("again", &y).ok(), Some(p));
        assert!(dev("        class: normal\n        floor: {read_iops: 5}\n", "").is_ok());
        // (group lines, default group lines, what the error says)
        for (group, default, says) in [
            (
                "        limit: {bps: 200M}\n        floor: {bps: 300M}\n",
                "",
                "device a: group `id: 5`: floor: bps: 300M is above the cap (200M); a floor \
                 must be at most its cap",
            ),
            (
                "",
                "    limit: {read_iops: 1k}\n    floor: {read_iops: 1001, iops: 9k}\n",
                "device a: floor: read_iops: 1001 is above the cap (1k)",
            ),
            (
                "        class: idle\n        floor: {bps: 1M}\n",
                "",
                "device a: group `id: 5`: class: idle: a group of the idle class cannot have a \
                 floor",
            ),
            (
                "",
                "    floor: {write_bps: 1M}\n    class: idle\n",
                "device a: class: idle:",
            ),
            (
                "        floor: {bps: 0}\n",
                "",
                "device a: group `id: 5`: floor: bps: \"0\" must be 1 to",
            ),
            ("        floor: {speed: 1}\n", "", "unknown field `speed`"),
            (
                "        class: besteffort\n",
                "",
                "unknown variant `besteffort`",
            ),
        ] {
            let e = dev(group, default).unwrap_err();
            assert!(e.message.contains(says), "{group}{default}: {e}");
            assert!(e.to_string().starts_with("p.yaml:"), "{e}");
            assert!(e.location.is_some(), "{e}");
        }
    }

    #[test]
    fn write_weights_are_checked_with_their_device() {
        let dev = |group: &str, default: &str| {
            parse(
                "p.yaml",
                &format!(
                    "devices:\n  - name: a\n    device: /dev/x\n    device_group: 1\n    type: uid\n{default}    groups:\n      - id: 5\n{group}"
                ),
            )
        };
        let p = dev(
            "        weight: 200\n        write_weight: 50\n        class: idle\n",
            "    write_weight: 1000000\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let d = &p.devices[0];
        let l = d.groups[0]
            .limits(GroupId::Id(5))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(l.to_string(), "class 5:idle write_weight 5:50");
        assert_eq!(
            d.limits().map(|l| l.to_string()),
            Ok("write_weight -1:1000000".into())
        );
        let y = to_yaml(&p).unwrap_or_default();
        assert!(
            y.contains("write_weight: 50") && y.contains("write_weight: 1000000"),
            "{y}"
        );
        assert_eq!(parse("again", &y).ok(), Some(p));
        assert_eq!(WeightValue::of(7).get(), Ok(7));
        // (group lines, default group lines, what the error says)
        for (group, default, says) in [
            (
                "        write_weight: 0\n",
                "",
                "device a: group `id: 5`: write_weight: \"0\" must be an integer from 1 to 1000000",
            ),
            (
                "",
                "    write_weight: 1000001\n",
                "device a: write_weight: \"1000001\" must be",
            ),
            ("        write_weight: half\n", "", "\"half\" must be"),
            ("        write_weight: -1\n", "", "\"-1\" must be"),
            ("        write_weight: {w: 1}\n", "", "a weight: an integer"),
            (
                "        write_weigth: 5\n",
                "",
                "unknown field `write_weigth`",
            ),
        ] {
            let e = dev(group, default).unwrap_err();
            assert!(e.message.contains(says), "{group}{default}: {e}");
            assert!(e.to_string().starts_with("p.yaml:"), "{e}");
            assert!(e.location.is_some(), "{e}");
        }
    }
}
