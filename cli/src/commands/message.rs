//! `message`, `weight`, `write-weight`, `limit`, `floor`, `class`,
//! `attach`, `detach`, `type`, `token`, `io-throttle`, `io-limit` and
//! `reset`: messages to a device, checked against its table first so that
//! errors say what is wrong.

use crate::caps::{exact_text, Class, Rates};
use crate::ctx::{io_err, Ctx};
use crate::dm::{errno, DmError};
use crate::error::{Error, Result};
use crate::ids;
use crate::target::{Config, GroupId, GroupType, IoLimit, LimitError, Message, MAX_WEIGHT};

use super::{check_name, ioband_config};

/// Read a device's table and interpret it; errors name the device.
pub fn device_config(ctx: &Ctx<'_>, name: &str) -> Result<Config> {
    check_name(name)?;
    let dm = ctx.dm()?;
    let t = dm.table(name)?;
    ioband_config(name, &t)
}

/// Why `msg` cannot apply to a device with configuration `cfg`, if we can
/// tell before asking the kernel.
pub fn precheck(name: &str, msg: &Message, cfg: &Config) -> Option<Error> {
    let not_attached = |id: u64| {
        Error::fail(format!("{msg}: group {id} is not attached to {name}"))
            .hint(format!("attach it first: `ioband attach {name} {id}`"))
    };
    match msg {
        Message::Attach(_) if cfg.group_type == GroupType::None => Some(
            Error::fail(format!(
                "{msg}: {name} has group type none, so groups cannot be attached"
            ))
            .hint(format!("set a type first, e.g. `ioband type {name} user`")),
        ),
        Message::Attach(id) if cfg.is_attached(*id) => Some(Error::fail(format!(
            "{msg}: group {id} is already attached to {name}"
        ))),
        Message::Detach(id) if !cfg.is_attached(*id) => Some(not_attached(*id).hint(format!(
            "see the attached groups with `ioband table {name}`"
        ))),
        Message::Weight { id: Some(id), .. }
        | Message::WriteWeight { id: Some(id), .. }
        | Message::Limit { id: Some(id), .. }
        | Message::Floor { id: Some(id), .. }
        | Message::Class { id: Some(id), .. }
            if !cfg.is_attached(*id) =>
        {
            Some(not_attached(*id))
        }
        Message::Limit { id, .. } | Message::Floor { id, .. } | Message::Class { id, .. } => {
            limits_conflict(name, msg, *id, cfg)
        }
        Message::IoThrottle(v) if *v >= cfg.io_limit => Some(
            Error::fail(format!(
                "{msg}: io_throttle must be less than io_limit ({}) of {name}'s device group",
                match cfg.io_limit_setting() {
                    IoLimit::Auto => format!("auto, which counts as {} here", cfg.io_limit),
                    IoLimit::Fixed(l) => l.to_string(),
                }
            ))
            .hint(format!(
                "raise io_limit first: `ioband io-limit {name} {}`",
                v + 1
            )),
        ),
        Message::IoLimit(v) if *v <= cfg.io_throttle => Some(
            Error::fail(format!(
                "{msg}{}: io_limit must be greater than io_throttle ({}) of {name}'s device group",
                if IoLimit::from_kernel(*v).is_auto() {
                    " (auto, which counts as 128 here)"
                } else {
                    ""
                },
                cfg.io_throttle
            ))
            .hint(format!(
                "lower io_throttle first: `ioband io-throttle {name} {}`",
                v.saturating_sub(1).max(1)
            )),
        ),
        Message::Type(t) if *t != cfg.group_type && !cfg.groups.is_empty() => Some(
            Error::fail(format!(
                "{msg}: {name} has {} attached group(s) of type {}",
                cfg.groups.len(),
                cfg.group_type
            ))
            .hint(format!("detach them first (`ioband detach {name} ID`)")),
        ),
        _ => None,
    }
}

/// Why the module would refuse a `limit`, `floor` or `class` message to
/// group `id` (`None`: the default group) of device `name`: a floor above
/// its cap, a floor on a group of the idle class. The error names the
/// device, the group and the key; the hint says what to do first.
fn limits_conflict(name: &str, msg: &Message, id: Option<u64>, cfg: &Config) -> Option<Error> {
    let e = cfg.limits_after(msg)?.err()?;
    let (group, opt) = match id {
        None => ("the default group".to_string(), String::new()),
        Some(i) => (format!("group {i}"), format!(" --group {i}")),
    };
    let err = match (e, msg) {
        (LimitError::NotAttached(i), _) => {
            Error::fail(format!("{msg}: group {i} is not attached to {name}"))
        }
        (LimitError::FloorAboveCap { key, floor, cap }, Message::Limit { .. }) => {
            Error::fail(format!(
                "{msg}: {group} of {name}: {key}: the cap ({}) would be below its floor ({})",
                exact_text(key, cap),
                exact_text(key, floor)
            ))
            .hint(format!(
                "lower the floor first: `ioband floor {name}{opt} {key}={}`",
                exact_text(key, cap)
            ))
        }
        (LimitError::FloorAboveCap { key, floor, cap }, _) => Error::fail(format!(
            "{msg}: {group} of {name}: {key}: the floor ({}) would be above its cap ({})",
            exact_text(key, floor),
            exact_text(key, cap)
        ))
        .hint(format!(
            "lower the floor, or raise the cap first: `ioband limit {name}{opt} {key}={}`",
            exact_text(key, floor)
        )),
        (LimitError::IdleWithFloor, Message::Class { .. }) => {
            let floors = cfg.floors_of(id.map_or(GroupId::Default, GroupId::Id));
            Error::fail(format!(
                "{msg}: {group} of {name} has floors ({}); a group of the idle class cannot",
                crate::caps::compact(&floors)
            ))
            .hint(format!("clear them first: `ioband floor {name}{opt} none`"))
        }
        (LimitError::IdleWithFloor, _) => Error::fail(format!(
            "{msg}: {group} of {name} is of the idle class, which cannot have a floor"
        ))
        .hint(format!(
            "make it normal first: `ioband class {name}{opt} normal`"
        )),
    };
    Some(err)
}

fn message_error(name: &str, e: DmError, msg: Option<&Message>, cfg: Option<&Config>) -> Error {
    let specific = match (msg, cfg) {
        (Some(m), Some(c)) => precheck(name, m, c),
        _ => None,
    };
    let mut err = Error::from(e);
    if let Some(s) = specific {
        if let Some(h) = s.hint {
            err = err.hint(h);
        }
    }
    err
}

pub(super) fn send(ctx: &Ctx<'_>, name: &str, msg: &Message, cfg: &Config) -> Result<()> {
    if let Some(e) = precheck(name, msg, cfg) {
        return Err(e);
    }
    ctx.dm()?
        .message(name, 0, &msg.to_string())
        .map_err(|e| message_error(name, e, Some(msg), Some(cfg)))?;
    Ok(())
}

pub(super) fn simple(ctx: &Ctx<'_>, name: &str, msg: Message) -> Result<()> {
    let cfg = device_config(ctx, name)?;
    send(ctx, name, &msg, &cfg)
}

pub(super) fn resolve(cfg: &Config, name: &str, input: &str, ctx: &Ctx<'_>) -> Result<u64> {
    ids::resolve_id(cfg.group_type, input, ctx.names).map_err(|e| {
        let err = Error::fail(format!("{name}: group {input:?}: {e}"));
        if cfg.group_type == GroupType::None {
            err.hint(format!("set a type first, e.g. `ioband type {name} user`"))
        } else {
            err
        }
    })
}

fn parse_weight(s: &str) -> Result<u32> {
    match s.parse::<u32>() {
        Ok(v) if v > 0 && v <= MAX_WEIGHT => Ok(v),
        _ => Err(Error::usage(format!(
            "invalid weight {s:?}: must be an integer from 1 to {MAX_WEIGHT}"
        ))),
    }
}

pub(super) fn weight(name: &str, args: &[String], ctx: &mut Ctx<'_>) -> Result<()> {
    let (id, val) = match args {
        [val] => (None, val),
        [id, val] => (Some(id), val),
        _ => return Err(Error::usage("usage: ioband weight NAME [ID] VAL")),
    };
    let weight = parse_weight(val)?;
    let cfg = device_config(ctx, name)?;
    let id = match id {
        Some(i) => Some(resolve(&cfg, name, i, ctx)?),
        None => None,
    };
    send(ctx, name, &Message::Weight { id, weight }, &cfg)
}

/// A write weight as `ioband write-weight` takes it: 1 to 1000000, or
/// `same` (`None`: writes weigh as reads).
fn parse_write_weight(s: &str) -> std::result::Result<Option<u32>, String> {
    match s {
        "same" => Ok(None),
        _ => match s.parse::<u32>() {
            Ok(v) if v > 0 && v <= MAX_WEIGHT => Ok(Some(v)),
            _ => Err(format!(
                "write_weight: {s:?} must be an integer from 1 to {MAX_WEIGHT}, or same"
            )),
        },
    }
}

/// `ioband write-weight NAME [ID] WEIGHT|same`: the value is checked
/// before the device is read, so that nothing is sent on a typo; the
/// default group is sent without an id.
pub(super) fn write_weight(name: &str, args: &[String], ctx: &mut Ctx<'_>) -> Result<()> {
    check_name(name)?;
    let (id, val) = match args {
        [val] => (None, val),
        [id, val] => (Some(id), val),
        _ => {
            return Err(Error::usage(
                "usage: ioband write-weight NAME [ID] WEIGHT|same",
            ))
        }
    };
    let weight = parse_write_weight(val).map_err(|why| {
        Error::usage(format!("write-weight {name}: {why}"))
            .hint("usage: ioband write-weight NAME [ID] WEIGHT|same")
    })?;
    let cfg = device_config(ctx, name)?;
    let id = match id {
        Some(i) => Some(resolve(&cfg, name, i, ctx)?),
        None => None,
    };
    send(ctx, name, &Message::WriteWeight { id, weight }, &cfg)
}

/// `ioband limit NAME [--group ID] KEY=VALUE... | none` (`what`: caps)
/// and `ioband floor ...` (floors): the values are checked before the
/// device is read, so that nothing is sent on a typo.
pub(super) fn rates(
    what: Rates,
    name: &str,
    group: Option<&str>,
    args: &[String],
    capacity: &[String],
    ctx: &mut Ctx<'_>,
) -> Result<()> {
    check_name(name)?;
    let verb = match what {
        Rates::Caps => "limit",
        Rates::Floors => "floor",
    };
    let capacity = crate::caps::parse_capacity(capacity).map_err(|(field, why)| {
        Error::usage(format!("{verb} {name}: --capacity: {field}: {why}"))
    })?;
    let change = crate::caps::parse_rates(what, args, Some(&capacity))
        .map_err(|(field, why)| Error::usage(format!("{verb} {name}: {field}: {why}")))?;
    let cfg = device_config(ctx, name)?;
    let id = group_id(&cfg, name, group, ctx)?;
    let msg = match what {
        Rates::Caps => Message::Limit { id, change },
        Rates::Floors => Message::Floor { id, change },
    };
    send(ctx, name, &msg, &cfg)
}

/// `ioband class NAME [--group ID] idle|normal`.
pub(super) fn class(
    name: &str,
    group: Option<&str>,
    class: Class,
    ctx: &mut Ctx<'_>,
) -> Result<()> {
    let cfg = device_config(ctx, name)?;
    let id = group_id(&cfg, name, group, ctx)?;
    let idle = class.is_idle();
    send(ctx, name, &Message::Class { id, idle }, &cfg)
}

/// The id of `--group` resolved; `None` without it: the default group,
/// sent without an id (dmsetup would take `-1:` for an option).
fn group_id(cfg: &Config, name: &str, group: Option<&str>, ctx: &Ctx<'_>) -> Result<Option<u64>> {
    group.map(|g| resolve(cfg, name, g, ctx)).transpose()
}

pub(super) fn detach(name: &str, id: &str, ctx: &mut Ctx<'_>) -> Result<()> {
    let cfg = device_config(ctx, name)?;
    let id = resolve(&cfg, name, id, ctx)?;
    send(ctx, name, &Message::Detach(id), &cfg)
}

pub(super) fn set_type(name: &str, group_type: GroupType, ctx: &mut Ctx<'_>) -> Result<()> {
    let cfg = device_config(ctx, name)?;
    send(ctx, name, &Message::Type(group_type), &cfg)
}

pub(super) fn attach(name: &str, id: &str, weight: Option<u32>, ctx: &mut Ctx<'_>) -> Result<()> {
    let cfg = device_config(ctx, name)?;
    let id = resolve(&cfg, name, id, ctx)?;
    send(ctx, name, &Message::Attach(id), &cfg)?;
    if let Some(w) = weight {
        let cfg = device_config(ctx, name)?;
        send(
            ctx,
            name,
            &Message::Weight {
                id: Some(id),
                weight: w,
            },
            &cfg,
        )?;
    }
    Ok(())
}

pub(super) fn raw_message(
    name: &str,
    sector: u64,
    words: &[String],
    ctx: &mut Ctx<'_>,
) -> Result<()> {
    check_name(name)?;
    let text = words.join(" ");
    let dm = ctx.dm()?;
    match dm.message(name, sector, &text) {
        Ok(Some(reply)) if !reply.is_empty() => {
            writeln!(ctx.out, "{reply}").map_err(io_err)?;
            Ok(())
        }
        Ok(_) => Ok(()),
        Err(e) => {
            let msg = text.parse::<Message>().ok();
            let cfg = dm
                .table(name)
                .ok()
                .and_then(|t| ioband_config(name, &t).ok());
            let mut err = message_error(name, e, msg.as_ref(), cfg.as_ref());
            if msg.is_none() && err.errno == Some(errno::EINVAL) {
                if let Err(pe) = text.parse::<Message>() {
                    err = err.hint(format!(
                        "{pe}; messages: type T, attach ID, detach ID, weight [ID:]VAL, token VAL, \
                         io_throttle VAL, io_limit VAL, policy P, limit [ID:]KEY=VALUE,..., \
                         floor [ID:]KEY=VALUE,..., class [ID:]idle|normal, \
                         write_weight [ID:]W|same, reset, shares, settings, limits"
                    ));
                }
            }
            Err(err)
        }
    }
}
