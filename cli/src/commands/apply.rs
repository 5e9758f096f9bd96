//! `ioband apply`, `ioband show` and `ioband schema`: the declarative side.

use std::fs::{File, OpenOptions};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;

use crate::cli::ApplyArgs;
use crate::ctx::{io_err, Ctx};
use crate::dm::{self, DmBackend};
use crate::error::{Error, Result, EXIT_FAILURE};
use crate::plan::{self, Action, ActionJson};
use crate::profile::{self, Profile, MAX_PROFILE_BYTES};

/// Default lock file; `IOBAND_LOCK` overrides it.
pub const LOCK_FILE: &str = "/run/ioband.lock";

/// The one JSON object `apply --json` prints.
#[derive(Debug, Serialize)]
pub struct Report {
    /// Whether the system was (or, with --check, would be) changed.
    pub changed: bool,
    /// Actions with their status: planned, done, failed, undone,
    /// undo-failed, skipped.
    pub actions: Vec<ActionJson>,
    /// What went wrong.
    pub errors: Vec<String>,
}

fn read_profile(path: &Path, ctx: &mut Ctx<'_>) -> std::result::Result<String, String> {
    let name = path.display();
    let mut buf = Vec::new();
    let res = if path == Path::new("-") {
        ctx.stdin
            .take(MAX_PROFILE_BYTES as u64 + 1)
            .read_to_end(&mut buf)
    } else {
        File::open(path).and_then(|f| f.take(MAX_PROFILE_BYTES as u64 + 1).read_to_end(&mut buf))
    };
    res.map_err(|e| format!("{name}: {e}"))?;
    if buf.len() > MAX_PROFILE_BYTES {
        return Err(format!(
            "{name}: the file is larger than {MAX_PROFILE_BYTES} bytes"
        ));
    }
    String::from_utf8(buf).map_err(|_| format!("{name}: not UTF-8 text"))
}

/// Read, parse and merge profile files; every problem is reported.
pub fn load_profiles(
    files: &[PathBuf],
    ctx: &mut Ctx<'_>,
) -> std::result::Result<Profile, Vec<String>> {
    let mut errs = Vec::new();
    let mut ps = Vec::new();
    for f in files {
        let name = f.display().to_string();
        match read_profile(f, ctx)
            .and_then(|t| profile::parse(&name, &t).map_err(|e| e.to_string()))
        {
            Ok(p) => ps.push((name, p)),
            Err(e) => errs.push(e),
        }
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    profile::merge(ps).map_err(|e| vec![e])
}

/// Holds the apply lock until dropped.
pub struct Lock {
    _f: Option<nix::fcntl::Flock<File>>,
}

/// Take the lock, waiting up to `timeout`.
pub fn lock(path: &Path, timeout: f64, ctx: &mut Ctx<'_>) -> Result<Lock> {
    use nix::fcntl::{Flock, FlockArg};
    let open = || {
        OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
    };
    let mut f = open().map_err(|e| {
        Error::fail(format!("lock file {}: {e}", path.display()))
            .hint("apply needs root (or set IOBAND_LOCK to a writable path)")
    })?;
    let start = ctx.sys.now_secs();
    let mut told = false;
    loop {
        match Flock::lock(f, FlockArg::LockExclusiveNonblock) {
            Ok(l) => return Ok(Lock { _f: Some(l) }),
            Err((back, _)) => f = back,
        }
        if ctx.sys.now_secs() - start >= timeout {
            return Err(Error::fail(format!(
                "another `ioband apply` holds {} (waited {timeout} s)",
                path.display()
            ))
            .hint("wait for it to finish, or raise --lock-timeout"));
        }
        if !told {
            let _ = writeln!(
                ctx.err,
                "ioband: waiting for another `ioband apply` ({})",
                path.display()
            );
            told = true;
        }
        ctx.sys.sleep(Duration::from_millis(100));
    }
}

/// SIGINT, SIGTERM and SIGHUP while an apply changes the system: noted,
/// not fatal.  The run stops before its next action and undoes what it did
/// (a second signal during the undo is noted too; SIGKILL cannot be
/// caught: `ioband show` then tells what is left).
pub struct Interrupts {
    old: Vec<(nix::sys::signal::Signal, nix::sys::signal::SigAction)>,
    // one catcher at a time in a process (tests run applies in threads)
    _one: std::sync::MutexGuard<'static, ()>,
}

static CATCHER: std::sync::Mutex<()> = std::sync::Mutex::new(());

static CAUGHT: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(0);

extern "C" fn note_signal(sig: nix::libc::c_int) {
    // async-signal-safe: one atomic store
    CAUGHT.store(sig, std::sync::atomic::Ordering::SeqCst);
}

impl Interrupts {
    const SIGNALS: [nix::sys::signal::Signal; 3] = [
        nix::sys::signal::Signal::SIGINT,
        nix::sys::signal::Signal::SIGTERM,
        nix::sys::signal::Signal::SIGHUP,
    ];

    /// Catch the signals until dropped.
    pub fn catch() -> Self {
        use nix::sys::signal::{sigaction, SaFlags, SigAction, SigHandler, SigSet};
        let one = CATCHER.lock().unwrap_or_else(|e| e.into_inner());
        CAUGHT.store(0, std::sync::atomic::Ordering::SeqCst);
        let act = SigAction::new(
            SigHandler::Handler(note_signal),
            SaFlags::SA_RESTART,
            SigSet::empty(),
        );
        let mut old = Vec::new();
        for s in Self::SIGNALS {
            // SAFETY: the handler only stores to an atomic.
            if let Ok(o) = unsafe { sigaction(s, &act) } {
                old.push((s, o));
            }
        }
        Interrupts { old, _one: one }
    }

    /// "interrupted by SIGTERM" once one of the signals arrived.
    pub fn caught() -> Option<String> {
        let n = CAUGHT.load(std::sync::atomic::Ordering::SeqCst);
        if n == 0 {
            return None;
        }
        let name = nix::sys::signal::Signal::try_from(n)
            .map(|s| s.as_str().to_string())
            .unwrap_or_else(|_| format!("signal {n}"));
        Some(format!("interrupted by {name}"))
    }
}

impl Drop for Interrupts {
    fn drop(&mut self) {
        for (s, o) in self.old.drain(..) {
            // SAFETY: puts back the disposition that was there before.
            let _ = unsafe { nix::sys::signal::sigaction(s, &o) };
        }
    }
}

/// Test hook for the guest suite: `IOBAND_TEST_ACTION_DELAY_MS` makes
/// apply sleep before each action, so a signal can land mid-apply.
fn test_action_delay() -> Option<Duration> {
    std::env::var("IOBAND_TEST_ACTION_DELAY_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .map(Duration::from_millis)
}

fn finish(a: &ApplyArgs, r: Report, summary: &str, ctx: &mut Ctx<'_>) -> Result<()> {
    if a.json {
        let s = serde_json::to_string(&r).map_err(|e| Error::fail(e.to_string()))?;
        writeln!(ctx.out, "{s}").map_err(io_err)?;
    } else {
        for e in r.errors.iter().skip(1) {
            let _ = writeln!(ctx.err, "ioband: error: {e}");
        }
        writeln!(ctx.out, "{summary}").map_err(io_err)?;
    }
    match r.errors.first() {
        Some(e) => Err(Error {
            message: e.clone(),
            hint: None,
            code: EXIT_FAILURE,
            errno: None,
        }),
        None if r.changed && a.exit_code_changed != 0 => Err(Error {
            message: String::new(),
            hint: None,
            code: i32::from(a.exit_code_changed),
            errno: None,
        }),
        None => Ok(()),
    }
}

fn failed(a: &ApplyArgs, errors: Vec<String>, ctx: &mut Ctx<'_>) -> Result<()> {
    let r = Report {
        changed: false,
        actions: Vec::new(),
        errors,
    };
    finish(a, r, "nothing changed", ctx)
}

/// `ioband apply`.
pub fn apply(a: &ApplyArgs, ctx: &mut Ctx<'_>) -> Result<()> {
    let prof = match load_profiles(&a.files, ctx) {
        Ok(p) => p,
        Err(e) => return failed(a, e, ctx),
    };
    let dm = match &ctx.dm {
        Ok(d) => *d,
        Err(e) => return failed(a, vec![Error::from(e.clone()).to_string()], ctx),
    };
    let _lock = if a.check {
        None
    } else {
        match lock(&lock_path(a), a.lock_timeout, ctx) {
            Ok(l) => Some(l),
            Err(e) => return failed(a, vec![e.to_string()], ctx),
        }
    };
    let actual = match plan::read_actual(dm) {
        Ok(x) => x,
        Err(e) => return failed(a, vec![e], ctx),
    };
    let want = match plan::resolve(&prof, &actual, ctx.names, ctx.sys) {
        Ok(w) => w,
        Err(e) => return failed(a, e, ctx),
    };
    let actions = plan::plan(&want, &actual, a.prune);
    if a.check {
        return report_check(a, &actions, ctx);
    }
    let mut r = execute(a.json, dm, &actions, ctx);
    if !r.errors.is_empty() {
        explain_failure(dm, &mut r);
        let summary = if r.changed {
            "FAILED; the undo failed too: the state left is above (`ioband show`)"
        } else {
            "FAILED; every change of this run was undone"
        };
        return finish(a, r, summary, ctx);
    }
    verify(a, &prof, dm, &mut r, ctx);
    let summary = if !r.errors.is_empty() {
        "FAILED verification".to_string()
    } else if r.changed {
        format!("applied {} change(s)", r.actions.len())
    } else {
        "no changes: the system matches the profile".to_string()
    };
    finish(a, r, &summary, ctx)
}

/// `--lock-file`, else `IOBAND_LOCK`, else [`LOCK_FILE`].
fn lock_path(a: &ApplyArgs) -> PathBuf {
    a.lock_file
        .clone()
        .or_else(|| std::env::var_os("IOBAND_LOCK").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from(LOCK_FILE))
}

/// `apply --check`: say what would be done.
fn report_check(a: &ApplyArgs, actions: &[Action], ctx: &mut Ctx<'_>) -> Result<()> {
    if !a.json {
        for x in actions {
            writeln!(ctx.out, "would {x}").map_err(io_err)?;
        }
    }
    let summary = if actions.is_empty() {
        "no changes: the system matches the profile".to_string()
    } else {
        format!("{} change(s) needed (--check: nothing done)", actions.len())
    };
    let r = Report {
        changed: !actions.is_empty(),
        actions: actions
            .iter()
            .map(|x| ActionJson::of(x, "planned"))
            .collect(),
        errors: Vec::new(),
    };
    finish(a, r, &summary, ctx)
}

/// Run the plan, logging each action (to standard error with `--json`),
/// stopping and undoing on a failure or a signal.
fn execute(json: bool, dm: &dyn DmBackend, actions: &[Action], ctx: &mut Ctx<'_>) -> Report {
    let (out, err) = (&mut *ctx.out, &mut *ctx.err);
    let mut log = |s: &str| {
        let _ = if json {
            writeln!(err, "ioband: {s}")
        } else {
            writeln!(out, "{s}")
        };
    };
    let delay = test_action_delay();
    let _catch = Interrupts::catch();
    let outcome = plan::execute_until(dm, actions, &mut log, &|| {
        if let Some(d) = delay {
            std::thread::sleep(d);
        }
        Interrupts::caught()
    });
    Report {
        changed: outcome.changed,
        actions: outcome.actions,
        errors: outcome.errors,
    }
}

/// Add what is known about a failed run to its first error: the signal
/// that stopped it, a missing target module.
fn explain_failure(dm: &dyn DmBackend, r: &mut Report) {
    // A signal that lands inside an ioctl (dm's suspend waits interruptibly)
    // fails that action with EINTR instead: name the signal there too.
    if let (Some(why), Some(first)) = (Interrupts::caught(), r.errors.first_mut()) {
        if !first.starts_with(&why) {
            *first = format!("{why}: {first}");
        }
    }
    if !r.errors.is_empty() && dm::ioband_target_loaded(dm) == Some(false) {
        r.errors[0]
            .push_str(" (the ioband target is not loaded: run `modprobe dm-ioband`, as root)");
    }
}

/// Read the devices back and plan again: anything still to do is an error.
fn verify(a: &ApplyArgs, prof: &Profile, dm: &dyn DmBackend, r: &mut Report, ctx: &Ctx<'_>) {
    let again = plan::read_actual(dm).map_err(|e| vec![e]).and_then(|act| {
        plan::resolve(prof, &act, ctx.names, ctx.sys).map(|w| plan::plan(&w, &act, a.prune))
    });
    match again {
        Ok(left) if left.is_empty() => {}
        Ok(left) => r.errors.push(format!(
            "verification failed: after applying, still to do: {}",
            left.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join("; ")
        )),
        Err(e) => r
            .errors
            .extend(e.into_iter().map(|e| format!("verification failed: {e}"))),
    }
}

/// `ioband show`.
pub fn show(json: bool, ctx: &mut Ctx<'_>) -> Result<()> {
    let dm = match &ctx.dm {
        Ok(d) => *d,
        Err(e) => return Err(Error::from(e.clone())),
    };
    let actual = plan::read_actual(dm).map_err(Error::fail)?;
    let p = plan::export(&actual, ctx.sys);
    if json {
        let s = serde_json::to_string_pretty(&p).map_err(|e| Error::fail(e.to_string()))?;
        writeln!(ctx.out, "{s}").map_err(io_err)
    } else {
        let y = profile::to_yaml(&p).map_err(Error::fail)?;
        write!(
            ctx.out,
            "# ioband profile exported by `ioband show`; `ioband apply` takes it back.\n{y}"
        )
        .map_err(io_err)
    }
}

#[cfg(test)]
mod tests;

/// `ioband schema`.
pub fn schema(ctx: &mut Ctx<'_>) -> Result<()> {
    let s = serde_json::to_string_pretty(&profile::json_schema())
        .map_err(|e| Error::fail(e.to_string()))?;
    writeln!(ctx.out, "{s}").map_err(io_err)
}
