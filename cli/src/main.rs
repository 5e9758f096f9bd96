//! `ioband`: thin front end. Parses the command line, opens the kernel
//! interface when the command needs it, runs the command from the library
//! and maps errors to exit codes (0 ok, 1 failure, 2 usage; `apply
//! --exit-code-changed N`).

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use clap::Parser;

use ioband::cli::{Cli, Command};
use ioband::commands;
use ioband::ctx::{self, Ctx};
use ioband::dm::{DmBackend, KernelDm};
use ioband::error::Error;
use ioband::ids::SystemNames;
use ioband::sys::RealSystem;

fn report(e: &Error) -> ExitCode {
    if e.code == 0 {
        return ExitCode::SUCCESS;
    }
    if e.message.is_empty() {
        // A status without an error (apply --exit-code-changed).
        return ExitCode::from(u8::try_from(e.code).unwrap_or(1));
    }
    eprintln!("ioband: error: {}", e.message);
    if let Some(h) = &e.hint {
        eprintln!("ioband: hint: {h}");
    }
    ExitCode::from(u8::try_from(e.code).unwrap_or(1))
}

fn main() -> ExitCode {
    // clap prints help/version (exit 0) and usage errors (exit 2) itself.
    let cli = Cli::parse();
    let kernel = if commands::needs_dm(&cli.command) || matches!(cli.command, Command::Version) {
        Some(KernelDm::open())
    } else {
        None
    };
    let dm = match &kernel {
        Some(Ok(k)) => Ok(k as &dyn DmBackend),
        Some(Err(e)) => Err(e.clone()),
        None => Err(ioband::dm::DmError::other(
            "device-mapper",
            None,
            "not opened",
        )),
    };
    let names = SystemNames::default();
    let sys = RealSystem::default();
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut err = io::stderr();
    let mut stdin = io::stdin();
    let res = {
        let mut ctx = Ctx {
            dm,
            names: &names,
            sys: &sys,
            out: &mut out,
            err: &mut err,
            stdin: &mut stdin,
        };
        commands::run(cli.command, &mut ctx)
    };
    let flushed = out.flush().map_err(ctx::io_err);
    match res.and(flushed) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => report(&e),
    }
}
