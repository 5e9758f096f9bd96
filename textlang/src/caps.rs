//! Caps, floors, the idle class and write weights: a group's limits beside
//! its weight (the module's `ioband-cap.c`).
//!
//! * six keys, in the module's order: `read_bps`, `write_bps`, `bps`
//!   (bytes/s of reads, writes, both), `read_iops`, `write_iops`, `iops`
//!   (bios/s); a rate is 1 to [`MAX_CAP_BPS`] or [`MAX_CAP_IOPS`];
//! * [`Caps`]: a set of rates, `none` or `key=value,...` in key order: a
//!   group's caps (maximum rates) or its floors (minimum rates: while it
//!   has bios waiting and is below them, it goes first; above them the
//!   disk goes by weight). No floor may be above the same key's cap;
//! * the idle class: a group that gets the disk only when no other group
//!   has done I/O for a moment; it cannot have a floor;
//! * a write weight: the weight of a group's writes (1 to [`MAX_WEIGHT`]),
//!   its reads keeping the group's weight; a write is charged weight /
//!   write_weight times its cost (the factor held to 1/64..64);
//! * [`GroupLimit`]: one group's caps, floors, class and write weight, as
//!   the table's tail says them: `limit <id>:<caps>`, `floor
//!   <id>:<floors>`, `class <id>:idle`, `write_weight <id>:<weight>`,
//!   grouped by group;
//! * [`CapChange`]: what a `limit [ID:]SPEC` or `floor [ID:]SPEC` message
//!   does: `none` clears every rate, `key=value|max,...` sets or clears the
//!   keys named and keeps the others (like cgroup v2's io.max);
//! * [`LimitError`]: why the module refuses a group's limits;
//! * [`Limits`]: the reply to the `limits` query, one [`CapRecord`] per
//!   group: `<id>:<caps>:<times parked>:<us parked>:<parked now
//!   0|1>:<floors>:<us behind floors>:<normal|idle>` (an older module
//!   prints the first five fields); fields a newer module adds after these
//!   are kept as text.

use std::fmt;
use std::str::FromStr;

use crate::{parse_u32, parse_u64, GroupId, GroupWeight, ParseError, MAX_WEIGHT};

/// Largest bytes/s cap or floor the module accepts (2^50).
pub const MAX_CAP_BPS: u64 = 1 << 50;
/// Largest bios/s cap or floor the module accepts.
pub const MAX_CAP_IOPS: u64 = 1_000_000_000;

/// One of a group's rates: a key of its caps and of its floors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CapKey {
    /// Bytes read per second.
    ReadBps,
    /// Bytes written per second.
    WriteBps,
    /// Bytes read and written per second.
    Bps,
    /// Read bios per second.
    ReadIops,
    /// Write bios per second.
    WriteIops,
    /// Bios per second, reads and writes.
    Iops,
}

impl CapKey {
    /// Every key, in the order the module prints them.
    pub const ALL: [CapKey; 6] = [
        CapKey::ReadBps,
        CapKey::WriteBps,
        CapKey::Bps,
        CapKey::ReadIops,
        CapKey::WriteIops,
        CapKey::Iops,
    ];

    /// The module's name for the key.
    pub fn as_str(self) -> &'static str {
        match self {
            CapKey::ReadBps => "read_bps",
            CapKey::WriteBps => "write_bps",
            CapKey::Bps => "bps",
            CapKey::ReadIops => "read_iops",
            CapKey::WriteIops => "write_iops",
            CapKey::Iops => "iops",
        }
    }

    /// Is it a rate of bytes (else of bios)?
    pub fn is_bps(self) -> bool {
        matches!(self, CapKey::ReadBps | CapKey::WriteBps | CapKey::Bps)
    }

    /// The largest rate the module takes for the key.
    pub fn max(self) -> u64 {
        if self.is_bps() {
            MAX_CAP_BPS
        } else {
            MAX_CAP_IOPS
        }
    }

    /// Check a rate: 1 to [`CapKey::max`].
    pub fn check(self, v: u64) -> Result<u64, String> {
        if v == 0 || v > self.max() {
            return Err(format!("{v} is out of range (1 to {}, or max)", self.max()));
        }
        Ok(v)
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for CapKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CapKey {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CapKey::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                ParseError::new(
                    "caps",
                    "key",
                    format!(
                        "unknown cap {s:?} (expected read_bps, write_bps, bps, read_iops, \
                         write_iops or iops)"
                    ),
                )
            })
    }
}

/// A rate as text: digits only, in range for `key`.
fn parse_rate(what: &'static str, key: CapKey, s: &str) -> Result<u64, ParseError> {
    let v = parse_u64(what, key.as_str(), s)?;
    key.check(v)
        .map_err(|e| ParseError::new(what, key.as_str(), e))
}

/// `key=value` split at the first `=`; the key parsed. `noun` (`caps`,
/// `floors`) names the field of a malformed item.
fn split_item<'a>(
    what: &'static str,
    noun: &'static str,
    item: &'a str,
) -> Result<(CapKey, &'a str), ParseError> {
    let Some((k, v)) = item.split_once('=') else {
        return Err(ParseError::new(
            what,
            noun,
            format!("expected KEY=VALUE, got {item:?}"),
        ));
    };
    let key = k.parse::<CapKey>().map_err(|e| ParseError { what, ..e })?;
    Ok((key, v))
}

/// A set of rates, each key's or none: a group's caps, or its floors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Caps {
    rates: [Option<u64>; 6],
}

impl Caps {
    /// No rate at all.
    pub const NONE: Caps = Caps { rates: [None; 6] };

    /// The rate of `key`, if set.
    pub fn get(&self, key: CapKey) -> Option<u64> {
        self.rates[key.index()]
    }

    /// Set (`Some`, checked: 1 to the key's maximum) or clear (`None`) a rate.
    pub fn set(&mut self, key: CapKey, v: Option<u64>) -> Result<(), String> {
        if let Some(v) = v {
            key.check(v)?;
        }
        self.rates[key.index()] = v;
        Ok(())
    }

    /// True when no rate is set.
    pub fn is_empty(&self) -> bool {
        self.rates.iter().all(Option::is_none)
    }

    /// The rates set, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (CapKey, u64)> + '_ {
        CapKey::ALL
            .into_iter()
            .filter_map(|k| self.get(k).map(|v| (k, v)))
    }

    /// The rates after `change`, as the module applies it.
    pub fn changed(&self, change: &CapChange) -> Caps {
        match change {
            CapChange::Clear => Caps::NONE,
            CapChange::Set(items) => {
                let mut c = *self;
                for &(k, v) in items {
                    // Values of a change are checked when it is made.
                    c.rates[k.index()] = v;
                }
                c
            }
        }
    }

    /// The first key whose rate here (a floor) is above the same key's
    /// rate in `caps`, as the module refuses it; a key set on one side
    /// only never is.
    pub fn first_above(&self, caps: &Caps) -> Option<CapKey> {
        CapKey::ALL
            .into_iter()
            .find(|&k| matches!((self.get(k), caps.get(k)), (Some(f), Some(c)) if f > c))
    }

    /// The keys set in both, each at the lower rate: floors at or below
    /// both these and `other`.
    pub fn meet(&self, other: &Caps) -> Caps {
        let mut c = Caps::NONE;
        for k in CapKey::ALL {
            if let (Some(a), Some(b)) = (self.get(k), other.get(k)) {
                c.rates[k.index()] = Some(a.min(b));
            }
        }
        c
    }

    /// Parse caps as the module prints them, naming `what` in errors:
    /// `none`, or `key=value,...` (numbers only, each key once; any order
    /// is taken, printed back in key order).
    pub fn parse_in(what: &'static str, s: &str) -> Result<Caps, ParseError> {
        Caps::parse_named(what, "caps", s)
    }

    /// [`Caps::parse_in`], `noun` (`caps`, `floors`) naming what is given.
    pub fn parse_named(
        what: &'static str,
        noun: &'static str,
        s: &str,
    ) -> Result<Caps, ParseError> {
        if s == "none" {
            return Ok(Caps::NONE);
        }
        if s.is_empty() {
            return Err(ParseError::new(what, noun, format!("no {noun} given")));
        }
        let mut c = Caps::NONE;
        for item in s.split(',') {
            let (key, v) = split_item(what, noun, item)?;
            if c.get(key).is_some() {
                return Err(ParseError::new(
                    what,
                    key.as_str(),
                    format!("{key} is given twice"),
                ));
            }
            c.rates[key.index()] = Some(parse_rate(what, key, v)?);
        }
        Ok(c)
    }
}

impl fmt::Display for Caps {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("none");
        }
        for (i, (k, v)) in self.iter().enumerate() {
            let sep = if i > 0 { "," } else { "" };
            write!(f, "{sep}{k}={v}")?;
        }
        Ok(())
    }
}

impl FromStr for Caps {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Caps::parse_in("caps", s)
    }
}

/// Why the module refuses a group's limits (EINVAL; nothing changes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LimitError {
    /// The group is not attached.
    NotAttached(u64),
    /// A floor would be above the same key's cap.
    FloorAboveCap {
        /// The key.
        key: CapKey,
        /// The floor's rate.
        floor: u64,
        /// The cap's rate.
        cap: u64,
    },
    /// A group of the idle class would have a floor.
    IdleWithFloor,
}

impl fmt::Display for LimitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LimitError::NotAttached(id) => write!(f, "group {id} is not attached"),
            LimitError::FloorAboveCap { key, floor, cap } => write!(
                f,
                "its floor {key}={floor} would be above its cap {key}={cap}"
            ),
            LimitError::IdleWithFloor => {
                f.write_str("a group of the idle class cannot have a floor")
            }
        }
    }
}

impl std::error::Error for LimitError {}

/// One group's limits: its caps, its floors, its class and its write
/// weight. In a table line they are the tail's words for the group, in the
/// kernel's order: `limit <id>:<caps>` if capped, `floor <id>:<floors>` if
/// it has floors, `class <id>:idle` if of the idle class, `write_weight
/// <id>:<weight>` if its writes have a weight of their own; a group with
/// none has no words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GroupLimit {
    /// The group: `-1` the default group, or an attached group's id.
    pub id: GroupId,
    /// Its caps (maximum rates).
    pub caps: Caps,
    /// Its floors (minimum rates).
    pub floors: Caps,
    /// Is it of the idle class (else normal)?
    pub idle: bool,
    /// The weight of its writes, 1 to [`MAX_WEIGHT`]; `None` (`same`): its
    /// writes weigh as its reads, by the group's weight.
    pub write_weight: Option<u32>,
}

impl GroupLimit {
    /// Group `id` without limits: no caps, no floors, class normal, no
    /// write weight.
    pub fn none(id: GroupId) -> GroupLimit {
        GroupLimit {
            id,
            caps: Caps::NONE,
            floors: Caps::NONE,
            idle: false,
            write_weight: None,
        }
    }

    /// True when it has no caps, no floors, no write weight and is of the
    /// normal class.
    pub fn is_none(&self) -> bool {
        !self.has_limits() && self.write_weight.is_none()
    }

    /// Has it caps, floors or the idle class (what the `limits` reply
    /// reports on)?
    pub fn has_limits(&self) -> bool {
        !self.caps.is_empty() || !self.floors.is_empty() || self.idle
    }

    /// Do its parts agree, as the module wants: no floor above the same
    /// key's cap, no floor on a group of the idle class?
    pub fn check(&self) -> Result<(), LimitError> {
        if let Some(key) = self.floors.first_above(&self.caps) {
            return Err(LimitError::FloorAboveCap {
                key,
                floor: self.floors.get(key).unwrap_or(0),
                cap: self.caps.get(key).unwrap_or(0),
            });
        }
        if self.idle && !self.floors.is_empty() {
            return Err(LimitError::IdleWithFloor);
        }
        Ok(())
    }
}

impl fmt::Display for GroupLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sep = "";
        if !self.caps.is_empty() {
            write!(f, "limit {}:{}", self.id, self.caps)?;
            sep = " ";
        }
        if !self.floors.is_empty() {
            write!(f, "{sep}floor {}:{}", self.id, self.floors)?;
            sep = " ";
        }
        if self.idle {
            write!(f, "{sep}class {}:idle", self.id)?;
            sep = " ";
        }
        if let Some(w) = self.write_weight {
            write!(f, "{sep}write_weight {}:{w}", self.id)?;
        }
        Ok(())
    }
}

impl FromStr for GroupLimit {
    type Err = ParseError;
    /// One group's words of a table's tail (`limit 5:iops=2 class 5:idle`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let words: Vec<&str> = s.split_ascii_whitespace().collect();
        match parse_tail(&words, None)?[..] {
            [one] => Ok(one),
            [] => Err(ParseError::new(
                "table line",
                "limit",
                "no limit, floor, idle class or write weight given",
            )),
            _ => Err(ParseError::new(
                "table line",
                "limit",
                "the words name more than one group",
            )),
        }
    }
}

/// `idle` or `normal`: is it the idle class?
pub(crate) fn parse_class(what: &'static str, s: &str) -> Result<bool, ParseError> {
    match s {
        "idle" => Ok(true),
        "normal" => Ok(false),
        _ => Err(ParseError::new(
            what,
            "class",
            format!("unknown class {s:?} (expected idle or normal)"),
        )),
    }
}

/// A write weight as text: `W`, 1 to [`MAX_WEIGHT`] (`what` names the text
/// in errors, field `write_weight`).
pub(crate) fn parse_write_weight(what: &'static str, s: &str) -> Result<u32, ParseError> {
    let v = parse_u32(what, "write_weight", s)?;
    if v == 0 || v > MAX_WEIGHT {
        return Err(ParseError::new(
            what,
            "write_weight",
            format!("{v} is out of range (1 to {MAX_WEIGHT})"),
        ));
    }
    Ok(v)
}

/// The weight of a `write_weight` word of a table, for group `l`.
fn parse_tail_write_weight(l: &mut GroupLimit, value: &str) -> Result<(), ParseError> {
    const W: &str = "table line";
    if l.write_weight.is_some() {
        return Err(ParseError::new(
            W,
            "write_weight",
            format!("group {} has two write_weights", l.id),
        ));
    }
    l.write_weight = Some(parse_write_weight(W, value)?);
    Ok(())
}

/// The rates of a `limit` or `floor` word (`kw`) of a table, for group `l`.
fn parse_tail_rates(l: &mut GroupLimit, kw: &'static str, value: &str) -> Result<(), ParseError> {
    const W: &str = "table line";
    // The module prints only the groups that have them, with numbers.
    if value == "none" || value.split(',').any(|i| i.ends_with("=max")) {
        return Err(ParseError::new(
            W,
            kw,
            format!(
                "{kw} {}:{value}: a table names only the groups that have them, with numbers",
                l.id
            ),
        ));
    }
    let (rates, noun) = if kw == "limit" {
        (&mut l.caps, "caps")
    } else {
        (&mut l.floors, "floors")
    };
    if !rates.is_empty() {
        return Err(ParseError::new(
            W,
            kw,
            format!("group {} has two {kw}s", l.id),
        ));
    }
    *rates = Caps::parse_named(W, noun, value)?;
    Ok(())
}

/// The tail of an extended table line, after the groups: `[limit|floor
/// <id>:<rates>]... [class <id>:idle|normal]... [write_weight
/// <id>:<weight>]...`, in any order; `<id>` is `-1` (the default group)
/// or, when `listed` is given, one of its groups. A group has at most one
/// `limit`, one `floor` and one `write_weight` (the module would take the
/// last; a table that gives two means something else); of its `class`
/// words the last counts (as in the module), `normal` being the default.
/// One [`GroupLimit`] per group named, in the order first named, groups
/// left with none of them left out.
pub(crate) fn parse_tail(
    words: &[&str],
    listed: Option<&[GroupWeight]>,
) -> Result<Vec<GroupLimit>, ParseError> {
    const W: &str = "table line";
    const EXPECTED: &str =
        "expected limit, floor, class or write_weight <id>:<value> after the groups";
    let mut out: Vec<GroupLimit> = Vec::with_capacity(words.len() / 2);
    for pair in words.chunks(2) {
        let [kw, arg] = pair else {
            return Err(ParseError::new(W, "limit", EXPECTED));
        };
        let kw: &'static str = match *kw {
            "limit" => "limit",
            "floor" => "floor",
            "class" => "class",
            "write_weight" => "write_weight",
            other => {
                return Err(ParseError::new(
                    W,
                    "limit",
                    format!("{EXPECTED}, got {other:?}"),
                ))
            }
        };
        let Some((id, value)) = arg.split_once(':') else {
            return Err(ParseError::new(
                W,
                kw,
                format!("expected {kw} <id>:<value>, got {arg:?}"),
            ));
        };
        let id: GroupId = id
            .parse()
            .map_err(|e: ParseError| ParseError { what: W, ..e })?;
        if let (GroupId::Id(i), Some(groups)) = (id, listed) {
            if !groups.iter().any(|g| g.id == i) {
                return Err(ParseError::new(
                    W,
                    kw,
                    format!("{kw} {arg}: group {i} is not listed before"),
                ));
            }
        }
        let at = match out.iter().position(|l| l.id == id) {
            Some(at) => at,
            None => {
                out.push(GroupLimit::none(id));
                out.len() - 1
            }
        };
        match kw {
            "class" => out[at].idle = parse_class(W, value)?,
            "write_weight" => parse_tail_write_weight(&mut out[at], value)?,
            _ => parse_tail_rates(&mut out[at], kw, value)?,
        }
    }
    for l in &out {
        l.check().map_err(|e| {
            let field = match e {
                LimitError::IdleWithFloor => "class",
                _ => "floor",
            };
            ParseError::new(W, field, format!("group {}: {e}", l.id))
        })?;
    }
    out.retain(|l| !l.is_none());
    Ok(out)
}

/// What a `limit [ID:]SPEC` or `floor [ID:]SPEC` message does to a group's
/// caps or floors.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CapChange {
    /// `none`: clear every rate.
    Clear,
    /// `key=value|max,...`: set (`Some`) or clear (`None`, written `max`)
    /// the keys named, in the order given; the others keep their value.
    /// Never empty when parsed or made by [`CapChange::replace`].
    Set(Vec<(CapKey, Option<u64>)>),
}

impl CapChange {
    /// The change that leaves a group with exactly `caps` (or floors):
    /// every key named (its rate, or `max`), or `none` when `caps` is empty.
    pub fn replace(caps: &Caps) -> CapChange {
        if caps.is_empty() {
            return CapChange::Clear;
        }
        CapChange::Set(CapKey::ALL.into_iter().map(|k| (k, caps.get(k))).collect())
    }

    /// The SPEC of a `limit` or `floor` message (`verb`): `none`, or
    /// `key=value|max,...` with each key once (the module would take a key
    /// twice, the last winning; a user means something else).
    pub fn parse_for(verb: &'static str, s: &str) -> Result<CapChange, ParseError> {
        const W: &str = "message";
        let noun = if verb == "floor" { "floors" } else { "caps" };
        if s == "none" {
            return Ok(CapChange::Clear);
        }
        if s.is_empty() {
            return Err(ParseError::new(
                W,
                verb,
                format!("no {noun} given (KEY=VALUE,... or none)"),
            ));
        }
        let mut items: Vec<(CapKey, Option<u64>)> = Vec::new();
        for item in s.split(',') {
            let (key, v) = split_item(W, noun, item)?;
            if items.iter().any(|(k, _)| *k == key) {
                return Err(ParseError::new(
                    W,
                    key.as_str(),
                    format!("{key} is given twice"),
                ));
            }
            let v = match v {
                "max" => None,
                v => Some(parse_rate(W, key, v)?),
            };
            items.push((key, v));
        }
        Ok(CapChange::Set(items))
    }
}

impl fmt::Display for CapChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CapChange::Clear => f.write_str("none"),
            CapChange::Set(items) => {
                for (i, (k, v)) in items.iter().enumerate() {
                    let sep = if i > 0 { "," } else { "" };
                    match v {
                        Some(v) => write!(f, "{sep}{k}={v}")?,
                        None => write!(f, "{sep}{k}=max")?,
                    }
                }
                Ok(())
            }
        }
    }
}

impl FromStr for CapChange {
    type Err = ParseError;
    /// The SPEC of a `limit` message ([`CapChange::parse_for`]).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CapChange::parse_for("limit", s)
    }
}

/// A group's floors and class in the reply to `limits` (a module with
/// floors).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FloorRecord {
    /// Its floors.
    pub floors: Caps,
    /// Microseconds its waiting bios are behind its floors: near 0 while
    /// the floors hold, up to about 50000 when they ask more than the
    /// disk gives; 0 without floors or bios waiting.
    pub floor_lag_us: u64,
    /// Is it of the idle class?
    pub idle: bool,
}

/// One group's record in the reply to the `limits` message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CapRecord {
    /// The group: the default group (`-1`) or an attached group's id.
    pub id: GroupId,
    /// Its caps.
    pub caps: Caps,
    /// Times its caps held its bios back (parked it); only grows.
    pub cap_waits: u64,
    /// Microseconds it spent parked, now included; only grows.
    pub cap_wait_us: u64,
    /// Is it parked now?
    pub capped_now: bool,
    /// Its floors, how far behind them, its class: `None` from a module
    /// without floors (which prints the five fields before).
    pub floor: Option<FloorRecord>,
    /// What a newer module prints after the floors' fields (without the
    /// `:` before it), kept as text; only with `floor`.
    pub more: Option<String>,
}

impl fmt::Display for CapRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}:{}:{}",
            self.id,
            self.caps,
            self.cap_waits,
            self.cap_wait_us,
            u8::from(self.capped_now)
        )?;
        if let Some(fl) = &self.floor {
            let class = if fl.idle { "idle" } else { "normal" };
            write!(f, ":{}:{}:{class}", fl.floors, fl.floor_lag_us)?;
        }
        match &self.more {
            Some(m) => write!(f, ":{m}"),
            None => Ok(()),
        }
    }
}

/// A `0` or `1` field of a `limits` record.
fn parse_flag(field: &'static str, s: &str) -> Result<bool, ParseError> {
    match s {
        "0" => Ok(false),
        "1" => Ok(true),
        _ => Err(ParseError::new(
            "limits",
            field,
            format!("expected 0 or 1, got {s:?}"),
        )),
    }
}

impl FromStr for CapRecord {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        const W: &str = "limits";
        let parts: Vec<&str> = s.splitn(9, ':').collect();
        let [id, caps, waits, us, now, ref rest @ ..] = parts[..] else {
            return Err(bad_record(s));
        };
        let mut r = CapRecord {
            id: id
                .parse()
                .map_err(|e: ParseError| ParseError { what: W, ..e })?,
            caps: Caps::parse_in(W, caps)?,
            cap_waits: parse_u64(W, "times parked", waits)?,
            cap_wait_us: parse_u64(W, "microseconds parked", us)?,
            capped_now: parse_flag("parked now", now)?,
            floor: None,
            more: None,
        };
        match rest {
            [] => {}
            [floors, lag, class, more @ ..] => {
                r.floor = Some(FloorRecord {
                    floors: Caps::parse_named(W, "floors", floors)?,
                    floor_lag_us: parse_u64(W, "microseconds behind floors", lag)?,
                    idle: parse_class(W, class)?,
                });
                r.more = more.first().map(|m| m.to_string());
            }
            _ => return Err(bad_record(s)),
        }
        Ok(r)
    }
}

/// A `limits` record with too few fields.
fn bad_record(s: &str) -> ParseError {
    ParseError::new(
        "limits",
        "record",
        format!("expected <id>:<caps>:<times>:<us>:<0|1>[:<floors>:<us>:<class>], got {s:?}"),
    )
}

/// The target's reply to the `limits` message: the default group first,
/// then the attached groups in attach order.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Limits {
    /// One record per group.
    pub groups: Vec<CapRecord>,
}

impl Limits {
    /// The record of group `id`, if present.
    pub fn group(&self, id: GroupId) -> Option<&CapRecord> {
        self.groups.iter().find(|g| g.id == id)
    }
}

impl fmt::Display for Limits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::write_records(f, &self.groups)
    }
}

impl FromStr for Limits {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Limits {
            groups: crate::parse_records("limits", s, |g: &CapRecord| g.id)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip<T>(s: &str)
    where
        T: FromStr<Err = ParseError> + fmt::Display + fmt::Debug,
    {
        match s.parse::<T>() {
            Ok(v) => assert_eq!(v.to_string(), s, "round trip of {s:?} via {v:?}"),
            Err(e) => panic!("{s:?} did not parse: {e}"),
        }
    }

    #[test]
    fn keys() {
        for k in CapKey::ALL {
            assert_eq!(k.as_str().parse::<CapKey>(), Ok(k));
            assert_eq!(k.check(k.max()), Ok(k.max()));
            assert!(k.check(0).is_err() && k.check(k.max() + 1).is_err());
        }
        assert!(CapKey::Bps.is_bps() && !CapKey::Iops.is_bps());
        assert_eq!(CapKey::ReadBps.max(), 1_125_899_906_842_624);
        assert_eq!(CapKey::WriteIops.max(), 1_000_000_000);
        let e = "read_Bps".parse::<CapKey>().unwrap_err();
        assert!(e.reason.contains("read_bps, write_bps"), "{e}");
        // The module's order.
        let names: Vec<&str> = CapKey::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(
            names.join(" "),
            "read_bps write_bps bps read_iops write_iops iops"
        );
    }

    #[test]
    fn caps_print_in_key_order() {
        round_trip::<Caps>("none");
        round_trip::<Caps>("read_bps=1048576");
        round_trip::<Caps>("read_bps=8192,read_iops=2");
        round_trip::<Caps>(
            "read_bps=1,write_bps=2,bps=1125899906842624,read_iops=3,write_iops=4,iops=1000000000",
        );
        let c: Caps = "iops=5,read_bps=7".parse().unwrap();
        assert_eq!(c.to_string(), "read_bps=7,iops=5");
        assert_eq!(c.get(CapKey::Iops), Some(5));
        assert_eq!(c.get(CapKey::Bps), None);
        assert_eq!(
            c.iter().collect::<Vec<_>>(),
            vec![(CapKey::ReadBps, 7), (CapKey::Iops, 5)]
        );
        assert!(Caps::NONE.is_empty() && !c.is_empty());
        let mut d = Caps::NONE;
        assert!(d.set(CapKey::Bps, Some(0)).is_err());
        assert!(d.set(CapKey::Iops, Some(MAX_CAP_IOPS + 1)).is_err());
        assert!(d.is_empty());
        d.set(CapKey::Bps, Some(9)).unwrap();
        assert_eq!(d.to_string(), "bps=9");
        d.set(CapKey::Bps, None).unwrap();
        assert_eq!(d, Caps::NONE);
        // (text, the field its error names)
        for (text, field) in [
            ("", "caps"),
            ("read_bps", "caps"),
            ("read_bps=", "read_bps"),
            ("read_bps=0", "read_bps"),
            ("read_bps=max", "read_bps"),
            ("read_bps=1125899906842625", "read_bps"),
            ("iops=1000000001", "iops"),
            ("read_bps=1,read_bps=2", "read_bps"),
            ("read_bps=1,", "caps"),
            ("reads=1", "key"),
            ("read_bps=+1", "read_bps"),
        ] {
            let e = text.parse::<Caps>().unwrap_err();
            assert_eq!(e.field, field, "{text:?}: {e}");
        }
    }

    #[test]
    fn group_limits() {
        round_trip::<GroupLimit>("limit -1:read_bps=1048576");
        round_trip::<GroupLimit>("limit 1234:read_bps=8192,read_iops=2");
        round_trip::<GroupLimit>("floor 2000:bps=52428800");
        round_trip::<GroupLimit>("class -1:idle");
        round_trip::<GroupLimit>("limit 7:bps=10,iops=5 floor 7:bps=10,read_iops=1");
        round_trip::<GroupLimit>("limit 7:iops=5 class 7:idle");
        round_trip::<GroupLimit>("write_weight -1:50");
        round_trip::<GroupLimit>("limit 1000:iops=2000 class 1000:idle write_weight 1000:15");
        round_trip::<GroupLimit>("limit 7:bps=10 floor 7:bps=10 write_weight 7:1000000");
        let l: GroupLimit = "write_weight 7:15 class 7:idle".parse().unwrap();
        assert_eq!(l.to_string(), "class 7:idle write_weight 7:15");
        assert_eq!(
            (l.write_weight, l.has_limits(), l.is_none()),
            (Some(15), true, false)
        );
        let l: GroupLimit = "write_weight 7:15".parse().unwrap();
        assert!(!l.has_limits() && !l.is_none());
        // Any order is taken; printed limit, floor, class.
        let l: GroupLimit = "class 7:idle limit 7:iops=5 class 7:normal floor 7:iops=5"
            .parse()
            .unwrap();
        assert_eq!(l.to_string(), "limit 7:iops=5 floor 7:iops=5");
        assert!(!l.idle && l.check().is_ok());
        assert_eq!(
            GroupLimit::none(GroupId::Id(3)).to_string(),
            "",
            "a group without limits has no words"
        );
        assert!(GroupLimit::none(GroupId::Default).is_none());
        // (words, the field its error names)
        for (bad, field) in [
            ("1234", "limit"),
            ("-1:read_bps=1", "limit"),
            ("limit 1234:none", "limit"),
            ("limit 1234:read_bps=max", "limit"),
            ("floor 1234:none", "floor"),
            ("floor 1234:bps=1,iops=max", "floor"),
            ("limit -2:read_bps=1", "group id"),
            ("limit x:iops=1", "group id"),
            ("limit 5:", "caps"),
            ("floor 5:", "floors"),
            ("floor 5:speed=1", "key"),
            ("floor 5:iops=0", "iops"),
            ("floor 5", "floor"),
            ("class 5", "class"),
            ("class 5:busy", "class"),
            ("class 5:Idle", "class"),
            ("class 5:normal", "limit"),
            ("", "limit"),
            ("limit 5:iops=1 limit 6:iops=1", "limit"),
            ("floor 5:iops=1 floor 5:bps=1", "floor"),
            ("limit 5:iops=1 limit 5:iops=1", "limit"),
            ("limit 5:iops=1 floor 5:iops=2", "floor"),
            ("floor 5:iops=2 limit 5:iops=1", "floor"),
            ("floor 5:iops=2 class 5:idle", "class"),
            ("class -1:idle floor -1:bps=2", "class"),
            ("limit 5:iops=1 floor", "limit"),
            ("speed 5:iops=1", "limit"),
            ("write_weight 5", "write_weight"),
            ("write_weight 5:0", "write_weight"),
            ("write_weight 5:1000001", "write_weight"),
            ("write_weight 5:same", "write_weight"),
            ("write_weight 5:-1", "write_weight"),
            ("write_weight 5:1 write_weight 5:2", "write_weight"),
            ("write_weight 5:1 write_weight 6:2", "limit"),
            ("Write_weight 5:1", "limit"),
        ] {
            let e = bad.parse::<GroupLimit>().unwrap_err();
            assert_eq!(e.what, "table line", "{bad}: {e}");
            assert_eq!(e.field, field, "{bad}: {e}");
        }
        // The kernel's refusals, said plainly.
        let e = "limit 5:bps=100 floor 5:bps=200"
            .parse::<GroupLimit>()
            .unwrap_err();
        assert_eq!(
            e.reason,
            "group 5: its floor bps=200 would be above its cap bps=100"
        );
        let e = "floor -1:iops=2 class -1:idle"
            .parse::<GroupLimit>()
            .unwrap_err();
        assert_eq!(
            e.reason,
            "group -1: a group of the idle class cannot have a floor"
        );
    }

    #[test]
    fn floors_stay_at_or_below_the_caps() {
        let caps: Caps = "read_bps=100,iops=5".parse().unwrap();
        let floors: Caps = "read_bps=100,write_bps=999,iops=6".parse().unwrap();
        // Only keys set on both sides count; equal is fine.
        assert_eq!(floors.first_above(&caps), Some(CapKey::Iops));
        assert_eq!(caps.first_above(&floors), None);
        assert_eq!(floors.first_above(&Caps::NONE), None);
        assert_eq!(Caps::NONE.first_above(&caps), None);
        assert_eq!(floors.meet(&caps).to_string(), "read_bps=100,iops=5");
        assert_eq!(floors.meet(&Caps::NONE), Caps::NONE);
        let mut l = GroupLimit {
            floors,
            caps,
            ..GroupLimit::none(GroupId::Id(9))
        };
        assert_eq!(
            l.check(),
            Err(LimitError::FloorAboveCap {
                key: CapKey::Iops,
                floor: 6,
                cap: 5
            })
        );
        l.floors = floors.meet(&caps);
        assert_eq!(l.check(), Ok(()));
        l.idle = true;
        assert_eq!(l.check(), Err(LimitError::IdleWithFloor));
        l.floors = Caps::NONE;
        assert_eq!(l.check(), Ok(()));
        assert_eq!(
            LimitError::NotAttached(7).to_string(),
            "group 7 is not attached"
        );
    }

    #[test]
    fn changes_keep_what_they_do_not_name() {
        for s in [
            "none",
            "read_bps=209715200,write_iops=2000",
            "write_iops=2000,read_bps=209715200",
            "bps=max",
            "iops=max,read_bps=1",
        ] {
            round_trip::<CapChange>(s);
        }
        let c: Caps = "read_bps=8192,read_iops=2".parse().unwrap();
        let ch: CapChange = "read_iops=max,write_bps=5".parse().unwrap();
        assert_eq!(c.changed(&ch).to_string(), "read_bps=8192,write_bps=5");
        assert_eq!(c.changed(&CapChange::Clear), Caps::NONE);
        // A replace names every key: applied to anything, it gives `c`.
        let r = CapChange::replace(&c);
        assert_eq!(
            r.to_string(),
            "read_bps=8192,write_bps=max,bps=max,read_iops=2,write_iops=max,iops=max"
        );
        let other: Caps = "bps=1,iops=7,read_bps=3".parse().unwrap();
        assert_eq!(other.changed(&r), c);
        assert_eq!(CapChange::replace(&Caps::NONE), CapChange::Clear);
        for (text, field) in [
            ("", "limit"),
            ("read_bps", "caps"),
            ("read_bps=0", "read_bps"),
            ("read_bps=1,read_bps=max", "read_bps"),
            ("write_iops=1000000001", "write_iops"),
            ("bps=1125899906842625", "bps"),
            ("nope=1", "key"),
            ("read_bps=1,,iops=2", "caps"),
            ("None", "caps"),
            ("read_bps=MAX", "read_bps"),
        ] {
            let e = text.parse::<CapChange>().unwrap_err();
            assert_eq!(e.field, field, "{text:?}: {e}");
        }
        // A floor's spec is the same, its errors saying floors.
        assert_eq!(
            CapChange::parse_for("floor", "bps=5,iops=max").map(|c| c.to_string()),
            Ok("bps=5,iops=max".into())
        );
        let e = CapChange::parse_for("floor", "").unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.reason.as_str()),
            ("floor", "no floors given (KEY=VALUE,... or none)")
        );
        let e = CapChange::parse_for("floor", "bps").unwrap_err();
        assert_eq!(e.field, "floors");
    }

    #[test]
    fn limits_reply() {
        // The module with floors: eight fields per group.
        let s = "-1:none:0:0:0:none:0:normal 1000:read_bps=209715200:1532:8731942:1:none:0:normal \
                 2000:none:0:0:0:bps=20971520:48000:normal 3000:none:0:0:0:none:0:idle";
        round_trip::<Limits>(s);
        let l: Limits = s.parse().unwrap();
        let g = l.group(GroupId::Id(1000)).unwrap();
        assert_eq!(g.caps.get(CapKey::ReadBps), Some(209_715_200));
        assert_eq!(
            (g.cap_waits, g.cap_wait_us, g.capped_now),
            (1532, 8_731_942, true)
        );
        let f = g.floor.unwrap();
        assert!(f.floors.is_empty() && f.floor_lag_us == 0 && !f.idle);
        let f = l.group(GroupId::Id(2000)).and_then(|g| g.floor).unwrap();
        assert_eq!(f.floors.get(CapKey::Bps), Some(20_971_520));
        assert_eq!(f.floor_lag_us, 48_000);
        assert!(
            l.group(GroupId::Id(3000))
                .and_then(|g| g.floor)
                .unwrap()
                .idle
        );
        assert_eq!(l.group(GroupId::Id(7)), None);
        // An older module: five fields, no floors.
        let s = "-1:read_iops=2:15:734000:1 1234:none:0:0:0";
        round_trip::<Limits>(s);
        let l: Limits = s.parse().unwrap();
        let d = l.group(GroupId::Default).unwrap();
        assert_eq!(d.caps.get(CapKey::ReadIops), Some(2));
        assert_eq!(
            (d.cap_waits, d.cap_wait_us, d.capped_now, d.floor),
            (15, 734_000, true, None)
        );
        round_trip::<Limits>("-1:none:0:0:0");
        round_trip::<Limits>(
            "-1:read_bps=1048576,write_iops=3:18446744073709551615:1:0 5:iops=9:1:2:1",
        );
        let l: Limits = " -1:none:0:0:0\t 7:none:1:1:0:none:0:normal \n"
            .parse()
            .unwrap();
        assert_eq!(l.to_string(), "-1:none:0:0:0 7:none:1:1:0:none:0:normal");
        assert_eq!(l.groups[0].more, None);
        // A newer module's extra fields are kept, and print back.
        let s = "-1:iops=5:3:40:1:read_bps=1:0:normal:x=1:2 7:none:0:0:0:none:0:idle:";
        round_trip::<Limits>(s);
        let l: Limits = s.parse().unwrap();
        assert_eq!(l.groups[0].cap_waits, 3);
        assert_eq!(l.groups[0].more.as_deref(), Some("x=1:2"));
        assert_eq!(l.groups[1].more.as_deref(), Some(""));
        for (text, field) in [
            ("", "record"),
            ("7:none:0:0:0", "record"),
            ("-1:none:0:0:0 -1:none:0:0:0", "record"),
            ("-1:none:0:0", "record"),
            ("-1:none:0:0:0:", "record"),
            ("-1:none:0:0:0:none", "record"),
            ("-1:none:0:0:0:none:0", "record"),
            ("-1:none:0:0:2", "parked now"),
            ("-1:none:x:0:0", "times parked"),
            ("-1:none:0:-1:0", "microseconds parked"),
            ("-1:read_bps=0:0:0:0", "read_bps"),
            ("-1:bogus=1:0:0:0", "key"),
            ("-2:none:0:0:0", "group id"),
            ("-1:none:0:0:0:none:0:busy", "class"),
            ("-1:none:0:0:0:none:-5:normal", "microseconds behind floors"),
            ("-1:none:0:0:0:bps=0:0:normal", "bps"),
            ("-1:none:0:0:0::0:normal", "floors"),
            ("-1:none:0:0:0:bps:0:normal", "floors"),
        ] {
            let e = text.parse::<Limits>().unwrap_err();
            assert_eq!(e.field, field, "{text:?}: {e}");
            assert_eq!(e.what, "limits", "{text:?}: {e}");
        }
    }
}
