//! Output: human tables (comfy-table), JSON, and dmsetup's raw lines.
//!
//! # JSON (`--json`), stable keys
//!
//! `ioband status --json` prints one object:
//!
//! ```text
//! { "devices": [ {
//!     "name": "ioband1", "major": 254, "minor": 0,
//!     "start": 0, "sectors": 2097152, "device": "8:1",
//!     "device_group": 1, "type": "cgroup", "policy": "fair",
//!     "io_throttle": 4, "io_limit": 128, "token": 2048,
//!     "limits": { "io_limit": { "configured": "auto", "effective": 2, "queue_depth": 2 },
//!                 "io_throttle": { "configured": 4, "effective": 1 } },
//!     "nowait_again": 0,
//!     "groups": [ {
//!         "id": 151, "default": false, "name": "postgresql.service",
//!         "path": "/sys/fs/cgroup/system.slice/postgresql.service",
//!         "weight": 100, "write_weight": 50,
//!         "share_percent": 7.5757, "share_ppm": 75757,
//!         "parent": { "id": 69, "name": "system.slice" },
//!         "read":  { "requests": 223, "delayed": 172, "sectors": 408, "bytes": 208896 },
//!         "write": { "requests": 211, "delayed": 136, "sectors": 600, "bytes": 307200 },
//!         "caps": { "read_bps": 209715200, "write_bps": null, "bps": null,
//!                   "read_iops": null, "write_iops": 2000, "iops": null },
//!         "cap_waits": 15, "cap_wait_us": 734000, "capped_now": false,
//!         "floors": { "read_bps": null, "write_bps": null, "bps": 52428800,
//!                     "read_iops": null, "write_iops": null, "iops": null },
//!         "floor_lag_us": 120, "class": "normal",
//!         "rate": { "read_bytes_per_sec": 0.0, "write_bytes_per_sec": 0.0,
//!                   "achieved_percent": null, "capped": false }   (only with --watch)
//!     } ] } ],
//!   "device_groups": [ { "id": 1, "total_weight": 100, "devices": ["ioband1"] } ] }
//! ```
//!
//! `io_throttle` and `io_limit` are the table's numbers (io_limit 128 is
//! auto). `limits` says what is configured and what is in force, from the
//! module's reply to the `settings` message (asked once per device group
//! shown): `configured` is `"auto"` (follow the queue depth of the device
//! below) or the pinned number; `effective` is the number in force;
//! `queue_depth` is the depth of the device below, null when the module
//! does not know it (a stacked device: auto then means 128). One device per
//! device group answers (the first shown), so `limits` is the same for every
//! device of a group and `queue_depth` is the depth below the answering
//! device (an auto io_limit follows the deepest device of the group).
//! `nowait_again` is the number of REQ_NOWAIT bios the device refused with
//! EAGAIN; the module counts per device, so it is given for the answering
//! device and null for the other devices of its group (`ioband message
//! DEV 0 settings` tells any device's). `limits` and `nowait_again` are
//! null when the module does not answer `settings` (an older module); a
//! key its reply lacks is null.
//!
//! `id` is -1 for the default group, otherwise the group id (u64). `name` is
//! the user, group or process name where one is known; for a cgroup the
//! unit's name when its directory is a unit's (`.service`, `.slice`,
//! `.scope`), else its path relative to /sys/fs/cgroup, and `path` its
//! directory (`path` is null for the other types and unknown cgroups).
//! `share_ppm` is the group's configured share of the whole device group in
//! millionths (as if every group were busy), `share_percent` the same in
//! percent; both null when unknown (a module too old to report nested
//! shares). Shares are flat (weight over the sum of the weights of all
//! groups of all devices of the device group) except on type cgroup, where a
//! group attached below another takes its share out of that one's: `parent`
//! names that group (`id`, `name`), null at the top level and for the other
//! types. See [`crate::shares`]. `achieved_percent` is the share of the
//! device group's I/O the group got in the last interval (requests for
//! policies `fair` and `weight`, sectors for `fair-iosize` and
//! `weight-iosize`). `caps` are the group's maximum rates as the table
//! gives them (bytes/s, I/O per second; null where not capped). `cap_waits`
//! (times its caps held it back), `cap_wait_us` (microseconds held back)
//! and `capped_now` (held back now) come from the module's reply to
//! `limits`, asked only of devices with caps: null for the others, and when
//! the module does not answer. `rate.capped` is true when the caps held the
//! group back in the last interval (`cap_waits` grew, or it is held back
//! now). `floors` are the group's minimum rates as the table gives them
//! (the keys of `caps`, null where it has none) and `class` its class,
//! `"normal"` or `"idle"`, from the table too. `floor_lag_us` is how far
//! (microseconds) the group's waiting I/O is behind its floors, from the
//! `limits` reply as `cap_waits` (null also from a module without floors):
//! near 0 while the floors hold, up to about 50000 when the floors ask
//! more than the disk gives; the human view marks a group at 25000 or
//! more with `!` ("floor unmet"). `write_weight` is the weight of the
//! group's writes from the table (its reads have `weight`), null when its
//! writes weigh as its reads. With `--watch --json`,
//! one such object is printed per line per sample, with `"interval_secs"`
//! added.
//!
//! `ioband table --json`: `{ "devices": [ { "name", "major", "minor", "start",
//! "sectors", "params", "device", "device_group", "io_throttle", "io_limit",
//! "io_limit_auto", "type", "policy", "token", "default_weight", "groups": [
//! { "id", "name", "path", "weight", "write_weight", "caps", "floors",
//! "class" } ], "default_write_weight", "default_caps", "default_floors",
//! "default_class" } ] }`, where `params` is the kernel's table text
//! verbatim, `io_limit_auto` is true when io_limit is auto (128 in the
//! table), and the write weights, caps, floors and classes are as in
//! `status`.
//!
//! `ioband ls --json`: `{ "devices": [ { "name", "major", "minor", "device",
//! "device_group", "sectors", "open_count", "suspended", "inactive_table" } ] }`.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use comfy_table::{Cell, CellAlignment, ContentArrangement, LineStyle, Table, TableStyle};
use serde::Serialize;

use crate::caps::{compact, Class};
use crate::dm::DevInfo;
use crate::ids::{self, Names};
use crate::shares::Book;
use crate::target::{
    CapKey, Caps, Config, GroupId, GroupStats, IoLimit, Settings, Shares, Status, DEFAULT_IO_LIMIT,
    SECTOR_SIZE, TARGET_NAME,
};

/// Everything read about one ioband device.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceSnapshot {
    /// Device name.
    pub name: String,
    /// Device number of the ioband device.
    pub major: u32,
    /// Device number of the ioband device.
    pub minor: u32,
    /// Table start sector.
    pub start: u64,
    /// Length in sectors.
    pub length: u64,
    /// Table parameters exactly as the kernel printed them.
    pub table_raw: String,
    /// What they mean.
    pub config: Config,
    /// Status parameters exactly as the kernel printed them.
    pub status_raw: Option<String>,
    /// Parsed status.
    pub status: Option<Status>,
    /// Device state, when read.
    pub info: Option<DevInfo>,
    /// The module's reply to `shares`, when asked and answered (only for
    /// devices whose groups may nest, see [`crate::shares`]).
    pub shares: Option<Shares>,
    /// The module's reply to `settings` for the device's device group,
    /// when asked (`status`, once per device group) and answered.
    pub settings: Option<Settings>,
    /// Is [`DeviceSnapshot::settings`] this device's own reply? (Its
    /// `queue_depth` and `nowait_again` are the answering device's.)
    pub settings_own: bool,
    /// The module's reply to `limits`, when asked (`status`, devices with
    /// caps, floors or an idle group) and answered.
    pub limits_reply: Option<crate::target::Limits>,
}

#[cfg(test)]
impl DeviceSnapshot {
    /// A device of the tests: `table` read, nothing else.
    pub(crate) fn from_table(name: &str, table: &str) -> Self {
        let p: crate::target::TableParams = table.parse().unwrap();
        DeviceSnapshot {
            name: name.into(),
            major: 254,
            minor: 0,
            start: 0,
            length: 44_371_467,
            table_raw: table.into(),
            config: Config::from(&p),
            status_raw: None,
            status: None,
            info: None,
            shares: None,
            settings: None,
            settings_own: false,
            limits_reply: None,
        }
    }
}

/// Sum of weights per device group over `devices` (all ioband devices, not
/// just the ones shown).
pub fn group_totals(devices: &[DeviceSnapshot]) -> BTreeMap<u32, u64> {
    let mut m = BTreeMap::new();
    for d in devices {
        *m.entry(d.config.device_group).or_insert(0) += d.config.total_weight();
    }
    m
}

/// "1.5 MiB" style sizes.
pub fn humanize_bytes(b: u64) -> String {
    const UNITS: [&str; 7] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    if b < 1024 {
        return format!("{b} B");
    }
    let mut v = b as f64;
    let mut i = 0;
    while v >= 1024.0 && i + 1 < UNITS.len() {
        v /= 1024.0;
        i += 1;
    }
    format!("{v:.1} {}", UNITS[i])
}

fn humanize_rate(bps: f64) -> String {
    if bps <= 0.0 {
        return "0 B/s".into();
    }
    format!("{}/s", humanize_bytes(bps.round() as u64))
}

fn percent(p: Option<f64>) -> String {
    match p {
        Some(p) => format!("{p:.1}%"),
        None => "-".into(),
    }
}

/// A configured share: two decimals, as nested shares get small.
fn share_percent(p: Option<f64>) -> String {
    match p {
        Some(p) => format!("{p:.2}%"),
        None => "-".into(),
    }
}

/// Per-group rates between two samples.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Rate {
    /// Bytes read per second.
    pub read_bytes_per_sec: f64,
    /// Bytes written per second.
    pub write_bytes_per_sec: f64,
    /// Share of the device group's I/O in the interval, in percent.
    pub achieved_percent: Option<f64>,
    /// Did its caps hold it back in the interval (parked now, or parked
    /// more times than at the last sample)?
    pub capped: bool,
}

/// How far (microseconds) behind its floors a group is when `status`
/// marks its floors unmet: half of the most a floor falls behind (50 ms,
/// when the floors ask more than the disk gives).
pub const FLOOR_UNMET_US: u64 = 25_000;

/// A group's caps (or floors) in JSON: every key, null where not set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CapsView(pub Caps);

impl Serialize for CapsView {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(CapKey::ALL.len()))?;
        for k in CapKey::ALL {
            m.serialize_entry(k.as_str(), &self.0.get(k))?;
        }
        m.end()
    }
}

/// Did the caps of group `id` of `cur` hold it back since `prev` (the same
/// device's previous sample, if any)?
fn cap_bit(prev: Option<&DeviceSnapshot>, cur: &DeviceSnapshot, id: GroupId) -> bool {
    let record = |d: &DeviceSnapshot| {
        d.limits_reply
            .as_ref()
            .and_then(|l| l.group(id))
            .map(|r| (r.cap_waits, r.capped_now))
    };
    let now = record(cur).is_some_and(|r| r.1);
    let grew = match (prev.and_then(record), record(cur)) {
        (Some(a), Some(b)) => b.0 > a.0,
        _ => false,
    };
    now || grew
}

/// Rates keyed by (device name, group id).
#[derive(Debug, Clone, Default)]
pub struct Rates {
    /// Seconds between the samples.
    pub interval_secs: f64,
    /// Per group.
    pub groups: HashMap<(String, GroupId), Rate>,
}

/// Compute rates from two samples taken `secs` apart.
pub fn rates(prev: &[DeviceSnapshot], cur: &[DeviceSnapshot], secs: f64) -> Rates {
    let secs = if secs > 0.0 { secs } else { 1.0 };
    let old: HashMap<(&str, GroupId), &GroupStats> = prev
        .iter()
        .filter_map(|d| d.status.as_ref().map(|s| (d, s)))
        .flat_map(|(d, s)| s.groups.iter().map(move |g| ((d.name.as_str(), g.id), g)))
        .collect();
    // Work measure per device group: requests, or sectors if any device of
    // the group counts by size.
    let mut by_size: HashMap<u32, bool> = HashMap::new();
    for d in cur {
        *by_size.entry(d.config.device_group).or_insert(false) |= d.config.policy.by_size();
    }
    let mut deltas: Vec<(String, GroupId, u32, u64, u64, u64)> = Vec::new();
    let mut capped: HashMap<(String, GroupId), bool> = HashMap::new();
    let mut total: HashMap<u32, u64> = HashMap::new();
    for d in cur {
        let Some(st) = &d.status else { continue };
        let before = prev.iter().find(|p| p.name == d.name);
        let size = by_size
            .get(&d.config.device_group)
            .copied()
            .unwrap_or(false);
        for g in &st.groups {
            let z = GroupStats::zero(g.id);
            let o = old.get(&(d.name.as_str(), g.id)).copied().unwrap_or(&z);
            let rs = g.read_sectors.saturating_sub(o.read_sectors);
            let ws = g.write_sectors.saturating_sub(o.write_sectors);
            let work = if size {
                rs + ws
            } else {
                g.read_reqs.saturating_sub(o.read_reqs) + g.write_reqs.saturating_sub(o.write_reqs)
            };
            *total.entry(d.config.device_group).or_insert(0) += work;
            capped.insert((d.name.clone(), g.id), cap_bit(before, d, g.id));
            deltas.push((d.name.clone(), g.id, d.config.device_group, rs, ws, work));
        }
    }
    let groups = deltas
        .into_iter()
        .map(|(name, id, dg, rs, ws, work)| {
            let t = total.get(&dg).copied().unwrap_or(0);
            let rate = Rate {
                read_bytes_per_sec: (rs * SECTOR_SIZE) as f64 / secs,
                write_bytes_per_sec: (ws * SECTOR_SIZE) as f64 / secs,
                achieved_percent: (t > 0).then(|| work as f64 * 100.0 / t as f64),
                capped: capped.get(&(name.clone(), id)).copied().unwrap_or(false),
            };
            ((name, id), rate)
        })
        .collect();
    Rates {
        interval_secs: secs,
        groups,
    }
}

/// One row of the status view.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupRow {
    /// -1 for the default group.
    #[serde(serialize_with = "ser_group_id")]
    pub id: GroupId,
    /// Is this the default group?
    pub default: bool,
    /// User/group/process name, or a cgroup's unit name or relative path,
    /// where known.
    pub name: Option<String>,
    /// Cgroup directory (type cgroup), where known.
    pub path: Option<String>,
    /// Weight, if the table lists the group.
    pub weight: Option<u32>,
    /// Weight of its writes, from the table; `None` when they weigh as its
    /// reads.
    pub write_weight: Option<u32>,
    /// Configured share in percent, where known.
    pub share_percent: Option<f64>,
    /// Configured share in millionths, where known.
    pub share_ppm: Option<u64>,
    /// The group whose share this one's is carved from (type cgroup).
    pub parent: Option<ParentRef>,
    /// Read counters.
    pub read: Counters,
    /// Write counters.
    pub write: Counters,
    /// Caps, from the table.
    pub caps: CapsView,
    /// Times its caps held it back (the module's `limits` reply; `None`
    /// when not asked or not answered).
    pub cap_waits: Option<u64>,
    /// Microseconds its caps held it back (as `cap_waits`).
    pub cap_wait_us: Option<u64>,
    /// Do its caps hold it back now (as `cap_waits`)?
    pub capped_now: Option<bool>,
    /// Floors, from the table.
    pub floors: CapsView,
    /// Microseconds its waiting I/O is behind its floors (as `cap_waits`;
    /// also `None` from a module without floors).
    pub floor_lag_us: Option<u64>,
    /// Class, from the table.
    pub class: Class,
    /// Rates (watch mode only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate: Option<Rate>,
}

/// The parent of a nested group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParentRef {
    /// Its group id.
    pub id: u64,
    /// Its name, as [`GroupRow::name`].
    pub name: Option<String>,
}

/// Counters of one direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct Counters {
    /// Requests.
    pub requests: u64,
    /// Delayed requests.
    pub delayed: u64,
    /// Sectors.
    pub sectors: u64,
    /// Bytes (sectors * 512).
    pub bytes: u64,
}

fn ser_group_id<S: serde::Serializer>(id: &GroupId, s: S) -> Result<S::Ok, S::Error> {
    match id {
        GroupId::Default => s.serialize_i64(-1),
        GroupId::Id(v) => s.serialize_u64(*v),
    }
}

/// io_limit as configured and in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct IoLimitInForce {
    /// `"auto"` or the pinned number.
    pub configured: IoLimit,
    /// The number in force, if the module said.
    pub effective: Option<u32>,
    /// Queue depth of the device below the device that answered for the
    /// device group; `None` when unknown (stacked).
    pub queue_depth: Option<u32>,
}

/// io_throttle as configured and in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct IoThrottleInForce {
    /// As configured.
    pub configured: u32,
    /// The number in force (below the io_limit in force), if the module said.
    pub effective: Option<u32>,
}

/// The bios-in-flight limits of a device group, from the module's
/// `settings` reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Limits {
    /// io_limit.
    pub io_limit: IoLimitInForce,
    /// io_throttle.
    pub io_throttle: IoThrottleInForce,
}

impl Limits {
    /// From the module's reply, the table's values `c` where the reply
    /// lacks a configured one.
    pub fn of(s: &Settings, c: &Config) -> Self {
        Limits {
            io_limit: IoLimitInForce {
                configured: s.io_limit_setting().unwrap_or(c.io_limit_setting()),
                effective: s.effective_io_limit,
                queue_depth: s.known_queue_depth(),
            },
            io_throttle: IoThrottleInForce {
                configured: s.io_throttle.unwrap_or(c.io_throttle),
                effective: s.effective_io_throttle,
            },
        }
    }

    /// `io_limit 2 (auto, depth 2)`, `io_limit 128 (auto, depth unknown)`,
    /// `io_limit 64`, `io_limit 32 (64 configured)`: the number in force
    /// first. An auto io_limit follows the deepest device of the group, and
    /// the depth known is the answering device's: when the two differ
    /// (devices on different disks), just `io_limit 8 (auto)`.
    fn io_limit_text(&self) -> String {
        let l = &self.io_limit;
        let shown = l.effective.unwrap_or(l.configured.to_kernel());
        match (l.configured, l.effective, l.queue_depth) {
            (IoLimit::Auto, Some(e), Some(d)) if d == e => {
                format!("io_limit {e} (auto, depth {d})")
            }
            (IoLimit::Auto, Some(e), None) if e == DEFAULT_IO_LIMIT => {
                format!("io_limit {e} (auto, depth unknown)")
            }
            (IoLimit::Auto, Some(e), _) => format!("io_limit {e} (auto)"),
            (IoLimit::Auto, None, Some(d)) => format!("io_limit auto (depth {d})"),
            (IoLimit::Auto, None, None) => "io_limit auto (depth unknown)".into(),
            (IoLimit::Fixed(v), _, _) if shown != v => format!("io_limit {shown} ({v} configured)"),
            (IoLimit::Fixed(v), _, _) => format!("io_limit {v}"),
        }
    }

    /// `io_throttle 4`, or `io_throttle 1 (4 configured)` when the io_limit
    /// in force holds it lower.
    fn io_throttle_text(&self) -> String {
        let t = &self.io_throttle;
        match t.effective {
            Some(e) if e != t.configured => {
                format!("io_throttle {e} ({} configured)", t.configured)
            }
            _ => format!("io_throttle {}", t.configured),
        }
    }
}

/// The status view of one device.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeviceStatus {
    /// Device name.
    pub name: String,
    /// Major number.
    pub major: u32,
    /// Minor number.
    pub minor: u32,
    /// Start sector.
    pub start: u64,
    /// Length in sectors.
    pub sectors: u64,
    /// Underlying device (major:minor as the kernel prints it).
    pub device: String,
    /// Device group.
    pub device_group: u32,
    /// Group type.
    #[serde(rename = "type")]
    pub group_type: String,
    /// Policy.
    pub policy: String,
    /// io_throttle in force.
    pub io_throttle: u32,
    /// io_limit in force.
    pub io_limit: u32,
    /// Tokens.
    pub token: u32,
    /// io_limit and io_throttle configured and in force; `None` when the
    /// module does not answer `settings`.
    pub limits: Option<Limits>,
    /// REQ_NOWAIT bios this device refused with EAGAIN; `None` when not
    /// known (an older module, or another device answered for the device
    /// group).
    pub nowait_again: Option<u64>,
    /// Groups: default first.
    pub groups: Vec<GroupRow>,
}

/// Summary of a device group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceGroupSummary {
    /// Device-group id.
    pub id: u32,
    /// Sum of weights over all its devices.
    pub total_weight: u64,
    /// Devices shown that belong to it.
    pub devices: Vec<String>,
}

/// The whole status document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusDoc {
    /// Seconds since the previous sample (watch mode only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval_secs: Option<f64>,
    /// Devices, by name.
    pub devices: Vec<DeviceStatus>,
    /// Device groups shown.
    pub device_groups: Vec<DeviceGroupSummary>,
}

fn counters(reqs: u64, delayed: u64, sectors: u64) -> Counters {
    Counters {
        requests: reqs,
        delayed,
        sectors,
        bytes: sectors.saturating_mul(SECTOR_SIZE),
    }
}

/// Build the status view of the devices `shown`; `all` is every ioband
/// device (totals and shares span a device group, shown or not).
pub fn status_doc(
    shown: &[DeviceSnapshot],
    all: &[DeviceSnapshot],
    names: &dyn Names,
    rates: Option<&Rates>,
) -> StatusDoc {
    let totals = group_totals(all);
    let book = Book::new(all);
    let mut devices = Vec::new();
    let mut groups: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    for d in shown {
        let c = &d.config;
        groups
            .entry(c.device_group)
            .or_default()
            .push(d.name.clone());
        let stats: Vec<GroupStats> = match &d.status {
            Some(s) => s.groups.clone(),
            None => std::iter::once(GroupId::Default)
                .chain(c.groups.iter().map(|g| GroupId::Id(g.id)))
                .map(GroupStats::zero)
                .collect(),
        };
        let rows = stats
            .iter()
            .map(|g| {
                let share = book.share(d, g.id);
                let record = d.limits_reply.as_ref().and_then(|l| l.group(g.id));
                let (name, path) = match g.id {
                    GroupId::Default => (None, None),
                    GroupId::Id(id) => (
                        ids::label(c.group_type, id, names),
                        ids::cgroup_dir(c.group_type, id, names),
                    ),
                };
                GroupRow {
                    id: g.id,
                    default: g.id == GroupId::Default,
                    name,
                    path,
                    weight: c.weight_of(g.id),
                    write_weight: c.write_weight_of(g.id),
                    share_percent: share.map(|s| s.percent),
                    share_ppm: share.map(|s| s.ppm),
                    parent: share.and_then(|s| s.parent).map(|p| ParentRef {
                        id: p,
                        name: ids::label(c.group_type, p, names),
                    }),
                    read: counters(g.read_reqs, g.read_delayed, g.read_sectors),
                    write: counters(g.write_reqs, g.write_delayed, g.write_sectors),
                    caps: CapsView(c.caps_of(g.id)),
                    cap_waits: record.map(|r| r.cap_waits),
                    cap_wait_us: record.map(|r| r.cap_wait_us),
                    capped_now: record.map(|r| r.capped_now),
                    floors: CapsView(c.floors_of(g.id)),
                    floor_lag_us: record.and_then(|r| r.floor).map(|f| f.floor_lag_us),
                    class: Class::of(c.is_idle(g.id)),
                    rate: rates.and_then(|r| r.groups.get(&(d.name.clone(), g.id)).copied()),
                }
            })
            .collect();
        devices.push(DeviceStatus {
            name: d.name.clone(),
            major: d.major,
            minor: d.minor,
            start: d.start,
            sectors: d.length,
            device: c.device.clone(),
            device_group: c.device_group,
            group_type: c.group_type.to_string(),
            policy: c.policy.to_string(),
            io_throttle: c.io_throttle,
            io_limit: c.io_limit,
            token: c.token,
            limits: d.settings.as_ref().map(|s| Limits::of(s, c)),
            // The module counts per device: only the device that answered
            // for its device group has its own count.
            nowait_again: d
                .settings
                .as_ref()
                .filter(|_| d.settings_own)
                .and_then(|s| s.nowait_again),
            groups: rows,
        });
    }
    StatusDoc {
        interval_secs: rates.map(|r| r.interval_secs),
        devices,
        device_groups: groups
            .into_iter()
            .map(|(id, devices)| DeviceGroupSummary {
                id,
                total_weight: totals.get(&id).copied().unwrap_or(0),
                devices,
            })
            .collect(),
    }
}

fn new_table(header: Vec<&str>, right_from: usize) -> Table {
    let mut t = Table::new();
    // Columns separated by spaces, a rule under the header: easy to read
    // and to cut with awk.
    t.load_style(TableStyle::new().header_separator(LineStyle::none().fill('─').junction(' ')))
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header.clone());
    for i in right_from..header.len() {
        if let Some(c) = t.column_mut(i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    t
}

/// `default`, `1000 (alice)` or `1000`; `[idle]` after a group of the
/// idle class.
fn group_label(r: &GroupRow) -> String {
    let label = match (r.id, &r.name) {
        (GroupId::Default, _) => "default".into(),
        (GroupId::Id(id), Some(n)) => format!("{id} ({n})"),
        (GroupId::Id(id), None) => id.to_string(),
    };
    if r.class.is_idle() {
        format!("{label} [idle]")
    } else {
        label
    }
}

/// A device's rows in tree order, each with its depth: the default group,
/// then every group at the top level in attach order, each followed by the
/// groups nested below it (type cgroup).
fn tree_order(rows: &[GroupRow]) -> Vec<(usize, &GroupRow)> {
    let index: HashMap<u64, usize> = rows
        .iter()
        .enumerate()
        .filter_map(|(i, r)| match r.id {
            GroupId::Id(id) => Some((id, i)),
            GroupId::Default => None,
        })
        .collect();
    let parent = |r: &GroupRow| r.parent.as_ref().and_then(|p| index.get(&p.id).copied());
    let mut children: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        if let Some(p) = parent(r) {
            children.entry(p).or_default().push(i);
        }
    }
    let mut out = Vec::with_capacity(rows.len());
    let mut done = vec![false; rows.len()];
    // Depth-first without recursion; `done` guards against a cycle the
    // module never reports.
    for root in (0..rows.len()).filter(|&i| parent(&rows[i]).is_none()) {
        let mut stack = vec![(root, 0usize)];
        while let Some((i, depth)) = stack.pop() {
            if std::mem::replace(&mut done[i], true) {
                continue;
            }
            out.push((depth, &rows[i]));
            for &c in children.get(&i).into_iter().flatten().rev() {
                stack.push((c, depth + 1));
            }
        }
    }
    out.extend((0..rows.len()).filter(|&i| !done[i]).map(|i| (0, &rows[i])));
    out
}

/// The lines above a device group's tables: its weight and settings.
fn group_header(g: &DeviceGroupSummary, first: Option<&&DeviceStatus>) -> String {
    let mut out = format!("device group {}: total weight {}", g.id, g.total_weight);
    if let Some(d) = first {
        let (throttle, limit) = match &d.limits {
            Some(l) => (l.io_throttle_text(), l.io_limit_text()),
            // An older module: the table's numbers.
            None => (
                format!("io_throttle {}", d.io_throttle),
                format!("io_limit {}", d.io_limit),
            ),
        };
        // The settings on a line of their own: with auto's reasons they
        // pass 80 columns.
        let _ = write!(
            out,
            ", policy {}\n  {throttle}, {limit}, token {}",
            d.policy, d.token
        );
    }
    out
}

/// Is group `r` held back by its caps: now, or (`watch`, from the second
/// sample on) since the last sample?
fn cap_biting(r: &GroupRow, watch: bool) -> bool {
    match r.rate {
        Some(x) if watch => x.capped,
        _ => r.capped_now == Some(true),
    }
}

/// A column of text at the right end of a table: left-aligned, header too.
fn left_column(t: &mut Table, i: usize) {
    if let Some(c) = t.column_mut(i) {
        c.set_cell_alignment(CellAlignment::Left);
    }
}

/// Is group `r` behind its floors by [`FLOOR_UNMET_US`] or more (its
/// floors ask more than the disk gives)?
fn floor_unmet(r: &GroupRow) -> bool {
    !r.floors.0.is_empty() && r.floor_lag_us.is_some_and(|l| l >= FLOOR_UNMET_US)
}

/// The WEIGHT cell of a group: `100`, `100 w50` when its writes have a
/// weight of their own, `?` when the table does not list it.
fn weight_text(r: &GroupRow) -> String {
    let w = r.weight.map_or_else(|| "?".into(), |w| w.to_string());
    match r.write_weight {
        Some(ww) => format!("{w} w{ww}"),
        None => w,
    }
}

/// A line of a device's status table: a group's cells, or a note under
/// the group before it (its caps, its floors), which takes no part in the
/// column widths.
enum Line {
    Cells(Vec<String>),
    Note(String),
}

/// The headers of a device's status table: cumulative counts, or with
/// `--watch` the rates of the last interval.
fn status_header(watch: bool) -> &'static [&'static str] {
    if watch {
        &[
            "GROUP", "WEIGHT", "SHARE", "ACHIEVED", "READ/s", "WRITE/s", "DELAYED",
        ]
    } else {
        &[
            "GROUP", "WEIGHT", "SHARE", "READS", "READ", "WRITES", "WRITTEN", "DELAYED",
        ]
    }
}

/// The lines of one group: its cells, then its caps and floors, each
/// marked when they bite (`*`: its caps hold it back; `!`: its floors are
/// not met), readable without colour.
fn status_lines(depth: usize, r: &GroupRow, watch: bool, out: &mut Vec<Line>) {
    let indent = "  ".repeat(depth);
    let mut cells = vec![
        format!("{indent}{}", group_label(r)),
        weight_text(r),
        share_percent(r.share_percent),
    ];
    let delayed = r.read.delayed.saturating_add(r.write.delayed);
    if watch {
        match r.rate {
            Some(rate) => cells.extend([
                percent(rate.achieved_percent),
                humanize_rate(rate.read_bytes_per_sec),
                humanize_rate(rate.write_bytes_per_sec),
            ]),
            None => cells.extend(["-", "-", "-"].map(String::from)),
        }
    } else {
        cells.extend([
            r.read.requests.to_string(),
            humanize_bytes(r.read.bytes),
            r.write.requests.to_string(),
            humanize_bytes(r.write.bytes),
        ]);
    }
    cells.push(delayed.to_string());
    out.push(Line::Cells(cells));
    let pad = format!("{indent}    ");
    if !r.caps.0.is_empty() || cap_biting(r, watch) {
        let mark = if cap_biting(r, watch) { " *" } else { "" };
        out.push(Line::Note(format!(
            "{pad}caps {}{mark}",
            compact(&r.caps.0)
        )));
    }
    if !r.floors.0.is_empty() {
        let mark = if floor_unmet(r) { " !" } else { "" };
        out.push(Line::Note(format!(
            "{pad}floors {}{mark}",
            compact(&r.floors.0)
        )));
    }
}

/// Lay `lines` out under `header`: two spaces between columns, the first
/// column left-aligned, the others right-aligned, a rule under the header.
fn layout(header: &[&str], lines: &[Line], out: &mut String) {
    let mut width: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for l in lines {
        if let Line::Cells(c) = l {
            for (w, c) in width.iter_mut().zip(c) {
                *w = (*w).max(c.chars().count());
            }
        }
    }
    let row = |cells: &[String], out: &mut String| {
        let mut line = String::new();
        for (i, (c, w)) in cells.iter().zip(&width).enumerate() {
            let _ = if i == 0 {
                write!(line, "  {c:<w$}")
            } else {
                write!(line, "  {c:>w$}")
            };
        }
        let _ = writeln!(out, "{}", line.trim_end());
    };
    row(
        &header.iter().map(|h| h.to_string()).collect::<Vec<_>>(),
        out,
    );
    row(
        &width.iter().map(|&w| "─".repeat(w)).collect::<Vec<_>>(),
        out,
    );
    for l in lines {
        match l {
            Line::Cells(c) => row(c, out),
            Line::Note(n) => {
                let _ = writeln!(out, "{n}");
            }
        }
    }
}

/// The lines under a device group's tables that explain their marks.
fn legend(rows: &[&GroupRow], watch: bool) -> String {
    let mut out = String::new();
    if rows.iter().any(|r| r.write_weight.is_some()) {
        let _ = writeln!(
            out,
            "wN: the weight of its writes (a write counts WEIGHT/N times its cost)"
        );
    }
    if rows.iter().any(|r| cap_biting(r, watch)) {
        let when = if watch {
            "now or since the last sample"
        } else {
            "now"
        };
        let _ = writeln!(out, "*: held back by its caps {when}");
    }
    if rows.iter().any(|r| floor_unmet(r)) {
        let _ = writeln!(
            out,
            "!: behind its floors now (they ask more than the disk gives)"
        );
    }
    out
}

/// Human status: per device group a line of its settings, then per device
/// a line naming it and a table of its groups (nested cgroups indented
/// under their parent), sized for 80 columns.  DELAYED counts the bios
/// ioband held back, reads and writes.  Under a group: its caps and
/// floors, if any, marked `*` when its caps hold it back (now, or with
/// --watch in the last interval) and `!` when it is behind its floors;
/// `[idle]` follows a group of the idle class and `wN` the weight of a
/// group whose writes weigh N; the marks are explained under the tables.
pub fn status_text(doc: &StatusDoc) -> String {
    let mut out = String::new();
    let watch = doc.interval_secs.is_some();
    let header = status_header(watch);
    for (i, g) in doc.device_groups.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let devs: Vec<&DeviceStatus> = doc
            .devices
            .iter()
            .filter(|d| d.device_group == g.id)
            .collect();
        let _ = writeln!(out, "{}", group_header(g, devs.first()));
        for d in &devs {
            let _ = writeln!(out, "{} on {}, type {}", d.name, d.device, d.group_type);
            let mut lines = Vec::new();
            for (depth, r) in tree_order(&d.groups) {
                status_lines(depth, r, watch, &mut lines);
            }
            layout(header, &lines, &mut out);
        }
        let rows: Vec<&GroupRow> = devs.iter().flat_map(|d| d.groups.iter()).collect();
        out.push_str(&legend(&rows, watch));
    }
    out
}

/// JSON text of a serialisable document (pretty unless `compact`).
pub fn to_json<T: Serialize>(v: &T, compact: bool) -> String {
    let r = if compact {
        serde_json::to_string(v)
    } else {
        serde_json::to_string_pretty(v)
    };
    // Serialising plain structs of numbers and strings cannot fail.
    r.unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

/// dmsetup's lines: `0 <len> ioband <params>`, prefixed with `name: ` when
/// `prefix` is set (several devices).
pub fn raw_lines<'a>(
    items: impl IntoIterator<Item = (&'a str, u64, u64, &'a str)>,
    prefix: bool,
) -> String {
    let mut out = String::new();
    for (name, start, len, params) in items {
        if prefix {
            let _ = write!(out, "{name}: ");
        }
        let _ = write!(out, "{start} {len} {TARGET_NAME}");
        if !params.is_empty() {
            let _ = write!(out, " {params}");
        }
        out.push('\n');
    }
    out
}

/// A group of the table view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableGroup {
    /// Group id.
    pub id: u64,
    /// Name where known (as [`GroupRow::name`]).
    pub name: Option<String>,
    /// Cgroup directory (type cgroup), where known.
    pub path: Option<String>,
    /// Weight.
    pub weight: u32,
    /// Weight of its writes (`None`: they weigh as its reads).
    pub write_weight: Option<u32>,
    /// Caps.
    pub caps: CapsView,
    /// Floors.
    pub floors: CapsView,
    /// Class.
    pub class: Class,
}

/// The table view of one device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceTable {
    /// Device name.
    pub name: String,
    /// Major.
    pub major: u32,
    /// Minor.
    pub minor: u32,
    /// Start sector.
    pub start: u64,
    /// Length.
    pub sectors: u64,
    /// Kernel text.
    pub params: String,
    /// Underlying device.
    pub device: String,
    /// Device group.
    pub device_group: u32,
    /// io_throttle.
    pub io_throttle: u32,
    /// io_limit (128: auto).
    pub io_limit: u32,
    /// Is io_limit auto (follows the queue depth of the device below)?
    pub io_limit_auto: bool,
    /// Type.
    #[serde(rename = "type")]
    pub group_type: String,
    /// Policy.
    pub policy: String,
    /// Token.
    pub token: u32,
    /// Default group's weight.
    pub default_weight: u32,
    /// Weight of the default group's writes (`None`: they weigh as its
    /// reads).
    pub default_write_weight: Option<u32>,
    /// Default group's caps.
    pub default_caps: CapsView,
    /// Default group's floors.
    pub default_floors: CapsView,
    /// Default group's class.
    pub default_class: Class,
    /// Attached groups.
    pub groups: Vec<TableGroup>,
}

/// Wrapper for `{"devices": [...]}`.
#[derive(Debug, Clone, Serialize)]
pub struct Devices<T: Serialize> {
    /// The devices.
    pub devices: Vec<T>,
}

/// Build the table view.
pub fn table_doc(shown: &[DeviceSnapshot], names: &dyn Names) -> Devices<DeviceTable> {
    Devices {
        devices: shown
            .iter()
            .map(|d| {
                let c = &d.config;
                DeviceTable {
                    name: d.name.clone(),
                    major: d.major,
                    minor: d.minor,
                    start: d.start,
                    sectors: d.length,
                    params: d.table_raw.clone(),
                    device: c.device.clone(),
                    device_group: c.device_group,
                    io_throttle: c.io_throttle,
                    io_limit: c.io_limit,
                    io_limit_auto: c.io_limit_setting().is_auto(),
                    group_type: c.group_type.to_string(),
                    policy: c.policy.to_string(),
                    token: c.token,
                    default_weight: c.default_weight,
                    default_write_weight: c.write_weight_of(GroupId::Default),
                    default_caps: CapsView(c.caps_of(GroupId::Default)),
                    default_floors: CapsView(c.floors_of(GroupId::Default)),
                    default_class: Class::of(c.is_idle(GroupId::Default)),
                    groups: c
                        .groups
                        .iter()
                        .map(|g| TableGroup {
                            id: g.id,
                            name: ids::label(c.group_type, g.id, names),
                            path: ids::cgroup_dir(c.group_type, g.id, names),
                            weight: g.weight,
                            write_weight: c.write_weight_of(GroupId::Id(g.id)),
                            caps: CapsView(c.caps_of(GroupId::Id(g.id))),
                            floors: CapsView(c.floors_of(GroupId::Id(g.id))),
                            class: Class::of(c.is_idle(GroupId::Id(g.id))),
                        })
                        .collect(),
                }
            })
            .collect(),
    }
}

/// The CAPS (`floors` false) or FLOORS cell of the table view: each
/// group's that has any, `-` for none.
fn rates_cell(d: &DeviceTable, floors: bool) -> String {
    let pick = |caps: &CapsView, fl: &CapsView| if floors { fl.0 } else { caps.0 };
    let mut parts = Vec::new();
    let default = pick(&d.default_caps, &d.default_floors);
    if !default.is_empty() {
        parts.push(format!("default: {}", compact(&default)));
    }
    for g in &d.groups {
        let rates = pick(&g.caps, &g.floors);
        if !rates.is_empty() {
            parts.push(format!("{}: {}", g.id, compact(&rates)));
        }
    }
    if parts.is_empty() {
        "-".into()
    } else {
        parts.join("; ")
    }
}

/// The WEIGHTS cell of the table view: `default:100 1000(alice):30`,
/// `[w50]` after a weight whose group's writes have the weight 50,
/// `[idle]` after a group of the idle class.
fn weights_cell(d: &DeviceTable) -> String {
    let tail = |ww: Option<u32>, c: Class| {
        let ww = ww.map(|v| format!("[w{v}]")).unwrap_or_default();
        let idle = if c.is_idle() { "[idle]" } else { "" };
        format!("{ww}{idle}")
    };
    let mut w = format!(
        "default:{}{}",
        d.default_weight,
        tail(d.default_write_weight, d.default_class)
    );
    for g in &d.groups {
        let t = tail(g.write_weight, g.class);
        let _ = match &g.name {
            Some(n) => write!(w, " {}({n}):{}{t}", g.id, g.weight),
            None => write!(w, " {}:{}{t}", g.id, g.weight),
        };
    }
    w
}

/// Human table view (a CAPS column when a device shown has caps, a FLOORS
/// column when one has floors; in WEIGHTS, `[wN]` after a weight whose
/// group's writes have the weight N, `[idle]` after an idle group).
pub fn table_text(doc: &Devices<DeviceTable>) -> String {
    let any = |floors: bool| doc.devices.iter().any(|d| rates_cell(d, floors) != "-");
    let (caps, floors) = (any(false), any(true));
    let mut header = vec![
        "NAME", "DEVICE", "SECTORS", "GROUP", "THROTTLE", "LIMIT", "TYPE", "POLICY", "TOKEN",
        "WEIGHTS",
    ];
    let plain = header.len();
    if caps {
        header.push("CAPS");
    }
    if floors {
        header.push("FLOORS");
    }
    let n = header.len();
    let mut t = new_table(header, 2);
    for i in plain..n {
        left_column(&mut t, i);
    }
    for d in &doc.devices {
        let mut row = vec![
            Cell::new(&d.name),
            Cell::new(&d.device),
            Cell::new(d.sectors),
            Cell::new(d.device_group),
            Cell::new(d.io_throttle),
            Cell::new(if d.io_limit_auto {
                "auto".to_string()
            } else {
                d.io_limit.to_string()
            }),
            Cell::new(&d.group_type).set_alignment(CellAlignment::Left),
            Cell::new(&d.policy).set_alignment(CellAlignment::Left),
            Cell::new(d.token),
            Cell::new(weights_cell(d)).set_alignment(CellAlignment::Left),
        ];
        for (on, fl) in [(caps, false), (floors, true)] {
            if on {
                row.push(Cell::new(rates_cell(d, fl)).set_alignment(CellAlignment::Left));
            }
        }
        t.add_row(row);
    }
    format!("{}\n", t.trim_fmt())
}

/// An `ls` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LsEntry {
    /// Name.
    pub name: String,
    /// Major.
    pub major: u32,
    /// Minor.
    pub minor: u32,
    /// Underlying device.
    pub device: String,
    /// Device group.
    pub device_group: u32,
    /// Size in sectors.
    pub sectors: u64,
    /// Open count.
    pub open_count: i32,
    /// Suspended?
    pub suspended: bool,
    /// An inactive table is loaded.
    pub inactive_table: bool,
}

/// Build the `ls` view.
pub fn ls_doc(shown: &[DeviceSnapshot]) -> Devices<LsEntry> {
    Devices {
        devices: shown
            .iter()
            .map(|d| {
                let info = d.info.clone().unwrap_or_default();
                LsEntry {
                    name: d.name.clone(),
                    major: d.major,
                    minor: d.minor,
                    device: d.config.device.clone(),
                    device_group: d.config.device_group,
                    sectors: d.length,
                    open_count: info.open_count,
                    suspended: info.suspended,
                    inactive_table: info.inactive_table,
                }
            })
            .collect(),
    }
}

/// Human `ls`.
pub fn ls_text(doc: &Devices<LsEntry>) -> String {
    let mut t = new_table(
        vec!["NAME", "DEV", "DEVICE", "GROUP", "SIZE", "OPEN", "STATE"],
        3,
    );
    for d in &doc.devices {
        let mut state = if d.suspended { "suspended" } else { "active" }.to_string();
        if d.inactive_table {
            state.push_str(", inactive table");
        }
        t.add_row(vec![
            Cell::new(&d.name),
            Cell::new(format!("{}:{}", d.major, d.minor)),
            Cell::new(&d.device),
            Cell::new(d.device_group),
            Cell::new(humanize_bytes(d.sectors.saturating_mul(SECTOR_SIZE))),
            Cell::new(d.open_count),
            Cell::new(state).set_alignment(CellAlignment::Left),
        ]);
    }
    format!("{}\n", t.trim_fmt())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::StaticNames;

    fn snap(name: &str, table: &str, status: &str) -> DeviceSnapshot {
        DeviceSnapshot {
            status_raw: Some(status.into()),
            status: Some(status.parse().unwrap()),
            ..DeviceSnapshot::from_table(name, table)
        }
    }

    fn seed() -> Vec<DeviceSnapshot> {
        vec![
            snap(
                "ioband1",
                "202:33 128 4 128 user weight 2048 :40 1000:30 2000:20",
                "128 -1 223 172 408 211 136 600 1000 166 107 472 139 95 352 2000 211 146 520 210 147 504",
            ),
            snap(
                "ioband2",
                "202:34 128 4 128 none weight 2048 :10",
                "128 -1 143 90 424 122 78 352",
            ),
        ]
    }

    #[test]
    fn shares_follow_the_seed_document() {
        // 30/(30+20+40+10) = 30% for uid 1000, as the seed doc says.
        let s = seed();
        let totals = group_totals(&s);
        assert_eq!(totals.get(&128), Some(&100));
        let doc = status_doc(&s, &s, &StaticNames::fixture(), None);
        let g = &doc.devices[0].groups[1];
        assert_eq!(g.id, GroupId::Id(1000));
        assert_eq!(g.name.as_deref(), Some("alice"));
        assert_eq!(g.share_percent, Some(30.0));
        assert_eq!(doc.devices[0].groups[0].share_percent, Some(40.0));
        assert_eq!(doc.devices[1].groups[0].share_percent, Some(10.0));
        assert_eq!(g.read.bytes, 472 * 512);
        // Showing only one device still uses the whole device group's total.
        let doc = status_doc(&s[1..], &s, &StaticNames::fixture(), None);
        assert_eq!(doc.devices[0].groups[0].share_percent, Some(10.0));
    }

    #[test]
    fn status_text_has_rows() {
        let s = seed();
        let doc = status_doc(&s, &s, &StaticNames::fixture(), None);
        let text = status_text(&doc);
        assert!(text.contains("device group 128"), "{text}");
        assert!(text.contains("1000 (alice)"), "{text}");
        assert!(text.contains("30.00%"), "{text}");
        assert!(text.contains("236.0 KiB") || text.contains("KiB"), "{text}");
    }

    #[test]
    fn json_keys_are_stable() {
        let s = seed();
        let doc = status_doc(&s, &s, &StaticNames::fixture(), None);
        let v: serde_json::Value = serde_json::from_str(&to_json(&doc, false)).unwrap();
        let d = &v["devices"][0];
        for k in [
            "name",
            "major",
            "minor",
            "start",
            "sectors",
            "device",
            "device_group",
            "type",
            "policy",
            "io_throttle",
            "io_limit",
            "token",
            "limits",
            "nowait_again",
            "groups",
        ] {
            assert!(d.get(k).is_some(), "missing {k}");
        }
        // Not asked: null.
        assert!(d["limits"].is_null() && d["nowait_again"].is_null());
        let g = &d["groups"][0];
        assert_eq!(g["id"], -1);
        assert_eq!(g["default"], true);
        assert_eq!(g["read"]["requests"], 223);
        assert_eq!(g["write"]["bytes"], 600 * 512);
        assert!(g.get("rate").is_none());
        assert_eq!(d["groups"][2]["id"], 2000);
        assert_eq!(v["device_groups"][0]["total_weight"], 100);
        // Shares: every group has the keys, null where they do not apply.
        for k in [
            "name",
            "path",
            "share_percent",
            "share_ppm",
            "parent",
            "write_weight",
        ] {
            assert!(g.get(k).is_some(), "missing {k}");
        }
        assert_eq!(d["groups"][1]["share_ppm"], 300_000);
        assert!(d["groups"][1]["parent"].is_null() && d["groups"][1]["path"].is_null());
    }

    #[test]
    fn nested_groups_follow_their_parent_in_the_table() {
        // 151 was attached before its parent 69 (the module links it when
        // 69 comes); the table still puts it below 69.
        let mut d = snap(
            "a",
            "8:1 1 4 128 cgroup weight 2048 :100 151:100 69:80 4242:10",
            "1 -1 0 0 0 0 0 0 151 0 0 0 0 0 0 69 0 0 0 0 0 0 4242 0 0 0 0 0 0",
        );
        d.shares = Some(
            "-1:-:526315 151:69:234567 69:-:187617 4242:-:52631"
                .parse()
                .unwrap(),
        );
        let all = vec![d];
        let doc = status_doc(&all, &all, &StaticNames::fixture(), None);
        let g = &doc.devices[0].groups;
        assert_eq!(g[1].parent.as_ref().map(|p| p.id), Some(69));
        assert_eq!(g[1].share_ppm, Some(234_567));
        assert!((g[1].share_percent.unwrap_or_default() - 23.4567).abs() < 1e-9);
        let order: Vec<(usize, GroupId)> =
            tree_order(g).into_iter().map(|(n, r)| (n, r.id)).collect();
        assert_eq!(
            order,
            vec![
                (0, GroupId::Default),
                (0, GroupId::Id(69)),
                (1, GroupId::Id(151)),
                (0, GroupId::Id(4242)),
            ]
        );
        let text = status_text(&doc);
        // the settings, the device, the header and its rule, then a row
        // per group
        let rows: Vec<&str> = text.lines().skip(5).collect();
        assert!(
            rows[1].contains(" 69 ") && rows[2].contains("   151 "),
            "{text}"
        );
        assert!(
            rows[3].contains("4242 (db)") && text.contains("23.46%"),
            "{text}"
        );
    }

    #[test]
    fn limits_say_what_is_in_force() {
        let limits = |table: &str, reply: &str| {
            let d = DeviceSnapshot::from_table("a", table);
            let st: Settings = reply.parse().unwrap();
            Limits::of(&st, &d.config)
        };
        // (table, reply, io_throttle text, io_limit text)
        let cases = [
            (
                "8:1 1 4 128",
                "io_throttle=4 io_limit=128 io_limit_auto=1 effective_io_throttle=1 effective_io_limit=2 queue_depth=2",
                "io_throttle 1 (4 configured)",
                "io_limit 2 (auto, depth 2)",
            ),
            (
                "8:1 1 4 128",
                "io_limit=128 io_limit_auto=1 effective_io_throttle=4 effective_io_limit=128 queue_depth=0",
                "io_throttle 4",
                "io_limit 128 (auto, depth unknown)",
            ),
            (
                "8:1 1 4 64",
                "io_throttle=4 io_limit=64 io_limit_auto=0 effective_io_limit=64 queue_depth=32",
                "io_throttle 4",
                "io_limit 64",
            ),
            (
                "8:1 1 4 64",
                "io_limit=64 io_limit_auto=0 effective_io_limit=32",
                "io_throttle 4",
                "io_limit 32 (64 configured)",
            ),
            // A reply without the numbers in force: what is configured.
            ("8:1 1 4 128", "policy=fair future=1", "io_throttle 4", "io_limit auto (depth unknown)"),
            ("8:1 1 4 256", "policy=fair", "io_throttle 4", "io_limit 256"),
            // Another device of the group is deeper: auto follows it.
            (
                "8:1 1 4 128",
                "io_limit=128 io_limit_auto=1 effective_io_limit=32 queue_depth=2",
                "io_throttle 4",
                "io_limit 32 (auto)",
            ),
        ];
        for (table, reply, throttle, limit) in cases {
            let l = limits(table, reply);
            assert_eq!(l.io_throttle_text(), throttle, "{reply}");
            assert_eq!(l.io_limit_text(), limit, "{reply}");
        }
        let v = serde_json::to_value(limits(
            "8:1 1 4 128",
            "queue_depth=0 effective_io_limit=128",
        ))
        .unwrap();
        assert_eq!(
            v,
            serde_json::json!({
                "io_limit": {"configured": "auto", "effective": 128, "queue_depth": null},
                "io_throttle": {"configured": 4, "effective": null}
            })
        );
    }

    #[test]
    fn rates_and_achieved_share() {
        let a = seed();
        let mut b = seed();
        // uid 1000 does 30 requests of 8 sectors, default group 10, in 2 s.
        if let Some(st) = b[0].status.as_mut() {
            st.groups[1].read_reqs += 30;
            st.groups[1].read_sectors += 240;
            st.groups[0].write_reqs += 10;
            st.groups[0].write_sectors += 80;
        }
        let r = rates(&a, &b, 2.0);
        let g = r.groups[&("ioband1".to_string(), GroupId::Id(1000))];
        assert_eq!(g.read_bytes_per_sec, 240.0 * 512.0 / 2.0);
        assert_eq!(g.achieved_percent, Some(75.0));
        let d = r.groups[&("ioband1".to_string(), GroupId::Default)];
        assert_eq!(d.achieved_percent, Some(25.0));
        let doc = status_doc(&b, &b, &StaticNames::fixture(), Some(&r));
        let text = status_text(&doc);
        assert!(text.contains("75.0%") && text.contains("READ/s"), "{text}");
        let v: serde_json::Value = serde_json::from_str(&to_json(&doc, true)).unwrap();
        assert_eq!(v["interval_secs"], 2.0);
        assert_eq!(
            v["devices"][0]["groups"][1]["rate"]["achieved_percent"],
            75.0
        );
        // Counters going backwards (reset) do not underflow.
        let r = rates(&b, &a, 1.0);
        assert_eq!(
            r.groups[&("ioband1".to_string(), GroupId::Id(1000))].achieved_percent,
            None
        );
    }

    #[test]
    fn a_cap_bites_when_parked_now_or_parked_again() {
        let dev = |reply: Option<&str>| DeviceSnapshot {
            limits_reply: reply.map(|r| r.parse().unwrap()),
            ..snap(
                "a",
                "8:1 1 4 128 uid fair 2048 :100 7:100 limit 7:iops=5",
                "1 -1 0 0 0 0 0 0 7 0 0 0 0 0 0",
            )
        };
        let bit = |prev: Option<&str>, cur: Option<&str>| {
            let r = rates(&[dev(prev)], &[dev(cur)], 1.0);
            r.groups[&("a".to_string(), GroupId::Id(7))].capped
        };
        let idle = "-1:none:0:0:0 7:iops=5:3:100:0";
        assert!(!bit(Some(idle), Some(idle)));
        // Parked and let go between two samples: the count grew.
        assert!(bit(Some(idle), Some("-1:none:0:0:0 7:iops=5:4:150:0")));
        assert!(bit(Some(idle), Some("-1:none:0:0:0 7:iops=5:3:150:1")));
        // Nothing to compare with: only "now" counts.
        assert!(!bit(None, Some(idle)));
        assert!(bit(None, Some("-1:none:0:0:0 7:iops=5:3:100:1")));
        assert!(!bit(Some(idle), None));
        // The default group is not capped: never marked.
        let r = rates(&[dev(Some(idle))], &[dev(Some(idle))], 1.0);
        assert!(!r.groups[&("a".to_string(), GroupId::Default)].capped);
        let doc = status_doc(
            &[dev(Some(idle))],
            &[dev(Some(idle))],
            &StaticNames::fixture(),
            None,
        );
        let text = status_text(&doc);
        assert!(text.contains("\n    caps rw 5 io/s\n"), "{text}");
        assert!(!text.contains("held back"), "{text}");
        // Parked now: marked, and the mark explained.
        let now = "-1:none:0:0:0 7:iops=5:3:100:1";
        let doc = status_doc(
            &[dev(Some(now))],
            &[dev(Some(now))],
            &StaticNames::fixture(),
            None,
        );
        let text = status_text(&doc);
        assert!(text.contains("\n    caps rw 5 io/s *\n"), "{text}");
        assert!(text.contains("*: held back by its caps now"), "{text}");
    }

    /// The status of a device with every kind of group: a write weight,
    /// caps, floors, a long name, a nested group; with and without rates.
    fn busy_device() -> Vec<DeviceSnapshot> {
        vec![snap(
            "db-volume",
            "8:17 1 4 128 uid fair 2048 :40 1000:30 2000:20 \
             limit 1000:read_bps=209715200,write_iops=2000 \
             floor 2000:bps=52428800 write_weight 1000:50",
            "1 -1 2230000 1720000 408000000 211000 136000 600000000 \
             1000 166000 107000 472000000 139000 95000 352000000 \
             2000 211000 146000 520000000 210000 147000 504000000",
        )]
    }

    #[test]
    fn status_fits_80_columns() {
        let a = busy_device();
        let mut b = busy_device();
        if let Some(st) = b[0].status.as_mut() {
            st.groups[1].read_reqs += 3000;
            st.groups[1].read_sectors += 2_000_000;
        }
        let r = rates(&a, &b, 1.0);
        for rates in [None, Some(&r)] {
            let doc = status_doc(&b, &b, &StaticNames::fixture(), rates);
            let text = status_text(&doc);
            for l in text.lines() {
                assert!(
                    l.chars().count() <= 80,
                    "{} columns: {l}\n{text}",
                    l.chars().count()
                );
            }
            assert!(
                text.contains("device group 1: total weight 90, policy fair\n"),
                "{text}"
            );
            assert!(text.contains("\ndb-volume on 8:17, type uid\n"), "{text}");
            assert!(text.contains("30 w50"), "{text}");
            assert!(text.contains("\n    caps r 200M/s, w 2k io/s\n"), "{text}");
            assert!(text.contains("\n    floors rw 50M/s\n"), "{text}");
            assert!(text.contains("wN: the weight of its writes"), "{text}");
            // DELAYED: reads and writes held back, the last column.
            assert!(text.contains("  1856000\n"), "{text}");
        }
    }

    #[test]
    fn raw_lines_prefix_like_dmsetup() {
        let s = seed();
        let one = raw_lines(
            s.iter()
                .take(1)
                .map(|d| (d.name.as_str(), d.start, d.length, d.table_raw.as_str())),
            false,
        );
        assert_eq!(
            one,
            "0 44371467 ioband 202:33 128 4 128 user weight 2048 :40 1000:30 2000:20\n"
        );
        let two = raw_lines(
            s.iter().map(|d| {
                (
                    d.name.as_str(),
                    d.start,
                    d.length,
                    d.status_raw.as_deref().unwrap_or(""),
                )
            }),
            true,
        );
        assert!(two.ends_with("ioband2: 0 44371467 ioband 128 -1 143 90 424 122 78 352\n"));
    }

    #[test]
    fn humanize() {
        assert_eq!(humanize_bytes(0), "0 B");
        assert_eq!(humanize_bytes(1023), "1023 B");
        assert_eq!(humanize_bytes(1536), "1.5 KiB");
        assert_eq!(humanize_bytes(1 << 30), "1.0 GiB");
        assert_eq!(humanize_bytes(u64::MAX), "16.0 EiB");
    }

    #[test]
    fn table_and_ls_views() {
        let s = seed();
        let doc = table_doc(&s, &StaticNames::fixture());
        assert_eq!(doc.devices[0].groups[0].name.as_deref(), Some("alice"));
        let text = table_text(&doc);
        assert!(text.contains("1000(alice):30"), "{text}");
        let ls = ls_text(&ls_doc(&s));
        assert!(ls.contains("ioband2") && ls.contains("21.2 GiB"), "{ls}");
    }
}
