#!/usr/bin/env python3
"""Rates of block devices over a window, from their stat files.

usage: rates.py SECONDS STAT...

First waits (up to 120 s) until I/O on one of the STATs completes, then one
second more: a job just started may take many seconds to begin on a slow
guest.  Then waits SECONDS between two readings of each STAT
(/sys/block/.../stat) and prints, per file, "read_iops read_bps write_iops write_bps" on one line,
the files' figures separated by " | ".  The clock and the counters are
read together in this one process: a shell that stamps the time with
date(1) after reading a counter adds the time to start a process, which
on a loaded TCG guest is a good part of a second.
"""
import sys
import time


def snap(paths):
    t = time.monotonic()
    rows = []
    for p in paths:
        with open(p) as f:
            v = f.read().split()
        rows.append((int(v[0]), int(v[2]), int(v[4]), int(v[6])))
    return (t + time.monotonic()) / 2, rows


def settle(paths):
    _, first = snap(paths)
    end = time.monotonic() + 120
    while time.monotonic() < end:
        _, now = snap(paths)
        if now != first:
            break
        time.sleep(0.1)
    time.sleep(1)


def main():
    secs = float(sys.argv[1])
    paths = sys.argv[2:]
    settle(paths)
    t0, a = snap(paths)
    time.sleep(secs)
    t1, b = snap(paths)
    dt = t1 - t0
    out = []
    for x, y in zip(a, b):
        out.append("%.1f %.0f %.1f %.0f" % ((y[0] - x[0]) / dt, (y[1] - x[1]) * 512 / dt,
                                              (y[2] - x[2]) / dt, (y[3] - x[3]) * 512 / dt))
    print(" | ".join(out))


if __name__ == "__main__":
    main()
