//! `targets`, `version`, `completions` and `man`: about the tool and the
//! kernel.

use clap::CommandFactory;

use crate::cli::{Cli, Shell};
use crate::ctx::{io_err, Ctx};
use crate::error::{Error, Result};
use crate::target::TARGET_NAME;

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

pub(super) fn write_completions(shell: Shell, ctx: &mut Ctx<'_>) -> Result<()> {
    ctx.out.write_all(&completions(shell)).map_err(io_err)
}

pub(super) fn write_man_page(ctx: &mut Ctx<'_>) -> Result<()> {
    let page = man_page()?;
    ctx.out.write_all(&page).map_err(io_err)
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

fn not_loaded() -> Error {
    Error::fail("the ioband target is not loaded").hint(
        "load it with `modprobe dm-ioband` (module file dm-ioband.ko; or let \
         `ioband create` load it on demand)",
    )
}

pub(super) fn targets(all: bool, ctx: &mut Ctx<'_>) -> Result<()> {
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

pub(super) fn version(ctx: &mut Ctx<'_>) -> Result<()> {
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
