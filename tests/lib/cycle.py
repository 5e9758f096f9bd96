#!/usr/bin/env python3
"""Suspend and resume the devices of a stack while fio keeps I/O in flight.

usage: cycle.py WATCH PID SPEC...

WATCH is an ioband device of the stack, PID the process (fio's) that must
keep running through every cycle.  A SPEC is DEV[+DEV...]:N[:OPTION]:
N times, suspend the DEVs in that order, then resume them in reverse
order, as LVM does for a thin volume and its pool.  OPTION noflush makes
them noflush suspends, nolockfs flush suspends that leave a file system
on the device unfrozen (dmsetup suspend --nolockfs).  First it waits until writes flow through WATCH; at the end WATCH
must have held bios meanwhile (its read- and write-delayed counters grew).

Prints "ok - ..." and "not ok - ..." verdicts and "# ..." notes, exits 3
when a verdict failed.  Every
suspend and resume is announced first, on stdout and in the kernel log, so
that a hang shows which step it hung in.  One process for all the ioctls:
under TCG a dmsetup per step would cost more than the steps.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dmioctl  # noqa: E402

SLOWDOWN = int(os.environ.get("IOBAND_SLOWDOWN", "1"))
SKIP_LOCKFS = 1 << 10  # DM_SKIP_LOCKFS_FLAG, <linux/dm-ioctl.h>


def counters(dm, name):
    """(writes, delayed) summed over the groups of ioband device NAME."""
    f = dm.status(name)[0].split()[3:]
    # <device-group-id>, then per group: id reads read-delayed read-sectors
    # writes write-delayed write-sectors
    writes = delayed = 0
    for i in range(1, len(f) - 6, 7):
        writes += int(f[i + 4])
        delayed += int(f[i + 2]) + int(f[i + 5])
    return writes, delayed


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


def say(text):
    print(text, flush=True)


def note(text):
    say("# " + text)
    try:
        with open("/dev/kmsg", "w") as k:
            k.write("stacking: %s\n" % text)
    except OSError:
        pass


def main():
    watch, pid, specs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    dm = dmioctl.Dm()
    w0, _ = counters(dm, watch)
    end = time.time() + 20 * SLOWDOWN
    while counters(dm, watch)[0] <= w0 and time.time() < end:
        time.sleep(0.1)
    w1, d0 = counters(dm, watch)
    if w1 <= w0:
        say("not ok - no writes through %s within %d s" % (watch, 20 * SLOWDOWN))
        return 3
    say("ok - writes flow through %s" % watch)
    failed = False
    for spec in specs:
        parts = spec.split(":")
        devs, n = parts[0].split("+"), int(parts[1])
        opt = parts[2] if len(parts) > 2 else ""
        flags = dmioctl.SUSPEND | {"": 0, "noflush": dmioctl.NOFLUSH,
                                   "nolockfs": SKIP_LOCKFS}[opt]
        what = "suspend/resume %s %d time(s)%s" % (
            " then ".join(devs), n, ", --" + opt if opt else "")
        try:
            for i in range(n):
                if not alive(pid):
                    raise RuntimeError("fio was no longer running")
                for d in devs:
                    note("suspend %s%s" % (d, " --" + opt if opt else ""))
                    dm.ioctl(dmioctl.DEV_SUSPEND, d, flags=flags)
                time.sleep(0.2)
                for d in reversed(devs):
                    note("resume %s" % d)
                    dm.resume(d)
                time.sleep(0.2)
            say("ok - " + what)
        except (OSError, RuntimeError) as e:
            failed = True
            say("not ok - %s: %s" % (what, e))
            for d in reversed(devs):
                try:
                    dm.resume(d)
                except OSError:
                    pass
    d1 = counters(dm, watch)[1]
    if d1 > d0:
        say("ok - %s held bios during the cycles (%d -> %d)" % (watch, d0, d1))
    else:
        failed = True
        say("not ok - %s held no bio during the cycles (%d -> %d)" % (watch, d0, d1))
    if alive(pid):
        say("ok - fio ran through every cycle")
    else:
        failed = True
        say("not ok - fio ended before the cycles did")
    return 3 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
