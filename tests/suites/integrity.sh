#!/usr/bin/env bash
# No lost or corrupted I/O while the configuration churns: three fio jobs
# (uid 1000, uid 2000, root) write with crc32c verification through one
# ioband device while another process changes weights, token, io_throttle,
# io_limit, attaches and detaches their groups, suspends and resumes (with
# and without --noflush), reloads the table and resets the counters.
# estimate: 90
# timeout: 900
. "$REPO/tests/lib/guest.sh"

RUNTIME=${INTEGRITY_RUNTIME:-40}
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

churn=0 errors=0
end=$((SECONDS + RUNTIME - 5))
sleep 2
while [ $SECONDS -lt $end ]; do
	for cmd in "weight 1000:$((RANDOM % 200 + 1))" "weight 2000:$((RANDOM % 200 + 1))" \
		"weight $((RANDOM % 200 + 1))" "token $((RANDOM % 4000 + 16))" \
		"io_throttle $((RANDOM % 30 + 1))" "io_limit $((RANDOM % 200 + 40))" \
		"detach 1000" "attach 1000" "detach 2000" "attach 2000" reset; do
		# io_throttle/io_limit may be refused when they cross: that is fine
		dmsetup message ioband1 0 $cmd 2>/dev/null
		churn=$((churn + 1))
	done
	dmsetup suspend ioband1 && dmsetup resume ioband1 || errors=$((errors + 1))
	dmsetup suspend --noflush ioband1 && sleep 0.2 && dmsetup resume ioband1 || errors=$((errors + 1))
	dmsetup suspend --noflush ioband2 && dmsetup resume ioband2 || errors=$((errors + 1))
	echo "0 $(blockdev --getsz /dev/mapper/part1) ioband /dev/mapper/part1 1" | dmsetup reload ioband1 &&
		dmsetup resume ioband1 || errors=$((errors + 1))
	churn=$((churn + 5))
done
wait
echo "# $churn reconfigurations while writing"
check_eq "suspend/resume/reload never failed" 0 "$errors"
for j in u1000 u2000 root other; do
	rc=$(cat "$out/$j.rc" 2>/dev/null)
	if [ "$rc" = 0 ]; then
		ok "fio $j: verified, no errors ($(python3 -c "import json,sys;d=json.load(open(sys.argv[1]));j=d['jobs'][0];print(f\"{j['write']['io_bytes']>>20} MiB written, {j['read']['io_bytes']>>20} MiB verified, errors {j['error']}\")" "$out/$j.json"))"
	else
		not_ok "fio $j exited $rc"; tail -n 20 "$out/$j.log" | sed 's/^/#   /'
	fi
done
check "groups survive: table lists both users" sh -c "dmsetup table ioband1 | grep -q ' 1000:[0-9]* 2000:[0-9]*'"
check "remove ioband1" dmsetup remove --retry ioband1
check "remove ioband2" dmsetup remove --retry ioband2
dmsetup remove --retry part1; dmsetup remove --retry part2
check "unload" unload_ioband
finish
