//! `create`, `reload`, `remove`, `suspend` and `resume`: a device's life,
//! and the table text `create` and `reload` read.

use std::path::Path;

use crate::cli::{CreateArgs, TableSource};
use crate::ctx::Ctx;
use crate::dm::{self, errno, DmBackend, DmError, RemoveOptions};
use crate::error::{Error, Result};
use crate::target::{
    Extended, GroupType, IoLimit, TableParams, Target, DEFAULT_IO_LIMIT, DEFAULT_IO_THROTTLE,
    DEFAULT_POLICY, DEFAULT_WEIGHT, TARGET_NAME,
};

use super::check_name;

/// Parse table text as dmsetup reads it: one target per line, blank lines
/// and `#` comments ignored. ioband lines are checked in full.
pub fn parse_table_text(text: &str) -> Result<Vec<Target>> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let t: Target = line
            .parse()
            .map_err(|e| Error::usage(format!("table line {}: {e}", i + 1)))?;
        if t.target_type == TARGET_NAME {
            t.to_ioband()
                .map_err(|e| Error::usage(format!("table line {}: {e}", i + 1)))?;
        }
        out.push(t);
    }
    if out.is_empty() {
        return Err(Error::usage("the table is empty").hint(
            "give it with --table '0 <sectors> ioband <dev> <group>', --table-file FILE or on \
             standard input",
        ));
    }
    Ok(out)
}

fn read_table(src: &TableSource, ctx: &mut Ctx<'_>) -> Result<Vec<Target>> {
    let text = match (&src.table, &src.table_file) {
        (Some(t), _) => t.clone(),
        (None, Some(p)) if p == Path::new("-") => read_stdin(ctx)?,
        (None, Some(p)) => std::fs::read_to_string(p)
            .map_err(|e| Error::fail(format!("reading table file {}: {e}", p.display())))?,
        (None, None) => read_stdin(ctx)?,
    };
    parse_table_text(&text)
}

fn read_stdin(ctx: &mut Ctx<'_>) -> Result<String> {
    let mut s = String::new();
    ctx.stdin
        .read_to_string(&mut s)
        .map_err(|e| Error::fail(format!("reading the table from standard input: {e}")))?;
    Ok(s)
}

/// Explain a failed create/reload.
fn load_error(dm: &dyn DmBackend, e: DmError, table: &[Target]) -> Error {
    let devs: Vec<String> = table
        .iter()
        .filter_map(|t| t.params.split_whitespace().next().map(str::to_string))
        .collect();
    let has_ioband = table.iter().any(|t| t.target_type == TARGET_NAME);
    let errno = e.errno;
    let op = e.op;
    let err = Error::from(e);
    match errno {
        Some(errno::EINVAL) if has_ioband && dm::ioband_target_loaded(dm) == Some(false) => err.hint(
            "the ioband target is not loaded: run `modprobe dm-ioband` (check with `ioband targets`)",
        ),
        Some(errno::EINVAL) => err.hint(
            "the kernel rejected the table; `dmesg | tail` has the reason (check the device, \
             the device-group id and the numbers)",
        ),
        Some(errno::ENXIO) | Some(errno::ENODEV) | Some(errno::ENOENT) if op == "load table" => {
            err.hint(format!(
                "the underlying device ({}) was not found: check it with `lsblk`",
                devs.join(", ")
            ))
        }
        Some(errno::EBUSY) if op == "load table" => err.hint(format!(
            "the underlying device ({}) is in use (mounted, or claimed by another device)",
            devs.join(", ")
        )),
        _ => err,
    }
}

pub(super) fn create(a: CreateArgs, ctx: &mut Ctx<'_>) -> Result<()> {
    check_name(&a.name)?;
    let table = match &a.device {
        Some(dev) => vec![friendly_table(&a, dev, ctx)?],
        None => read_table(&a.source, ctx)?,
    };
    let dm = ctx.dm()?;
    dm.create(&a.name, a.uuid.as_deref(), &table)
        .map_err(|e| load_error(dm, e, &table))?;
    Ok(())
}

fn friendly_table(a: &CreateArgs, dev: &str, ctx: &Ctx<'_>) -> Result<Target> {
    let Some(group) = a.group else {
        return Err(Error::usage("--group is required with DEVICE"));
    };
    let sectors = ctx.sys.block_device_sectors(dev).map_err(|e| {
        Error::fail(format!("create {}: reading the size of {dev}: {e}", a.name))
            .hint("DEVICE must be a block device path (e.g. /dev/sda1) or MAJOR:MINOR")
    })?;
    if sectors == 0 {
        return Err(Error::fail(format!("create {}: {dev} has size 0", a.name)));
    }
    let throttle = a.io_throttle.unwrap_or(DEFAULT_IO_THROTTLE);
    // auto goes to the kernel as 128, and is checked as 128.
    let limit = a.io_limit.map(IoLimit::to_kernel);
    if throttle >= limit.unwrap_or(DEFAULT_IO_LIMIT) {
        let shown = match a.io_limit {
            None => format!("auto, the default, counts as {DEFAULT_IO_LIMIT} here"),
            Some(IoLimit::Auto) => format!("auto counts as {DEFAULT_IO_LIMIT} here"),
            Some(IoLimit::Fixed(v)) => v.to_string(),
        };
        return Err(Error::usage(format!(
            "create {}: --io-throttle ({throttle}) must be less than --io-limit ({shown})",
            a.name
        ))
        .hint("give --io-limit a larger number"));
    }
    let mut p = TableParams::new(dev, group);
    p.io_throttle = a.io_throttle;
    p.io_limit = limit;
    if a.weight.is_some() || a.group_type.is_some() || a.policy.is_some() || a.token.is_some() {
        p.io_throttle = Some(a.io_throttle.unwrap_or(0));
        p.io_limit = Some(limit.unwrap_or(0));
        p.extended = Some(Extended {
            group_type: a.group_type.unwrap_or(GroupType::None),
            policy: a.policy.unwrap_or(DEFAULT_POLICY),
            token: a.token.unwrap_or(0),
            default_weight: a.weight.unwrap_or(DEFAULT_WEIGHT),
            groups: Vec::new(),
            limits: Vec::new(),
        });
    } else if p.io_throttle.is_none() && p.io_limit.is_some() {
        p.io_throttle = Some(0);
    }
    Ok(Target {
        start: 0,
        length: sectors,
        target_type: TARGET_NAME.into(),
        params: p.to_string(),
    })
}

pub(super) fn suspend(name: &str, noflush: bool, ctx: &mut Ctx<'_>) -> Result<()> {
    check_name(name)?;
    ctx.dm()?.suspend(name, noflush)?;
    Ok(())
}

pub(super) fn resume(name: &str, ctx: &mut Ctx<'_>) -> Result<()> {
    check_name(name)?;
    ctx.dm()?.resume(name)?;
    Ok(())
}

pub(super) fn reload(name: &str, src: &TableSource, resume: bool, ctx: &mut Ctx<'_>) -> Result<()> {
    check_name(name)?;
    let table = read_table(src, ctx)?;
    let dm = ctx.dm()?;
    dm.load(name, &table)
        .map_err(|e| load_error(dm, e, &table))?;
    if resume {
        dm.resume(name)?;
    }
    Ok(())
}

pub(super) fn remove(names: &[String], opts: RemoveOptions, ctx: &mut Ctx<'_>) -> Result<()> {
    for n in names {
        check_name(n)?;
    }
    let dm = ctx.dm()?;
    let mut failed: Option<Error> = None;
    let mut count = 0;
    for n in names {
        let r = (|| -> Result<bool> {
            // Refuse to remove devices of other targets.
            if let Ok(t) = dm.table(n) {
                if let Some(other) = t.iter().find(|t| t.target_type != TARGET_NAME) {
                    return Err(Error::fail(format!(
                        "remove {n}: not an ioband device (its target is {})",
                        other.target_type
                    ))
                    .hint("use `dmsetup remove` for other device-mapper devices"));
                }
            }
            Ok(dm.remove(n, opts)?)
        })();
        match r {
            Ok(true) => {}
            Ok(false) => {
                let _ = writeln!(
                    ctx.err,
                    "ioband: {n} is in use; it will be removed when it is closed (deferred)"
                );
            }
            Err(e) => {
                count += 1;
                if failed.is_some() {
                    let _ = writeln!(ctx.err, "ioband: error: {e}");
                } else {
                    failed = Some(e);
                }
            }
        }
    }
    match failed {
        Some(e) if count > 1 => Err(Error {
            message: format!("{} (and {} more failures above)", e.message, count - 1),
            ..e
        }),
        Some(e) => Err(e),
        None => Ok(()),
    }
}
