#!/usr/bin/env bash
# Caps: a group's maximum rates.  A null_blk of 10 ms per bio and 4 tags
# (400 IOPS: the disk is the bottleneck, not a loaded TCG guest, whose own
# rate moves with the host's load) in two partitions, an ioband device on
# each in one device group.  Each rate is set as a share of what the device
# does alone and measured over a 10 s window at the disk (the partition's
# completed I/O, after a 2 s start): within 2 % at 5, 30 and 80 % for
# reads and for writes, in bytes and in bios, for the combined keys, and
# under every policy.  A capped group beside an uncapped one: the cap
# holds and the other gets the rest.  Bios held by a cap never hang a suspend (flush or
# noflush), a detach, a cap lifted, or a forced remove, and capped writes
# read back intact.
# estimate: 300
# timeout: 900
# exclusive: yes
. "$REPO/tests/lib/guest.sh"

WIN=10
OUT=$RESULTS/fio
mkdir -p "$OUT"
load_ioband
disk=$(nullb caps 1024 irqmode=2 completion_nsec=10000000 hw_queue_depth=4 submit_queues=1)
partition "$disk" 2 1024000
ioband_create ib1 "${disk}1" 1
ioband_create ib2 "${disk}2" 1
udev_settle

# fio_bg NAME DEV RW SECS [fio options...]: 16 KiB direct I/O at QD 16
fio_bg() {
	local name=$1 dev=$2 rw=$3 secs=$4
	shift 4
	fio --name="$name" --filename="$dev" --rw="$rw" --bs=16k --direct=1 \
		--ioengine=libaio --iodepth=16 --runtime="$secs" --time_based \
		--output-format=json --output="$OUT/$name.json" "$@" >/dev/null &
}
# window P: per-second rates over WIN s of partition P, fio already running:
# "read_iops read_bps write_iops write_bps"
window() {
	python3 "$REPO/tests/lib/rates.py" "$WIN" "/sys/block/caps/caps$1/stat"
}
# measure NAME DEV P RW: the rates of one job on DEV (partition P)
measure() {
	fio_bg "$1" "$2" "$4" $((WIN + 4))
	window "$3"
	wait
}
# within GOT WANT TOL: |GOT/WANT - 1| <= TOL
within() { python3 -c "import sys; sys.exit(not abs($1 / $2 - 1) <= $3)"; }
pick() { echo "$1" | cut -d' ' -f"$2"; }

echo "# alone, no cap"
read_solo=$(measure solo-r /dev/mapper/ib1 1 randread)
write_solo=$(measure solo-w /dev/mapper/ib1 1 randwrite)
echo "# reads: $read_solo; writes: $write_solo (iops bps iops bps)"
rbps=$(pick "$read_solo" 2)
riops=$(pick "$read_solo" 1)
wbps=$(pick "$write_solo" 4)
wiops=$(pick "$write_solo" 3)
# a cap set from a solo of nothing would hold fio for hours
python3 -c "import sys; sys.exit(not min($riops, $wiops) >= 20)" ||
	die "the guest moved too little alone to set caps from (reads $riops, writes $wiops IOPS)"

# capped KEY FRACTION SOLO RW FIELD: set KEY to FRACTION of SOLO on ib1's
# default group and measure FIELD (1-4 of window) under RW
capped() {
	local key=$1 frac=$2 solo=$3 rw=$4 field=$5 want got
	want=$(python3 -c "print(max(1, int($frac * $solo)))")
	dmsetup message ib1 0 limit "$key=$want"
	got=$(pick "$(measure "cap-$key-$frac" /dev/mapper/ib1 1 "$rw")" "$field")
	dmsetup message ib1 0 limit none
	check "$key at $(python3 -c "print(round($frac * 100))") % of the disk: $got against $want within 2 %" \
		within "$got" "$want" 0.02
}
for f in 0.05 0.3 0.8; do
	capped read_bps "$f" "$rbps" randread 2
	capped write_bps "$f" "$wbps" randwrite 4
done
capped read_iops 0.1 "$riops" randread 1
capped write_iops 0.5 "$wiops" randwrite 3
capped bps 0.4 "$rbps" randread 2
capped iops 0.4 "$wiops" randwrite 3

echo "# every policy: a read_bps cap at 30 %"
for p in fair-iosize time weight weight-iosize; do
	dmsetup message ib1 0 policy "$p"
	capped read_bps 0.3 "$rbps" randread 2
done
dmsetup message ib1 0 policy fair

echo "# a write cap leaves reads alone"
dmsetup message ib1 0 limit "write_bps=$(python3 -c "print(int(0.05 * $wbps))")"
got=$(pick "$(measure wcap-reads /dev/mapper/ib1 1 randread)" 2)
check "reads under a write cap: $got B/s, at least 90 % of alone ($rbps)" \
	python3 -c "import sys; sys.exit(not $got >= 0.9 * $rbps)"
dmsetup message ib1 0 limit none

echo "# ib1 capped at 15 % beside ib2 uncapped, same weights"
want=$(python3 -c "print(int(0.15 * $rbps))")
dmsetup message ib1 0 limit "read_bps=$want"
fio_bg beside-1 /dev/mapper/ib1 randread $((WIN + 4))
fio_bg beside-2 /dev/mapper/ib2 randread $((WIN + 4))
window 1 >"$OUT/beside-1.rates" &
w2=$(window 2)
wait
r1=$(pick "$(cat "$OUT/beside-1.rates")" 2)
r2=$(pick "$w2" 2)
echo "# ib1 $r1 B/s (cap $want), ib2 $r2 B/s"
check "the capped group keeps to its cap beside the other: $r1 against $want within 2 %" \
	within "$r1" "$want" 0.02
check "the other group gets at least 75 % of the disk beside the capped one" \
	python3 -c "import sys; sys.exit(not $r2 >= 0.75 * $rbps)"
dmsetup message ib1 0 limit none

echo "# held bios: a cap of 2 reads/s with 16 in flight, then suspend, detach, lift"
# parked ID: group ID of ib1 has bios parked by its caps now ("limits":
# <id>:<caps>:<times>:<us>:<parked now>:...)
parked() { dmsetup message ib1 0 limits | tr ' ' '\n' | awk -F: -v id="$1" '$1 == id && $5 == 1 { f = 1 } END { exit !f }'; }
hold() {
	dmsetup message ib1 0 limit read_iops=2
	fio --name=held --filename=/dev/mapper/ib1 --rw=randread --bs=4k --size=4m \
		--direct=1 --ioengine=libaio --iodepth=16 --runtime=600 --time_based \
		>/dev/null 2>&1 &
	HOLDER=$!
	wait_for "parked -1" 20 || not_ok "the capped group parks its bios"
}
stop_holder() { kill "$HOLDER" 2>/dev/null; dmsetup message ib1 0 limit none; wait "$HOLDER" 2>/dev/null; }
timed() { local d=$1 l=$2 t=$SECONDS; shift 2; if timeout "$l" "$@"; then ok "$d ($((SECONDS - t)) s)"; else not_ok "$d (did not return within $l s)"; fi; }
hold
echo "# limits: $(dmsetup message ib1 0 limits)"
timed "flush suspend with capped bios held" 20 dmsetup suspend ib1
dmsetup resume ib1
timed "noflush suspend with capped bios held" 20 dmsetup suspend --noflush ib1
dmsetup resume ib1
timed "lifting the cap lets the held bios go" 20 \
	bash -c "dmsetup message ib1 0 limit none; while dmsetup message ib1 0 limits | cut -d' ' -f1 | cut -d: -f5 | grep -q 1; do sleep 0.2; done"
stop_holder

echo "# an attached group (type pid) holding capped bios is detached"
dmsetup message ib1 0 type pid
fio --name=held-pid --filename=/dev/mapper/ib1 --rw=randread --bs=4k --size=4m \
	--direct=1 --ioengine=libaio --iodepth=16 --runtime=600 --time_based --thread >/dev/null 2>&1 &
HOLDER=$!
dmsetup message ib1 0 attach "$HOLDER"
dmsetup message ib1 0 limit "$HOLDER:read_iops=2,read_bps=8192"
check "the table carries the cap" grep -q " limit $HOLDER:read_bps=8192,read_iops=2\$" <<<"$(table_of ib1)"
wait_for "parked $HOLDER" 20 || not_ok "the pid group parks its bios"
timed "detach of a group with capped bios held" 20 dmsetup message ib1 0 detach "$HOLDER"
stop_holder
dmsetup message ib1 0 type none

echo "# the data the held reads and writes moved is intact"
dmsetup message ib1 0 limit write_iops=50,read_iops=50
if fio --name=verify --filename=/dev/mapper/ib1 --rw=randwrite --bs=4k --size=2m \
	--direct=1 --ioengine=libaio --iodepth=16 --verify=crc32c --verify_fatal=1 \
	--do_verify=1 >"$OUT/verify.txt" 2>&1; then
	ok "capped writes read back verified (fio crc32c)"
else
	not_ok "capped writes read back verified (fio crc32c, see verify.txt)"
fi
dmsetup message ib1 0 limit none

echo "# a forced remove with capped bios held"
hold
# open by fio, ib1 cannot go: --force swaps in a table that fails I/O,
# which suspends ioband's with the bios held
timed "dmsetup remove --force with capped bios held" 30 \
	bash -c "dmsetup remove --force ib1 2>/dev/null; ! dmsetup table ib1 | grep -q ioband"
kill "$HOLDER" 2>/dev/null
wait "$HOLDER" 2>/dev/null
wait_for "! [ -e /dev/mapper/ib1 ]" 30 || dmsetup remove ib1 2>/dev/null
dmsetup remove ib2
finish
