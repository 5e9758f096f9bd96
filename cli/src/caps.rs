//! Caps and floors as people write them and read them: `200M`, `1.5G`,
//! `2k`, `max`; and a group's class, `normal` or `idle`.
//!
//! Units, one convention for caps and floors, on the command line and in
//! profiles:
//!
//! * bytes/s (`read_bps`, `write_bps`, `bps`): a number of bytes per second,
//!   or with `k`, `M`, `G`, `T` or `P`, powers of 1024 (as `status` prints
//!   sizes: KiB, MiB); `Ki`, `Mi`, `KiB`, `MiB`... say the same. `MB`,
//!   `GB`... are refused as ambiguous. `200M` is 209715200.
//! * I/O per second (`read_iops`, `write_iops`, `iops`): a number, or with
//!   `k`, `M` or `G`, powers of 1000: `2k` is 2000.
//! * a fraction (`1.5G`) is rounded to the nearest whole number; a trailing
//!   `/s` is allowed; `max` means no cap (no floor, for a floor).
//! * a share of the disk (`20%`, `12.5%`; more than 0, at most 100): of
//!   what the disk delivers for that key, which the caller gives (a
//!   profile's `capacity:`, `--capacity`); `read_bps` and `write_bps` fall
//!   back to `bps`, `read_iops` and `write_iops` to `iops`.

use serde::{Deserialize, Serialize};

use crate::target::{CapChange, CapKey, Caps};

/// What a disk delivers, as `--capacity` and a profile's `capacity:` give
/// it: the keys and units of caps (`bps=400M,iops=2k`), no shares, no
/// `max`. An error names the field at fault and why.
pub fn parse_capacity(args: &[String]) -> Result<Caps, (String, String)> {
    let mut caps = Caps::NONE;
    for item in args
        .iter()
        .flat_map(|a| a.split(','))
        .filter(|i| !i.is_empty())
    {
        let Some((k, v)) = item.split_once('=') else {
            return Err((item.into(), "expected KEY=VALUE".into()));
        };
        let key: CapKey = k.replace('-', "_").parse().map_err(|_| {
            (
                k.to_string(),
                format!(
                    "unknown key {k:?} (expected read_bps, write_bps, bps, read_iops, \
                     write_iops or iops)"
                ),
            )
        })?;
        if caps.get(key).is_some() {
            return Err((key.to_string(), "given twice".into()));
        }
        if percent(v).is_some() {
            return Err((key.to_string(), "a capacity is a rate, not a share".into()));
        }
        let Some(rate) = parse_value(key, v).map_err(|e| (key.to_string(), e))? else {
            return Err((key.to_string(), "a capacity cannot be max".into()));
        };
        caps.set(key, Some(rate))
            .map_err(|e| (key.to_string(), e))?;
    }
    Ok(caps)
}

/// A group's class: `normal`, or `idle` (it gets the disk only when no
/// other group has used it for a moment; it cannot have a floor).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    /// Shares the disk by weight (the default).
    #[default]
    Normal,
    /// Uses the disk only when the other groups leave it idle.
    Idle,
}

impl Class {
    /// The class of a group that is idle or not.
    pub fn of(idle: bool) -> Class {
        if idle {
            Class::Idle
        } else {
            Class::Normal
        }
    }

    /// Is it the idle class?
    pub fn is_idle(self) -> bool {
        self == Class::Idle
    }

    /// `normal` or `idle`.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Normal => "normal",
            Class::Idle => "idle",
        }
    }
}

/// What a set of rates is: caps (`ioband limit`) or floors (`ioband
/// floor`); it only changes what errors say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rates {
    /// Maximum rates.
    Caps,
    /// Minimum rates.
    Floors,
}

impl Rates {
    /// `cap` or `floor`.
    pub fn noun(self) -> &'static str {
        match self {
            Rates::Caps => "cap",
            Rates::Floors => "floor",
        }
    }
}

/// Units of bytes/s: powers of 1024.
const BYTE_UNITS: [(&str, u64); 5] = [
    ("k", 1 << 10),
    ("M", 1 << 20),
    ("G", 1 << 30),
    ("T", 1 << 40),
    ("P", 1 << 50),
];
/// Units of I/O per second: powers of 1000.
const IO_UNITS: [(&str, u64); 3] = [("k", 1_000), ("M", 1_000_000), ("G", 1_000_000_000)];

fn units(key: CapKey) -> &'static [(&'static str, u64)] {
    if key.is_bps() {
        &BYTE_UNITS
    } else {
        &IO_UNITS
    }
}

/// The multiplier a suffix means for `key`, if it is one.
fn multiplier(key: CapKey, suffix: &str) -> Option<u64> {
    if suffix.is_empty() || (key.is_bps() && suffix == "B") {
        return Some(1);
    }
    let mut chars = suffix.chars();
    let first = chars.next()?.to_ascii_uppercase();
    let rest = chars.as_str();
    // "k" and "K" alike; a binary unit may be spelt Ki, KiB.
    let ok = if key.is_bps() {
        ["", "i", "iB"].contains(&rest)
    } else {
        rest.is_empty()
    };
    if !ok {
        return None;
    }
    units(key)
        .iter()
        .find(|(u, _)| u.to_ascii_uppercase().starts_with(first))
        .map(|(_, m)| *m)
}

/// `int.frac` times `mult`, rounded to the nearest whole number.
fn scale(number: &str, mult: u64) -> Option<u128> {
    let (int, frac) = number.split_once('.').unwrap_or((number, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (int.is_empty() && frac.is_empty()) || !digits(int) || !digits(frac) || int.len() > 30 {
        return None;
    }
    let mult = u128::from(mult);
    let whole = if int.is_empty() {
        0
    } else {
        int.parse::<u128>().ok()?.checked_mul(mult)?
    };
    // Digits past the 18th cannot change a rounded rate of at most 2^60.
    let frac = &frac[..frac.len().min(18)];
    if frac.is_empty() {
        return Some(whole);
    }
    let den = 10u128.pow(frac.len() as u32);
    let num = frac.parse::<u128>().ok()? * mult;
    whole.checked_add((2 * num + den) / (2 * den))
}

/// Why `s` is not a value of `key`.
fn not_a_value(key: CapKey, s: &str) -> String {
    if key.is_bps() {
        format!(
            "{s:?} is not a rate: give bytes/s as a number, with k, M, G, T or P (powers \
             of 1024), e.g. 200M, or max"
        )
    } else {
        format!(
            "{s:?} is not a rate: give I/O per second as a number, with k, M or G (powers \
             of 1000), e.g. 2k, or max"
        )
    }
}

/// A value of `key` as a person writes it: `None` for `max` (no cap).
pub fn parse_value(key: CapKey, s: &str) -> Result<Option<u64>, String> {
    if s == "max" {
        return Ok(None);
    }
    let t = s.strip_suffix("/s").unwrap_or(s);
    let end = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, suffix) = t.split_at(end);
    let v = multiplier(key, suffix)
        .and_then(|m| scale(number, m))
        .ok_or_else(|| not_a_value(key, s))?;
    match u64::try_from(v).ok().and_then(|v| key.check(v).ok()) {
        Some(v) => Ok(Some(v)),
        None => Err(format!("{s:?} must be 1 to {} or max", key.max())),
    }
}

/// The share of the disk `s` asks for, as a fraction, when it is one
/// (`20%`): `None` when `s` is no percentage.
pub fn percent(s: &str) -> Option<Result<f64, String>> {
    let number = s.strip_suffix('%')?;
    let ok = !number.is_empty()
        && number.len() <= 20
        && number.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && number.bytes().filter(|&b| b == b'.').count() <= 1;
    let p = ok.then(|| number.parse::<f64>().ok()).flatten();
    Some(match p {
        Some(p) if p > 0.0 && p <= 100.0 => Ok(p / 100.0),
        _ => Err(format!(
            "{s:?} is not a share of the disk: give more than 0 and at most 100%, e.g. 20%"
        )),
    })
}

/// What the disk delivers for `key`, from `capacity` (the keys of caps):
/// the key itself, or for one direction the key of both.
pub fn capacity_for(key: CapKey, capacity: &Caps) -> Option<u64> {
    let both = match key {
        CapKey::ReadBps | CapKey::WriteBps => CapKey::Bps,
        CapKey::ReadIops | CapKey::WriteIops => CapKey::Iops,
        k => k,
    };
    capacity.get(key).or_else(|| capacity.get(both))
}

/// A value of `key` as [`parse_value`] takes it, or a share of the disk
/// (`20%`) of what `capacity` says the disk delivers; without a capacity
/// for the key, a share is an error that says how to give one (`how`).
pub fn parse_value_of(
    key: CapKey,
    s: &str,
    capacity: Option<&Caps>,
    how: &str,
) -> Result<Option<u64>, String> {
    let Some(share) = percent(s) else {
        return parse_value(key, s);
    };
    let share = share?;
    let Some(disk) = capacity.and_then(|c| capacity_for(key, c)) else {
        let both = if key.is_bps() { "bps" } else { "iops" };
        let or = if key.as_str() == both {
            String::new()
        } else {
            format!(" (a {key} or {both})")
        };
        return Err(format!(
            "{s} is a share of the disk, whose {key} is not known: {how}{or}"
        ));
    };
    // Rounded to the nearest whole number, and at least 1.
    let v = ((disk as f64) * share).round().max(1.0);
    let v = if v >= key.max() as f64 {
        key.max()
    } else {
        v as u64
    };
    key.check(v)
        .map(Some)
        .map_err(|e| format!("{s} of {}: {e}", exact_text(key, disk)))
}

/// Values as `ioband limit` takes them: `KEY=VALUE` words (or comma lists),
/// or `none` alone. An error names the field at fault and why.
pub fn parse_args(args: &[String]) -> Result<CapChange, (String, String)> {
    parse_rates(Rates::Caps, args, None)
}

/// Values as `ioband limit` (`what`: caps) or `ioband floor` (floors)
/// takes them: `KEY=VALUE` words (or comma lists), or `none` alone; a
/// share of the disk (`bps=20%`) of `capacity` (`--capacity`). An error
/// names the field at fault and why.
pub fn parse_rates(
    what: Rates,
    args: &[String],
    capacity: Option<&Caps>,
) -> Result<CapChange, (String, String)> {
    let noun = what.noun();
    let items: Vec<&str> = args
        .iter()
        .flat_map(|a| a.split(','))
        .filter(|i| !i.is_empty())
        .collect();
    match items.as_slice() {
        ["none"] => return Ok(CapChange::Clear),
        [] => return Err((format!("{noun}s"), "give KEY=VALUE, or none".into())),
        many if many.contains(&"none") => {
            return Err((
                "none".into(),
                format!("none clears every {noun} of the group: give it alone"),
            ))
        }
        _ => {}
    }
    let mut set: Vec<(CapKey, Option<u64>)> = Vec::new();
    for item in items {
        let Some((k, v)) = item.split_once('=') else {
            return Err((item.into(), "expected KEY=VALUE or none".into()));
        };
        let key: CapKey = k.replace('-', "_").parse().map_err(|_| {
            (
                k.to_string(),
                format!(
                    "unknown {noun} {k:?} (expected read_bps, write_bps, bps, read_iops, \
                     write_iops or iops)"
                ),
            )
        })?;
        if set.iter().any(|(o, _)| *o == key) {
            return Err((key.to_string(), "given twice".into()));
        }
        let v = parse_value_of(key, v, capacity, "give --capacity")
            .map_err(|e| (key.to_string(), e))?;
        set.push((key, v));
    }
    Ok(CapChange::Set(set))
}

/// `v` exactly, with the largest unit that divides it (`200M`, `2k`), or
/// plain digits.
pub fn exact_text(key: CapKey, v: u64) -> String {
    units(key)
        .iter()
        .rev()
        .find(|(_, m)| v >= *m && v.is_multiple_of(*m))
        .map(|(u, m)| format!("{}{u}", v / m))
        .unwrap_or_else(|| v.to_string())
}

/// `v` in the largest unit it reaches, one decimal at most (`1.5G`).
fn short(key: CapKey, v: u64) -> String {
    match units(key).iter().rev().find(|(_, m)| v >= *m) {
        Some((u, m)) if !v.is_multiple_of(*m) => {
            let x = format!("{:.1}", v as f64 / *m as f64);
            format!("{}{u}", x.trim_end_matches(".0"))
        }
        _ => exact_text(key, v),
    }
}

/// Caps or floors in a few characters for `status`: `r 200M/s, w 2k io/s`
/// (r read, w write, rw both; bytes/s in the units above, `512B/s` below
/// 1k; or io/s), `-` for none.
pub fn compact(caps: &Caps) -> String {
    if caps.is_empty() {
        return "-".into();
    }
    caps.iter()
        .map(|(k, v)| {
            let dir = match k {
                CapKey::ReadBps | CapKey::ReadIops => "r",
                CapKey::WriteBps | CapKey::WriteIops => "w",
                CapKey::Bps | CapKey::Iops => "rw",
            };
            let v = short(k, v);
            let unit = match (k.is_bps(), v.ends_with(|c: char| c.is_ascii_digit())) {
                (true, true) => "B/s",
                (true, false) => "/s",
                (false, _) => " io/s",
            };
            format!("{dir} {v}{unit}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_are_powers_of_1024() {
        let k = CapKey::ReadBps;
        for (s, v) in [
            ("1", 1),
            ("512k", 524_288),
            ("512K", 524_288),
            ("512Ki", 524_288),
            ("512KiB", 524_288),
            ("200M", 209_715_200),
            ("200m", 209_715_200),
            ("200MiB/s", 209_715_200),
            ("1.5G", 1_610_612_736),
            ("1.5g", 1_610_612_736),
            ("0.5k", 512),
            (".5k", 512),
            ("1.0005k", 1025),
            ("2T", 2 << 40),
            ("1P", 1 << 50),
            ("1125899906842624", 1 << 50),
            ("209715200/s", 209_715_200),
            ("512B", 512),
        ] {
            assert_eq!(parse_value(k, s), Ok(Some(v)), "{s}");
        }
        assert_eq!(parse_value(k, "max"), Ok(None));
        for s in [
            "200MB", "2kB", "1E", "x", "", "1..5M", "-5", "5 M", "M", "Max", "1e6",
        ] {
            let e = parse_value(k, s).unwrap_err();
            assert!(e.contains("powers of 1024"), "{s}: {e}");
        }
        for s in [
            "0",
            "0.0001k",
            "2P",
            "1125899906842625",
            "99999999999999999999999999999",
        ] {
            let e = parse_value(k, s).unwrap_err();
            assert_eq!(
                e,
                format!("{s:?} must be 1 to 1125899906842624 or max"),
                "{s}"
            );
        }
    }

    #[test]
    fn iops_are_powers_of_1000() {
        let k = CapKey::WriteIops;
        for (s, v) in [
            ("2000", 2000),
            ("2k", 2000),
            ("2K", 2000),
            ("1.5k", 1500),
            ("1M", 1_000_000),
            ("1G", 1_000_000_000),
            ("50/s", 50),
        ] {
            assert_eq!(parse_value(k, s), Ok(Some(v)), "{s}");
        }
        for s in ["2Ki", "2kB", "1T", "fast"] {
            let e = parse_value(k, s).unwrap_err();
            assert!(e.contains("powers of 1000"), "{s}: {e}");
        }
        let e = parse_value(k, "1.1G").unwrap_err();
        assert_eq!(e, "\"1.1G\" must be 1 to 1000000000 or max");
    }

    #[test]
    fn arguments() {
        let args = |v: &[&str]| parse_args(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(
            args(&["read_bps=200M", "write_iops=2k"]).map(|c| c.to_string()),
            Ok("read_bps=209715200,write_iops=2000".into())
        );
        assert_eq!(
            args(&["read-bps=1k,iops=max"]).map(|c| c.to_string()),
            Ok("read_bps=1024,iops=max".into())
        );
        assert_eq!(args(&["none"]), Ok(CapChange::Clear));
        // (arguments, field, what the reason says)
        for (a, field, says) in [
            (
                &["read_bps=0"][..],
                "read_bps",
                "must be 1 to 1125899906842624 or max",
            ),
            (&["none", "iops=1"], "none", "alone"),
            (&["iops"], "iops", "KEY=VALUE"),
            (
                &["speed=1"],
                "speed",
                "unknown cap \"speed\" (expected read_bps,",
            ),
            (&["iops=1", "iops=2"], "iops", "twice"),
            (&[","], "caps", "KEY=VALUE"),
            (&["bps=1MB"], "bps", "powers of 1024"),
        ] {
            let (f, why) = args(a).unwrap_err();
            assert_eq!(f, field, "{a:?}");
            assert!(why.contains(says), "{a:?}: {why}");
        }
    }

    #[test]
    fn shares_of_the_disk_need_its_capacity() {
        let disk =
            parse_capacity(&["bps=400M,read_iops=2k".into(), "iops=1k".into()]).expect("capacity");
        let of = |k, s| parse_value_of(k, s, Some(&disk), "give --capacity");
        assert_eq!(of(CapKey::Bps, "20%"), Ok(Some(83_886_080)));
        assert_eq!(of(CapKey::Bps, "12.5%"), Ok(Some(52_428_800)));
        assert_eq!(of(CapKey::Bps, "100%"), Ok(Some(400 << 20)));
        // one direction falls back to both, unless its own is given
        assert_eq!(of(CapKey::WriteBps, "50%"), Ok(Some(200 << 20)));
        assert_eq!(of(CapKey::ReadIops, "10%"), Ok(Some(200)));
        assert_eq!(of(CapKey::WriteIops, "10%"), Ok(Some(100)));
        // at least 1
        assert_eq!(of(CapKey::Iops, "0.0001%"), Ok(Some(1)));
        // plain values need no capacity, and max is max
        assert_eq!(of(CapKey::Bps, "1M"), Ok(Some(1 << 20)));
        assert_eq!(of(CapKey::Bps, "max"), Ok(None));
        for bad in ["0%", "101%", "%", "-5%", "1e2%", "5..%", "20 %", "x%"] {
            let e = of(CapKey::Bps, bad).unwrap_err();
            assert!(e.contains("not a share of the disk"), "{bad}: {e}");
        }
        // without a capacity for the key: say which, and how to give it
        let e = parse_value_of(CapKey::ReadBps, "20%", None, "give --capacity").unwrap_err();
        assert!(
            e.contains("read_bps is not known: give --capacity (a read_bps or bps)"),
            "{e}"
        );
        let iops_only = parse_capacity(&["iops=1k".into()]).expect("capacity");
        assert!(parse_value_of(CapKey::Bps, "5%", Some(&iops_only), "x").is_err());
        // what --capacity refuses
        for (a, field, says) in [
            ("bps=20%", "bps", "not a share"),
            ("bps=max", "bps", "cannot be max"),
            ("bps=0", "bps", "must be 1 to"),
            ("speed=1M", "speed", "unknown key"),
            ("bps", "bps", "expected KEY=VALUE"),
            ("bps=1M,bps=2M", "bps", "given twice"),
        ] {
            let (f, why) = parse_capacity(&[a.into()]).unwrap_err();
            assert_eq!(f, field, "{a}");
            assert!(why.contains(says), "{a}: {why}");
        }
        // through parse_rates, as `ioband limit --capacity` does
        let c = parse_rates(Rates::Caps, &["bps=20%,iops=50%".into()], Some(&disk));
        assert_eq!(c.map(|c| c.to_string()), Ok("bps=83886080,iops=500".into()));
        let (f, why) = parse_rates(Rates::Floors, &["bps=20%".into()], None).unwrap_err();
        assert_eq!(f, "bps");
        assert!(why.contains("give --capacity"), "{why}");
    }

    #[test]
    fn floors_take_the_same_values() {
        let args = |v: &[&str]| {
            parse_rates(
                Rates::Floors,
                &v.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
                None,
            )
        };
        assert_eq!(
            args(&["bps=20M", "read_iops=1.5k,iops=max"]).map(|c| c.to_string()),
            Ok("bps=20971520,read_iops=1500,iops=max".into())
        );
        assert_eq!(args(&["none"]), Ok(CapChange::Clear));
        // (arguments, field, what the reason says)
        for (a, field, says) in [
            (&["bps=0"][..], "bps", "must be 1 to"),
            (&["none", "bps=1"], "none", "none clears every floor"),
            (&["speed=1"], "speed", "unknown floor \"speed\""),
            (&[""], "floors", "give KEY=VALUE"),
            (&["iops=2Ki"], "iops", "powers of 1000"),
        ] {
            let (f, why) = args(a).unwrap_err();
            assert_eq!(f, field, "{a:?}");
            assert!(why.contains(says), "{a:?}: {why}");
        }
        assert_eq!(Class::of(true), Class::Idle);
        assert!(Class::Idle.is_idle() && !Class::default().is_idle());
        assert_eq!(Class::Normal.as_str(), "normal");
    }

    #[test]
    fn texts() {
        assert_eq!(exact_text(CapKey::ReadBps, 209_715_200), "200M");
        assert_eq!(exact_text(CapKey::ReadBps, 1_610_612_736), "1536M");
        assert_eq!(exact_text(CapKey::ReadBps, 1000), "1000");
        assert_eq!(exact_text(CapKey::Iops, 2000), "2k");
        assert_eq!(exact_text(CapKey::Iops, 1024), "1024");
        for k in CapKey::ALL {
            for v in [1, 999, 1000, 1024, 1536, 209_715_200, k.max()] {
                assert_eq!(parse_value(k, &exact_text(k, v)), Ok(Some(v)), "{k} {v}");
            }
        }
        let c: Caps = "read_bps=209715200,write_iops=2000,bps=1610612736,iops=7"
            .parse()
            .unwrap();
        assert_eq!(compact(&c), "r 200M/s, rw 1.5G/s, w 2k io/s, rw 7 io/s");
        assert_eq!(compact(&Caps::NONE), "-");
        let c: Caps = "read_bps=1000".parse().unwrap();
        assert_eq!(compact(&c), "r 1000B/s");
    }
}
