#!/usr/bin/env python3
"""Seeded fuzzer for ioband messages and table lines, through the ioctls.

usage: msgfuzz.py SEED MSG_CASES TABLE_CASES DISK DEV...

DEV... are live ioband devices (the first one is fuzzed; all are watched):
their status and table, and the list of dm devices, are snapshotted before
every case.  A rejected case must leave the snapshot byte-identical.  An
accepted message may change it (the new snapshot becomes the reference).
A table line is loaded into the inactive slot of the first device and then
cleared: accepted or not, the live snapshot must not change, and a rejected
line must leave no inactive table.  /dev/kmsg is scanned during the run for
oopses and warnings.  The same SEED gives the same cases.
Exit status 0 when every case behaved; prints counts per outcome.
"""
import collections
import errno
import os
import random
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dmioctl  # noqa: E402

BAD = re.compile(rb"BUG:|WARNING:|Oops|general protection|kernel BUG|UBSAN|KASAN|"
                 rb"blocked for more than|lockdep|circular locking")

U = [0, 1, 2, 3, 4, 100, 127, 128, 129, 1000, 2000, 65535, 65536, 65537,
     1000000, 1000001, 4194304, 4194305, 2**30, 2**30 + 1, 2**31 - 1, 2**31,
     2**32 - 2, 2**32 - 1, 2**32, 2**32 + 1, 2**63 - 1, 2**63, 2**64 - 1,
     2**64, 2**64 + 1, 10**30]
ODD = ["", "-0", "+5", "-1", "-5", "0x10", "010", "1e3", "1.5", " 5", "5 ",
       "٣", "१२", "1_000", "00000000000000000000000000001", "-9223372036854775808",
       "%s%s%n", "\\", "\\\\", "'", '"', "\t", "\x7f", "\x01", "nan", "inf"]
WORDS = ["type", "attach", "detach", "weight", "token", "io_throttle",
         "io_limit", "reset", "policy", "Type", "WEIGHT", "weight:", "weights",
         "limit", "limit", "limits", "Limit", "floor", "floor", "class", "class",
         "write_weight", "write_weight"]
CAPS = ["read_bps", "write_bps", "bps", "read_iops", "write_iops", "iops",
        "Bps", "read_bps ", "", "rbps"]
TYPES = ["none", "user", "uid", "gid", "pid", "pgrp", "cgroup", "User", "users"]
POLICIES = ["weight", "weight-iosize", "weight-", "iosize", "default", "fair",
            "fair-iosize", "fair-", "Fair", "time", "times"]


class Fuzz:
    def __init__(self, seed, disk, devs):
        self.r = random.Random(seed)
        self.dm = dmioctl.Dm()
        self.disk = disk
        self.devs = devs
        st = os.stat(disk)
        self.disknum = "%d:%d" % (os.major(st.st_rdev), os.minor(st.st_rdev))
        self.size = int(self.dm.table(devs[0])[0].split()[1])
        self.kmsg = os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK)
        os.lseek(self.kmsg, 0, os.SEEK_END)
        self.bad = []
        self.failures = 0
        self.count = collections.Counter()

    def scan_kmsg(self):
        while True:
            try:
                rec = os.read(self.kmsg, 8192)
            except BlockingIOError:
                return
            except OSError as e:
                if e.errno == errno.EPIPE:  # overwritten records: go on
                    continue
                raise
            if not rec:
                return
            if BAD.search(rec):
                self.bad.append(rec.decode(errors="replace").strip())

    def snapshot(self):
        s = [b",".join(sorted(n.encode() for n in self.dm.list()))]
        for d in self.devs:
            s += self.dm.status(d) + self.dm.table(d)
        return s

    # --- generators ------------------------------------------------------
    def number(self):
        r = self.r
        k = r.random()
        if k < 0.5:
            return str(r.choice(U))
        if k < 0.7:
            return str(r.randrange(-10, 10**r.randrange(1, 22)))
        if k < 0.85:
            return r.choice(ODD)
        return str(r.choice(U) + r.choice([-1, 1]))

    def junk(self):
        r = self.r
        k = r.random()
        if k < 0.3:
            return "9" * r.choice([20, 20, 100, 100, 4096, 65536])
        if k < 0.6:
            n = r.randrange(1, 40)
            return "".join(chr(r.randrange(33, 127)) for _ in range(n))
        if k < 0.8:
            n = r.randrange(1, 20)
            return bytes(r.randrange(128, 256) for _ in range(n)).decode("latin-1")
        return r.choice(["-", ":", "=", ",", "::", "1::2", ":-1", "-1:", "1,2", "1=2"])

    def caps(self):
        """A cap list: KEY=VALUE,... with good and bad keys and values."""
        r = self.r
        if r.random() < 0.1:
            return r.choice(["none", "None", "max", ""])
        items = []
        for _ in range(r.randrange(1, 5)):
            v = r.choice(["max", "max", self.number(), str(r.randrange(1, 10**9))])
            items.append(r.choice(CAPS) + r.choice(["=", "=", "=", ":", ""]) + v)
        return r.choice([",", ",", ",", ";", ",,"]).join(items)

    def value(self):
        r = self.r
        k = r.random()
        if k < 0.1:
            return r.choice(["", "-1:", "1000:", "2000:", self.number() + ":"]) + self.caps()
        if k < 0.13:
            return r.choice(["", "-1:", "1000:", self.number() + ":"]) + \
                r.choice(["idle", "normal", "Idle", "", "idle,normal", self.junk()])
        if k < 0.45:
            return self.number()
        if k < 0.7:
            sep = r.choice([":", ":", "=", ","])
            return self.number() + sep + self.number()
        if k < 0.8:
            return r.choice(TYPES + POLICIES)
        return self.junk()

    def message(self):
        r = self.r
        k = r.random()
        if k < 0.8:
            words = [r.choice(WORDS), self.value()]
        elif k < 0.9:
            words = [r.choice(WORDS)] + [self.value() for _ in range(r.randrange(0, 5))]
        else:
            words = [self.junk() for _ in range(r.randrange(0, 4))]
        sep = " " if r.random() < 0.9 else r.choice(["  ", "\t", " \n "])
        return sep.join(words).encode("utf-8", "surrogateescape")

    def table_params(self):
        r = self.r
        dev = r.choice([self.disk, self.disk, self.disknum, "/dev/nonexistent",
                        "0:0", "4095:1048575", "", "/dev/null", self.junk()])
        k = r.random()
        if k < 0.3:
            args = [self.number() for _ in range(r.randrange(0, 4))]
        elif k < 0.8:
            args = [self.number(), self.number(), self.number(),
                    r.choice(TYPES), r.choice(POLICIES), self.number(),
                    ":" + self.number()]
            args += [self.number() + r.choice([":", ":", "=", ","]) + self.number()
                     for _ in range(r.randrange(0, 6))]
            for _ in range(r.choice([0, 0, 1, 2])):
                word = r.choice(["limit", "limit", "floor", "floor", "class", "limits", "",
                                 "write_weight"])
                value = (r.choice(["idle", "normal", "lazy"]) if word == "class" else
                         self.number() if word == "write_weight" else self.caps())
                args += [word, r.choice(["-1", "1000", self.number()]) + ":" + value]
        elif k < 0.85:
            # more groups than allowed, or right at the limit
            n = r.choice([4096, 4097])
            args = ["1", "4", "128", "uid", "weight", "0", ":100"]
            args += ["%d:1" % i for i in range(n)]
        else:
            args = [self.value() for _ in range(r.randrange(0, 12))]
        if r.random() < 0.1:
            args.insert(r.randrange(0, len(args) + 1), "")
        return (" ".join([dev] + args)).encode("utf-8", "surrogateescape")

    # --- cases -----------------------------------------------------------
    def fail(self, what, before, after):
        self.failures += 1
        if self.failures <= 10:
            print("not ok - %s" % what)
            for a, b in zip(before, after):
                if a != b:
                    print("#   before: %r\n#   after:  %r" % (a[:300], b[:300]))

    def run_message(self, ref):
        text = self.message()
        dev = self.devs[0]
        sector = 0 if self.r.random() < 0.97 else self.r.choice([1, self.size, 2**63])
        try:
            self.dm.message(dev, text, sector)
            self.count["message accepted"] += 1
            return self.snapshot()
        except OSError as e:
            self.count["message rejected (%s)" % errno.errorcode.get(e.errno, e.errno)] += 1
            now = self.snapshot()
            if now != ref:
                self.fail("rejected message %r changed state" % text[:200], ref, now)
                return now
            return ref

    def run_table(self, ref):
        params = self.table_params()
        dev = self.devs[0]
        length = self.size if self.r.random() < 0.9 else self.r.choice([1, self.size + 8])
        try:
            self.dm.load(dev, [(0, length, "ioband", params)])
            accepted = True
            self.count["table accepted"] += 1
        except OSError as e:
            accepted = False
            self.count["table rejected (%s)" % errno.errorcode.get(e.errno, e.errno)] += 1
        now = self.snapshot()
        if now != ref:
            self.fail("table %r (%s) changed the live state"
                      % (params[:200], "accepted" if accepted else "rejected"), ref, now)
        _, flags, _ = self.dm.info(dev)
        if accepted:
            self.dm.clear(dev)
        elif flags & dmioctl.INACTIVE_PRESENT:
            self.fail("rejected table %r left an inactive table" % params[:200], [], [])
            self.dm.clear(dev)
        return now


def main():
    seed, nmsg, ntab = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    disk, devs = sys.argv[4], sys.argv[5:]
    f = Fuzz(seed, disk, devs)
    print("# seed %d: %d message cases, %d table cases (rerun: msgfuzz.py %d ...)"
          % (seed, nmsg, ntab, seed))
    ref = f.snapshot()
    # interleave the two kinds in a seeded order
    kinds = ["m"] * nmsg + ["t"] * ntab
    f.r.shuffle(kinds)
    t0 = time.time()
    for i, k in enumerate(kinds):
        ref = f.run_message(ref) if k == "m" else f.run_table(ref)
        if i % 200 == 0:
            f.scan_kmsg()
        if i % 1000 == 999:
            print("# %d cases, %.0f s" % (i + 1, time.time() - t0), flush=True)
    f.scan_kmsg()
    for k, v in sorted(f.count.items()):
        print("# %6d %s" % (v, k))
    print("# %d cases, %d misbehaved, %d bad kernel log lines"
          % (len(kinds), f.failures, len(f.bad)))
    for b in f.bad[:10]:
        print("# kernel: %s" % b)
    return 0 if not f.failures and not f.bad else 1


if __name__ == "__main__":
    sys.exit(main())
