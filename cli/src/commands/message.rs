//! `message`, `weight`, `attach`, `detach`, `type`, `token`, `io-throttle`,
//! `io-limit` and `reset`: messages to a device, checked against its table
//! first so that errors say what is wrong.

use crate::ctx::{io_err, Ctx};
use crate::dm::{errno, DmError};
use crate::error::{Error, Result};
use crate::ids;
use crate::target::{Config, GroupType, IoLimit, Message, MAX_WEIGHT};

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
        Message::Weight { id: Some(id), .. } if !cfg.is_attached(*id) => Some(not_attached(*id)),
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
                         io_throttle VAL, io_limit VAL, policy P, reset, shares, settings"
                    ));
                }
            }
            Err(err)
        }
    }
}
