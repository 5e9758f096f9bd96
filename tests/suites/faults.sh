#!/usr/bin/env bash
# Faults below ioband, and blocked submitters.  Under ioband: dm-flakey
# (I/O fails one second in two), then dm-error (every I/O fails): fio jobs
# in three groups see the errors (nothing is lost or hangs), and ioband can
# still be suspended and removed.  Over a slow device (dm-delay, 100 ms)
# with io_limit 2, a submitter blocks in ioband_map; it must wake on a
# detach, a noflush suspend, a flush suspend (held bios drain), an io_limit
# change and a forced remove, each within a bounded time.  The guest's
# hung-task watchdog (20 s) runs throughout.  Afterwards verified I/O
# through ioband shows the stack healthy.
# estimate: 220
# timeout: 600
. "$REPO/tests/lib/guest.sh"

load_ioband
modprobe dm_flakey || die "modprobe dm_flakey"
modprobe dm_delay || die "modprobe dm_delay"
disk=$(nullb nb0 256 hw_queue_depth=64)
SZ=$(blockdev --getsz "$disk")
linear_slice low "$disk" 0 "$SZ" || die "create low"
ioband_create ibf /dev/mapper/low 1 4 32 || die "create ibf"
dmsetup message ibf 0 type uid
dmsetup message ibf 0 attach 1000
dmsetup message ibf 0 attach 2000
chmod 666 /dev/mapper/ibf
out=$RESULTS/fio
mkdir -p "$out" && chmod 777 "$out"

# swap_low TABLE: replace the table of the device under ioband
swap_low() { echo "0 $SZ $*" | dmsetup load low && dmsetup suspend low && dmsetup resume low; }

# errjob NAME SECONDS [fio args]: random I/O that goes on after errors
errjob() {
	local n=$1 t=$2
	shift 2
	fio --name="$n" --filename=/dev/mapper/ibf --rw=randrw --bs=4k --direct=1 \
		--ioengine=libaio --iodepth=16 --size=64M --runtime="$t" --time_based \
		--continue_on_error=all --output-format=json --output="$out/$n.json" "$@" \
		>"$out/$n.log" 2>&1
	echo $? >"$out/$n.rc"
}
export -f errjob
export out
# fio_n FILE KEY: a number from fio's JSON (summed over jobs)
fio_n() {
	python3 - "$1" "$2" <<'PY'
import json, sys
t = open(sys.argv[1]).read()
d = json.loads(t[t.index("{"):])
k = sys.argv[2]
s = 0
for j in d["jobs"]:
    if k in ("total_ios", "io_bytes"):
        s += j["read"][k] + j["write"][k]
    else:
        s += j.get(k, 0)
print(s)
PY
}

echo "# faults below: dm-flakey, 1 s up, 1 s down"
swap_low flakey "$disk" 0 1 1 || die "flakey table"
setpriv --reuid 1000 --regid 1000 --clear-groups bash -c 'errjob f1000 8' &
setpriv --reuid 2000 --regid 2000 --clear-groups bash -c 'errjob f2000 8' &
bash -c 'errjob froot 8' &
t0=$SECONDS
wait
check "fio jobs over flakey ended on time ($((SECONDS - t0)) s)" test $((SECONDS - t0)) -lt 150
faults=0 ios=0
for j in f1000 f2000 froot; do
	e=$(fio_n "$out/$j.json" total_err) n=$(fio_n "$out/$j.json" total_ios)
	check "$j: errors reached the submitter ($e of $n I/Os failed)" test "${e:-0}" -gt 0
	faults=$((faults + ${e:-0})) ios=$((ios + ${n:-0}))
done
check "flush suspend of ibf after the faults" timeout 30 dmsetup suspend ibf
check "resume" dmsetup resume ibf

echo "# faults below: dm-error, every I/O fails"
swap_low error || die "error table"
bash -c 'errjob ferr 3 --iodepth=64' &
wait
e=$(fio_n "$out/ferr.json" total_err) n=$(fio_n "$out/ferr.json" total_ios)
check_eq "every I/O over dm-error failed, none lost ($n issued)" "$n" "$e"
check "ferr: at least one I/O" test "${n:-0}" -gt 0
faults=$((faults + ${e:-0})) ios=$((ios + ${n:-0}))
check "noflush suspend of ibf over dm-error" timeout 30 dmsetup suspend --noflush ibf
check "resume" dmsetup resume ibf
echo "# $faults injected faults reached fio in $ios I/Os"

echo "# blocked submitters: dm-delay 100 ms, io_throttle 1, io_limit 2"
swap_low delay "$disk" 0 100 || die "delay table"
dmsetup message ibf 0 io_throttle 1 && dmsetup message ibf 0 io_limit 2 || die "io_limit 2"
# tasks sleeping in ioband_map, i.e. blocked by ioband
blocked() { grep -l ioband_map /proc/[0-9]*/stack 2>/dev/null | wc -l; }
# Waits for fio to get going (blocked > 0, wait_for) stretch on a slower
# kernel (the debug one); the bounds on how soon a blocked submitter wakes
# do not.
# timed DESC LIMIT CMD...: CMD must return within LIMIT s
timed() { local d=$1 l=$2 t=$SECONDS; shift 2; if timeout "$l" "$@"; then ok "$d ($((SECONDS - t)) s)"; else not_ok "$d (did not return within $l s)"; fi; }

setpriv --reuid 1000 --regid 1000 --clear-groups bash -c 'errjob slow 120 --iodepth=32 --rw=randwrite' &
fiopid=$!
check "a submitter blocks in ioband_map" wait_for '[ $(blocked) -gt 0 ]' $((20 * SLOWDOWN))
timed "detach of its group returns" 10 dmsetup message ibf 0 detach 1000
check "fio goes on (blocked again, now in the default group)" wait_for '[ $(blocked) -gt 0 ]' $((20 * SLOWDOWN))
dmsetup message ibf 0 attach 1000
timed "noflush suspend returns with a blocked submitter" 10 dmsetup suspend --noflush ibf
check "while suspended nobody sleeps in ioband_map" wait_for '[ $(blocked) -eq 0 ]' 5
check "resume" dmsetup resume ibf
check "I/O flows again after resume" wait_for '[ $(blocked) -gt 0 ]' $((20 * SLOWDOWN))
timed "flush suspend drains the held bios" 20 dmsetup suspend ibf
check "resume" dmsetup resume ibf
check "blocked again" wait_for '[ $(blocked) -gt 0 ]' $((20 * SLOWDOWN))
check "io_limit 4096" dmsetup message ibf 0 io_limit 4096
check "raising io_limit wakes the submitter" wait_for '[ $(blocked) -eq 0 ]' 10
check "io_limit 2" dmsetup message ibf 0 io_limit 2
check "blocked again" wait_for '[ $(blocked) -gt 0 ]' $((20 * SLOWDOWN))
# the device is open: --force swaps in an error table, which wakes everyone
dmsetup remove --force ibf >/dev/null 2>&1
check "forced remove wakes the submitter" wait_for '[ $(blocked) -eq 0 ]' 10
check_eq "ibf now has the error table" "error" "$(dmsetup table ibf | cut -d' ' -f3)"
# nothing is stuck in D state: fio ends when told to
kill -TERM $(pgrep -P $fiopid) 2>/dev/null
t0=$SECONDS
wait $fiopid
check "fio ended on SIGTERM after the remove ($((SECONDS - t0)) s)" test $((SECONDS - t0)) -lt 30
check "fio saw the errors of the removed device" test "$(fio_n "$out/slow.json" total_err)" -gt 0
check "remove ibf" dmsetup remove --retry ibf

echo "# the stack is healthy afterwards"
swap_low linear "$disk" 0 || die "linear table"
ioband_create ibv /dev/mapper/low 1 || die "create ibv"
check "32 MiB of crc32c-verified I/O through a new ioband device" \
	fio --name=v --filename=/dev/mapper/ibv --rw=randwrite --bs=4k --bsrange=4k-64k \
	--direct=1 --ioengine=libaio --iodepth=16 --size=32M --verify=crc32c \
	--verify_fatal=1 --verify_state_save=0 --output="$out/v.log"
check "remove ibv" dmsetup remove --retry ibv
check "remove low" dmsetup remove --retry low
check "unload" unload_ioband
finish
