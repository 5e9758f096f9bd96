//! The ioband target's text language: table lines, messages and status lines.
//!
//! This is the one crate that parses kernel text. It needs only std; the
//! features `serde` and `clap` add the derives the command-line tool wants on
//! [`GroupType`] and [`Policy`] (the fuzzer builds it without them).
//!
//! Every type here implements [`FromStr`] and [`Display`]; for canonical text
//! (single spaces, no leading zeros) `s.parse::<T>()?.to_string() == s` holds
//! exactly, which is what lets `ioband status --raw` print the same bytes as
//! `dmsetup status`.
//!
//! Formats (the contract with `dm-ioband.ko`):
//!
//! * table parameters (what follows `ioband` in a table line):
//!   `<dev> <device-group-id> [<io_throttle> [<io_limit> [<type> <policy> <token>
//!   :<default-weight> [<id>:<weight> ...]]]]` — 2 to 4 words (short form) or at
//!   least 8 (extended form). `0` for io_throttle, io_limit and token means
//!   "the default". io_limit `0` or `128` (the 2008 default, what the kernel
//!   prints) means auto: follow the queue depth of the device below
//!   ([`IoLimit`]); the short form means policy `fair` ([`DEFAULT_POLICY`]),
//!   and `default` names the policy `weight`.
//! * status parameters: `<device-group-id>` followed by seven numbers per group
//!   (`<id> <read-reqs> <read-delayed> <read-sectors> <write-reqs>
//!   <write-delayed> <write-sectors>`), the default group having id `-1`.
//! * messages: `type T`, `attach ID`, `detach ID`, `weight VAL`, `weight ID:VAL`,
//!   `token VAL`, `io_throttle VAL`, `io_limit VAL`, `policy P`,
//!   `limit [ID:]SPEC`, `floor [ID:]SPEC`, `class [ID:]idle|normal`,
//!   `write_weight [ID:]W|same`, `reset`, and the queries `shares`,
//!   `settings` and `limits`.
//! * the reply to `shares` ([`Shares`]): one record per group, default group
//!   first, then the attached groups in attach order:
//!   `<id>:<parent id or ->:<millionths>`, e.g. `-1:-:454545 69:-:60605
//!   151:69:75757` — each group's share of the whole device group as
//!   configured (every group busy), and for type cgroup the attached group
//!   its share is carved from.
//! * the table's optional tail, after the groups: `limit <id>:<caps>`,
//!   `floor <id>:<floors>`, `class <id>:idle` and `write_weight
//!   <id>:<weight>` words ([`GroupLimit`]), `<id>` `-1` (the default
//!   group) or a group listed before, `<caps>` and `<floors>`
//!   `key=value,...` ([`Caps`]), `<weight>` 1 to [`MAX_WEIGHT`], a group's
//!   `limit`, `floor` and `write_weight` once each (`class <id>:normal`,
//!   the default, is taken too); no floor above the same key's cap, no
//!   floor on an idle group. The kernel prints them by group, default
//!   group first, then attach order, each group's `limit`, `floor`,
//!   `class`, `write_weight` in that order, keys in [`CapKey`] order, e.g.
//!   `254:1 1 4 128 user fair 2048 :40 1000:30 2000:20 write_weight -1:50
//!   limit 1000:iops=2000 class 1000:idle write_weight 1000:15 floor
//!   2000:bps=52428800`.
//! * `limit [ID:]SPEC` and `floor [ID:]SPEC` ([`CapChange`]): `none`, or
//!   `key=value|max,...` changing only the keys named; `class [ID:]idle`
//!   and `class [ID:]normal`; `write_weight [ID:]W` and `write_weight
//!   [ID:]same` (no write weight: writes weigh as reads); no `ID:` means
//!   the default group.
//! * the reply to `limits` ([`Limits`]): one record per group, default
//!   group first: `<id>:<caps or none>:<times parked>:<us parked>:<parked
//!   now 0|1>:<floors or none>:<us behind floors>:<normal|idle>`, e.g.
//!   `-1:none:0:0:0:none:0:normal 1000:read_bps=209715200:1532:8731942:1:none:0:normal`
//!   (a module without floors prints the first five fields).
//! * the reply to `settings` ([`Settings`]): one line of `key=value` pairs,
//!   e.g. `policy=fair token=2048 io_throttle=4 io_limit=128 io_limit_auto=1
//!   effective_io_throttle=1 effective_io_limit=2 queue_depth=2
//!   nowait_again=0`; keys may be added, so unknown ones are kept as text.

use std::fmt;
use std::str::FromStr;

mod caps;

pub use caps::{
    CapChange, CapKey, CapRecord, Caps, FloorRecord, GroupLimit, LimitError, Limits, MAX_CAP_BPS,
    MAX_CAP_IOPS,
};

/// The device-mapper target name.
pub const TARGET_NAME: &str = "ioband";
/// Default `io_throttle` (bios in flight before bandwidth control starts).
pub const DEFAULT_IO_THROTTLE: u32 = 4;
/// The `io_limit` that means auto (bios in flight before all I/O is
/// blocked follow the queue depth of the device below): the 2008 default,
/// and what the kernel prints for auto. A table or message may say 0 too.
pub const DEFAULT_IO_LIMIT: u32 = 128;
/// Smallest io_limit the module accepts (io_throttle is at least 1).
pub const MIN_IO_LIMIT: u32 = 2;
/// Default number of tokens handed out per refill.
pub const DEFAULT_TOKEN: u32 = 2048;
/// Default weight of every ioband group.
pub const DEFAULT_WEIGHT: u32 = 100;
/// Largest device-group id accepted (the kernel stores it in an `int`).
pub const MAX_DEVICE_GROUP: u32 = i32::MAX as u32;
/// Largest weight the module accepts.
pub const MAX_WEIGHT: u32 = 1_000_000;
/// Largest token count the module accepts.
pub const MAX_TOKEN: u32 = 1 << 30;
/// Largest io_limit the module accepts (io_throttle must stay below io_limit).
pub const MAX_IO_LIMIT: u32 = 65_536;
/// The policy of a table that names none (the short form): `fair`. The
/// policy name `default` still means `weight`, as it did in 2008.
pub const DEFAULT_POLICY: Policy = Policy::Fair;
/// Bytes per sector in all sector counts.
pub const SECTOR_SIZE: u64 = 512;

/// Why a piece of kernel text did not parse. `field` names the argument that
/// was wrong, so the CLI can say which one to fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// Which thing was being parsed ("table line", "message", "status").
    pub what: &'static str,
    /// The field or argument at fault.
    pub field: String,
    /// Human readable reason.
    pub reason: String,
}

impl ParseError {
    fn new(what: &'static str, field: impl Into<String>, reason: impl Into<String>) -> Self {
        ParseError {
            what,
            field: field.into(),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {}: {}: {}", self.what, self.field, self.reason)
    }
}

impl std::error::Error for ParseError {}

/// Parse an unsigned decimal number (digits only, no sign, no spaces).
fn parse_u64(what: &'static str, field: &str, s: &str) -> Result<u64, ParseError> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ParseError::new(
            what,
            field,
            format!("expected a non-negative integer, got {s:?}"),
        ));
    }
    s.parse::<u64>()
        .map_err(|_| ParseError::new(what, field, format!("{s} is out of range")))
}

fn parse_u32(what: &'static str, field: &str, s: &str) -> Result<u32, ParseError> {
    let v = parse_u64(what, field, s)?;
    u32::try_from(v).map_err(|_| {
        ParseError::new(
            what,
            field,
            format!("{s} is out of range (max {})", u32::MAX),
        )
    })
}

fn parse_positive_u32(what: &'static str, field: &str, s: &str) -> Result<u32, ParseError> {
    let v = parse_u32(what, field, s)?;
    if v == 0 {
        return Err(ParseError::new(what, field, "must be greater than 0"));
    }
    Ok(v)
}

/// Split a block device number written `MAJOR:MINOR` (as the kernel prints
/// the underlying device of a table) into its two digit strings; `None` for
/// anything else (a path, a name, an empty or non-digit half).
pub fn split_major_minor(s: &str) -> Option<(&str, &str)> {
    let (major, minor) = s.split_once(':')?;
    let digits = |x: &str| !x.is_empty() && x.bytes().all(|c| c.is_ascii_digit());
    (digits(major) && digits(minor)).then_some((major, minor))
}

/// A block device number `MAJOR:MINOR` as numbers ([`split_major_minor`],
/// each half fitting a `u32`).
pub fn parse_major_minor(s: &str) -> Option<(u32, u32)> {
    let (major, minor) = split_major_minor(s)?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

/// Parse a device-group id: a non-negative integer up to `i32::MAX`.
pub fn parse_device_group(what: &'static str, s: &str) -> Result<u32, ParseError> {
    let v = parse_u64(what, "device-group-id", s)?;
    if v > u64::from(MAX_DEVICE_GROUP) {
        return Err(ParseError::new(
            what,
            "device-group-id",
            format!("{s} is out of range (max {MAX_DEVICE_GROUP})"),
        ));
    }
    Ok(v as u32)
}

/// Who an ioband group's I/O is attributed to.  The same words serve the
/// command line (feature `clap`) and profiles (feature `serde`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "lowercase")
)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum GroupType {
    /// No extra groups; everything goes to the default group.
    None,
    /// By user id (synonym of `uid`; the kernel prints back what was set).
    User,
    /// By user id.
    Uid,
    /// By group id.
    Gid,
    /// By process id.
    Pid,
    /// By process group id.
    Pgrp,
    /// By cgroup (v2) id: the inode number of the cgroup directory.
    Cgroup,
}

impl GroupType {
    /// All types, in the order the help text lists them.
    pub const ALL: [GroupType; 7] = [
        GroupType::None,
        GroupType::User,
        GroupType::Uid,
        GroupType::Gid,
        GroupType::Pid,
        GroupType::Pgrp,
        GroupType::Cgroup,
    ];

    /// The kernel's name for the type.
    pub fn as_str(self) -> &'static str {
        match self {
            GroupType::None => "none",
            GroupType::User => "user",
            GroupType::Uid => "uid",
            GroupType::Gid => "gid",
            GroupType::Pid => "pid",
            GroupType::Pgrp => "pgrp",
            GroupType::Cgroup => "cgroup",
        }
    }

    /// True when ids of this type are user ids.
    pub fn is_uid(self) -> bool {
        matches!(self, GroupType::User | GroupType::Uid)
    }
}

impl fmt::Display for GroupType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for GroupType {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        GroupType::ALL
            .iter()
            .copied()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| {
                ParseError::new(
                    "group type",
                    "type",
                    format!(
                        "unknown type {s:?} (expected none, user, uid, gid, pid, pgrp or cgroup)"
                    ),
                )
            })
    }
}

/// How shares are counted (also a command-line and profile value).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "kebab-case")
)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Policy {
    /// Share counted in bios (requests), by epochs of tokens (the 2008
    /// policy; also called `default`).
    #[cfg_attr(feature = "serde", serde(alias = "default"))]
    #[cfg_attr(feature = "clap", value(alias = "default"))]
    Weight,
    /// Share counted in bytes (sectors).
    WeightIosize,
    /// Fair queueing, no epochs: share counted in bios; bios wait only
    /// while io_limit bios are in flight.
    Fair,
    /// Fair queueing with the share counted in bytes (sectors).
    FairIosize,
    /// Fair queueing in device time (what each bio took the disk); on a
    /// rotating disk the groups take turns.
    Time,
}

impl Policy {
    /// The kernel's name for the policy.
    pub fn as_str(self) -> &'static str {
        match self {
            Policy::Weight => "weight",
            Policy::WeightIosize => "weight-iosize",
            Policy::Fair => "fair",
            Policy::FairIosize => "fair-iosize",
            Policy::Time => "time",
        }
    }

    /// Every policy, in the kernel's order.
    pub const ALL: [Policy; 5] = [
        Policy::Weight,
        Policy::WeightIosize,
        Policy::Fair,
        Policy::FairIosize,
        Policy::Time,
    ];

    /// Does a share count bytes rather than bios?
    pub fn by_size(self) -> bool {
        matches!(self, Policy::WeightIosize | Policy::FairIosize)
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Policy {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            // The 2008 name of the weight policy, which the kernel still takes.
            "weight" | "default" => Ok(Policy::Weight),
            "weight-iosize" => Ok(Policy::WeightIosize),
            "fair" => Ok(Policy::Fair),
            "fair-iosize" => Ok(Policy::FairIosize),
            "time" => Ok(Policy::Time),
            _ => Err(ParseError::new(
                "policy",
                "policy",
                format!(
                    "unknown policy {s:?} (expected fair, fair-iosize, time, weight, weight-iosize or \
                     default, which is weight)"
                ),
            )),
        }
    }
}

/// An io_limit setting: auto (follow the queue depth of the device below)
/// or a pinned number of bios in flight. Text: `auto` or a number from
/// [`MIN_IO_LIMIT`] to [`MAX_IO_LIMIT`]; the number 128 (and, from the
/// kernel, 0) is auto, as the target takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum IoLimit {
    /// Follow the queue depth of the device below (128 when it has none).
    #[default]
    Auto,
    /// This many bios; never 0 or 128 when made by [`IoLimit::from_kernel`]
    /// or parsed.
    Fixed(u32),
}

impl IoLimit {
    /// The setting a table or message number means: 0 and 128 are auto.
    pub fn from_kernel(v: u32) -> Self {
        if v == 0 || v == DEFAULT_IO_LIMIT {
            IoLimit::Auto
        } else {
            IoLimit::Fixed(v)
        }
    }

    /// The number to put in a table line or message (128 for auto).
    pub fn to_kernel(self) -> u32 {
        match self {
            IoLimit::Auto => DEFAULT_IO_LIMIT,
            IoLimit::Fixed(v) => v,
        }
    }

    /// Is it auto?
    pub fn is_auto(self) -> bool {
        self.to_kernel() == DEFAULT_IO_LIMIT
    }

    /// Check a number given by a user: 2 to 65536.
    pub fn from_number(v: u64) -> Result<Self, String> {
        match u32::try_from(v) {
            Ok(n) if (MIN_IO_LIMIT..=MAX_IO_LIMIT).contains(&n) => Ok(IoLimit::from_kernel(n)),
            _ => Err(format!(
                "{v} is out of range (auto, or {MIN_IO_LIMIT} to {MAX_IO_LIMIT}; 128 means auto)"
            )),
        }
    }
}

impl fmt::Display for IoLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IoLimit::Auto => f.write_str("auto"),
            IoLimit::Fixed(v) => write!(f, "{v}"),
        }
    }
}

impl FromStr for IoLimit {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        const W: &str = "io_limit";
        if s == "auto" {
            return Ok(IoLimit::Auto);
        }
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ParseError::new(
                W,
                "io_limit",
                format!(
                    "expected auto or an integer from {MIN_IO_LIMIT} to {MAX_IO_LIMIT}, got {s:?}"
                ),
            ));
        }
        let v = s.parse::<u64>().unwrap_or(u64::MAX);
        IoLimit::from_number(v).map_err(|e| ParseError::new(W, "io_limit", e))
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for IoLimit {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            IoLimit::Auto => s.serialize_str("auto"),
            IoLimit::Fixed(v) => s.serialize_u32(*v),
        }
    }
}

#[cfg(feature = "serde")]
struct IoLimitVisitor;

#[cfg(feature = "serde")]
impl serde::de::Visitor<'_> for IoLimitVisitor {
    type Value = IoLimit;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "auto or an integer from {MIN_IO_LIMIT} to {MAX_IO_LIMIT}"
        )
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<IoLimit, E> {
        IoLimit::from_number(v).map_err(E::custom)
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<IoLimit, E> {
        match u64::try_from(v) {
            Ok(v) => self.visit_u64(v),
            Err(_) => Err(E::custom(format!(
                "{v} is out of range (auto, or {MIN_IO_LIMIT} to {MAX_IO_LIMIT}; 128 means auto)"
            ))),
        }
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<IoLimit, E> {
        // Checked here so that the error carries the value's line and column.
        v.parse().map_err(|e: ParseError| E::custom(e.reason))
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for IoLimit {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(IoLimitVisitor)
    }
}

/// One `<id>:<weight>` pair of the extended table form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GroupWeight {
    /// Group id (uid, gid, pid, pgrp or cgroup inode).
    pub id: u64,
    /// Weight, greater than 0.
    pub weight: u32,
}

impl fmt::Display for GroupWeight {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.id, self.weight)
    }
}

impl FromStr for GroupWeight {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        const W: &str = "table line";
        let (id, weight) = s.split_once(':').ok_or_else(|| {
            ParseError::new(W, "<id>:<weight>", format!("expected ID:WEIGHT, got {s:?}"))
        })?;
        Ok(GroupWeight {
            id: parse_u64(W, "group id", id)?,
            weight: parse_positive_u32(W, "weight", weight)?,
        })
    }
}

/// The optional tail of the extended (dm-ioband 1.x compatible) table form.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Extended {
    /// Group type.
    pub group_type: GroupType,
    /// Scheduling policy.
    pub policy: Policy,
    /// Tokens per refill; 0 means default (2048).
    pub token: u32,
    /// Weight of the default group (written `:<weight>`).
    pub default_weight: u32,
    /// Attached groups in attach order.
    pub groups: Vec<GroupWeight>,
    /// The tail's caps, floors, classes and write weights, one per group
    /// named, in the order first named (the kernel's: default group first, then attach
    /// order); groups without any left out.
    pub limits: Vec<GroupLimit>,
}

/// The parameters of an ioband table line: everything after `ioband`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TableParams {
    /// Underlying device: a path (`/dev/sda1`) or `major:minor`.
    pub device: String,
    /// Device-group id; devices with the same id share one bandwidth.
    pub device_group: u32,
    /// `io_throttle` as written (0 = default); `None` when omitted.
    pub io_throttle: Option<u32>,
    /// `io_limit` as written (0 = default); `None` when omitted.
    pub io_limit: Option<u32>,
    /// Extended form, if present.
    pub extended: Option<Extended>,
}

impl TableParams {
    /// Short form with just a device and a device group.
    pub fn new(device: impl Into<String>, device_group: u32) -> Self {
        TableParams {
            device: device.into(),
            device_group,
            io_throttle: None,
            io_limit: None,
            extended: None,
        }
    }
}

impl fmt::Display for TableParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.device, self.device_group)?;
        // The extended form needs both numbers even when they were omitted.
        let need_both = self.extended.is_some();
        match (self.io_throttle, self.io_limit, need_both) {
            (Some(t), Some(l), _) => write!(f, " {t} {l}")?,
            (Some(t), None, false) => write!(f, " {t}")?,
            (None, None, false) => {}
            (t, l, _) => write!(f, " {} {}", t.unwrap_or(0), l.unwrap_or(0))?,
        }
        if let Some(ext) = &self.extended {
            write!(
                f,
                " {} {} {} :{}",
                ext.group_type, ext.policy, ext.token, ext.default_weight
            )?;
            for g in &ext.groups {
                write!(f, " {g}")?;
            }
            for l in ext.limits.iter().filter(|l| !l.is_none()) {
                write!(f, " {l}")?;
            }
        }
        Ok(())
    }
}

impl FromStr for TableParams {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        const W: &str = "table line";
        let words: Vec<&str> = s.split_ascii_whitespace().collect();
        match words.len() {
            0 | 1 => {
                return Err(ParseError::new(
                    W,
                    "arguments",
                    "expected <dev> <device-group-id> [<io_throttle> [<io_limit>]]",
                ))
            }
            2..=4 | 8.. => {}
            n => {
                return Err(ParseError::new(
                    W,
                    "arguments",
                    format!(
                        "{n} arguments: the short form takes 2 to 4, the extended form at least 8 \
                         (<dev> <group> <io_throttle> <io_limit> <type> <policy> <token> :<weight>)"
                    ),
                ))
            }
        }
        let device = words[0];
        if device.chars().any(|c| c.is_control()) {
            return Err(ParseError::new(W, "dev", "contains control characters"));
        }
        let device_group = parse_device_group(W, words[1])?;
        let io_throttle = match words.get(2) {
            Some(w) => Some(parse_u32(W, "io_throttle", w)?),
            None => None,
        };
        let io_limit = match words.get(3) {
            Some(w) => Some(parse_u32(W, "io_limit", w)?),
            None => None,
        };
        let extended = if words.len() >= 8 {
            Some(parse_extended(&words[4..])?)
        } else {
            None
        };
        Ok(TableParams {
            device: device.to_string(),
            device_group,
            io_throttle,
            io_limit,
            extended,
        })
    }
}

/// The extended form from `<type>` on: `<type> <policy> <token> :<weight>
/// [<id>:<weight>]... [limit|floor <id>:<rates>]... [class <id>:idle]...
/// [write_weight <id>:<weight>]...`.
fn parse_extended(words: &[&str]) -> Result<Extended, ParseError> {
    const W: &str = "table line";
    let group_type = words[0]
        .parse::<GroupType>()
        .map_err(|e| ParseError { what: W, ..e })?;
    let policy = words[1]
        .parse::<Policy>()
        .map_err(|e| ParseError { what: W, ..e })?;
    let token = parse_u32(W, "token", words[2])?;
    let dw = words[3].strip_prefix(':').ok_or_else(|| {
        ParseError::new(
            W,
            "default weight",
            format!("expected :WEIGHT, got {:?}", words[3]),
        )
    })?;
    let default_weight = parse_positive_u32(W, "default weight", dw)?;
    // The groups run up to the first `limit`, `floor`, `class` or
    // `write_weight`, as the module reads them.
    let rest = &words[4..];
    let n = rest
        .iter()
        .position(|w| matches!(*w, "limit" | "floor" | "class" | "write_weight"))
        .unwrap_or(rest.len());
    let mut groups: Vec<GroupWeight> = Vec::with_capacity(n);
    for w in &rest[..n] {
        let g: GroupWeight = w.parse()?;
        if groups.iter().any(|o| o.id == g.id) {
            return Err(ParseError::new(
                W,
                "group id",
                format!("group {} listed twice", g.id),
            ));
        }
        groups.push(g);
    }
    if group_type == GroupType::None && !groups.is_empty() {
        return Err(ParseError::new(
            W,
            "type",
            "groups are listed but the type is none",
        ));
    }
    let limits = caps::parse_tail(&rest[n..], Some(&groups))?;
    Ok(Extended {
        group_type,
        policy,
        token,
        default_weight,
        groups,
        limits,
    })
}

/// A whole ioband table line: `<start> <length> ioband <params>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TableLine {
    /// Logical start sector; must be 0.
    pub start: u64,
    /// Length in 512-byte sectors.
    pub length: u64,
    /// The ioband parameters.
    pub params: TableParams,
}

impl fmt::Display for TableLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} {}",
            self.start, self.length, TARGET_NAME, self.params
        )
    }
}

impl FromStr for TableLine {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        const W: &str = "table line";
        let t: Target = s.parse()?;
        if t.target_type != TARGET_NAME {
            return Err(ParseError::new(
                W,
                "target type",
                format!("expected \"ioband\", got {:?}", t.target_type),
            ));
        }
        t.to_ioband()
    }
}

/// A generic device-mapper table or status line: `<start> <length> <type> <params>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Target {
    /// Logical start sector.
    pub start: u64,
    /// Length in sectors.
    pub length: u64,
    /// Target type name, e.g. `ioband`.
    pub target_type: String,
    /// Target parameters (table or status text).
    pub params: String,
}

impl Target {
    /// Interpret this as an ioband table line.
    pub fn to_ioband(&self) -> Result<TableLine, ParseError> {
        const W: &str = "table line";
        if self.start != 0 {
            return Err(ParseError::new(
                W,
                "start sector",
                format!("must be 0 for ioband, got {}", self.start),
            ));
        }
        if self.length == 0 {
            return Err(ParseError::new(W, "length", "must be greater than 0"));
        }
        Ok(TableLine {
            start: self.start,
            length: self.length,
            params: self.params.parse()?,
        })
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.start, self.length, self.target_type)?;
        if !self.params.is_empty() {
            write!(f, " {}", self.params)?;
        }
        Ok(())
    }
}

impl FromStr for Target {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        const W: &str = "table line";
        let words: Vec<&str> = s.split_ascii_whitespace().collect();
        let start = words.first().copied().unwrap_or("");
        let length = words.get(1).copied().unwrap_or("");
        let ttype = words.get(2).copied().unwrap_or("");
        if ttype.is_empty() {
            return Err(ParseError::new(
                W,
                "line",
                format!("expected <start> <length> <target> <args...>, got {s:?}"),
            ));
        }
        if ttype.len() >= 16 || !ttype.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ParseError::new(
                W,
                "target type",
                format!("{ttype:?} is not a valid target name"),
            ));
        }
        Ok(Target {
            start: parse_u64(W, "start sector", start)?,
            length: parse_u64(W, "length", length)?,
            target_type: ttype.to_string(),
            params: words.get(3..).unwrap_or(&[]).join(" "),
        })
    }
}

/// The configuration in force, with defaults applied: what a table line means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Underlying device as written.
    pub device: String,
    /// Device-group id.
    pub device_group: u32,
    /// Effective io_throttle.
    pub io_throttle: u32,
    /// io_limit as the table gives it, with defaults applied: 128 means
    /// auto ([`Config::io_limit_setting`]); what is in force then depends
    /// on the device below (the `settings` message tells).
    pub io_limit: u32,
    /// Group type.
    pub group_type: GroupType,
    /// Policy.
    pub policy: Policy,
    /// Effective token count.
    pub token: u32,
    /// Weight of the default group.
    pub default_weight: u32,
    /// Attached groups in attach order.
    pub groups: Vec<GroupWeight>,
    /// The caps, floors, classes and write weights of the groups that have
    /// any, as the kernel prints them: default group first, then attach
    /// order ([`Config::set_limits`] keeps it so).
    pub limits: Vec<GroupLimit>,
}

/// `limits` in the kernel's order: the default group, then `groups` in
/// attach order; groups without caps, floors, the idle class or a write
/// weight, or not attached, left out.
fn canonical_limits(groups: &[GroupWeight], limits: &[GroupLimit]) -> Vec<GroupLimit> {
    std::iter::once(GroupId::Default)
        .chain(groups.iter().map(|g| GroupId::Id(g.id)))
        .filter_map(|id| limits.iter().find(|l| l.id == id && !l.is_none()).copied())
        .collect()
}

fn or_default(v: Option<u32>, d: u32) -> u32 {
    match v {
        None | Some(0) => d,
        Some(v) => v,
    }
}

impl From<&TableParams> for Config {
    fn from(p: &TableParams) -> Self {
        let (group_type, policy, token, default_weight, groups, limits) = match &p.extended {
            Some(e) => (
                e.group_type,
                e.policy,
                or_default(Some(e.token), DEFAULT_TOKEN),
                e.default_weight,
                e.groups.clone(),
                canonical_limits(&e.groups, &e.limits),
            ),
            None => (
                GroupType::None,
                DEFAULT_POLICY,
                DEFAULT_TOKEN,
                DEFAULT_WEIGHT,
                Vec::new(),
                Vec::new(),
            ),
        };
        Config {
            device: p.device.clone(),
            device_group: p.device_group,
            io_throttle: or_default(p.io_throttle, DEFAULT_IO_THROTTLE),
            io_limit: or_default(p.io_limit, DEFAULT_IO_LIMIT),
            group_type,
            policy,
            token,
            default_weight,
            groups,
            limits,
        }
    }
}

impl Config {
    /// io_limit as a setting: auto or a pinned number.
    pub fn io_limit_setting(&self) -> IoLimit {
        IoLimit::from_kernel(self.io_limit)
    }

    /// The weight of a group (`None` = default group), if it exists.
    pub fn weight_of(&self, id: GroupId) -> Option<u32> {
        match id {
            GroupId::Default => Some(self.default_weight),
            GroupId::Id(id) => self.groups.iter().find(|g| g.id == id).map(|g| g.weight),
        }
    }

    /// True when `id` is attached.
    pub fn is_attached(&self, id: u64) -> bool {
        self.groups.iter().any(|g| g.id == id)
    }

    /// The caps, floors, class and write weight of group `id` (none when
    /// it has none or does not exist).
    pub fn limits_of(&self, id: GroupId) -> GroupLimit {
        self.limits
            .iter()
            .find(|l| l.id == id)
            .copied()
            .unwrap_or(GroupLimit::none(id))
    }

    /// The caps of group `id` (none when it has none or does not exist).
    pub fn caps_of(&self, id: GroupId) -> Caps {
        self.limits_of(id).caps
    }

    /// The floors of group `id` (none when it has none or does not exist).
    pub fn floors_of(&self, id: GroupId) -> Caps {
        self.limits_of(id).floors
    }

    /// Is group `id` of the idle class?
    pub fn is_idle(&self, id: GroupId) -> bool {
        self.limits_of(id).idle
    }

    /// The weight of group `id`'s writes; `None` when its writes weigh as
    /// its reads (or it does not exist).
    pub fn write_weight_of(&self, id: GroupId) -> Option<u32> {
        self.limits_of(id).write_weight
    }

    /// Give group `l.id` exactly the limits `l`, unless the module would
    /// refuse them (the group is not attached, a floor is above its cap, an
    /// idle group has a floor): then nothing changes.
    pub fn set_limits(&mut self, l: GroupLimit) -> Result<(), LimitError> {
        if let GroupId::Id(i) = l.id {
            if !self.is_attached(i) {
                return Err(LimitError::NotAttached(i));
            }
        }
        l.check()?;
        self.limits.retain(|o| o.id != l.id);
        self.limits.push(l);
        self.limits = canonical_limits(&self.groups, &self.limits);
        Ok(())
    }

    /// Give group `id` exactly `caps`, keeping its floors and class
    /// ([`Config::set_limits`]).
    pub fn set_caps(&mut self, id: GroupId, caps: Caps) -> Result<(), LimitError> {
        self.set_limits(GroupLimit {
            caps,
            ..self.limits_of(id)
        })
    }

    /// The limits a `limit`, `floor`, `class` or `write_weight` message
    /// leaves its group with, or why the module refuses it (and changes
    /// nothing); `None` for the other messages.
    pub fn limits_after(&self, m: &Message) -> Option<Result<GroupLimit, LimitError>> {
        let id = match m {
            Message::Limit { id, .. }
            | Message::Floor { id, .. }
            | Message::Class { id, .. }
            | Message::WriteWeight { id, .. } => *id,
            _ => return None,
        };
        if let Some(i) = id {
            if !self.is_attached(i) {
                return Some(Err(LimitError::NotAttached(i)));
            }
        }
        let mut l = self.limits_of(id.map_or(GroupId::Default, GroupId::Id));
        match m {
            Message::Limit { change, .. } => l.caps = l.caps.changed(change),
            Message::Floor { change, .. } => l.floors = l.floors.changed(change),
            Message::Class { idle, .. } => l.idle = *idle,
            Message::WriteWeight { weight, .. } => l.write_weight = *weight,
            _ => {}
        }
        Some(l.check().map(|()| l))
    }

    /// Sum of all weights on this device.
    pub fn total_weight(&self) -> u64 {
        u64::from(self.default_weight)
            + self.groups.iter().map(|g| u64::from(g.weight)).sum::<u64>()
    }

    /// The parameters as the kernel prints them (`dmsetup table`): the short
    /// four-word form when everything but throttle and limit is default
    /// and the default group has no caps, floors, idle class or write
    /// weight, the extended form otherwise (with each group's `limit`,
    /// `floor`, `class` and `write_weight` words, default group first, then
    /// attach order).
    pub fn to_kernel_params(&self) -> TableParams {
        let limits = canonical_limits(&self.groups, &self.limits);
        let short = self.group_type == GroupType::None
            && self.policy == DEFAULT_POLICY
            && self.token == DEFAULT_TOKEN
            && self.default_weight == DEFAULT_WEIGHT
            && self.groups.is_empty()
            && limits.is_empty();
        TableParams {
            device: self.device.clone(),
            device_group: self.device_group,
            io_throttle: Some(self.io_throttle),
            io_limit: Some(self.io_limit),
            extended: if short {
                None
            } else {
                Some(Extended {
                    group_type: self.group_type,
                    policy: self.policy,
                    token: self.token,
                    default_weight: self.default_weight,
                    groups: self.groups.clone(),
                    limits,
                })
            },
        }
    }
}

/// A message to the target (`dmsetup message NAME 0 <message>`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Message {
    /// `type T`
    Type(GroupType),
    /// `attach ID`
    Attach(u64),
    /// `detach ID`
    Detach(u64),
    /// `weight VAL` (id `None`) or `weight ID:VAL`.
    Weight {
        /// Group id, `None` for the default group.
        id: Option<u64>,
        /// New weight, greater than 0.
        weight: u32,
    },
    /// `token VAL`
    Token(u32),
    /// `io_throttle VAL`
    IoThrottle(u32),
    /// `io_limit VAL`
    IoLimit(u32),
    /// `policy weight|weight-iosize|fair|fair-iosize` (per device group)
    Policy(Policy),
    /// `limit SPEC` (id `None`: the default group) or `limit ID:SPEC`: set
    /// or clear a group's caps. The module also takes the id `-1`; printed
    /// back without an id (dmsetup would take a leading `-1` for an option).
    Limit {
        /// Group id, `None` for the default group.
        id: Option<u64>,
        /// What changes.
        change: CapChange,
    },
    /// `floor SPEC` (id `None`: the default group) or `floor ID:SPEC`: set
    /// or clear a group's floors, as `limit` its caps (the id `-1` is
    /// printed back without an id too).
    Floor {
        /// Group id, `None` for the default group.
        id: Option<u64>,
        /// What changes.
        change: CapChange,
    },
    /// `class idle|normal` (id `None`: the default group) or `class
    /// ID:idle|normal`: a group's class.
    Class {
        /// Group id, `None` for the default group.
        id: Option<u64>,
        /// The idle class (else normal)?
        idle: bool,
    },
    /// `write_weight W|same` (id `None`: the default group) or
    /// `write_weight ID:W|same`: the weight of a group's writes. The module
    /// also takes the id `-1`; printed back without an id (dmsetup would
    /// take a leading `-1` for an option).
    WriteWeight {
        /// Group id, `None` for the default group.
        id: Option<u64>,
        /// The weight of its writes, 1 to [`MAX_WEIGHT`]; `None` (`same`):
        /// its writes weigh as its reads.
        weight: Option<u32>,
    },
    /// `reset`
    Reset,
    /// `shares`: a query; the target replies with [`Shares`].
    Shares,
    /// `settings`: a query; the target replies with [`Settings`].
    Settings,
    /// `limits`: a query; the target replies with [`Limits`].
    Limits,
}

impl Message {
    /// The message that leaves group `id` (`None`: the default group) with
    /// exactly `caps`, whatever it had: every key named, or `none`.
    pub fn limit_replace(id: Option<u64>, caps: &Caps) -> Message {
        Message::Limit {
            id,
            change: CapChange::replace(caps),
        }
    }

    /// The message that leaves group `id` (`None`: the default group) with
    /// exactly `floors`, whatever it had: every key named, or `none`.
    pub fn floor_replace(id: Option<u64>, floors: &Caps) -> Message {
        Message::Floor {
            id,
            change: CapChange::replace(floors),
        }
    }
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Message::Type(t) => write!(f, "type {t}"),
            Message::Attach(id) => write!(f, "attach {id}"),
            Message::Detach(id) => write!(f, "detach {id}"),
            Message::Weight { id: None, weight } => write!(f, "weight {weight}"),
            Message::Weight {
                id: Some(id),
                weight,
            } => write!(f, "weight {id}:{weight}"),
            Message::Token(v) => write!(f, "token {v}"),
            Message::IoThrottle(v) => write!(f, "io_throttle {v}"),
            Message::IoLimit(v) => write!(f, "io_limit {v}"),
            Message::Policy(p) => write!(f, "policy {p}"),
            Message::Limit { id: None, change } => write!(f, "limit {change}"),
            Message::Limit {
                id: Some(id),
                change,
            } => write!(f, "limit {id}:{change}"),
            Message::Floor { id: None, change } => write!(f, "floor {change}"),
            Message::Floor {
                id: Some(id),
                change,
            } => write!(f, "floor {id}:{change}"),
            Message::Class { id, idle } => {
                let class = if *idle { "idle" } else { "normal" };
                match id {
                    None => write!(f, "class {class}"),
                    Some(id) => write!(f, "class {id}:{class}"),
                }
            }
            Message::WriteWeight { id, weight } => {
                f.write_str("write_weight ")?;
                if let Some(id) = id {
                    write!(f, "{id}:")?;
                }
                match weight {
                    Some(w) => write!(f, "{w}"),
                    None => f.write_str("same"),
                }
            }
            Message::Reset => f.write_str("reset"),
            Message::Shares => f.write_str("shares"),
            Message::Settings => f.write_str("settings"),
            Message::Limits => f.write_str("limits"),
        }
    }
}

impl FromStr for Message {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        const W: &str = "message";
        let words: Vec<&str> = s.split_ascii_whitespace().collect();
        let Some((&verb, args)) = words.split_first() else {
            return Err(ParseError::new(W, "message", "empty message"));
        };
        let want = |n: usize, usage: &str| -> Result<(), ParseError> {
            if args.len() == n {
                Ok(())
            } else {
                Err(ParseError::new(
                    W,
                    verb,
                    format!("expected `{usage}`, got {} argument(s)", args.len()),
                ))
            }
        };
        match verb {
            "type" => {
                want(1, "type none|user|uid|gid|pid|pgrp|cgroup")?;
                Ok(Message::Type(
                    args[0]
                        .parse()
                        .map_err(|e: ParseError| ParseError { what: W, ..e })?,
                ))
            }
            "attach" => {
                want(1, "attach ID")?;
                Ok(Message::Attach(parse_u64(W, "ID", args[0])?))
            }
            "detach" => {
                want(1, "detach ID")?;
                Ok(Message::Detach(parse_u64(W, "ID", args[0])?))
            }
            "weight" => {
                want(1, "weight VAL | weight ID:VAL")?;
                parse_weight_message(args[0])
            }
            "token" => {
                want(1, "token VAL")?;
                Ok(Message::Token(parse_positive_u32(W, "token", args[0])?))
            }
            "io_throttle" => {
                want(1, "io_throttle VAL")?;
                Ok(Message::IoThrottle(parse_positive_u32(
                    W,
                    "io_throttle",
                    args[0],
                )?))
            }
            "io_limit" => {
                want(1, "io_limit VAL")?;
                Ok(Message::IoLimit(parse_positive_u32(
                    W, "io_limit", args[0],
                )?))
            }
            "policy" => {
                want(1, "policy weight|weight-iosize|fair|fair-iosize")?;
                Ok(Message::Policy(
                    args[0]
                        .parse()
                        .map_err(|e: ParseError| ParseError { what: W, ..e })?,
                ))
            }
            "reset" | "shares" | "settings" | "limits" => {
                want(0, verb)?;
                Ok(match verb {
                    "reset" => Message::Reset,
                    "shares" => Message::Shares,
                    "settings" => Message::Settings,
                    _ => Message::Limits,
                })
            }
            "limit" | "floor" | "class" | "write_weight" => {
                let (usage, parse) = group_message(verb);
                want(1, usage)?;
                parse(args[0])
            }
            other => Err(ParseError::new(
                W,
                "verb",
                format!(
                    "unknown message {other:?} (expected type, attach, detach, weight, token, \
                     io_throttle, io_limit, policy, limit, floor, class, write_weight, reset, \
                     shares, settings or limits)"
                ),
            )),
        }
    }
}

/// The argument of `weight`: `VAL` or `ID:VAL`. The module also takes '='
/// or ',' (as the seed did) and the id -1 for the default group; printed
/// back as `weight VAL`.
fn parse_weight_message(arg: &str) -> Result<Message, ParseError> {
    const W: &str = "message";
    let (id, v) = match arg.split_once([':', '=', ',']) {
        Some(("-1", v)) => (None, v),
        Some((id, v)) => (Some(parse_u64(W, "ID", id)?), v),
        None => (None, arg),
    };
    Ok(Message::Weight {
        id,
        weight: parse_positive_u32(W, "weight", v)?,
    })
}

/// `[ID:]VALUE`: the group (`None`, the default group, for no id or the
/// id `-1`) and the value.
fn split_message_id(arg: &str) -> Result<(Option<u64>, &str), ParseError> {
    Ok(match arg.split_once(':') {
        Some(("-1", v)) => (None, v),
        Some((id, v)) => (Some(parse_u64("message", "ID", id)?), v),
        None => (None, arg),
    })
}

/// The argument of `limit` or `floor` (`verb`): `[ID:]SPEC`.
fn parse_rates_message(verb: &'static str, arg: &str) -> Result<Message, ParseError> {
    let (id, spec) = split_message_id(arg)?;
    let change = CapChange::parse_for(verb, spec)?;
    Ok(if verb == "floor" {
        Message::Floor { id, change }
    } else {
        Message::Limit { id, change }
    })
}

/// The parser of a group message's argument, `[ID:]VALUE`.
type GroupMessageParser = fn(&str) -> Result<Message, ParseError>;

/// A message to one group (`limit`, `floor`, `class`, `write_weight`): its
/// usage, and the parser of its argument.
fn group_message(verb: &str) -> (&'static str, GroupMessageParser) {
    match verb {
        "limit" => ("limit [ID:]KEY=VALUE,... | limit [ID:]none", |a| {
            parse_rates_message("limit", a)
        }),
        "floor" => ("floor [ID:]KEY=VALUE,... | floor [ID:]none", |a| {
            parse_rates_message("floor", a)
        }),
        "class" => ("class [ID:]idle | class [ID:]normal", parse_class_message),
        _ => (
            "write_weight [ID:]WEIGHT | write_weight [ID:]same",
            parse_write_weight_message,
        ),
    }
}

/// The argument of `class`: `[ID:]idle|normal`.
fn parse_class_message(arg: &str) -> Result<Message, ParseError> {
    let (id, class) = split_message_id(arg)?;
    let idle = caps::parse_class("message", class)?;
    Ok(Message::Class { id, idle })
}

/// The argument of `write_weight`: `[ID:]W` (1 to [`MAX_WEIGHT`]) or
/// `[ID:]same`.
fn parse_write_weight_message(arg: &str) -> Result<Message, ParseError> {
    let (id, v) = split_message_id(arg)?;
    let weight = match v {
        "same" => None,
        v => Some(caps::parse_write_weight("message", v)?),
    };
    Ok(Message::WriteWeight { id, weight })
}

/// An ioband group id in status output: the default group (`-1`) or an id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum GroupId {
    /// The default group, printed as `-1`.
    #[default]
    Default,
    /// An attached group.
    Id(u64),
}

impl fmt::Display for GroupId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GroupId::Default => f.write_str("-1"),
            GroupId::Id(id) => write!(f, "{id}"),
        }
    }
}

impl FromStr for GroupId {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "-1" {
            Ok(GroupId::Default)
        } else {
            Ok(GroupId::Id(parse_u64("status", "group id", s)?))
        }
    }
}

/// Counters of one ioband group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct GroupStats {
    /// Group id.
    pub id: GroupId,
    /// Read requests.
    pub read_reqs: u64,
    /// Read requests that were delayed.
    pub read_delayed: u64,
    /// Sectors read.
    pub read_sectors: u64,
    /// Write requests.
    pub write_reqs: u64,
    /// Write requests that were delayed.
    pub write_delayed: u64,
    /// Sectors written.
    pub write_sectors: u64,
}

impl GroupStats {
    /// Number of words per group in status text.
    pub const WORDS: usize = 7;

    /// Zeroed counters for `id`.
    pub fn zero(id: GroupId) -> Self {
        GroupStats {
            id,
            ..Default::default()
        }
    }

    fn from_words(w: &[&str]) -> Result<Self, ParseError> {
        const W: &str = "status";
        if w.len() != Self::WORDS {
            return Err(ParseError::new(
                W,
                "group",
                format!("expected 7 numbers per group, got {}", w.len()),
            ));
        }
        Ok(GroupStats {
            id: w[0].parse()?,
            read_reqs: parse_u64(W, "read-reqs", w[1])?,
            read_delayed: parse_u64(W, "read-delayed", w[2])?,
            read_sectors: parse_u64(W, "read-sectors", w[3])?,
            write_reqs: parse_u64(W, "write-reqs", w[4])?,
            write_delayed: parse_u64(W, "write-delayed", w[5])?,
            write_sectors: parse_u64(W, "write-sectors", w[6])?,
        })
    }
}

impl fmt::Display for GroupStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} {} {} {} {}",
            self.id,
            self.read_reqs,
            self.read_delayed,
            self.read_sectors,
            self.write_reqs,
            self.write_delayed,
            self.write_sectors
        )
    }
}

impl FromStr for GroupStats {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let w: Vec<&str> = s.split_ascii_whitespace().collect();
        GroupStats::from_words(&w)
    }
}

/// Status parameters of one ioband device.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Status {
    /// Device-group id.
    pub device_group: u32,
    /// Default group first, then attached groups.
    pub groups: Vec<GroupStats>,
}

impl Status {
    /// Counters of group `id`, if present.
    pub fn group(&self, id: GroupId) -> Option<&GroupStats> {
        self.groups.iter().find(|g| g.id == id)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.device_group)?;
        for g in &self.groups {
            write!(f, " {g}")?;
        }
        Ok(())
    }
}

impl FromStr for Status {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        const W: &str = "status";
        let words: Vec<&str> = s.split_ascii_whitespace().collect();
        let Some((first, rest)) = words.split_first() else {
            return Err(ParseError::new(W, "device-group-id", "empty status"));
        };
        let device_group = parse_device_group(W, first)?;
        if !rest.len().is_multiple_of(GroupStats::WORDS) {
            return Err(ParseError::new(
                W,
                "groups",
                format!(
                    "{} numbers after the device-group id is not a multiple of 7",
                    rest.len()
                ),
            ));
        }
        let groups = rest
            .chunks(GroupStats::WORDS)
            .map(GroupStats::from_words)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Status {
            device_group,
            groups,
        })
    }
}

/// One group's record in the reply to the `shares` message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GroupShare {
    /// The group: the default group (`-1`) or an attached group's id.
    pub id: GroupId,
    /// The attached group whose share this one's is carved from (type
    /// cgroup: the group of its cgroup's nearest attached ancestor); `None`
    /// at the top level (`-`), which is where every group of the other
    /// types and the default group are.
    pub parent: Option<u64>,
    /// Its share of the whole device group as configured (as if every
    /// group were busy), in millionths.
    pub ppm: u64,
}

/// Millionths: the unit of [`GroupShare::ppm`].
pub const SHARE_ONE: u64 = 1_000_000;

impl fmt::Display for GroupShare {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.parent {
            Some(p) => write!(f, "{}:{p}:{}", self.id, self.ppm),
            None => write!(f, "{}:-:{}", self.id, self.ppm),
        }
    }
}

impl FromStr for GroupShare {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        const W: &str = "shares";
        let mut parts = s.split(':');
        let (Some(id), Some(parent), Some(ppm), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(ParseError::new(
                W,
                "record",
                format!("expected <id>:<parent>:<millionths>, got {s:?}"),
            ));
        };
        let id: GroupId = id
            .parse()
            .map_err(|e: ParseError| ParseError { what: W, ..e })?;
        let parent = match parent {
            "-" => None,
            p => Some(parse_u64(W, "parent", p)?),
        };
        if parent.is_some() && (id == GroupId::Default || parent.map(GroupId::Id) == Some(id)) {
            return Err(ParseError::new(
                W,
                "parent",
                format!(
                    "group {id} cannot have parent {}",
                    parent.unwrap_or_default()
                ),
            ));
        }
        let ppm = parse_u64(W, "share", ppm)?;
        if ppm > SHARE_ONE {
            return Err(ParseError::new(
                W,
                "share",
                format!("{ppm} millionths is more than the whole"),
            ));
        }
        Ok(GroupShare { id, parent, ppm })
    }
}

/// The target's reply to the `shares` message: the default group first,
/// then the attached groups in attach order.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Shares {
    /// One record per group.
    pub groups: Vec<GroupShare>,
}

impl Shares {
    /// The record of group `id`, if present.
    pub fn group(&self, id: GroupId) -> Option<&GroupShare> {
        self.groups.iter().find(|g| g.id == id)
    }
}

impl fmt::Display for Shares {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_records(f, &self.groups)
    }
}

impl FromStr for Shares {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Shares {
            groups: parse_records("shares", s, |g: &GroupShare| g.id)?,
        })
    }
}

/// Records of a per-group reply (`shares`, `limits`), space-separated.
pub(crate) fn write_records<T: fmt::Display>(
    f: &mut fmt::Formatter<'_>,
    recs: &[T],
) -> fmt::Result {
    for (i, g) in recs.iter().enumerate() {
        let sep = if i > 0 { " " } else { "" };
        write!(f, "{sep}{g}")?;
    }
    Ok(())
}

/// Parse a per-group reply: one record per group, the default group first,
/// no group twice.
pub(crate) fn parse_records<T: FromStr<Err = ParseError>>(
    what: &'static str,
    s: &str,
    id: impl Fn(&T) -> GroupId,
) -> Result<Vec<T>, ParseError> {
    let groups = s
        .split_ascii_whitespace()
        .map(str::parse)
        .collect::<Result<Vec<T>, _>>()?;
    match groups.first().map(&id) {
        Some(GroupId::Default) => {}
        Some(other) => {
            return Err(ParseError::new(
                what,
                "record",
                format!("the default group (-1) must come first, not {other}"),
            ))
        }
        None => return Err(ParseError::new(what, "record", "empty reply")),
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(g) = groups.iter().find(|g| !seen.insert(id(g))) {
        return Err(ParseError::new(
            what,
            "record",
            format!("group {} is listed twice", id(g)),
        ));
    }
    Ok(groups)
}

/// The target's reply to the `settings` message: its device group's
/// settings as configured and as in force, one line of `key=value` pairs.
/// Every key is optional (a module may print fewer, or more: keys this
/// crate does not know are kept as text, in order, and printed last).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Settings {
    /// `policy`
    pub policy: Option<Policy>,
    /// `token`: tokens per refill.
    pub token: Option<u32>,
    /// `io_throttle` as configured.
    pub io_throttle: Option<u32>,
    /// `io_limit` as configured (128 for auto).
    pub io_limit: Option<u32>,
    /// `io_limit_auto`: 1 when io_limit follows the device below.
    pub io_limit_auto: Option<bool>,
    /// `effective_io_throttle`: the io_throttle in force.
    pub effective_io_throttle: Option<u32>,
    /// `effective_io_limit`: the io_limit in force.
    pub effective_io_limit: Option<u32>,
    /// `queue_depth`: of the device below; 0 when unknown (a stacked,
    /// bio-based device).
    pub queue_depth: Option<u32>,
    /// `nowait_again`: REQ_NOWAIT bios refused with EAGAIN.
    pub nowait_again: Option<u64>,
    /// Keys not known here, with their values, in the reply's order.
    pub other: Vec<(String, String)>,
}

impl Settings {
    /// io_limit as a setting: the `io_limit_auto` flag decides when the
    /// reply has it, else the number does (128 is auto).
    pub fn io_limit_setting(&self) -> Option<IoLimit> {
        match (self.io_limit_auto, self.io_limit) {
            (Some(true), _) => Some(IoLimit::Auto),
            (Some(false), Some(v)) => Some(IoLimit::Fixed(v)),
            (None, Some(v)) => Some(IoLimit::from_kernel(v)),
            (_, None) => None,
        }
    }

    /// The queue depth of the device below, `None` when the reply lacks
    /// it or says 0 (unknown: a stacked device).
    pub fn known_queue_depth(&self) -> Option<u32> {
        self.queue_depth.filter(|&d| d > 0)
    }
}

impl fmt::Display for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sep = "";
        let mut put = |f: &mut fmt::Formatter<'_>, k: &str, v: &dyn fmt::Display| {
            let r = write!(f, "{sep}{k}={v}");
            sep = " ";
            r
        };
        if let Some(v) = self.policy {
            put(f, "policy", &v)?;
        }
        if let Some(v) = self.token {
            put(f, "token", &v)?;
        }
        if let Some(v) = self.io_throttle {
            put(f, "io_throttle", &v)?;
        }
        if let Some(v) = self.io_limit {
            put(f, "io_limit", &v)?;
        }
        if let Some(v) = self.io_limit_auto {
            put(f, "io_limit_auto", &u8::from(v))?;
        }
        if let Some(v) = self.effective_io_throttle {
            put(f, "effective_io_throttle", &v)?;
        }
        if let Some(v) = self.effective_io_limit {
            put(f, "effective_io_limit", &v)?;
        }
        if let Some(v) = self.queue_depth {
            put(f, "queue_depth", &v)?;
        }
        if let Some(v) = self.nowait_again {
            put(f, "nowait_again", &v)?;
        }
        for (k, v) in &self.other {
            put(f, k, v)?;
        }
        Ok(())
    }
}

impl FromStr for Settings {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        const W: &str = "settings";
        let mut out = Settings::default();
        let mut seen = std::collections::HashSet::new();
        for word in s.split_ascii_whitespace() {
            let Some((key, value)) = word.split_once('=').filter(|(k, _)| !k.is_empty()) else {
                return Err(ParseError::new(
                    W,
                    "record",
                    format!("expected key=value, got {word:?}"),
                ));
            };
            if !seen.insert(key) {
                return Err(ParseError::new(W, key, format!("{key} is given twice")));
            }
            match key {
                "policy" => {
                    out.policy = Some(
                        value
                            .parse()
                            .map_err(|e: ParseError| ParseError { what: W, ..e })?,
                    )
                }
                "token" => out.token = Some(parse_u32(W, key, value)?),
                "io_throttle" => out.io_throttle = Some(parse_u32(W, key, value)?),
                "io_limit" => out.io_limit = Some(parse_u32(W, key, value)?),
                "io_limit_auto" => {
                    out.io_limit_auto = Some(match value {
                        "0" => false,
                        "1" => true,
                        _ => {
                            return Err(ParseError::new(
                                W,
                                key,
                                format!("expected 0 or 1, got {value:?}"),
                            ))
                        }
                    })
                }
                "effective_io_throttle" => {
                    out.effective_io_throttle = Some(parse_u32(W, key, value)?)
                }
                "effective_io_limit" => out.effective_io_limit = Some(parse_u32(W, key, value)?),
                "queue_depth" => out.queue_depth = Some(parse_u32(W, key, value)?),
                "nowait_again" => out.nowait_again = Some(parse_u64(W, key, value)?),
                _ => out.other.push((key.to_string(), value.to_string())),
            }
        }
        if seen.is_empty() {
            return Err(ParseError::new(W, "record", "empty reply"));
        }
        Ok(out)
    }
}

/// The fuzzing oracle, shared by `cli/fuzz` and the unit tests: every
/// parser must return (never panic), and whatever parses must print back to
/// text that parses to the same value and prints identically.
#[doc(hidden)]
pub fn fuzz_one(s: &str) {
    fn check<T>(s: &str)
    where
        T: FromStr<Err = ParseError> + fmt::Display + PartialEq + fmt::Debug,
    {
        if let Ok(v) = s.parse::<T>() {
            let text = v.to_string();
            match text.parse::<T>() {
                Ok(back) => {
                    assert_eq!(back, v, "{s:?} -> {text:?}");
                    assert_eq!(back.to_string(), text, "{s:?} -> {text:?}");
                }
                Err(e) => panic!("{s:?} parsed, but its display {text:?} did not: {e}"),
            }
        }
    }
    check::<TableLine>(s);
    check::<TableParams>(s);
    check::<Target>(s);
    check::<Message>(s);
    check::<Status>(s);
    check::<GroupStats>(s);
    check::<Shares>(s);
    check::<GroupShare>(s);
    check::<Settings>(s);
    check::<Limits>(s);
    check::<CapRecord>(s);
    check::<Caps>(s);
    check::<CapChange>(s);
    check::<GroupLimit>(s);
    check::<CapKey>(s);
    check::<IoLimit>(s);
    check::<GroupType>(s);
    check::<Policy>(s);
    if let Ok(p) = s.parse::<TableParams>() {
        let c = Config::from(&p);
        let k = c.to_kernel_params();
        assert_eq!(Config::from(&k), c, "{s:?}");
        let again: TableParams = match k.to_string().parse() {
            Ok(v) => v,
            Err(e) => panic!("kernel form of {s:?} does not parse: {e}"),
        };
        assert_eq!(again, k);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip<T>(s: &str)
    where
        T: FromStr<Err = ParseError> + fmt::Display + fmt::Debug,
    {
        let v: T = match s.parse() {
            Ok(v) => v,
            Err(e) => panic!("{s:?} did not parse: {e}"),
        };
        assert_eq!(v.to_string(), s, "round trip of {s:?} via {v:?}");
    }

    #[test]
    fn seed_table_lines_round_trip() {
        // Verbatim shapes from the seed document.
        for s in [
            "0 44371467 ioband 202:33 128 10 400",
            "0 2097152 ioband /dev/sda1 1",
            "0 2097152 ioband /dev/sda1 1 10 200",
            "0 2097152 ioband /dev/sda1 1 10",
            "0 2097152 ioband 254:0 1 4 128 user weight 2048 :40 1000:30 2000:20",
            "0 8 ioband /dev/nullb0 0 0 0 cgroup weight-iosize 0 :100",
        ] {
            round_trip::<TableLine>(s);
        }
    }

    #[test]
    fn seed_status_lines_round_trip() {
        for s in [
            "128 -1 143 90 424 122 78 352",
            "128 -1 223 172 408 211 136 600 1001 166 107 472 139 95 352 1002 211 146 520 210 147 504",
            "0",
            "2147483647 18446744073709551615 0 0 0 0 0 0",
        ] {
            round_trip::<Status>(s);
        }
        let st: Status = "128 -1 223 172 408 211 136 600 1001 166 107 472 139 95 352 1002 211 146 520 210 147 504"
            .parse()
            .unwrap();
        assert_eq!(st.groups.len(), 3);
        assert_eq!(st.groups[1].id, GroupId::Id(1001));
        assert_eq!(st.groups[2].write_sectors, 504);
        assert_eq!(st.group(GroupId::Default).map(|g| g.read_reqs), Some(223));
    }

    #[test]
    fn seed_messages_round_trip() {
        for s in [
            "weight 40",
            "weight 10",
            "type user",
            "attach 1000",
            "attach 2000",
            "weight 1000:30",
            "weight 2000:20",
            "detach 1000",
            "weight 1000:10",
            "token 256",
            "io_throttle 16",
            "io_limit 128",
            "reset",
            "type pid",
            "attach 15011",
            "weight 15011:80",
            "type cgroup",
            "attach 18446744073709551615",
            "shares",
            "settings",
            "policy fair",
        ] {
            round_trip::<Message>(s);
        }
    }

    #[test]
    fn shares_reply() {
        let s = "-1:-:454545 69:-:60605 151:69:75757 315:69:151514";
        round_trip::<Shares>(s);
        let sh: Shares = s.parse().unwrap();
        assert_eq!(sh.groups.len(), 4);
        assert_eq!(
            sh.groups[0],
            GroupShare {
                id: GroupId::Default,
                parent: None,
                ppm: 454_545
            }
        );
        assert_eq!(sh.group(GroupId::Id(151)).and_then(|g| g.parent), Some(69));
        assert_eq!(sh.group(GroupId::Id(315)).map(|g| g.ppm), Some(151_514));
        assert_eq!(sh.group(GroupId::Id(7)), None);
        // Flat types: every parent is `-`; a lone default group.
        round_trip::<Shares>("-1:-:1000000");
        round_trip::<Shares>("-1:-:0 18446744073709551615:-:0");
        // Whitespace is canonicalised.
        let sh: Shares = " -1:-:5\t 2:-:7 \n".parse().unwrap();
        assert_eq!(sh.to_string(), "-1:-:5 2:-:7");
        // (reply, the field its error names)
        for (text, field) in [
            ("", "record"),
            ("69:-:5", "record"),
            ("-1:-:5 -1:-:5", "record"),
            ("-1:-:5 7:-:1 7:-:1", "record"),
            ("-1:-", "record"),
            ("-1:-:5:6", "record"),
            ("-1:3:5", "parent"),
            ("-1:-:5 7:7:1", "parent"),
            ("-1:-:5 7:x:1", "parent"),
            ("-1:-:1000001", "share"),
            ("-1:-:-5", "share"),
            ("-2:-:5", "group id"),
        ] {
            let e = text.parse::<Shares>().unwrap_err();
            assert_eq!(e.field, field, "{text:?}: {e}");
            assert_eq!(e.what, "shares", "{text:?}: {e}");
        }
    }

    #[test]
    fn caps_in_the_table_as_the_kernel_prints_them() {
        let s = "/dev/sdb1 1 4 128 pid fair 2048 :100 1234:80 limit -1:read_bps=1048576 \
                 limit 1234:read_bps=8192,read_iops=2";
        round_trip::<TableParams>(s);
        round_trip::<TableLine>(&format!("0 8 ioband {s}"));
        let p: TableParams = s.parse().unwrap();
        let e = p.extended.as_ref().unwrap();
        assert_eq!(
            (e.groups.len(), e.groups[0].id, e.limits.len()),
            (1, 1234, 2)
        );
        let c = Config::from(&p);
        assert_eq!(
            c.caps_of(GroupId::Default).get(CapKey::ReadBps),
            Some(1_048_576)
        );
        assert_eq!(
            c.caps_of(GroupId::Id(1234)).to_string(),
            "read_bps=8192,read_iops=2"
        );
        assert!(c.caps_of(GroupId::Id(99)).is_empty());
        assert_eq!(c.to_kernel_params(), p);
        // A capped default group prints in the extended form.
        let p: TableParams = "8:1 1 4 128 none fair 2048 :100 limit -1:iops=5"
            .parse()
            .unwrap();
        let mut c = Config::from(&p);
        assert_eq!(
            c.to_kernel_params().to_string(),
            "8:1 1 4 128 none fair 2048 :100 limit -1:iops=5"
        );
        assert_eq!(c.set_caps(GroupId::Default, Caps::NONE), Ok(()));
        assert_eq!(c.to_kernel_params().to_string(), "8:1 1 4 128");
        // Any order is taken; the kernel's is default first, then attach
        // order, keys in key order.
        let p: TableParams = "8:1 1 4 128 uid fair 2048 :100 7:1 5:1 limit 5:iops=2,bps=3 \
                              limit 7:read_bps=1 limit -1:write_iops=4"
            .parse()
            .unwrap();
        round_trip::<TableParams>(&p.to_string());
        let mut c = Config::from(&p);
        let k = "8:1 1 4 128 uid fair 2048 :100 7:1 5:1 limit -1:write_iops=4 \
                 limit 7:read_bps=1 limit 5:bps=3,iops=2";
        assert_eq!(c.to_kernel_params().to_string(), k);
        // set_caps keeps that order; an unattached group has none.
        let iops: Caps = "iops=1".parse().unwrap();
        assert_eq!(
            c.set_caps(GroupId::Id(6), iops),
            Err(LimitError::NotAttached(6))
        );
        assert_eq!(c.set_caps(GroupId::Id(7), iops), Ok(()));
        assert_eq!(c.set_caps(GroupId::Id(5), Caps::NONE), Ok(()));
        assert_eq!(
            c.to_kernel_params().to_string(),
            "8:1 1 4 128 uid fair 2048 :100 7:1 5:1 limit -1:write_iops=4 limit 7:iops=1"
        );
        // A group that goes leaves its caps out of the kernel's form.
        c.groups.retain(|g| g.id != 7);
        assert_eq!(
            c.to_kernel_params().to_string(),
            "8:1 1 4 128 uid fair 2048 :100 5:1 limit -1:write_iops=4"
        );
        // (parameters, the field its error names)
        for (text, field) in [
            ("8:1 1 4 128 uid fair 2048 :100 5:1 limit", "limit"),
            (
                "8:1 1 4 128 uid fair 2048 :100 5:1 limit 5:iops=1 5:2",
                "limit",
            ),
            ("8:1 1 4 128 uid fair 2048 :100 5:1 limit 6:iops=1", "limit"),
            ("8:1 1 4 128 uid fair 2048 :100 limit 5:iops=1 5:1", "limit"),
            (
                "8:1 1 4 128 uid fair 2048 :100 5:1 limit 5:iops=1 limit 5:bps=1",
                "limit",
            ),
            (
                "8:1 1 4 128 uid fair 2048 :100 limit -1:iops=1 limit -1:bps=1",
                "limit",
            ),
            ("8:1 1 4 128 uid fair 2048 :100 5:1 limit 5:none", "limit"),
            (
                "8:1 1 4 128 uid fair 2048 :100 5:1 limit 5:iops=max",
                "limit",
            ),
            ("8:1 1 4 128 uid fair 2048 :100 5:1 limit 5", "limit"),
            ("8:1 1 4 128 uid fair 2048 :100 5:1 limit 5:", "caps"),
            ("8:1 1 4 128 uid fair 2048 :100 5:1 limit 5:iops=0", "iops"),
            ("8:1 1 4 128 uid fair 2048 :100 5:1 limit 5:bogus=1", "key"),
            (
                "8:1 1 4 128 uid fair 2048 :100 5:1 limit -2:iops=1",
                "group id",
            ),
        ] {
            let e = text.parse::<TableParams>().unwrap_err();
            assert_eq!(e.field, field, "{text:?}: {e}");
            assert_eq!(e.what, "table line", "{text:?}: {e}");
        }
    }

    #[test]
    fn floors_and_classes_in_the_table_as_the_kernel_prints_them() {
        // The kernel's own line: grouped by group, not by word.
        let s = "254:1 1 4 128 user fair 2048 :40 1000:30 2000:20 \
                 limit 1000:write_bps=209715200,iops=2000 floor 2000:bps=52428800 class -1:idle";
        round_trip::<TableParams>(s);
        round_trip::<TableLine>(&format!("0 8 ioband {s}"));
        let p: TableParams = s.parse().unwrap();
        assert_eq!(p.extended.as_ref().map(|e| e.groups.len()), Some(2));
        let c = Config::from(&p);
        assert!(c.is_idle(GroupId::Default) && !c.is_idle(GroupId::Id(2000)));
        assert_eq!(c.floors_of(GroupId::Id(2000)).to_string(), "bps=52428800");
        assert!(c.floors_of(GroupId::Id(1000)).is_empty());
        assert_eq!(
            c.caps_of(GroupId::Id(1000)).to_string(),
            "write_bps=209715200,iops=2000"
        );
        // Config keeps the kernel's order: default group first.
        assert_eq!(
            c.limits.iter().map(|l| l.id).collect::<Vec<_>>(),
            vec![GroupId::Default, GroupId::Id(1000), GroupId::Id(2000)]
        );
        assert_eq!(
            c.to_kernel_params().to_string(),
            "254:1 1 4 128 user fair 2048 :40 1000:30 2000:20 class -1:idle \
             limit 1000:write_bps=209715200,iops=2000 floor 2000:bps=52428800"
        );
        // One group with all of it, in the kernel's order.
        round_trip::<TableParams>(
            "8:1 1 4 128 uid fair 2048 :100 5:1 limit 5:bps=100 floor 5:bps=50,iops=3",
        );
        // A floored or idle default group prints in the extended form.
        for tail in ["floor -1:bps=52428800", "class -1:idle"] {
            let s = format!("8:1 1 4 128 none fair 2048 :100 {tail}");
            round_trip::<TableParams>(&s);
            let c = Config::from(&s.parse::<TableParams>().unwrap());
            assert_eq!(c.to_kernel_params().to_string(), s);
            let mut c = c;
            assert_eq!(c.set_limits(GroupLimit::none(GroupId::Default)), Ok(()));
            assert_eq!(c.to_kernel_params().to_string(), "8:1 1 4 128");
        }
        // `class <id>:normal` is taken, and means the default.
        let p: TableParams = "8:1 1 4 128 uid fair 2048 :100 5:1 class 5:normal class -1:idle \
                              class -1:normal"
            .parse()
            .unwrap();
        assert_eq!(p.to_string(), "8:1 1 4 128 uid fair 2048 :100 5:1");
        assert!(p.extended.as_ref().is_some_and(|e| e.limits.is_empty()));
        // (parameters, the field its error names)
        for (text, field) in [
            ("8:1 1 4 128 uid fair 2048 :100 5:1 floor", "limit"),
            ("8:1 1 4 128 uid fair 2048 :100 5:1 floor 6:iops=1", "floor"),
            ("8:1 1 4 128 uid fair 2048 :100 5:1 class 6:idle", "class"),
            ("8:1 1 4 128 uid fair 2048 :100 floor 5:iops=1 5:1", "floor"),
            ("8:1 1 4 128 uid fair 2048 :100 class 5:idle 5:1", "class"),
            ("8:1 1 4 128 uid fair 2048 :100 5:1 class 5:busy", "class"),
            ("8:1 1 4 128 uid fair 2048 :100 5:1 class 5", "class"),
            ("8:1 1 4 128 uid fair 2048 :100 5:1 floor 5:none", "floor"),
            ("8:1 1 4 128 uid fair 2048 :100 5:1 floor 5:", "floors"),
            (
                "8:1 1 4 128 uid fair 2048 :100 5:1 floor 5:iops=1 floor 5:bps=1",
                "floor",
            ),
            (
                "8:1 1 4 128 uid fair 2048 :100 5:1 limit 5:bps=1 floor 5:bps=2",
                "floor",
            ),
            (
                "8:1 1 4 128 uid fair 2048 :100 5:1 floor 5:bps=2 class 5:idle",
                "class",
            ),
            (
                "8:1 1 4 128 none fair 2048 :100 class -1:idle floor -1:iops=1",
                "class",
            ),
            ("8:1 1 4 128 none fair 2048 :100 5:1 class 5:idle", "type"),
        ] {
            let e = text.parse::<TableParams>().unwrap_err();
            assert_eq!(e.field, field, "{text:?}: {e}");
            assert_eq!(e.what, "table line", "{text:?}: {e}");
        }
    }

    #[test]
    fn write_weights_in_the_table_as_the_kernel_prints_them() {
        // The kernel's own line: the default group's words first, then
        // each group's limit, floor, class, write_weight.
        let s = "254:1 1 4 128 user fair 2048 :40 1000:30 2000:20 write_weight -1:50 \
                 limit 1000:iops=2000 class 1000:idle write_weight 1000:15 floor 2000:bps=52428800";
        round_trip::<TableParams>(s);
        round_trip::<TableLine>(&format!("0 8 ioband {s}"));
        let p: TableParams = s.parse().unwrap();
        assert_eq!(p.extended.as_ref().map(|e| e.groups.len()), Some(2));
        let c = Config::from(&p);
        assert_eq!(c.write_weight_of(GroupId::Default), Some(50));
        assert_eq!(c.write_weight_of(GroupId::Id(1000)), Some(15));
        assert_eq!(c.write_weight_of(GroupId::Id(2000)), None);
        assert_eq!(c.write_weight_of(GroupId::Id(3000)), None);
        assert!(c.is_idle(GroupId::Id(1000)));
        assert_eq!(c.to_kernel_params(), p);
        assert_eq!(c.to_kernel_params().to_string(), s);
        // Any order is taken (and kept); the kernel's form is its order.
        let given = "254:1 1 4 128 user fair 2048 :40 1000:30 2000:20 \
                     limit 1000:iops=2000 class 1000:idle write_weight 1000:15 \
                     floor 2000:bps=52428800 write_weight -1:50";
        round_trip::<TableParams>(given);
        let p: TableParams = given.parse().unwrap();
        assert_eq!(Config::from(&p).to_kernel_params().to_string(), s);
        // A write weight alone is a group's only word; the default group's
        // makes the extended form.
        round_trip::<TableParams>("8:1 1 4 128 uid fair 2048 :100 5:1 write_weight 5:1000000");
        let s = "8:1 1 4 128 none fair 2048 :100 write_weight -1:1";
        round_trip::<TableParams>(s);
        let mut c = Config::from(&s.parse::<TableParams>().unwrap());
        assert_eq!(c.to_kernel_params().to_string(), s);
        assert_eq!(c.set_limits(GroupLimit::none(GroupId::Default)), Ok(()));
        assert_eq!(c.to_kernel_params().to_string(), "8:1 1 4 128");
        // The groups end at the first `write_weight`.
        let p: TableParams = "8:1 1 4 128 uid fair 2048 :100 5:1 write_weight 5:7 limit 5:iops=9"
            .parse()
            .unwrap();
        assert_eq!(
            Config::from(&p).to_kernel_params().to_string(),
            "8:1 1 4 128 uid fair 2048 :100 5:1 limit 5:iops=9 write_weight 5:7"
        );
        // (parameters, the field its error names)
        for (text, field) in [
            ("8:1 1 4 128 uid fair 2048 :100 5:1 write_weight", "limit"),
            (
                "8:1 1 4 128 uid fair 2048 :100 5:1 write_weight 5",
                "write_weight",
            ),
            (
                "8:1 1 4 128 uid fair 2048 :100 5:1 write_weight 5:",
                "write_weight",
            ),
            (
                "8:1 1 4 128 uid fair 2048 :100 5:1 write_weight 5:0",
                "write_weight",
            ),
            (
                "8:1 1 4 128 uid fair 2048 :100 5:1 write_weight 5:1000001",
                "write_weight",
            ),
            (
                "8:1 1 4 128 uid fair 2048 :100 5:1 write_weight 5:same",
                "write_weight",
            ),
            (
                "8:1 1 4 128 uid fair 2048 :100 5:1 write_weight 5:+3",
                "write_weight",
            ),
            (
                "8:1 1 4 128 uid fair 2048 :100 5:1 write_weight 6:3",
                "write_weight",
            ),
            (
                "8:1 1 4 128 uid fair 2048 :100 write_weight 5:3 5:1",
                "write_weight",
            ),
            (
                "8:1 1 4 128 uid fair 2048 :100 5:1 write_weight -2:3",
                "group id",
            ),
            (
                "8:1 1 4 128 uid fair 2048 :100 5:1 write_weight 5:3 write_weight 5:3",
                "write_weight",
            ),
            (
                "8:1 1 4 128 none fair 2048 :100 write_weight -1:3 write_weight -1:4",
                "write_weight",
            ),
        ] {
            let e = text.parse::<TableParams>().unwrap_err();
            assert_eq!(e.field, field, "{text:?}: {e}");
            assert_eq!(e.what, "table line", "{text:?}: {e}");
        }
        let e = "8:1 1 4 128 uid fair 2048 :100 5:1 write_weight 5:0"
            .parse::<TableParams>()
            .unwrap_err();
        assert_eq!(e.reason, "0 is out of range (1 to 1000000)");
    }

    #[test]
    fn write_weight_messages() {
        for s in [
            "write_weight 50",
            "write_weight same",
            "write_weight 1000:15",
            "write_weight 1000:same",
            "write_weight 18446744073709551615:1000000",
            "write_weight 1",
        ] {
            round_trip::<Message>(s);
        }
        // -1 is the default group, sent without an id.
        for (s, sent) in [
            ("write_weight -1:50", "write_weight 50"),
            ("write_weight -1:same", "write_weight same"),
        ] {
            assert_eq!(s.parse::<Message>().map(|m| m.to_string()), Ok(sent.into()));
        }
        assert_eq!(
            "write_weight 7:same".parse::<Message>(),
            Ok(Message::WriteWeight {
                id: Some(7),
                weight: None
            })
        );
        assert_eq!(
            "write_weight 15".parse::<Message>(),
            Ok(Message::WriteWeight {
                id: None,
                weight: Some(15)
            })
        );
        // (message, the field its error names)
        for (s, field) in [
            ("write_weight", "write_weight"),
            ("write_weight 1 2", "write_weight"),
            ("write_weight 0", "write_weight"),
            ("write_weight 1000001", "write_weight"),
            ("write_weight 5:0", "write_weight"),
            ("write_weight 5:", "write_weight"),
            ("write_weight -5", "write_weight"),
            ("write_weight Same", "write_weight"),
            ("write_weight 4294967296", "write_weight"),
            ("write_weight x:5", "ID"),
            ("write_weight -2:5", "ID"),
            ("write_weight :5", "ID"),
        ] {
            let e = s.parse::<Message>().unwrap_err();
            assert_eq!(e.field, field, "{s:?}: {e}");
        }
        // What it leaves a group with; the module's refusal of a group
        // not attached.
        let p: TableParams = "8:1 1 4 128 uid fair 2048 :100 5:1 7:1 limit 5:bps=100 \
                              write_weight 7:3"
            .parse()
            .unwrap();
        let mut c = Config::from(&p);
        let after = |c: &Config, m: &str| c.limits_after(&m.parse::<Message>().unwrap());
        assert_eq!(
            after(&c, "write_weight 6:5"),
            Some(Err(LimitError::NotAttached(6)))
        );
        let ok = |c: &Config, m: &str| match after(c, m) {
            Some(Ok(l)) => l.to_string(),
            other => panic!("{m}: {other:?}"),
        };
        assert_eq!(
            ok(&c, "write_weight 5:50"),
            "limit 5:bps=100 write_weight 5:50"
        );
        assert_eq!(ok(&c, "write_weight 7:same"), "");
        assert_eq!(ok(&c, "write_weight 9"), "write_weight -1:9");
        let l = match after(&c, "write_weight 9") {
            Some(Ok(l)) => l,
            other => panic!("{other:?}"),
        };
        assert_eq!(c.set_limits(l), Ok(()));
        assert_eq!(
            c.to_kernel_params().to_string(),
            "8:1 1 4 128 uid fair 2048 :100 5:1 7:1 write_weight -1:9 limit 5:bps=100 \
             write_weight 7:3"
        );
    }

    #[test]
    fn limits_after_refuses_what_the_module_refuses() {
        let p: TableParams = "8:1 1 4 128 uid fair 2048 :100 5:1 7:1 limit 5:bps=100 \
                              floor 5:bps=50 class 7:idle"
            .parse()
            .unwrap();
        let c = Config::from(&p);
        let after = |m: &str| c.limits_after(&m.parse::<Message>().unwrap());
        let above = |floor, cap| {
            Some(Err(LimitError::FloorAboveCap {
                key: CapKey::Bps,
                floor,
                cap,
            }))
        };
        assert_eq!(after("floor 5:bps=101"), above(101, 100));
        assert_eq!(after("limit 5:bps=49"), above(50, 49));
        assert_eq!(
            after("floor 7:iops=1"),
            Some(Err(LimitError::IdleWithFloor))
        );
        assert_eq!(after("class 5:idle"), Some(Err(LimitError::IdleWithFloor)));
        assert_eq!(after("class 6:idle"), Some(Err(LimitError::NotAttached(6))));
        assert_eq!(after("floor 6:none"), Some(Err(LimitError::NotAttached(6))));
        assert_eq!(after("weight 5:3"), None);
        // What is allowed, and what it leaves.
        let ok = |m: &str| match after(m) {
            Some(Ok(l)) => l.to_string(),
            other => panic!("{m}: {other:?}"),
        };
        assert_eq!(ok("floor 5:bps=100"), "limit 5:bps=100 floor 5:bps=100");
        assert_eq!(ok("limit 5:bps=max"), "floor 5:bps=50");
        assert_eq!(
            ok("floor 5:iops=9"),
            "limit 5:bps=100 floor 5:bps=50,iops=9"
        );
        assert_eq!(ok("floor 5:none"), "limit 5:bps=100");
        assert_eq!(ok("class 7:normal"), "");
        assert_eq!(ok("class idle"), "class -1:idle");
        assert_eq!(ok("floor -1:iops=3"), "floor -1:iops=3");
        let mut c = c.clone();
        let l = c.limits_of(GroupId::Id(5));
        assert_eq!(
            c.set_limits(GroupLimit { idle: true, ..l }),
            Err(LimitError::IdleWithFloor)
        );
        assert_eq!(c.limits_of(GroupId::Id(5)), l, "nothing changed");
    }

    #[test]
    fn floor_and_class_messages() {
        for s in [
            "floor 2000:bps=52428800",
            "floor read_iops=5,bps=max",
            "floor none",
            "floor 7:none",
            "class idle",
            "class normal",
            "class 1000:idle",
            "class 18446744073709551615:normal",
        ] {
            round_trip::<Message>(s);
        }
        // -1 is the default group, sent without an id.
        for (s, sent) in [
            ("floor -1:bps=5", "floor bps=5"),
            ("class -1:idle", "class idle"),
            ("class -1:normal", "class normal"),
        ] {
            assert_eq!(s.parse::<Message>().map(|m| m.to_string()), Ok(sent.into()));
        }
        assert_eq!(
            "class 5:idle".parse::<Message>(),
            Ok(Message::Class {
                id: Some(5),
                idle: true
            })
        );
        assert_eq!(
            "floor write_iops=max".parse::<Message>(),
            Ok(Message::Floor {
                id: None,
                change: CapChange::Set(vec![(CapKey::WriteIops, None)]),
            })
        );
        let floors: Caps = "bps=52428800".parse().unwrap();
        assert_eq!(
            Message::floor_replace(Some(2000), &floors).to_string(),
            "floor 2000:read_bps=max,write_bps=max,bps=52428800,read_iops=max,write_iops=max,iops=max"
        );
        assert_eq!(
            Message::floor_replace(None, &Caps::NONE).to_string(),
            "floor none"
        );
    }

    #[test]
    fn limit_messages() {
        for s in [
            "limit 1000:read_bps=209715200,write_iops=2000",
            "limit read_bps=1048576",
            "limit none",
            "limit 7:none",
            "limit iops=max,read_bps=5",
            "limit 18446744073709551615:bps=1125899906842624",
            "limits",
        ] {
            round_trip::<Message>(s);
        }
        // -1 is the default group, sent without an id.
        assert_eq!(
            "limit -1:read_iops=2"
                .parse::<Message>()
                .map(|m| m.to_string()),
            Ok("limit read_iops=2".to_string())
        );
        assert_eq!(
            "limit 5:write_iops=max".parse::<Message>(),
            Ok(Message::Limit {
                id: Some(5),
                change: CapChange::Set(vec![(CapKey::WriteIops, None)]),
            })
        );
        let caps: Caps = "read_bps=8192,read_iops=2".parse().unwrap();
        assert_eq!(
            Message::limit_replace(Some(1234), &caps).to_string(),
            "limit 1234:read_bps=8192,write_bps=max,bps=max,read_iops=2,write_iops=max,iops=max"
        );
        assert_eq!(
            Message::limit_replace(None, &Caps::NONE).to_string(),
            "limit none"
        );
    }

    #[test]
    fn weight_message_separators() {
        for s in ["weight 5=7", "weight 5,7", "weight 5:7"] {
            assert_eq!(
                s.parse::<Message>(),
                Ok(Message::Weight {
                    id: Some(5),
                    weight: 7
                })
            );
        }
        assert_eq!(
            "weight -1:9".parse::<Message>(),
            Ok(Message::Weight {
                id: None,
                weight: 9
            })
        );
    }

    #[test]
    fn table_params_arity() {
        assert!("/dev/sda".parse::<TableParams>().is_err());
        for n in 5..=7 {
            let s = ["/dev/sda", "1", "4", "128", "user", "weight", "2048"][..n].join(" ");
            let e = s.parse::<TableParams>().unwrap_err();
            assert_eq!(e.field, "arguments", "{s}");
        }
        assert!("/dev/sda 2147483647".parse::<TableParams>().is_ok());
        // (parameters, the field its error names)
        let cases = [
            ("/dev/sda -1", "device-group-id"),
            ("/dev/sda 2147483648", "device-group-id"),
            ("/dev/sda 1 4 128 user weight 2048 40", "default weight"),
            ("/dev/sda 1 4 128 user weight 2048 :0", "default weight"),
            ("/dev/sda 1 4 128 blah weight 2048 :1", "type"),
            ("/dev/sda 1 4 128 user fifo 2048 :1", "policy"),
            ("/dev/sda 1 4 128 user weight 2048 :1 5:1 5:2", "group id"),
            ("/dev/sda 1 4 128 none weight 2048 :1 5:1", "type"),
        ];
        for (text, field) in cases {
            let e = text.parse::<TableParams>().unwrap_err();
            assert_eq!(e.field, field, "{text:?}");
        }
        assert!("/dev/sda 1 4 +128".parse::<TableParams>().is_err());
        assert!("/dev/sda 1 4 99999999999".parse::<TableParams>().is_err());
    }

    #[test]
    fn table_line_checks() {
        assert!("1 100 ioband /dev/sda 1".parse::<TableLine>().is_err());
        assert!("0 0 ioband /dev/sda 1".parse::<TableLine>().is_err());
        assert!("0 100 linear /dev/sda 0".parse::<TableLine>().is_err());
        assert!("0 100 ioband".parse::<TableLine>().is_err());
        assert!("".parse::<TableLine>().is_err());
        // Extra whitespace is accepted and canonicalised.
        let t: TableLine = "  0  100\tioband  /dev/sda   1 \n".parse().unwrap();
        assert_eq!(t.to_string(), "0 100 ioband /dev/sda 1");
    }

    #[test]
    fn config_defaults_and_kernel_form() {
        let p: TableParams = "/dev/sda1 1".parse().unwrap();
        let c = Config::from(&p);
        assert_eq!(c.io_throttle, 4);
        assert_eq!(c.io_limit, 128);
        assert_eq!(c.token, 2048);
        assert_eq!(c.default_weight, 100);
        assert_eq!(c.to_kernel_params().to_string(), "/dev/sda1 1 4 128");

        // The short form means policy fair; io_limit 0 and 128 mean auto.
        assert_eq!(c.policy, Policy::Fair);
        assert_eq!(c.io_limit_setting(), IoLimit::Auto);
        let p: TableParams = "254:0 1 0 0 none fair 0 :100".parse().unwrap();
        assert_eq!(
            Config::from(&p).to_kernel_params().to_string(),
            "254:0 1 4 128"
        );
        // The 2008 default policy is no longer the default: it is printed.
        for w in ["weight", "default"] {
            let p: TableParams = format!("254:0 1 0 0 none {w} 0 :100").parse().unwrap();
            assert_eq!(
                Config::from(&p).to_kernel_params().to_string(),
                "254:0 1 4 128 none weight 2048 :100"
            );
        }
        let p: TableParams = "254:0 1 4 64".parse().unwrap();
        assert_eq!(Config::from(&p).io_limit_setting(), IoLimit::Fixed(64));

        let p: TableParams = "254:0 1 4 128 user weight 2048 :40 1000:30 2000:20"
            .parse()
            .unwrap();
        let c = Config::from(&p);
        assert_eq!(c.total_weight(), 90);
        assert_eq!(c.weight_of(GroupId::Id(2000)), Some(20));
        assert_eq!(c.weight_of(GroupId::Id(3000)), None);
        assert_eq!(c.to_kernel_params(), p);
    }

    #[test]
    fn display_fills_missing_numbers_in_extended_form() {
        let mut p = TableParams::new("/dev/x", 3);
        p.extended = Some(Extended {
            group_type: GroupType::Uid,
            policy: Policy::Weight,
            token: 0,
            default_weight: 7,
            groups: vec![],
            limits: vec![],
        });
        assert_eq!(p.to_string(), "/dev/x 3 0 0 uid weight 0 :7");
        p.io_throttle = Some(9);
        assert_eq!(p.to_string(), "/dev/x 3 9 0 uid weight 0 :7");
        let back: TableParams = p.to_string().parse().unwrap();
        assert_eq!(Config::from(&back), Config::from(&p));
    }

    #[test]
    fn message_errors() {
        for (s, field) in [
            ("", "message"),
            ("weight", "weight"),
            ("weight 0", "weight"),
            ("weight 1000:0", "weight"),
            ("weight x:1", "ID"),
            ("weight -1", "weight"),
            ("type bogus", "type"),
            ("attach", "attach"),
            ("attach -5", "ID"),
            ("token 0", "token"),
            ("reset now", "reset"),
            ("shares 1", "shares"),
            ("settings now", "settings"),
            ("frobnicate 1", "verb"),
            ("io_limit 4294967296", "io_limit"),
            ("limit", "limit"),
            ("limit a b", "limit"),
            ("limit ", "limit"),
            ("limit 5:", "limit"),
            ("limit :read_bps=1", "ID"),
            ("limit x:read_bps=1", "ID"),
            ("limit -2:read_bps=1", "ID"),
            ("limit read_bps=0", "read_bps"),
            ("limit read_bps=-1", "read_bps"),
            ("limit 5:read_bps=1125899906842625", "read_bps"),
            ("limit iops=1000000001", "iops"),
            ("limit iops=1,iops=2", "iops"),
            ("limit speed=1", "key"),
            ("limit read_bps", "caps"),
            ("limit read_bps=1,", "caps"),
            ("limits now", "limits"),
            ("floor", "floor"),
            ("floor a b", "floor"),
            ("floor 5:", "floor"),
            ("floor x:bps=1", "ID"),
            ("floor bps=0", "bps"),
            ("floor iops=1000000001", "iops"),
            ("floor bps=1,bps=2", "bps"),
            ("floor speed=1", "key"),
            ("floor bps", "floors"),
            ("floor bps=1,", "floors"),
            ("class", "class"),
            ("class idle now", "class"),
            ("class busy", "class"),
            ("class 5:Idle", "class"),
            ("class 5:", "class"),
            ("class x:idle", "ID"),
            ("class -2:idle", "ID"),
            ("write_weight 0", "write_weight"),
            ("write_weight 3:x", "write_weight"),
        ] {
            let e = s.parse::<Message>().unwrap_err();
            assert_eq!(e.field, field, "{s:?}: {e}");
        }
    }

    #[test]
    fn status_errors() {
        assert!("".parse::<Status>().is_err());
        assert!("1 -1 1 2 3".parse::<Status>().is_err());
        assert!("1 -2 1 2 3 4 5 6".parse::<Status>().is_err());
        assert!("x".parse::<Status>().is_err());
        assert!("1 -1 1 2 3 4 5 x".parse::<Status>().is_err());
    }

    #[test]
    fn major_minor() {
        assert_eq!(split_major_minor("8:1"), Some(("8", "1")));
        assert_eq!(parse_major_minor("259:3"), Some((259, 3)));
        assert_eq!(parse_major_minor("08:01"), Some((8, 1)));
        for bad in ["", ":", "8:", ":1", "a:1", "8:1:2", "+8:1", "/dev/sda1"] {
            assert_eq!(parse_major_minor(bad), None, "{bad:?}");
        }
        assert_eq!(
            split_major_minor("99999999999:1"),
            Some(("99999999999", "1"))
        );
        assert_eq!(parse_major_minor("99999999999:1"), None);
    }

    #[test]
    fn types_and_policies() {
        for t in GroupType::ALL {
            assert_eq!(t.as_str().parse::<GroupType>(), Ok(t));
        }
        assert!(GroupType::User.is_uid() && GroupType::Uid.is_uid());
        assert!(!GroupType::Gid.is_uid());
        for p in Policy::ALL {
            assert_eq!(p.as_str().parse::<Policy>(), Ok(p));
        }
        assert!(Policy::FairIosize.by_size() && !Policy::Fair.by_size());
        // `default` is the 2008 name of weight, in tables and messages too.
        assert_eq!("default".parse::<Policy>(), Ok(Policy::Weight));
        assert_eq!(
            "policy default".parse::<Message>().map(|m| m.to_string()),
            Ok("policy weight".to_string())
        );
        let e = "defaults".parse::<Policy>().unwrap_err();
        assert!(e.reason.contains("default, which is weight"), "{e}");
        assert_eq!(DEFAULT_POLICY, Policy::Fair);
    }

    #[test]
    fn io_limit_auto_and_pinned() {
        for (text, want) in [
            ("auto", IoLimit::Auto),
            ("128", IoLimit::Auto),
            ("2", IoLimit::Fixed(2)),
            ("65536", IoLimit::Fixed(65_536)),
        ] {
            assert_eq!(text.parse::<IoLimit>(), Ok(want), "{text}");
        }
        assert_eq!(IoLimit::Auto.to_string(), "auto");
        assert_eq!(IoLimit::Auto.to_kernel(), 128);
        assert_eq!(IoLimit::Fixed(64).to_kernel(), 64);
        assert_eq!(IoLimit::from_kernel(0), IoLimit::Auto);
        assert_eq!(IoLimit::from_kernel(128), IoLimit::Auto);
        assert!(IoLimit::from_kernel(128).is_auto() && !IoLimit::Fixed(3).is_auto());
        for bad in [
            "",
            "0",
            "1",
            "65537",
            "-5",
            "Auto",
            "auto ",
            "99999999999999999999999",
        ] {
            let e = bad.parse::<IoLimit>().unwrap_err();
            assert_eq!(e.field, "io_limit", "{bad:?}: {e}");
        }
        let e = "1".parse::<IoLimit>().unwrap_err();
        assert!(e.reason.contains("128 means auto"), "{e}");
    }

    #[test]
    fn settings_reply() {
        let text = "policy=fair token=2048 io_throttle=4 io_limit=128 io_limit_auto=1 \
                    effective_io_throttle=1 effective_io_limit=2 queue_depth=2 nowait_again=0";
        round_trip::<Settings>(text);
        let st: Settings = text.parse().unwrap();
        assert_eq!(st.policy, Some(Policy::Fair));
        assert_eq!(st.io_limit_setting(), Some(IoLimit::Auto));
        assert_eq!(st.effective_io_limit, Some(2));
        assert_eq!(st.effective_io_throttle, Some(1));
        assert_eq!(st.known_queue_depth(), Some(2));
        assert_eq!(st.nowait_again, Some(0));
        assert!(st.other.is_empty());
        // Keys may grow: unknown ones are kept, printed after the known.
        let st: Settings = "future=x,y io_limit=64 io_limit_auto=0 queue_depth=0 a=b=c"
            .parse()
            .unwrap();
        assert_eq!(st.io_limit_setting(), Some(IoLimit::Fixed(64)));
        assert_eq!(st.known_queue_depth(), None);
        assert_eq!(
            st.other,
            vec![("future".into(), "x,y".into()), ("a".into(), "b=c".into())]
        );
        assert_eq!(
            st.to_string(),
            "io_limit=64 io_limit_auto=0 queue_depth=0 future=x,y a=b=c"
        );
        // Without the flag, 128 is auto.
        let st: Settings = "io_limit=128".parse().unwrap();
        assert_eq!(st.io_limit_setting(), Some(IoLimit::Auto));
        assert_eq!(Settings::default().io_limit_setting(), None);
        // (reply, the field its error names)
        for (text, field) in [
            ("", "record"),
            ("policy", "record"),
            ("=5", "record"),
            ("io_limit=x", "io_limit"),
            ("io_limit=1 io_limit=2", "io_limit"),
            ("x=1 x=2", "x"),
            ("io_limit_auto=2", "io_limit_auto"),
            ("policy=fifo", "policy"),
            ("nowait_again=-1", "nowait_again"),
            ("queue_depth=4294967296", "queue_depth"),
        ] {
            let e = text.parse::<Settings>().unwrap_err();
            assert_eq!(e.field, field, "{text:?}: {e}");
        }
    }

    /// A tiny deterministic generator so the round-trip property runs over
    /// many shapes without extra dependencies.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn num(&mut self) -> u64 {
            match self.next() % 4 {
                0 => 0,
                1 => self.next() % 10,
                2 => self.next() % 100_000,
                _ => self.next(),
            }
        }
    }

    /// Some caps, each key set with probability 1/2, in range.
    fn random_caps(r: &mut Rng) -> Caps {
        let mut c = Caps::NONE;
        for k in CapKey::ALL {
            if r.next().is_multiple_of(2) {
                let v = r.num() % k.max() + 1;
                c.set(k, Some(v)).unwrap();
            }
        }
        c
    }

    /// Some valid limits of group `id`: caps, floors at most the caps,
    /// the idle class only without floors; maybe none.
    fn random_group_limit(r: &mut Rng, id: GroupId) -> GroupLimit {
        let caps = if r.next().is_multiple_of(2) {
            random_caps(r)
        } else {
            Caps::NONE
        };
        let mut floors = if r.next().is_multiple_of(2) {
            random_caps(r)
        } else {
            Caps::NONE
        };
        for k in CapKey::ALL {
            if let (Some(f), Some(c)) = (floors.get(k), caps.get(k)) {
                floors.set(k, Some(f.min(c))).unwrap();
            }
        }
        let idle = floors.is_empty() && r.next().is_multiple_of(2);
        let write_weight = r
            .next()
            .is_multiple_of(3)
            .then(|| (r.num() % u64::from(MAX_WEIGHT)) as u32 + 1);
        GroupLimit {
            id,
            caps,
            floors,
            idle,
            write_weight,
        }
    }

    /// Limits for some of the default group and `groups`, in the kernel's
    /// order or not.
    fn random_limits(r: &mut Rng, groups: &[GroupWeight]) -> Vec<GroupLimit> {
        let mut v = Vec::new();
        for id in std::iter::once(GroupId::Default).chain(groups.iter().map(|g| GroupId::Id(g.id)))
        {
            let l = random_group_limit(r, id);
            if r.next().is_multiple_of(3) && !l.is_none() {
                v.push(l);
            }
        }
        if r.next().is_multiple_of(4) {
            v.reverse();
        }
        v
    }

    /// A message of any kind, its numbers in range.
    fn random_message(r: &mut Rng) -> Message {
        match r.next() % 17 {
            16 => Message::WriteWeight {
                id: (!r.next().is_multiple_of(2)).then(|| r.num()),
                weight: (!r.next().is_multiple_of(3))
                    .then(|| (r.num() % u64::from(MAX_WEIGHT)) as u32 + 1),
            },
            13 => Message::floor_replace(
                (!r.next().is_multiple_of(2)).then(|| r.num()),
                &random_caps(r),
            ),
            14 => Message::Floor {
                id: (!r.next().is_multiple_of(2)).then(|| r.num()),
                change: CapChange::Set(vec![(CapKey::Iops, None), (CapKey::Bps, Some(7))]),
            },
            15 => Message::Class {
                id: (!r.next().is_multiple_of(2)).then(|| r.num()),
                idle: r.next().is_multiple_of(2),
            },
            10 => Message::Limits,
            11 => Message::limit_replace(
                (!r.next().is_multiple_of(2)).then(|| r.num()),
                &random_caps(r),
            ),
            12 => Message::Limit {
                id: (!r.next().is_multiple_of(2)).then(|| r.num()),
                change: match CapChange::replace(&random_caps(r)) {
                    CapChange::Set(mut v) => {
                        v.reverse();
                        v.truncate((r.next() % 6 + 1) as usize);
                        CapChange::Set(v)
                    }
                    c => c,
                },
            },
            0 => Message::Type(GroupType::ALL[(r.next() % 7) as usize]),
            1 => Message::Attach(r.num()),
            2 => Message::Detach(r.num()),
            3 => Message::Weight {
                id: None,
                weight: (r.num() as u32).max(1),
            },
            4 => Message::Weight {
                id: Some(r.num()),
                weight: (r.num() as u32).max(1),
            },
            5 => Message::Token((r.num() as u32).max(1)),
            6 => Message::IoThrottle((r.num() as u32).max(1)),
            7 => Message::Shares,
            8 => Message::Settings,
            _ => Message::Reset,
        }
    }

    #[test]
    fn property_round_trip() {
        let mut r = Rng(0x1234_5678_9abc_def1);
        for _ in 0..2000 {
            let n = r.next() % 5;
            let mut p = TableParams::new(
                if r.next().is_multiple_of(2) {
                    "/dev/nullb0".to_string()
                } else {
                    format!("{}:{}", r.num() % 4096, r.num() % 1_000_000)
                },
                (r.num() % u64::from(MAX_DEVICE_GROUP)) as u32,
            );
            if n >= 1 {
                p.io_throttle = Some(r.num() as u32);
            }
            if n >= 2 {
                p.io_limit = Some(r.num() as u32);
            }
            if n >= 3 {
                let gt = GroupType::ALL[(r.next() % 6 + 1) as usize];
                let mut groups = Vec::new();
                for i in 0..(r.next() % 5) {
                    groups.push(GroupWeight {
                        id: r.num().wrapping_add(i) | (i << 60),
                        weight: (r.num() as u32).max(1),
                    });
                }
                groups.dedup_by_key(|g| g.id);
                let limits = random_limits(&mut r, &groups);
                p.extended = Some(Extended {
                    group_type: gt,
                    policy: Policy::ALL[(r.next() % 5) as usize],
                    token: r.num() as u32,
                    default_weight: (r.num() as u32).max(1),
                    groups,
                    limits,
                });
            }
            let line = TableLine {
                start: 0,
                length: r.num().max(1),
                params: p,
            };
            let s = line.to_string();
            assert_eq!(s.parse::<TableLine>().as_ref(), Ok(&line), "{s}");
            round_trip::<TableLine>(&s);
            // And the kernel's form of it loads back to the same config.
            let c = Config::from(&line.params);
            let k = c.to_kernel_params();
            assert_eq!(Config::from(&k), c);
            round_trip::<TableParams>(&k.to_string());

            let mut st = Status {
                device_group: line.params.device_group,
                groups: vec![],
            };
            for i in 0..(r.next() % 4) {
                st.groups.push(GroupStats {
                    id: if i == 0 {
                        GroupId::Default
                    } else {
                        GroupId::Id(r.num())
                    },
                    read_reqs: r.num(),
                    read_delayed: r.num(),
                    read_sectors: r.num(),
                    write_reqs: r.num(),
                    write_delayed: r.num(),
                    write_sectors: r.num(),
                });
            }
            let s = st.to_string();
            assert_eq!(s.parse::<Status>().as_ref(), Ok(&st));
            round_trip::<Status>(&s);

            let mut sh = Shares {
                groups: vec![GroupShare {
                    id: GroupId::Default,
                    parent: None,
                    ppm: r.num() % (SHARE_ONE + 1),
                }],
            };
            for i in 0..(r.next() % 4) {
                let id = r.num().wrapping_add(i) | ((i + 1) << 60);
                sh.groups.push(GroupShare {
                    id: GroupId::Id(id),
                    parent: (!r.next().is_multiple_of(2)).then_some(id ^ 1),
                    ppm: r.num() % (SHARE_ONE + 1),
                });
            }
            let s = sh.to_string();
            assert_eq!(s.parse::<Shares>().as_ref(), Ok(&sh), "{s}");
            round_trip::<Shares>(&s);

            let m = random_message(&mut r);
            assert_eq!(m.to_string().parse::<Message>().as_ref(), Ok(&m));
        }
    }

    #[test]
    fn mutated_seeds_never_panic() {
        let seeds = [
            "0 44371467 ioband 202:33 128 10 400",
            "0 2097152 ioband 254:0 1 4 128 user weight 2048 :40 1000:30 2000:20",
            "128 -1 223 172 408 211 136 600 1001 166 107 472 139 95 352 1002 211 146 520 210 147 504",
            "weight 1000:30",
            "io_throttle 16",
            "type cgroup",
            "/dev/sda1 1 0 0 pgrp weight-iosize 0 :1 5:5",
            "-1:-:454545 69:-:60605 151:69:75757 315:69:151514",
            "policy=fair token=2048 io_throttle=4 io_limit=128 io_limit_auto=1 effective_io_throttle=1 effective_io_limit=2 queue_depth=2 nowait_again=0",
            "auto",
            "/dev/sdb1 1 4 128 pid fair 2048 :100 1234:80 limit -1:read_bps=1048576 limit 1234:read_bps=8192,read_iops=2",
            "limit 1000:read_bps=209715200,write_iops=2000",
            "limit iops=max,bps=5",
            "-1:read_iops=2:15:734000:1 1234:none:0:0:0",
            "254:1 1 4 128 user fair 2048 :40 1000:30 2000:20 limit 1000:write_bps=209715200,iops=2000 floor 2000:bps=52428800 class -1:idle",
            "floor 2000:bps=52428800",
            "class 1000:idle",
            "-1:none:0:0:0:none:0:normal 1000:read_bps=209715200:1532:8731942:1:none:0:normal 2000:none:0:0:0:bps=20971520:48000:normal",
            "254:1 1 4 128 user fair 2048 :40 1000:30 2000:20 write_weight -1:50 limit 1000:iops=2000 class 1000:idle write_weight 1000:15 floor 2000:bps=52428800",
            "write_weight 1000:15",
            "write_weight same",
        ];
        let alphabet: Vec<char> = "0123456789:-+ \t\nabioudwgtyp/\u{a0}\u{b}é=,_xlmnrfcse"
            .chars()
            .collect();
        let mut r = Rng(0xdead_beef_cafe_f00d);
        for seed in seeds {
            fuzz_one(seed);
            for _ in 0..3000 {
                let mut v: Vec<char> = seed.chars().collect();
                for _ in 0..(1 + r.next() % 4) {
                    let pos = (r.next() as usize) % (v.len() + 1);
                    let c = alphabet[(r.next() as usize) % alphabet.len()];
                    match r.next() % 3 {
                        0 if pos < v.len() => {
                            v.remove(pos);
                        }
                        1 if pos < v.len() => v[pos] = c,
                        _ => v.insert(pos, c),
                    }
                }
                fuzz_one(&v.into_iter().collect::<String>());
            }
        }
    }
}
