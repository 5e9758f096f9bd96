#!/usr/bin/env python3
"""Create and remove ioband devices in a loop and look for leaks.

usage: lifecycle.py CYCLES GROUPS WINDOW DISK

One python3 process, dm ioctls only (tests/lib/dmioctl.py).  Each cycle
creates an ioband device over DISK in device group (i % GROUPS) + 1 with a
table line that varies with i (short and extended lines, group types,
attached groups), resumes it, sends messages, reads its status, sometimes
reads a block through it, and suspends it (flush or noflush); the device
made WINDOW cycles earlier is removed, so up to WINDOW devices in as many
device groups are live at once.  A warm-up of WINDOW cycles comes first;
then the slab caches (/proc/slabinfo) and /proc/meminfo are read before and
after the measured cycles.  A leak of one object per cycle shows as CYCLES
more objects in some cache: any kmalloc cache growing by CYCLES/4 or more
fails the run.  Prints the figures.
"""
import mmap
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dmioctl  # noqa: E402


def slabs():
    out = {}
    with open("/proc/slabinfo") as f:
        for line in f:
            if line.startswith(("slabinfo", "#")):
                continue
            p = line.split()
            out[p[0]] = int(p[1])  # active objects
            out[p[0] + "/size"] = int(p[3])
    return out


def meminfo():
    out = {}
    with open("/proc/meminfo") as f:
        for line in f:
            k, v = line.split(":")
            out[k] = int(v.split()[0])
    return out


def settle():
    """Let deferred frees (RCU, per-cpu slabs) land before counting."""
    time.sleep(1)
    with open("/proc/sys/vm/drop_caches", "w") as f:
        f.write("3\n")
    base = "/sys/kernel/slab"
    if os.path.isdir(base):
        for c in os.listdir(base):
            if c.startswith("kmalloc"):
                try:
                    with open(os.path.join(base, c, "shrink"), "w") as f:
                        f.write("1\n")
                except OSError:
                    pass


TABLES = [
    "{d} {g}",
    "{d} {g} 8",
    "{d} {g} 4 128",
    "{d} {g} 2 16 uid weight 512 :40 1000:10 2000:20",
    "{d} {g} 0 0 pgrp weight-iosize 0 :100 1:5 2:6 3:7",
    "{d} {g} 0 0 cgroup weight 0 :100 1:10",
]
MESSAGES = ["weight 77", "token 300", "io_limit 200", "io_throttle 6", "reset"]


def main():
    cycles, groups, window, disk = (int(sys.argv[1]), int(sys.argv[2]),
                                    int(sys.argv[3]), sys.argv[4])
    dm = dmioctl.Dm()
    size = dmioctl.sectors(disk)
    buf = mmap.mmap(-1, 4096)
    stats = {"ioctls": 0, "reads": 0, "status bytes": 0}
    live = []

    def cycle(i):
        name = "lc%d" % i
        g = i % groups + 1
        dev = dm.create(name)
        dm.load(name, [(0, size, "ioband", TABLES[i % len(TABLES)].format(d=disk, g=g))])
        dm.resume(name)
        for m in MESSAGES[: i % (len(MESSAGES) + 1)]:
            try:
                dm.message(name, m)
            except OSError:
                pass  # io_throttle/io_limit may cross with the table's: fine
        if i % 4 == 3:
            try:
                dm.message(name, "attach 3000")
                dm.message(name, "weight 3000:9")
                dm.message(name, "detach 3000")
            except OSError:
                pass  # type none takes no groups: refused, fine
        st = dm.status(name)
        stats["status bytes"] += sum(len(x) for x in st)
        if not st or int(st[0].split()[3]) != g:
            raise SystemExit("not ok - status of %s names device group %r, not %d" % (name, st, g))
        if i % 25 == 0:
            path = "/dev/dm-%d" % os.minor(dev)
            fd = os.open(path, os.O_RDONLY | os.O_DIRECT)
            try:
                os.preadv(fd, [buf], (i % 64) * 4096)
                stats["reads"] += 1
            finally:
                os.close(fd)
        if i % 6 == 0:
            dm.suspend(name, noflush=bool(i % 12))
        stats["ioctls"] += 5
        live.append(name)
        while len(live) > window:
            dm.remove(live.pop(0))

    warm = window
    for i in range(warm):
        cycle(i)
    while live:
        dm.remove(live.pop(0))
    settle()
    s0, m0 = slabs(), meminfo()
    t0 = time.time()
    peak = 0
    for i in range(warm, warm + cycles):
        cycle(i)
        peak = max(peak, len(live))
    while live:
        dm.remove(live.pop(0))
    elapsed = time.time() - t0
    settle()
    s1, m1 = slabs(), meminfo()

    def over(s1):
        return [(s1.get(k, 0) - v, k) for k, v in s0.items()
                if k.startswith("kmalloc") and not k.endswith("/size")
                and s1.get(k, 0) - v >= cycles // 4]

    # Sysfs teardown of removed devices lags on a loaded guest (kernfs
    # nodes and their names, in kmalloc caches, freed after udev is done):
    # what a leak leaves stays, what is pending goes.  Wait up to a minute.
    waited = 0
    while over(s1) and waited < 60:
        time.sleep(5)
        waited += 5
        settle()
        s1, m1 = slabs(), meminfo()
    if waited:
        print("# waited %d s more for deferred frees" % waited)

    left = [n for n in dm.list() if n.startswith("lc")]
    print("# %d create/load/resume/message/status/remove cycles in %.1f s "
          "(%.1f ms each), %d device groups, up to %d devices live, %d reads"
          % (cycles, elapsed, 1000 * elapsed / cycles, groups, peak, stats["reads"]))
    grow = sorted(((s1.get(k, 0) - v, k) for k, v in s0.items() if not k.endswith("/size")),
                  reverse=True)
    print("# slab caches that grew most: " + ", ".join(
        "%s %+d" % (k, d) for d, k in grow[:5]))
    print("# meminfo: Slab %+d KiB, SUnreclaim %+d KiB, MemFree %+d KiB"
          % (m1["Slab"] - m0["Slab"], m1["SUnreclaim"] - m0["SUnreclaim"],
             m1["MemFree"] - m0["MemFree"]))
    bad = sorted(over(s1), reverse=True)
    ok = True
    if left:
        print("not ok - devices left behind: %s" % left)
        ok = False
    if bad:
        print("not ok - kmalloc caches grew by >= %d objects: %s" % (cycles // 4, bad))
        ok = False
    else:
        print("ok - no kmalloc cache grew by %d objects or more over %d cycles"
              % (cycles // 4, cycles))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
