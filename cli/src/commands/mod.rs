//! What each command does, over [`DmBackend`](crate::dm::DmBackend),
//! [`Names`](crate::ids::Names) and [`System`](crate::sys::System) (held by
//! [`Ctx`]) so that all of it runs in tests against the fakes. One file per
//! group of subcommands; [`run`] dispatches:
//!
//! * `lifecycle` — create, reload, remove, suspend, resume;
//! * `message` — message, weight, write-weight, limit, floor, class, attach,
//!   detach, type, token, io-throttle, io-limit, reset;
//! * `inspect` — table, status, ls;
//! * `apply` — apply, show, schema;
//! * `exporter` — exporter (Prometheus);
//! * `info` — targets, version, completions, man.

mod apply;
mod exporter;
mod info;
mod inspect;
mod lifecycle;
mod message;

use crate::caps::Rates;
use crate::cli::Command;
use crate::ctx::Ctx;
use crate::dm::{self, RemoveOptions};
use crate::error::{Error, Result};
use crate::target::{Config, Message, TableParams, Target, TARGET_NAME};

pub use info::{completion_file, completions, man_page};
pub use inspect::gather;
pub use lifecycle::parse_table_text;
pub use message::{device_config, precheck};

/// Does this command need the device-mapper control node?
pub fn needs_dm(cmd: &Command) -> bool {
    !matches!(
        cmd,
        Command::Completions { .. } | Command::Man | Command::Version | Command::Schema
    )
}

/// Run one command.
pub fn run(cmd: Command, ctx: &mut Ctx<'_>) -> Result<()> {
    match cmd {
        Command::Create(a) => lifecycle::create(a, ctx),
        Command::Remove {
            names,
            retry,
            deferred,
        } => lifecycle::remove(&names, RemoveOptions { retry, deferred }, ctx),
        Command::Suspend { name, noflush } => lifecycle::suspend(&name, noflush, ctx),
        Command::Resume { name } => lifecycle::resume(&name, ctx),
        Command::Reload {
            name,
            source,
            resume,
        } => lifecycle::reload(&name, &source, resume, ctx),
        Command::Message {
            name,
            sector,
            words,
        } => message::raw_message(&name, sector, &words, ctx),
        Command::Weight { name, args } => message::weight(&name, &args, ctx),
        Command::Exporter {
            names,
            listen,
            textfile,
            interval,
            once,
        } => match textfile {
            Some(path) => exporter::textfile(&names, &path, interval, once, ctx),
            None => exporter::serve_on(&names, listen, ctx),
        },
        Command::WriteWeight { name, args } => message::write_weight(&name, &args, ctx),
        Command::Limit {
            name,
            group,
            caps,
            capacity,
        } => message::rates(Rates::Caps, &name, group.as_deref(), &caps, &capacity, ctx),
        Command::Floor {
            name,
            group,
            floors,
            capacity,
        } => message::rates(
            Rates::Floors,
            &name,
            group.as_deref(),
            &floors,
            &capacity,
            ctx,
        ),
        Command::Class { name, group, class } => {
            message::class(&name, group.as_deref(), class, ctx)
        }
        Command::Attach { name, id, weight } => message::attach(&name, &id, weight, ctx),
        Command::Detach { name, id } => message::detach(&name, &id, ctx),
        Command::Type { name, group_type } => message::set_type(&name, group_type, ctx),
        Command::Token { name, val } => message::simple(ctx, &name, Message::Token(val)),
        Command::IoThrottle { name, val } => message::simple(ctx, &name, Message::IoThrottle(val)),
        // auto goes to the kernel as 128, the number it takes for auto.
        Command::IoLimit { name, val } => {
            message::simple(ctx, &name, Message::IoLimit(val.to_kernel()))
        }
        Command::Reset { name } => message::simple(ctx, &name, Message::Reset),
        Command::Table { names, output } => inspect::table(&names, output, ctx),
        Command::Status {
            names,
            output,
            watch,
            count,
        } => match watch {
            Some(secs) => inspect::watch_status(&names, output, secs, count, ctx),
            None => inspect::status(&names, output, ctx),
        },
        Command::Ls { json } => inspect::ls(json, ctx),
        Command::Targets { all } => info::targets(all, ctx),
        Command::Version => info::version(ctx),
        Command::Apply(a) => apply::apply(&a, ctx),
        Command::Show { json, .. } => apply::show(json, ctx),
        Command::Schema => apply::schema(ctx),
        Command::Completions { shell } => info::write_completions(shell, ctx),
        Command::Man => info::write_man_page(ctx),
    }
}

fn check_name(name: &str) -> Result<()> {
    dm::validate_name(name).map_err(|e| Error::usage(format!("invalid device name: {e}")))
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

#[cfg(test)]
pub(crate) mod tests;
