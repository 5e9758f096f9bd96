#!/usr/bin/env bash
# No lost or corrupted I/O while the configuration churns: three fio jobs
# (uid 1000, uid 2000, root) write with crc32c verification through one
# ioband device while another process changes weights, token, io_throttle,
# io_limit, the group type and the policy, attaches and detaches their
# groups, suspends and resumes (with and without --noflush), reloads the
# table and resets the counters.  Then the counters: after a reset, the
# requests and sectors in the status equal what a fixed-size fio job issued.
# estimate: 240
# timeout: 900
. "$REPO/tests/lib/guest.sh"

RUNTIME=${INTEGRITY_RUNTIME:-120}
load_ioband
disk=$(nullb nb0 768 irqmode=2 completion_nsec=200000 hw_queue_depth=16)
linear_slice part1 "$disk" 0 1048576
linear_slice part2 "$disk" 1048576 524288
ioband_create ioband1 /dev/mapper/part1 1
ioband_create ioband2 /dev/mapper/part2 1
dmsetup message ioband1 0 type user
dmsetup message ioband1 0 attach 1000
dmsetup message ioband1 0 attach 2000
chmod 666 /dev/mapper/ioband1 /dev/mapper/ioband2
out=$RESULTS/fio
mkdir -p "$out"
chmod 777 "$out"

# writer NAME DEVICE OFFSET: verified random writes in its own 128 MiB
writer() {
	fio --name="$1" --filename="$2" --offset="$3" --size=128M --rw=randwrite \
		--bs=4k --bsrange=4k-64k --direct=1 --ioengine=libaio --iodepth=8 \
		--verify=crc32c --verify_backlog=256 --verify_fatal=1 \
		--runtime="$RUNTIME" --time_based --output-format=json \
		--output="$out/$1.json" >"$out/$1.log" 2>&1
	echo $? >"$out/$1.rc"
}
export -f writer
export out RUNTIME
setpriv --reuid 1000 --regid 1000 --clear-groups bash -c 'writer u1000 /dev/mapper/ioband1 0' &
setpriv --reuid 2000 --regid 2000 --clear-groups bash -c 'writer u2000 /dev/mapper/ioband1 128M' &
bash -c 'writer root /dev/mapper/ioband1 256M' &
bash -c 'writer other /dev/mapper/ioband2 0' &

# the churn comes from one python3 process over the dm ioctls: a dmsetup
# per step would take most of the time spawning under TCG
sleep 2
check "churn: every suspend, resume and reload succeeded" \
	python3 -u "$REPO/tests/lib/churn.py" $((RUNTIME - 7)) "$RANDOM" ioband1 ioband2 "/dev/mapper/part1 1"
wait
for j in u1000 u2000 root other; do
	rc=$(cat "$out/$j.rc" 2>/dev/null)
	if [ "$rc" = 0 ]; then
		ok "fio $j: verified, no errors ($(python3 -c "import json,sys;d=json.load(open(sys.argv[1]));j=d['jobs'][0];print(f\"{j['write']['io_bytes']>>20} MiB written, {j['read']['io_bytes']>>20} MiB verified, errors {j['error']}\")" "$out/$j.json"))"
	else
		not_ok "fio $j exited $rc"; tail -n 20 "$out/$j.log" | sed 's/^/#   /'
	fi
done
check "groups survive: table lists both users" sh -c "dmsetup table ioband1 | grep -q ' 1000:[0-9]* 2000:[0-9]*'"

echo "# counters: requests in status = requests fio issued"
# fio's direct 4 KiB I/O maps one to one to bios (4 KiB is below every
# split limit), uid 1000 is fio alone, nothing resumes (no udev probe) and
# nothing is requeued: the margin is zero for its group.  Only the writes
# and the verify reads are fio's; the default group is not checked.
for c in "detach 1000" "detach 2000" "type user" "attach 1000" "attach 2000" reset; do
	dmsetup message ioband1 0 $c 2>/dev/null
done
check_eq "type user again, both groups attached" "user 1000 2000" \
	"$(table_of ioband1 | awk '{print $5, substr($9, 1, 4), substr($10, 1, 4)}')"
setpriv --reuid 1000 --regid 1000 --clear-groups fio --name=count --filename=/dev/mapper/ioband1 \
	--rw=randwrite --bs=4k --size=8M --direct=1 --ioengine=libaio --iodepth=16 \
	--verify=crc32c --output-format=json --output="$out/count.json" >/dev/null 2>&1
read -r fw fr < <(python3 -c "import json,sys;t=open(sys.argv[1]).read();j=json.loads(t[t.index('{'):])['jobs'][0];print(j['write']['total_ios'],j['read']['total_ios'])" "$out/count.json")
g=($(status_of ioband1 | grep -o ' 1000 [0-9 ]*' | head -n 1))
check_eq "writes of uid 1000 in status = fio's" "$fw $((fw * 8))" "${g[4]} ${g[6]}"
check_eq "verify reads of uid 1000 in status = fio's" "$fr $((fr * 8))" "${g[1]} ${g[3]}"
echo "# fio issued $fw writes and $fr reads; status: ${g[*]}"
check "remove ioband1" dmsetup remove --retry ioband1
check "remove ioband2" dmsetup remove --retry ioband2
dmsetup remove --retry part1; dmsetup remove --retry part2
check "unload" unload_ioband
finish
