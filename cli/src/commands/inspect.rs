//! `table`, `status` (and `status --watch`) and `ls`: reading devices and
//! printing them as tables, JSON or dmsetup's raw lines.

use std::time::Duration;

use serde::Serialize;

use crate::cli::Output;
use crate::ctx::{io_err, Ctx};
use crate::dm::{self, errno, DmError};
use crate::error::{Error, Result};
use crate::render::{self, DeviceSnapshot};
use crate::shares;
use crate::target::{Status, TARGET_NAME};

use super::{check_name, ioband_config};

/// Read all ioband devices. Returns every ioband device (for share totals)
/// and the ones asked for (all if `names` is empty), with status and info
/// when asked. With status, the module's `shares` reply too, for the
/// devices whose groups may nest in the device groups shown (one ioctl
/// each; none for the usual flat devices), and its `settings` reply, once
/// per device group shown (io_limit and io_throttle are the group's), and
/// its `limits` reply for the devices shown that have caps, floors or an
/// idle group. A device that
/// cannot answer (an older module) is left without; its shares show as
/// unknown, its limits as the table's numbers, its parked counters as
/// unknown.
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
            shares: None,
            settings: None,
            settings_own: false,
            limits_reply: None,
        });
    }
    if with_status {
        ask_device_groups(dm, names, &mut all);
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
            read_status(dm, d)?;
        }
        if with_info {
            d.info = Some(dm.info(&d.name)?);
        }
    }
    Ok((all, shown))
}

/// The module's `shares` replies (devices whose groups may nest, in the
/// device groups shown) and `settings` replies (one device per device
/// group shown answers for it) for `all`.
fn ask_device_groups(dm: &dyn dm::DmBackend, names: &[String], all: &mut [DeviceSnapshot]) {
    let is_shown = |d: &DeviceSnapshot| names.is_empty() || names.contains(&d.name);
    let shown_groups: std::collections::BTreeSet<u32> = all
        .iter()
        .filter(|d| is_shown(d))
        .map(|d| d.config.device_group)
        .collect();
    for d in all.iter_mut() {
        if shares::may_nest(&d.config) && shown_groups.contains(&d.config.device_group) {
            d.shares = dm::shares(dm, &d.name).ok();
        }
    }
    // One device answers for its device group (the first shown one):
    // the limits are the group's, and an ioctl per device would cost.
    let mut settings = std::collections::BTreeMap::new();
    for d in all.iter().filter(|d| is_shown(d)) {
        if let std::collections::btree_map::Entry::Vacant(e) = settings.entry(d.config.device_group)
        {
            e.insert((d.name.clone(), dm::settings(dm, &d.name).ok()));
        }
    }
    for d in all.iter_mut() {
        if let Some((from, reply)) = settings.get(&d.config.device_group) {
            d.settings = reply.clone();
            d.settings_own = *from == d.name;
        }
    }
}

/// A shown device's status line and, if it has caps, floors or an idle
/// group, its `limits` reply.
fn read_status(dm: &dyn dm::DmBackend, d: &mut DeviceSnapshot) -> Result<()> {
    let st = dm.status(&d.name)?;
    let raw = st.first().map(|t| t.params.clone()).unwrap_or_default();
    let parsed: Status = raw.parse().map_err(|e| {
        Error::fail(format!("status of {}: {e}", d.name))
            .hint("the module and this tool disagree on the status format; check versions")
    })?;
    d.status_raw = Some(raw);
    d.status = Some(parsed);
    // Only a device with caps, floors or an idle group has counters worth
    // an ioctl (a write weight alone has none).
    if d.config.limits.iter().any(|l| l.has_limits()) {
        d.limits_reply = dm::limits(dm, &d.name).ok();
    }
    Ok(())
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

/// Print what `table`, `status` and `ls` show: `doc` as JSON, or as `text`
/// makes it ("No ioband devices." when there are none).
fn print_shown<T: Serialize>(
    ctx: &mut Ctx<'_>,
    none: bool,
    json: bool,
    doc: &T,
    text: impl Fn(&T) -> String,
) -> Result<()> {
    let out = if json {
        render::to_json(doc, false) + "\n"
    } else if none {
        "No ioband devices.\n".to_string()
    } else {
        text(doc)
    };
    ctx.out.write_all(out.as_bytes()).map_err(io_err)
}

pub(super) fn table(names: &[String], o: Output, ctx: &mut Ctx<'_>) -> Result<()> {
    if o.raw {
        return raw(ctx, names, false);
    }
    let (_, shown) = gather(ctx, names, false, false)?;
    let doc = render::table_doc(&shown, ctx.names);
    print_shown(ctx, shown.is_empty(), o.json, &doc, render::table_text)
}

pub(super) fn status(names: &[String], o: Output, ctx: &mut Ctx<'_>) -> Result<()> {
    if o.raw {
        return raw(ctx, names, true);
    }
    let (all, shown) = gather(ctx, names, true, false)?;
    let doc = render::status_doc(&shown, &all, ctx.names, None);
    print_shown(ctx, shown.is_empty(), o.json, &doc, render::status_text)
}

pub(super) fn watch_status(
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
        let doc = render::status_doc(&shown, &all, ctx.names, Some(&rates));
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

pub(super) fn ls(json: bool, ctx: &mut Ctx<'_>) -> Result<()> {
    let (_, shown) = gather(ctx, &[], false, true)?;
    let doc = render::ls_doc(&shown);
    print_shown(ctx, shown.is_empty(), json, &doc, render::ls_text)
}
