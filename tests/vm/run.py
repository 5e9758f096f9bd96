#!/usr/bin/env python3
"""Boot real kernels under QEMU (TCG) and run guest test suites in them.

Each suite is a bash script in tests/suites/ (or a path).  For every kernel
the runner builds kmod/ against that kernel's headers (W=1, warnings fail),
boots it with virtme-ng sharing the host root read-only, runs the suite in
the guest, and reads the verdict from files the guest wrote, never from the
console or vng's exit status.  A suite fails when its script exits non-zero,
when the guest does not come back in time, or when the guest kernel log has
a BUG/WARNING/Oops/hung-task/lockdep/KASAN line.

Suite headers (comment lines near the top of the script):
  # timeout: SECONDS      time limit for the script in the guest (default 600)
  # memory: SIZE          guest memory (default 2G)
  # expect: fail-exit     runner self-test: must fail because the script failed
  # expect: fail-dmesg    runner self-test: must fail because of the kernel log
  # kernels: L1,L2        run only on these lines (e.g. debug: needs lockdep)
  # reason: WORDS         with fail-dmesg: a bad line must contain WORDS
  # boot: own             never shares a boot with another suite

--icount gives the guest a virtual clock that counts instructions (QEMU
-icount shift=0,sleep=off: one instruction is one nanosecond, idle time is
skipped) instead of the host's wall clock.  Guest timings then no longer
depend on the host's load, at the price of one host thread for all vCPUs.
scripts/bench.sh (on 6.12) and scripts/overhead-parts.sh use it; the test
suites do not.  The guest's CPU also lacks cmpxchg16b (-cpu max,-cx16):
QEMU 7.2 (Debian 12) under icount twice corrupted the guest's EFLAGS right
after that instruction in the slab allocator (a spurious debug trap, a
double fault); without it no run has failed so far.  IOBAND_ICOUNT_OPTS
replaces all of these QEMU options.  6.1 does not boot with icount (it
stops in SMP bring-up).
"""
import argparse
import hashlib
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CACHE = os.path.join(REPO, ".cache")

# lines of a hung guest's kernel log shown in the report
HANG_TAIL = 80
# boots more for a kernel that breaks before any suite ran (see boot())
BOOT_RETRIES = 2
# what run-in-guest.sh's watchdog writes into a suite's output when it fires
WATCHDOG = "# runner: the suite and its cleanup are still running"

# Lines in the guest kernel log that fail a run whatever the script said.
BAD_DMESG = re.compile(
    r"BUG:|WARNING:|Oops|general protection fault|kernel BUG|"
    r"INFO: task .* blocked for more than|blocked for more than \d+ seconds|"
    r"possible circular locking|possible recursive locking|lockdep is turned off|"
    r"suspicious RCU usage|list_(add|del) corruption|"
    r"inconsistent lock state|KASAN|UBSAN|kmemleak: .* new suspected|"
    r"Kernel panic|soft lockup|hard LOCKUP|rcu_sched self-detected stall|"
    r"rcu: INFO: rcu_.* detected stalls"
)


_print_lock = threading.Lock()
# process groups of the guests running now, so SIGTERM takes them all down
_guests = set()


# virtiofsd built by tests/setup.sh: with it the guests read the host root
# through virtiofs with page caching, which makes every process start in the
# guest 1.5-3x cheaper than over uncached 9p.  IOBAND_9P=1 forces 9p.
VIRTIOFSD_DIR = os.path.join(CACHE, "virtiofsd", "bin")


def use_virtiofs():
    return (os.environ.get("IOBAND_9P") != "1"
            and os.access(os.path.join(VIRTIOFSD_DIR, "virtiofsd"), os.X_OK))


# QEMU's options for --icount (see the docstring)
ICOUNT_OPTS = os.environ.get("IOBAND_ICOUNT_OPTS", "-icount shift=0,sleep=off -cpu max,-cx16")
# how much longer suites may take on the debug kernel
DEBUG_SLOWDOWN = int(os.environ.get("IOBAND_DEBUG_SLOWDOWN", "4"))
# host environment variables handed to the guest (suite knobs)
PASS_ENV = ("BENCH_", "IOBAND_", "MSGFUZZ_", "LIFECYCLE_", "FAIR_", "INTEGRITY_", "HIER_", "WB_", "FSTESTS_", "LOGWRITES_", "DEVTIME_")


def log(msg):
    with _print_lock:
        print(msg, flush=True)


def kernels_file():
    """The lines tests/kernels/install.sh resolved: label -> (version,
    vmlinuz, build dir, build root)."""
    path = os.path.join(CACHE, "kernels")
    if not os.path.exists(path):
        sys.exit("run.py: .cache/kernels missing: run tests/setup.sh first")
    out = {}
    with open(path) as f:
        for line in f:
            fields = line.split()
            if len(fields) == 2:  # written by an older setup.sh
                ver = fields[1]
                fields += [f"/boot/vmlinuz-{ver}", f"/lib/modules/{ver}/build", "/"]
            label, ver, vmlinuz, kdir, root = fields[:5]
            out[label] = (ver, vmlinuz, kdir, root)
    return out


def line_order(label):
    """6.1 < 6.12 < 6.12-rt < 7.3 < 7.3-rt < debug"""
    base, _, flavour = label.partition("-")
    nums = [int(x) for x in base.split(".")] if re.fullmatch(r"[\d.]+", base) else [1 << 30]
    return nums + [0 if not flavour else 1]


def pick_lines(spec, known):
    """A --kernel value: a label, 'all', or '7.x' / '7.x-rt' for the newest
    7 line the test bed has."""
    if spec == "all":
        return sorted(known, key=line_order)
    m = re.fullmatch(r"(\d+)\.x(-rt)?", spec)
    if m:
        hits = [k for k in known if re.fullmatch(m.group(1) + r"\.\d+" + (m.group(2) or ""), k)]
        return sorted(hits, key=line_order)[-1:] or [spec]
    return [spec]


def resolve_kernels(specs, vmlinuz, kdir):
    """Return a list of (label, version, vmlinuz, kdir, build root)."""
    if vmlinuz:
        if not kdir:
            sys.exit("run.py: --vmlinuz needs --kdir (the kernel's build dir)")
        ver = os.path.basename(os.path.realpath(os.path.join(kdir, "..")))
        return [("custom", ver, vmlinuz, kdir, "/")]
    known = kernels_file()
    wanted = []
    for s in specs or ["all"]:
        for w in pick_lines(s, known):
            if w not in wanted:
                wanted.append(w)
    out = []
    for w in wanted:
        if w not in known:
            sys.exit(f"run.py: unknown kernel line {w!r} (known: {', '.join(known)})")
        out.append((w,) + known[w])
    return out


def own_warnings(log_text, own_files):
    """The compiler's and modpost's warnings about the module's own files.
    A kernel whose own headers warn under W=1 (their path is in the kernel's
    tree: include/..., arch/...) does not fail the module's build."""
    out = []
    for line in log_text.splitlines():
        if line.startswith("WARNING: modpost:"):
            out.append(line)
            continue
        m = re.match(r"(\S+?):\d+(?::\d+)?: warning:", line)
        if m and os.path.basename(m.group(1)) in own_files and not re.match(
                r"(\./)?(include|arch|scripts)/|/usr/src/", m.group(1)):
            out.append(line)
    return out


def build_module(src, ver, kdir, name, root="/"):
    """Build an out-of-tree module from src for one kernel; returns the
    directory that holds the .ko.  A kernel whose kbuild needs another
    Debian release builds inside that release's chroot (root)."""
    # in a chroot: one build tree per clone, so two clones never share one
    top = CACHE if root == "/" else os.path.join(
        root, "ioband", hashlib.sha256(REPO.encode()).hexdigest()[:8])
    dst = os.path.join(top, "build", ver, name)
    sources = sorted(e for e in os.listdir(src)
                     if e.endswith((".c", ".h")) or e in ("Kbuild", "Makefile"))
    # the same sources for the same kernel were built already (run-all's
    # second run.py, for the exclusive suites): the build stands
    digest = hashlib.sha256(f"{ver}\0{kdir}\0{root}".encode())
    for entry in sources:
        digest.update(entry.encode() + b"\0" + open(os.path.join(src, entry), "rb").read())
    stamp = os.path.join(dst, "sources.sha256")
    if (os.path.exists(stamp) and open(stamp).read() == digest.hexdigest()
            and any(e.endswith(".ko") for e in os.listdir(dst))):
        return dst
    shutil.rmtree(dst, ignore_errors=True)
    os.makedirs(dst, exist_ok=True)
    for entry in sources:
        shutil.copy2(os.path.join(src, entry), dst)
    make = ["make", "-C", kdir, f"M={dst}", "W=1", "modules"]
    if root == "/":
        cmd = make
    else:
        # objtool reads /proc: mount one in a private namespace, so that
        # nothing stays mounted in the chroot afterwards
        inner = "/" + os.path.relpath(dst, root)
        make[3] = f"M={inner}"
        cmd = ["unshare", "--mount", "--propagation", "private", "sh", "-c",
               'mount -t proc proc "$0/proc" && exec chroot "$0" "$@"', root] + make
    p = subprocess.run(cmd, capture_output=True, text=True)
    out = p.stdout + p.stderr
    with open(os.path.join(dst, "build.log"), "w") as f:
        f.write(out)
    warnings = own_warnings(out, os.listdir(src))
    if p.returncode != 0 or warnings:
        log(out[-4000:])
        raise RuntimeError(f"build of {name} for {ver} failed"
                           + (f" ({len(warnings)} warnings with W=1)" if warnings else ""))
    with open(stamp, "w") as f:
        f.write(digest.hexdigest())
    return dst


def suite_meta(path):
    meta = {"timeout": 600, "memory": "2G", "expect": "pass", "estimate": None,
            "exclusive": "no", "kernels": None, "reason": None, "boot": "shared"}
    with open(path) as f:
        # the header is the comment block at the top, however long
        for line in f:
            if not line.startswith("#"):
                break
            m = re.match(r"#\s*(timeout|memory|expect|estimate|exclusive|kernels|reason|boot):"
                         r"\s*(\S.*?)\s*$", line)
            if m:
                meta[m.group(1)] = m.group(2)
    meta["timeout"] = int(meta["timeout"])
    # typical duration under TCG, to balance batches; the limit if unknown
    meta["estimate"] = int(meta["estimate"] or meta["timeout"])
    meta["exclusive"] = meta["exclusive"] == "yes"
    if meta["kernels"]:
        meta["kernels"] = meta["kernels"].split(",")
    return meta


def runs_on(path, label):
    lines = suite_meta(path)["kernels"]
    return lines is None or label in lines


def mem_bytes(size):
    return int(size[:-1]) * {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}[size[-1].upper()]


def boot(label, ver, vmlinuz, suites, env, retried=0):
    """Boot once and run the suites one after another; returns their verdicts."""
    metas = [suite_meta(s) for s in suites]
    # the debug kernel (KASAN, lockdep) runs everything several times slower
    if label == "debug":
        for m in metas:
            m["timeout"] *= DEBUG_SLOWDOWN
    names = [os.path.splitext(os.path.basename(s))[0] for s in suites]
    top = os.path.join(CACHE, "results", ver)
    dirs = [os.path.join(top, n) for n in names]
    for d in dirs:
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
    # the first suite's directory holds the console of the whole boot
    console_path = os.path.join(dirs[0], "console")
    # The kernel command line holds at most 2048 bytes, so the guest's
    # commands go into a file (the guest sees the host's root) and the one
    # writable mount is the kernel's results directory.
    lines = [f"export {k}={shlex.quote(v)}" for k, v in env.items()]
    lines.append("exec bash " + shlex.quote(os.path.join(REPO, "tests", "vm", "run-in-guest.sh")) + " "
                 + " ".join(f"{shlex.quote(d)} {shlex.quote(os.path.abspath(s))} {m['timeout']}"
                            for d, s, m in zip(dirs, suites, metas)))
    script = os.path.join(dirs[0], "boot.sh")
    with open(script, "w") as f:
        f.write("\n".join(lines) + "\n")
    memory = max((m["memory"] for m in metas), key=mem_bytes)
    vng = os.path.join(CACHE, "venv", "bin", "vng")
    vfs = use_virtiofs()
    # --verbose: the kernel's messages reach the console, the only record
    # of a guest that froze before its watchdog could save dmesg
    cmd = [vng, "--run", vmlinuz, "--disable-kvm", "--verbose"] + ([] if vfs else ["--force-9p"]) + [
           "--memory", memory, "--cpus", str(os.cpu_count() or 2),
           "--rwdir", top, "--exec", f"bash {shlex.quote(script)}"]
    if env.get("IOBAND_CLOCK") == "icount":
        cmd.append("--qemu-opts=" + ICOUNT_OPTS)
    penv = dict(os.environ)
    penv["PATH"] = (VIRTIOFSD_DIR + ":" if vfs else "") + os.path.join(CACHE, "venv", "bin") + ":" + penv.get("PATH", "")
    # Boot under TCG takes 30-120 s; the guest's watchdog fires 60 s past a
    # suite's limit: give the guest both, so that it, not we, reports a hang.
    limit = sum(m["timeout"] for m in metas) + 300
    start = time.time()
    with open(console_path, "w") as console:
        # own process group: on a time-out qemu goes too, not just vng
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=console,
                                stderr=subprocess.STDOUT, env=penv, cwd=REPO,
                                start_new_session=True)
        _guests.add(proc.pid)
        try:
            proc.wait(timeout=limit)
            timed_out = False
        except subprocess.TimeoutExpired:
            timed_out = True
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            _guests.discard(proc.pid)
    boot_elapsed = time.time() - start
    console_text = open(console_path, errors="replace").read()
    # A kernel that breaks while it boots, before any suite (or our module)
    # ran, is the test bed's fault, not the suite's: QEMU's multi-threaded
    # TCG sometimes loses a cross-CPU code patch (an int3 Oops in the
    # kernel's own boot-time text patching), and KASAN once reported a wild
    # access in the first 6 ms of a boot.  run-in-guest.sh keeps the boot's log
    # apart from the suites'; a bad line there, or a guest that died before
    # its first suite, gets another boot, said aloud (two more at most: the
    # wild access once struck two boots in a row).  Three times is a failure.
    started = any(os.path.exists(os.path.join(d, "output")) for d in dirs)
    boot_bad = boot_log_bad(os.path.join(dirs[0], "boot-dmesg"))
    if not started:
        boot_bad += [l for l in console_text.splitlines() if BAD_DMESG.search(l)]
    # The same lost code patch also strikes after a suite began, before
    # it loaded any module of ours: an int3 Oops in a kernel that is not
    # tainted (ours are out-of-tree and taint it) is the test bed's too.
    boot_bad += lost_patch_oops(console_text)
    if boot_bad and retried < BOOT_RETRIES:
        log(f"note: the {label} guest's kernel broke while booting, before any suite ran"
            f" ({boot_bad[0].strip()}); booting it once more")
        shutil.copy(console_path,
                    os.path.join(top, f"boot-crash-{names[0]}.{retried}.console"))
        return boot(label, ver, vmlinuz, suites, env, retried=retried + 1)
    # vng falls back to 9p silently when virtiofsd does not start: say so
    rootfs_path = os.path.join(dirs[0], "rootfs")
    rootfs = open(rootfs_path).read().strip() if os.path.exists(rootfs_path) else None
    if vfs and rootfs and rootfs != "virtiofs":
        log(f"note: the {label} guest got its root over {rootfs}, "
            "not virtiofs (virtiofsd did not start?): slower, results still valid")
    results = [verdict(label, ver, n, d, m, timed_out, limit, boot_elapsed, console_text)
               for n, d, m in zip(names, dirs, metas)]
    if boot_bad:
        # the last boot broke as well: its suites fail, whatever they said
        log(f"FAIL {label} ({ver}): the kernel broke while booting, {BOOT_RETRIES + 1} "
            f"times, before any "
            f"suite ran; its suites ({', '.join(names)}) count as failed\n"
            f"    dmesg: {boot_bad[0].rstrip()}")
        results = [False] * len(results)
    return results


def boot_log_bad(path):
    """Bad lines in the log the guest's kernel wrote before the first suite."""
    if not os.path.exists(path):
        return []
    return [l for l in open(path, errors="replace") if BAD_DMESG.search(l)]


def verdict(label, ver, name, res, meta, timed_out, limit, boot_elapsed, console_text):
    reasons = []
    rc_path = os.path.join(res, "rc")
    if timed_out:
        reasons.append(f"guest did not come back within {limit}s")
    if not os.path.exists(os.path.join(res, "done")):
        reasons.append("guest wrote no verdict (crashed, hung or never ran)")
    rc = None
    if os.path.exists(rc_path):
        rc = int(open(rc_path).read().strip() or "255")
        if rc == 124 or rc == 137:
            reasons.append(f"suite hit its {meta['timeout']}s time limit in the guest")
        elif rc != 0:
            reasons.append(f"suite script exited {rc}")
    bad = []
    dmesg_path = os.path.join(res, "dmesg")
    if os.path.exists(dmesg_path):
        bad = [l for l in open(dmesg_path, errors="replace") if BAD_DMESG.search(l)]
        if bad:
            reasons.append(f"guest kernel log has {len(bad)} bad line(s), first: {bad[0].strip()}")
    else:
        # The console still has the kernel's messages when the guest died.
        bad = [l for l in console_text.splitlines() if BAD_DMESG.search(l)]
        if bad:
            reasons.append(f"console shows: {bad[0].strip()}")
    # kernels with kmemleak: run-in-guest.sh scans after every suite and saves the
    # report; any object it lists is a leak of that suite's making
    leak_path = os.path.join(res, "kmemleak")
    if os.path.exists(leak_path):
        leaks = [l for l in open(leak_path, errors="replace") if l.startswith("unreferenced object")]
        if leaks:
            reasons.append(f"kmemleak reports {len(leaks)} leaked object(s)")
            bad += open(leak_path, errors="replace").read().splitlines(keepends=True)[:20]

    report = []
    output = os.path.join(res, "output")
    if os.path.exists(output):
        for line in open(output, errors="replace"):
            # dmsetup's note that it manages /dev itself (no udev in guests)
            if "DM_DISABLE_UDEV" in line:
                continue
            report.append(f"    [{label}] {line.rstrip()}")

    expect = meta["expect"]
    if expect == "pass":
        ok = not reasons
    elif expect == "fail-exit":
        ok = rc not in (None, 0) and not bad and not timed_out
        reasons = reasons if not ok else [f"failed as expected: {'; '.join(reasons)}"]
    elif expect == "fail-dmesg":
        ok = bool(bad) and not timed_out and (
            not meta["reason"] or any(meta["reason"] in l for l in bad))
        reasons = reasons if not ok else [f"failed as expected: {'; '.join(reasons)}"]
    else:
        ok, reasons = False, [f"unknown expect: {expect}"]
    elapsed_path = os.path.join(res, "elapsed")
    took = (f"{int(open(elapsed_path).read().strip() or 0)}s" if os.path.exists(elapsed_path)
            else f"?s (boot {boot_elapsed:.0f}s)")
    detail = f" ({'; '.join(reasons)})" if reasons else ""
    report.append(f"{'ok' if ok else 'FAIL'} {name} on {label} ({ver}) in {took}{detail}")
    if not ok:
        report.append(f"    results: {res}")
        for l in bad[:20]:
            report.append(f"    dmesg: {l.rstrip()}")
        report.extend(hang_evidence(label, res, rc, timed_out, console_text))
    # one block per suite, so parallel runs do not interleave their lines
    log("\n".join(report))
    return ok


def hang_evidence(label, res, rc, timed_out, console_text):
    """A suite that hung is diagnosed from what the guest's kernel said, and
    CI shows only this log: the tail of the kernel log the guest's watchdog
    saved (blocked tasks, CPU backtraces), else the console's."""
    output = os.path.join(res, "output")
    dmesg = os.path.join(res, "dmesg")
    if (os.path.exists(output) and WATCHDOG in open(output, errors="replace").read()
            and os.path.exists(dmesg)):
        what, lines = "dmesg", open(dmesg, errors="replace").read().splitlines()
        # from the watchdog's request on: what every task and CPU was doing
        start = next((i for i, l in enumerate(lines) if "sysrq:" in l), 0)
        lines = lines[max(0, start - 20):][:3 * HANG_TAIL]
    elif timed_out or rc is None:
        what, lines = "console", console_text.splitlines()[-HANG_TAIL:]
    else:
        return []
    return [f"    [{label}] {what}: {l.rstrip()}" for l in lines]


def lost_patch_oops(console_text):
    """The lines of an int3 Oops in an untainted kernel (see boot())."""
    lines = console_text.splitlines()
    for i, l in enumerate(lines):
        if "Oops: int3" in l and any("Not tainted" in n for n in lines[i + 1:i + 3]):
            return [l]
    return []


def batches(suites, n):
    """Split suites into at most n boots of about equal estimated length
    (longest first onto the lightest boot)."""
    bins = [[0, []] for _ in range(max(1, min(n, len(suites))))]
    for s in sorted(suites, key=lambda s: -suite_meta(s)["estimate"]):
        lightest = min(bins, key=lambda b: b[0])
        lightest[0] += suite_meta(s)["estimate"]
        lightest[1].append(s)
    return [b[1] for b in bins if b[1]]


def find_suite(name):
    path = name if os.path.exists(name) else os.path.join(REPO, "tests", "suites", name + ".sh")
    if not os.path.exists(path):
        sys.exit(f"run.py: no suite {name!r} (looked for {path})")
    return path


def read_plan(path):
    """A plan file: lines 'KERNEL SUITE...', where 'all' is every suite in
    tests/suites and 'all -NAME...' every suite but those."""
    top = os.path.join(REPO, "tests", "suites")
    every = sorted(os.path.join(top, f) for f in os.listdir(top) if f.endswith(".sh"))
    pairs = []
    with open(path) as f:
        for line in f:
            words = line.split("#")[0].split()
            if not words:
                continue
            if words[1:2] == ["all"]:
                drop = {find_suite(w[1:]) for w in words[2:] if w.startswith("-")}
                pairs.append((words[0], [p for p in every if p not in drop]))
            else:
                pairs.append((words[0], [find_suite(w) for w in words[1:]]))
    return pairs


def build_env(label, ver, kdir, root, icount):
    """Build the module and the self-test modules for one kernel; returns
    the guest's environment, or None when the build failed."""
    try:
        kmod = build_module(os.path.join(REPO, "kmod"), ver, kdir, "kmod", root)
        mods = build_module(os.path.join(REPO, "tests", "vm", "selftest-mods"), ver, kdir,
                            "selftest-mods", root)
        disks = build_module(os.path.join(REPO, "tests", "vm", "diskmodel"), ver, kdir,
                             "diskmodel", root)
    except RuntimeError as e:
        log(f"FAIL build on {label} ({ver}): {e}")
        return None
    log(f"built the module for {label} ({ver})")
    env = {
        "REPO": REPO,
        "KVER": ver,
        "KLINE": label,
        "IOBAND_KO": os.path.join(kmod, "dm-ioband.ko"),
        "WARN_KO": os.path.join(mods, "ioband_warn_test.ko"),
        "LEAK_KO": os.path.join(mods, "ioband_leak_test.ko"),
        "LOCKORDER_KO": os.path.join(mods, "ioband_lockorder_test.ko"),
        "IOBDISK_KO": os.path.join(disks, "iobdisk.ko"),
        "IOBAND": os.environ.get("IOBAND", os.path.join(REPO, "target", "release", "ioband")),
        "IOBAND_CLOCK": "icount" if icount else "real",
        "IOBAND_SLOWDOWN": str(DEBUG_SLOWDOWN if label == "debug" else 1),
    }
    if icount:
        # for the record (the benchmark's report names them)
        env["IOBAND_QEMU_OPTS"] = ICOUNT_OPTS
    # knobs of the guest side (seeds, counts, run times) pass through
    for k, v in os.environ.items():
        if k.startswith(PASS_ENV) and k not in env and re.fullmatch(r"[\w./:,+-]*", v):
            env[k] = v
    return env


def _terminate(signum, _frame):
    """A killed runner takes its guests down with it."""
    for pgid in list(_guests):
        try:
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    os._exit(128 + signum)


def main():
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, _terminate)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kernel", action="append",
                    help="a line of .cache/kernels (6.1, 6.12, 6.12-rt, 7.3, 7.3-rt, debug),"
                    " 7.x / 7.x-rt for the newest 7 line, or all (default all); repeatable")
    ap.add_argument("--vmlinuz", help="boot this kernel image instead")
    ap.add_argument("--kdir", help="build dir of that kernel (its headers)")
    ap.add_argument("--jobs", "-j", type=int, default=int(os.environ.get("IOBAND_JOBS", "1")),
                    help="guests booted at once (default 1, or $IOBAND_JOBS); suites mostly"
                    " wait on slow disks, so 3 fit on 2 cores")
    ap.add_argument("--boots", type=int, default=int(os.environ.get("IOBAND_BOOTS", "0")),
                    help="run each kernel's suites in at most this many boots (default 0:"
                    " one boot per suite, best isolation; or $IOBAND_BOOTS)")
    ap.add_argument("--part", choices=("all", "shared", "exclusive"), default="all",
                    help="run only the suites that may share the machine, only the"
                    " `# exclusive: yes` ones, or all (default: shared, then exclusive)")
    ap.add_argument("--icount", action="store_true",
                    help="virtual clock counting instructions, not the host's wall clock"
                    " (the guest sees IOBAND_CLOCK=icount)")
    ap.add_argument("--plan", help="a file of lines 'KERNEL SUITE...' ('all' for every suite,"
                    " 'all -NAME' for all but NAME):"
                    " which suites boot on which kernel line; --kernel then picks lines of it")
    ap.add_argument("suites", nargs="*", help="suite names (tests/suites/NAME.sh) or paths")
    args = ap.parse_args()

    suite_path = find_suite
    # (kernel spec, suites) pairs
    if args.plan:
        pairs = read_plan(args.plan)
        if args.suites:
            keep = {suite_path(s) for s in args.suites}
            pairs = [(k, [s for s in ss if s in keep]) for k, ss in pairs]
        if args.kernel:
            asked = {lab for k in args.kernel for lab in pick_lines(k, kernels_file())}
            pairs = [(k, ss) for k, ss in pairs
                     if set(pick_lines(k, kernels_file())) & asked or k in asked]
        known = kernels_file()
        for k, ss in pairs:
            if not any(lab in known for lab in pick_lines(k, known)):
                log(f"NOT RUN: line {k} of {args.plan} is not installed ({len(ss)} suites);"
                    " tests/kernels/install.sh installs it (debug: IOBAND_DEBUG_KERNEL=1)")
        pairs = [(k, ss) for k, ss in pairs if any(lab in known for lab in pick_lines(k, known))]
    else:
        if not args.suites:
            sys.exit("run.py: name the suites, or give --plan")
        pairs = [(k, [suite_path(s) for s in args.suites]) for k in (args.kernel or ["all"])]

    units, timing = [], []
    failed = 0
    built = {}
    for spec, suites in pairs:
        for label, ver, vmlinuz, kdir, root in resolve_kernels([spec], args.vmlinuz, args.kdir):
            if label not in built:
                built[label] = build_env(label, ver, kdir, root, args.icount)
            env = built[label]
            if env is None:
                failed += len(suites)
                continue
            mine = [s for s in suites if runs_on(s, label)]
            shared = [s for s in mine if not suite_meta(s)["exclusive"]]
            if args.part == "exclusive":
                shared = []
            # a suite that spoils the kernel for the next one (lockdep
            # turns itself off after its first report) boots alone
            alone = [s for s in shared if suite_meta(s)["boot"] == "own"]
            shared = [s for s in shared if s not in alone]
            units += [(label, ver, vmlinuz, [s], env) for s in alone]
            if args.boots:
                # the debug kernel's suites take several times as long: two
                # boots share them, so it does not end long after the rest
                n = args.boots * (2 if label == "debug" else 1)
                units += [(label, ver, vmlinuz, b, env) for b in batches(shared, n)]
            else:
                units += [(label, ver, vmlinuz, [s], env) for s in shared]
            if args.part != "shared":
                timing.append([(label, ver, vmlinuz, [s], env)
                               for s in mine if suite_meta(s)["exclusive"]])
    # longest first, so the pool drains evenly
    units.sort(key=lambda u: -sum(suite_meta(s)["estimate"] for s in u[3])
               * (DEBUG_SLOWDOWN if u[0] == "debug" else 1))
    results = []
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for r in pool.map(lambda u: boot(*u), units):
            results += r
    # Suites that measure shares run after the rest, so no CPU-bound suite
    # runs beside them: one at a time per kernel, the kernels side by side
    # (their disks are timer-driven and leave the CPU mostly idle).
    def one_kernel(kernel_units):
        return [v for u in kernel_units for v in boot(*u)]
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for r in pool.map(one_kernel, timing):
            results += r
    passed = sum(results)
    failed += len(results) - passed
    print(f"{passed} passed, {failed} failed")
    sys.exit(0 if failed == 0 else 1)


if __name__ == "__main__":
    main()
