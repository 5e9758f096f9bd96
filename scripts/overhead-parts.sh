#!/usr/bin/env bash
# Where ioband's cost per I/O goes (issue #6).  Builds cut-down copies of
# the module, each under a module and target name of its own so that all
# load at once (throwaway builds: never installed, never in a release),
# boots the kernel on QEMU's instruction-counting clock, where the split
# repeats within a few tenths of a point (6.12; 6.1 stops in SMP bring-up
# on that clock and runs on the wall clock), and runs
# tests/bench/overhead-parts-guest.sh there: one fio job per device, all in one
# fio run pinned to the same CPU, 4 KiB random reads on the fast null_blk.
# Each job's IOPS is printed against dm-linear's in the same run.
#   scripts/overhead-parts.sh [--kernel 6.1|6.12] [--qd N] [--reps N]
# The copies:
#   ioband2  map() takes and drops dp->lock, then returns after the remap:
#            the lock without the accounting
#   ioband3  map() as is; end_io() accounts nothing (nor does map count
#            bios in flight)
#   ioband4  map() returns right after the remap: a dm target with end_io
#            and per-bio data, doing nothing
# Not part of CI.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
kernel=6.12
qd=1
reps=6
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=$2; shift 2 ;;
	--qd) qd=$2; shift 2 ;;
	--reps) reps=$2; shift 2 ;;
	*) echo "usage: scripts/overhead-parts.sh [--kernel 6.1|6.12] [--qd N] [--reps N]" >&2; exit 2 ;;
	esac
done
tests/setup.sh >/dev/null
ver=$(awk -v k="$kernel" '$1 == k {print $2}' .cache/kernels)
[ -n "$ver" ] || { echo "overhead-parts: unknown kernel line $kernel" >&2; exit 2; }
out=.cache/overhead-parts/$ver
rm -rf "$out"
mkdir -p "$out"
# the anchors are lines of kmod/ioband-target.c: a build fails loudly when
# one moved, rather than measuring something else
python3 - "$out" <<'PY'
import os, shutil, sys
out = sys.argv[1]
src = open("kmod/ioband-target.c").read()
lock = "\tspin_lock_irq(&dp->lock);\n\tfor (;;) {"
endio = "\tif (ib->state != IOB_ISSUED)\n\t\treturn DM_ENDIO_DONE;"
count = "\tdp->issued++;\n\tgp->inflight++;\n"
name = '.name = "ioband",'
for a in (lock, endio, count, name):
    if src.count(a) != 1:
        sys.exit(f"overhead-parts: anchor not found once in ioband-target.c: {a!r}")
bail = "\tif (ib)\n\t\treturn DM_MAPIO_REMAPPED;\n"
variants = {
    2: src.replace(lock, "\tspin_lock_irq(&dp->lock);\n\tspin_unlock_irq(&dp->lock);\n" + bail + lock),
    3: src.replace(endio, "\tif (ib->state != IOB_ISSUED || ib)\n\t\treturn DM_ENDIO_DONE;")
          .replace(count, ""),
    4: src.replace(lock, bail + lock),
}
for n, text in variants.items():
    d = os.path.join(out, f"v{n}")
    shutil.copytree("kmod", d, ignore=shutil.ignore_patterns("*.o", "*.ko", ".*", "*.mod*"))
    text = text.replace(name, f'.name = "ioband{n}",')
    open(os.path.join(d, "ioband-target.c"), "w").write(text)
    kb = open(os.path.join(d, "Kbuild")).read().replace("dm-ioband", f"dm-ioband{n}")
    open(os.path.join(d, "Kbuild"), "w").write(kb)
PY
for n in 2 3 4; do
	make -s -C "/lib/modules/$ver/build" M="$repo/$out/v$n" modules >"$out/v$n.log" 2>&1 ||
		{ cat "$out/v$n.log" >&2; exit 1; }
	cp "$out/v$n/dm-ioband$n.ko" "$out/"
done
clock=--icount
[ "$kernel" = 6.1 ] && clock=
BENCH_QD=$qd BENCH_REPS=$reps python3 tests/vm/run.py $clock --kernel "$kernel" tests/bench/overhead-parts-guest.sh
