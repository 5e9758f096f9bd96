#!/usr/bin/env python3
"""Reconfigure ioband devices as fast as the dm ioctls allow, for a while.

usage: churn.py SECONDS SEED DEV OTHER RELOAD_PARAMS

One pass: weights of the default group and of groups 1000 and 2000, token,
io_throttle, io_limit, detach/attach of both groups, reset, a type change
(gid, uid, pgrp, user in turn: detach both, change, attach both), a policy
change, a flush and a noflush suspend/resume of DEV, a noflush
suspend/resume of OTHER, caps, floors, the idle class and write weights
set, changed and lifted on the default group and both others (bios held by
them through the suspends), and a reload of DEV with the plain table line
"RELOAD_PARAMS" (load, then resume swaps it in).  Messages the target may
refuse (io_throttle and io_limit crossing, a floor above a cap) are
counted, not failures; a failing suspend, resume or reload is.  Prints the
counts; exit 1 on failure.
"""
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dmioctl  # noqa: E402

TYPES = ["gid", "uid", "pgrp", "user"]
POLICIES = ["weight-iosize", "fair", "weight", "fair-iosize", "time"]


def main():
    secs, seed = float(sys.argv[1]), int(sys.argv[2])
    dev, other, params = sys.argv[3], sys.argv[4], sys.argv[5]
    r = random.Random(seed)
    dm = dmioctl.Dm()
    size = int(dm.table(dev)[0].split()[1])
    n = {"messages": 0, "refused": 0, "suspends": 0, "reloads": 0, "failures": 0}
    passes = 0
    end = time.time() + secs
    while time.time() < end:
        msgs = ["weight 1000:%d" % r.randint(1, 200), "weight 2000:%d" % r.randint(1, 200),
                "weight %d" % r.randint(1, 200), "token %d" % r.randint(16, 4015),
                "io_throttle %d" % r.randint(1, 30), "io_limit %d" % r.randint(40, 239),
                "detach 1000", "attach 1000", "detach 2000", "attach 2000", "reset",
                "detach 1000", "detach 2000", "type " + TYPES[passes % 4],
                "attach 1000", "attach 2000", "policy " + POLICIES[passes % len(POLICIES)],
                "limit 1000:read_bps=%d,write_iops=%d" % (r.randint(65536, 2**24), r.randint(5, 500)),
                "limit iops=%d" % r.randint(5, 5000), "limit 2000:bps=%d" % r.randint(4096, 2**26),
                "limit 1000:read_bps=max", "limit none" if r.random() < 0.5 else "limit iops=max",
                "floor 2000:bps=%d" % r.randint(4096, 2**26), "class 1000:idle",
                "floor bps=%d" % r.randint(4096, 2**20), "floor none",
                "class 1000:normal" if r.random() < 0.5 else "floor 2000:none",
                "write_weight 1000:%d" % r.randint(1, 400), "write_weight same"]
        for m in msgs:
            try:
                dm.message(dev, m)
            except OSError:
                n["refused"] += 1
            n["messages"] += 1
        try:
            dm.suspend(dev)
            dm.resume(dev)
            dm.suspend(dev, noflush=True)
            time.sleep(0.1)
            dm.resume(dev)
            dm.suspend(other, noflush=True)
            dm.resume(other)
            n["suspends"] += 3
            dm.load(dev, [(0, size, "ioband", params)])
            dm.resume(dev)
            n["reloads"] += 1
        except OSError as e:
            n["failures"] += 1
            print("not ok - suspend/resume/reload: %s" % e, flush=True)
        passes += 1
    # the jobs after the churn run uncapped
    for m in ["limit none", "limit 1000:none", "limit 2000:none", "floor none",
              "floor 2000:none", "class 1000:normal", "write_weight same",
              "write_weight 1000:same"]:
        try:
            dm.message(dev, m)
        except OSError:
            pass
    print("# %d passes: %s" % (passes, ", ".join("%d %s" % (v, k) for k, v in n.items())))
    return 1 if n["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
