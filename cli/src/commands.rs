//! What each command does, over [`DmBackend`], [`Names`] and [`System`] so
//! that all of it runs in tests against the fake backend.

use std::io::{self, Read, Write};
use std::path::Path;
use std::time::Duration;

use clap::CommandFactory;

use crate::cli::{Cli, Command, CreateArgs, Output, Shell, TableSource};
use crate::dm::{self, errno, DmBackend, DmError, RemoveOptions};
use crate::error::{Error, Result};
use crate::ids::{self, Names};
use crate::render::{self, DeviceSnapshot};
use crate::sys::System;
use crate::target::{
    Config, Extended, GroupType, Message, Policy, Status, TableParams, Target, DEFAULT_IO_LIMIT,
    DEFAULT_IO_THROTTLE, DEFAULT_WEIGHT, MAX_WEIGHT, TARGET_NAME,
};

/// What commands run against.
pub struct Ctx<'a> {
    /// The kernel, or why it could not be opened.
    pub dm: std::result::Result<&'a dyn DmBackend, DmError>,
    /// Name lookups.
    pub names: &'a dyn Names,
    /// Block devices, clock, terminal.
    pub sys: &'a dyn System,
    /// Standard output.
    pub out: &'a mut dyn Write,
    /// Standard error (notes and warnings).
    pub err: &'a mut dyn Write,
    /// Standard input (tables).
    pub stdin: &'a mut dyn Read,
}

impl<'a> Ctx<'a> {
    fn dm(&self) -> Result<&'a dyn DmBackend> {
        match &self.dm {
            Ok(d) => Ok(*d),
            Err(e) => Err(Error::from(e.clone())),
        }
    }
}

/// Map an output error; a closed pipe ends the command quietly (exit 0).
pub fn io_err(e: io::Error) -> Error {
    if e.kind() == io::ErrorKind::BrokenPipe {
        // The reader went away (`ioband status | head`): stop quietly.
        return Error {
            message: String::new(),
            hint: None,
            code: 0,
            errno: None,
        };
    }
    Error::fail(format!("writing output: {e}"))
}

/// Does this command need the device-mapper control node?
pub fn needs_dm(cmd: &Command) -> bool {
    !matches!(
        cmd,
        Command::Completions { .. } | Command::Man | Command::Version | Command::Schema
    )
}

/// Completion script for `shell`.
pub fn completions(shell: Shell) -> Vec<u8> {
    use clap_complete::Shell as S;
    let s = match shell {
        Shell::Bash => S::Bash,
        Shell::Zsh => S::Zsh,
        Shell::Fish => S::Fish,
        Shell::Elvish => S::Elvish,
        Shell::Powershell => S::PowerShell,
    };
    let mut buf = Vec::new();
    clap_complete::generate(s, &mut Cli::command(), "ioband", &mut buf);
    buf
}

/// The checked-in file name of each completion script under `completions/`.
pub fn completion_file(shell: Shell) -> &'static str {
    match shell {
        Shell::Bash => "ioband.bash",
        Shell::Zsh => "_ioband",
        Shell::Fish => "ioband.fish",
        Shell::Elvish => "ioband.elv",
        Shell::Powershell => "_ioband.ps1",
    }
}

/// The man page (roff).
pub fn man_page() -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .section("8")
        .render(&mut buf)
        .map_err(|e| Error::fail(format!("rendering the man page: {e}")))?;
    Ok(buf)
}

/// Run one command.
pub fn run(cmd: Command, ctx: &mut Ctx<'_>) -> Result<()> {
    match cmd {
        Command::Create(a) => create(a, ctx),
        Command::Remove {
            names,
            retry,
            deferred,
        } => remove(&names, RemoveOptions { retry, deferred }, ctx),
        Command::Suspend { name, noflush } => {
            check_name(&name)?;
            ctx.dm()?.suspend(&name, noflush)?;
            Ok(())
        }
        Command::Resume { name } => {
            check_name(&name)?;
            ctx.dm()?.resume(&name)?;
            Ok(())
        }
        Command::Reload {
            name,
            source,
            resume,
        } => reload(&name, &source, resume, ctx),
        Command::Message {
            name,
            sector,
            words,
        } => raw_message(&name, sector, &words, ctx),
        Command::Weight { name, args } => weight(&name, &args, ctx),
        Command::Attach { name, id, weight } => attach(&name, &id, weight, ctx),
        Command::Detach { name, id } => {
            let cfg = device_config(ctx, &name)?;
            let id = resolve(&cfg, &name, &id, ctx)?;
            send(ctx, &name, &Message::Detach(id), &cfg)
        }
        Command::Type { name, group_type } => {
            let cfg = device_config(ctx, &name)?;
            send(ctx, &name, &Message::Type(group_type), &cfg)
        }
        Command::Token { name, val } => simple(ctx, &name, Message::Token(val)),
        Command::IoThrottle { name, val } => simple(ctx, &name, Message::IoThrottle(val)),
        Command::IoLimit { name, val } => simple(ctx, &name, Message::IoLimit(val)),
        Command::Reset { name } => simple(ctx, &name, Message::Reset),
        Command::Table { names, output } => table(&names, output, ctx),
        Command::Status {
            names,
            output,
            watch,
            count,
        } => match watch {
            Some(secs) => watch_status(&names, output, secs, count, ctx),
            None => status(&names, output, ctx),
        },
        Command::Ls { json } => ls(json, ctx),
        Command::Targets { all } => targets(all, ctx),
        Command::Version => version(ctx),
        Command::Apply(a) => crate::apply::apply(&a, ctx),
        Command::Show { json, .. } => crate::apply::show(json, ctx),
        Command::Schema => crate::apply::schema(ctx),
        Command::Completions { shell } => ctx.out.write_all(&completions(shell)).map_err(io_err),
        Command::Man => {
            let page = man_page()?;
            ctx.out.write_all(&page).map_err(io_err)
        }
    }
}

fn check_name(name: &str) -> Result<()> {
    dm::validate_name(name).map_err(|e| Error::usage(format!("invalid device name: {e}")))
}

// ---------------------------------------------------------------- tables

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

pub(crate) fn ioband_loaded(dm: &dyn DmBackend) -> Option<bool> {
    dm.target_versions()
        .ok()
        .map(|v| v.iter().any(|t| t.name == TARGET_NAME))
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
        Some(errno::EINVAL) if has_ioband && ioband_loaded(dm) == Some(false) => err.hint(
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

fn create(a: CreateArgs, ctx: &mut Ctx<'_>) -> Result<()> {
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
    let limit = a.io_limit.unwrap_or(DEFAULT_IO_LIMIT);
    if throttle >= limit {
        return Err(Error::usage(format!(
            "--io-throttle ({throttle}) must be less than --io-limit ({limit}{})",
            if a.io_limit.is_none() {
                ", the default"
            } else {
                ""
            }
        )));
    }
    let mut p = TableParams::new(dev, group);
    p.io_throttle = a.io_throttle;
    p.io_limit = a.io_limit;
    if a.weight.is_some() || a.group_type.is_some() || a.policy.is_some() || a.token.is_some() {
        p.io_throttle = Some(a.io_throttle.unwrap_or(0));
        p.io_limit = Some(a.io_limit.unwrap_or(0));
        p.extended = Some(Extended {
            group_type: a.group_type.unwrap_or(GroupType::None),
            policy: a.policy.unwrap_or(Policy::Weight),
            token: a.token.unwrap_or(0),
            default_weight: a.weight.unwrap_or(DEFAULT_WEIGHT),
            groups: Vec::new(),
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

fn reload(name: &str, src: &TableSource, resume: bool, ctx: &mut Ctx<'_>) -> Result<()> {
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

fn remove(names: &[String], opts: RemoveOptions, ctx: &mut Ctx<'_>) -> Result<()> {
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

// -------------------------------------------------------------- messages

/// Read a device's table and interpret it; errors name the device.
pub fn device_config(ctx: &Ctx<'_>, name: &str) -> Result<Config> {
    check_name(name)?;
    let dm = ctx.dm()?;
    let t = dm.table(name)?;
    ioband_config(name, &t)
}

fn ioband_config(name: &str, t: &[Target]) -> Result<Config> {
    match t {
        [one] if one.target_type == TARGET_NAME => {
            let p: TableParams = one.params.parse().map_err(|e| {
                Error::fail(format!("table of {name}: {e}"))
                    .hint("the module and this tool disagree on the table format; check versions")
            })?;
            Ok(Config::from(&p))
        }
        [] => Err(Error::fail(format!("{name} has no active table"))
            .hint("load one with `ioband reload` and `ioband resume`")),
        _ => Err(Error::fail(format!(
            "{name} is not an ioband device (its target is {})",
            t.iter()
                .map(|t| t.target_type.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .hint("list ioband devices with `ioband ls`")),
    }
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
                cfg.io_limit
            ))
            .hint(format!(
                "raise io_limit first: `ioband io-limit {name} {}`",
                v + 1
            )),
        ),
        Message::IoLimit(v) if *v <= cfg.io_throttle => Some(
            Error::fail(format!(
                "{msg}: io_limit must be greater than io_throttle ({}) of {name}'s device group",
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

fn send(ctx: &Ctx<'_>, name: &str, msg: &Message, cfg: &Config) -> Result<()> {
    if let Some(e) = precheck(name, msg, cfg) {
        return Err(e);
    }
    ctx.dm()?
        .message(name, 0, &msg.to_string())
        .map_err(|e| message_error(name, e, Some(msg), Some(cfg)))?;
    Ok(())
}

fn simple(ctx: &Ctx<'_>, name: &str, msg: Message) -> Result<()> {
    let cfg = device_config(ctx, name)?;
    send(ctx, name, &msg, &cfg)
}

fn resolve(cfg: &Config, name: &str, input: &str, ctx: &Ctx<'_>) -> Result<u64> {
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

fn weight(name: &str, args: &[String], ctx: &mut Ctx<'_>) -> Result<()> {
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

fn attach(name: &str, id: &str, weight: Option<u32>, ctx: &mut Ctx<'_>) -> Result<()> {
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

fn raw_message(name: &str, sector: u64, words: &[String], ctx: &mut Ctx<'_>) -> Result<()> {
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
                         io_throttle VAL, io_limit VAL, reset"
                    ));
                }
            }
            Err(err)
        }
    }
}

// --------------------------------------------------------------- reading

/// Read all ioband devices. Returns every ioband device (for share totals)
/// and the ones asked for (all if `names` is empty), with status and info
/// when asked.
pub fn gather(
    ctx: &Ctx<'_>,
    names: &[String],
    with_status: bool,
    with_info: bool,
) -> Result<(Vec<DeviceSnapshot>, Vec<DeviceSnapshot>)> {
    for n in names {
        check_name(n)?;
    }
    let dm = ctx.dm()?;
    let entries = dm.list_devices()?;
    for n in names {
        if !entries.iter().any(|e| &e.name == n) {
            return Err(
                Error::from(DmError::errno("status", Some(n), errno::ENXIO)).hint(format!(
                    "no device named {n:?}; list ioband devices with `ioband ls`"
                )),
            );
        }
    }
    let mut all = Vec::new();
    for e in &entries {
        let table = match dm.table(&e.name) {
            Ok(t) => t,
            // Removed while we were looking.
            Err(err) if err.errno == Some(errno::ENXIO) => continue,
            Err(err) => return Err(err.into()),
        };
        let is_ioband = matches!(table.as_slice(), [t] if t.target_type == TARGET_NAME);
        if !is_ioband {
            if names.contains(&e.name) {
                ioband_config(&e.name, &table)?;
            }
            continue;
        }
        let config = ioband_config(&e.name, &table)?;
        let t = &table[0];
        all.push(DeviceSnapshot {
            name: e.name.clone(),
            major: e.major,
            minor: e.minor,
            start: t.start,
            length: t.length,
            table_raw: t.params.clone(),
            config,
            status_raw: None,
            status: None,
            info: None,
        });
    }
    let mut shown: Vec<DeviceSnapshot> = if names.is_empty() {
        all.clone()
    } else {
        names
            .iter()
            .filter_map(|n| all.iter().find(|d| &d.name == n).cloned())
            .collect()
    };
    for d in shown.iter_mut() {
        if with_status {
            let st = dm.status(&d.name)?;
            let raw = st.first().map(|t| t.params.clone()).unwrap_or_default();
            let parsed: Status = raw.parse().map_err(|e| {
                Error::fail(format!("status of {}: {e}", d.name))
                    .hint("the module and this tool disagree on the status format; check versions")
            })?;
            d.status_raw = Some(raw);
            d.status = Some(parsed);
        }
        if with_info {
            d.info = Some(dm.info(&d.name)?);
        }
    }
    Ok((all, shown))
}

/// dmsetup's raw lines, without interpreting them.
fn raw(ctx: &mut Ctx<'_>, names: &[String], status: bool) -> Result<()> {
    for n in names {
        check_name(n)?;
    }
    let dm = ctx.dm()?;
    let list: Vec<String> = if names.is_empty() {
        dm.list_devices()?.into_iter().map(|e| e.name).collect()
    } else {
        names.to_vec()
    };
    let prefix = names.len() != 1;
    let mut out = String::new();
    for n in &list {
        // Status lines name their target type too: one ioctl per device,
        // as dmsetup does.
        let got = if status { dm.status(n) } else { dm.table(n) };
        let lines = match got {
            Ok(t) => t,
            Err(e) if names.is_empty() && e.errno == Some(errno::ENXIO) => continue,
            Err(e) => return Err(e.into()),
        };
        let is_ioband = !lines.is_empty() && lines.iter().all(|t| t.target_type == TARGET_NAME);
        if !is_ioband {
            if !names.is_empty() {
                // says which target it has (status lines name it too)
                ioband_config(n, &lines)?;
            }
            continue;
        }
        out.push_str(&render::raw_lines(
            lines
                .iter()
                .map(|t| (n.as_str(), t.start, t.length, t.params.as_str())),
            prefix,
        ));
    }
    ctx.out.write_all(out.as_bytes()).map_err(io_err)
}

fn nothing(ctx: &mut Ctx<'_>, json: bool) -> Result<()> {
    if json {
        writeln!(ctx.out, "{{\"devices\": []}}").map_err(io_err)
    } else {
        writeln!(ctx.out, "No ioband devices.").map_err(io_err)
    }
}

fn table(names: &[String], o: Output, ctx: &mut Ctx<'_>) -> Result<()> {
    if o.raw {
        return raw(ctx, names, false);
    }
    let (_, shown) = gather(ctx, names, false, false)?;
    if shown.is_empty() && !o.json {
        return nothing(ctx, false);
    }
    let doc = render::table_doc(&shown, ctx.names);
    let text = if o.json {
        render::to_json(&doc, false) + "\n"
    } else {
        render::table_text(&doc)
    };
    ctx.out.write_all(text.as_bytes()).map_err(io_err)
}

fn status(names: &[String], o: Output, ctx: &mut Ctx<'_>) -> Result<()> {
    if o.raw {
        return raw(ctx, names, true);
    }
    let (all, shown) = gather(ctx, names, true, false)?;
    if shown.is_empty() && !o.json {
        return nothing(ctx, false);
    }
    let doc = render::status_doc(&shown, &render::group_totals(&all), ctx.names, None);
    let text = if o.json {
        render::to_json(&doc, false) + "\n"
    } else {
        render::status_text(&doc)
    };
    ctx.out.write_all(text.as_bytes()).map_err(io_err)
}

fn watch_status(
    names: &[String],
    o: Output,
    secs: f64,
    count: Option<u64>,
    ctx: &mut Ctx<'_>,
) -> Result<()> {
    let tty = ctx.sys.stdout_is_tty() && !o.json;
    let mut prev: Option<(Vec<DeviceSnapshot>, f64)> = None;
    let mut n: u64 = 0;
    loop {
        let (all, shown) = gather(ctx, names, true, false)?;
        let now = ctx.sys.now_secs();
        let rates = match &prev {
            Some((p, t)) => render::rates(p, &shown, now - t),
            None => render::Rates::default(),
        };
        let doc = render::status_doc(&shown, &render::group_totals(&all), ctx.names, Some(&rates));
        let text = if o.json {
            render::to_json(&doc, true) + "\n"
        } else {
            let mut s = String::new();
            if tty {
                s.push_str("\x1b[H\x1b[2J");
            } else if n > 0 {
                s.push('\n');
            }
            s.push_str(&format!(
                "Every {secs}s: ioband status{}   (sample {})\n\n",
                if names.is_empty() {
                    String::new()
                } else {
                    format!(" {}", names.join(" "))
                },
                n + 1
            ));
            if shown.is_empty() {
                s.push_str("No ioband devices.\n");
            } else {
                s.push_str(&render::status_text(&doc));
            }
            s
        };
        ctx.out.write_all(text.as_bytes()).map_err(io_err)?;
        ctx.out.flush().map_err(io_err)?;
        n += 1;
        if count.is_some_and(|c| n >= c) {
            return Ok(());
        }
        prev = Some((shown, now));
        ctx.sys.sleep(Duration::from_secs_f64(secs));
    }
}

fn ls(json: bool, ctx: &mut Ctx<'_>) -> Result<()> {
    let (_, shown) = gather(ctx, &[], false, true)?;
    if shown.is_empty() && !json {
        return nothing(ctx, false);
    }
    let doc = render::ls_doc(&shown);
    let text = if json {
        render::to_json(&doc, false) + "\n"
    } else {
        render::ls_text(&doc)
    };
    ctx.out.write_all(text.as_bytes()).map_err(io_err)
}

fn not_loaded() -> Error {
    Error::fail("the ioband target is not loaded").hint(
        "load it with `modprobe dm-ioband` (module file dm-ioband.ko; or let \
         `ioband create` load it on demand)",
    )
}

fn targets(all: bool, ctx: &mut Ctx<'_>) -> Result<()> {
    let v = ctx.dm()?.target_versions()?;
    let mut out = String::new();
    if all {
        for t in &v {
            out.push_str(&format!("{:<16} {}\n", t.name, t));
        }
    }
    let found = v.iter().find(|t| t.name == TARGET_NAME);
    if let (Some(t), false) = (found, all) {
        out.push_str(&format!("{:<16} {}\n", t.name, t));
    }
    ctx.out.write_all(out.as_bytes()).map_err(io_err)?;
    match found {
        Some(_) => Ok(()),
        None => Err(not_loaded()),
    }
}

fn version(ctx: &mut Ctx<'_>) -> Result<()> {
    let mut out = format!("ioband {}\n", env!("CARGO_PKG_VERSION"));
    match &ctx.dm {
        Ok(dm) => {
            match dm.driver_version() {
                Ok((a, b, c)) => out.push_str(&format!("device-mapper driver: {a}.{b}.{c}\n")),
                Err(e) => out.push_str(&format!("device-mapper driver: unknown ({e})\n")),
            }
            match dm.target_versions() {
                Ok(v) => match v.iter().find(|t| t.name == TARGET_NAME) {
                    Some(t) => out.push_str(&format!("ioband target: {t}\n")),
                    None => out.push_str("ioband target: not loaded (modprobe dm-ioband)\n"),
                },
                Err(e) => out.push_str(&format!("ioband target: unknown ({e})\n")),
            }
        }
        Err(e) => out.push_str(&format!("device-mapper: unavailable ({e})\n")),
    }
    ctx.out.write_all(out.as_bytes()).map_err(io_err)
}

#[cfg(test)]
pub(crate) mod tests;
