#!/usr/bin/env bash
# Fairness on a bottleneck disk: a null_blk with timer completion (10 ms
# per I/O, 2 tags: 200 IOPS, well below what a TCG guest can submit, so the
# disk is the bottleneck; mq-deadline with 128 requests queued, like a disk
# with NCQ, so submitters do not sleep in the block layer beneath ioband
# after two bios) in four partitions.  Every job runs fio at once; the
# split of the bytes each job moved while all of them ran must match the
# configured weights within 10%.  Devices are made with the defaults
# (policy fair, io_limit following the disk's two tags) unless a check says
# otherwise.  For the 2008 weight policy the suite sets token 256: at 200
# IOPS the default 2048 tokens make an epoch of ten seconds.
# estimate: 250
# timeout: 900
# exclusive: yes
. "$REPO/tests/lib/guest.sh"

RUNTIME=${FAIR_RUNTIME:-20}
load_ioband
disk=$(nullb slow 1024 irqmode=2 completion_nsec=10000000 hw_queue_depth=2 submit_queues=1 \
	queue/scheduler=mq-deadline queue/nr_requests=128)
partition "$disk" 4 512000
part() { echo "$disk$1"; }
out=$RESULTS/fio
mkdir -p "$out"

# run NAME:DEVICE[:fio options] ...: the jobs together, RUNTIME seconds
run() { fio_together "$out" "$RUNTIME" "$@"; }
# share TOLERANCE WEIGHT:NAME ...: the split over the window all jobs ran in
share() {
	local tol=$1 a args=()
	shift
	for a in "$@"; do args+=("${a%%:*}:$out/${a#*:}"); done
	python3 "$REPO/tests/lib/share.py" "$tol" "${args[@]}"
}

echo "# two ioband devices, one device group, weights 80 and 40, the defaults"
ioband_create ioband1 "$(part 1)" 1
ioband_create ioband2 "$(part 2)" 1
dmsetup message ioband1 0 weight 80
dmsetup message ioband2 0 weight 40
check_eq "the table shows the 2008 defaults" "1 4 128" "$(table_of ioband1 | cut -d' ' -f2-4)"
settings=$(dmsetup message ioband1 0 settings)
echo "# settings: $settings"
check "the defaults are policy fair, io_limit auto at the disk's 2 tags" \
	grep -q "^policy=fair .* io_limit_auto=1 effective_io_throttle=1 effective_io_limit=2 queue_depth=2 " <<<"$settings"
run w80,filename=/dev/mapper/ioband1 w40,filename=/dev/mapper/ioband2
check "80/40 split within 10% of 2:1" share 0.10 80:w80 40:w40
dmsetup status --target ioband | sed 's/^/# /'

echo "# the same disk without ioband: the split is whatever the disk gives"
run lin1,filename="$(part 1)" lin2,filename="$(part 2)"
share 1.0 80:lin1 40:lin2 | sed 's/^# /# (dm-linear) /'

echo "# policy fair-iosize: 4 KiB reads (weight 80) against 64 KiB reads (40)"
dmsetup message ioband1 0 policy fair-iosize
run z80,filename=/dev/mapper/ioband1,bs=4k z40,filename=/dev/mapper/ioband2,bs=64k
check "fair-iosize: 80/40 split of the bytes within 10%" share 0.10 80:z80 40:z40

echo "# the 2008 policy weight, token 256, io_limit auto"
dmsetup message ioband1 0 policy weight
dmsetup message ioband1 0 token 256
check_eq "weight and its token in the table" "1 4 128 none weight 256" "$(table_of ioband2 | cut -d' ' -f2-7)"
run g80,filename=/dev/mapper/ioband1 g40,filename=/dev/mapper/ioband2
check "weight: 80/40 split within 10%" share 0.10 80:g80 40:g40
dmsetup message ioband1 0 policy fair
dmsetup message ioband1 0 token 2048

echo "# four devices, weights 10/20/30/40"
ioband_create ioband3 "$(part 3)" 1
ioband_create ioband4 "$(part 4)" 1
for i in 1 2 3 4; do dmsetup message "ioband$i" 0 weight $((i * 10)); done
run q1,filename=/dev/mapper/ioband1 q2,filename=/dev/mapper/ioband2 \
	q3,filename=/dev/mapper/ioband3 q4,filename=/dev/mapper/ioband4
check "10/20/30/40 shares within 10%" share 0.10 10:q1 20:q2 30:q3 40:q4
for i in 2 3 4; do dmsetup remove --retry "ioband$i"; done

echo "# type user: uid 1000 weight 80, uid 2000 weight 40, on one device"
dmsetup message ioband1 0 weight 100
dmsetup message ioband1 0 type user
dmsetup message ioband1 0 attach 1000
dmsetup message ioband1 0 attach 2000
dmsetup message ioband1 0 weight 1000:80
dmsetup message ioband1 0 weight 2000:40
dmsetup message ioband1 0 reset
chmod 666 /dev/mapper/ioband1
chmod 777 "$out"
# fio's jobs switch to the uid before they open the device or submit I/O
run u1000,filename=/dev/mapper/ioband1,uid=1000,gid=1000 u2000,filename=/dev/mapper/ioband1,uid=2000,gid=2000
check "uid 80/40 split within 10%" share 0.10 80:u1000 40:u2000
st=($(status_of ioband1))
echo "# status: ${st[*]}"
# in shares of the two groups' reads, not in reads: a loaded host makes
# the guest slower (at least 1/2 and 1/4 where 2/3 and 1/3 are due)
check "uid 1000's reads are counted in group 1000" \
	test "${st[8]}" = 1000 -a $((st[9] * 2)) -gt $((st[9] + st[16]))
check "uid 2000's reads are counted in group 2000" \
	test "${st[15]}" = 2000 -a $((st[16] * 4)) -gt $((st[9] + st[16]))
check "uid 2000 (the lighter weight) was throttled: delayed reads" test "${st[17]}" -gt 0
check "the default group saw (almost) nothing" test "${st[2]}" -lt 50
dmsetup remove --retry ioband1

echo "# type cgroup: two cgroups, weights 80 and 40"
mountpoint -q /sys/fs/cgroup || mount -t cgroup2 none /sys/fs/cgroup
# memory: pages are charged to the cgroup that dirties them (writeback)
echo "+memory +io" > /sys/fs/cgroup/cgroup.subtree_control
mkdir -p /sys/fs/cgroup/jobA /sys/fs/cgroup/jobB
ida=$(stat -c %i /sys/fs/cgroup/jobA)
idb=$(stat -c %i /sys/fs/cgroup/jobB)
ioband_create ioband1 "$(part 1)" 1 4 128 cgroup fair 2048 :100 "$ida:80" "$idb:40"
check_eq "cgroup groups in the table" "cgroup fair 2048 :100 $ida:80 $idb:40" "$(table_of ioband1 | cut -d' ' -f5-)"
# fio moves each job's process into its cgroup before it submits I/O
run cgA,filename=/dev/mapper/ioband1,cgroup=jobA,cgroup_nodelete=1 \
	cgB,filename=/dev/mapper/ioband1,cgroup=jobB,cgroup_nodelete=1
check "cgroup 80/40 split within 10%" share 0.10 80:cgA 40:cgB
st=($(status_of ioband1))
echo "# status: ${st[*]}"
check "cgroup A's reads are counted in its group" \
	test "${st[8]}" = "$ida" -a $((st[9] * 2)) -gt $((st[9] + st[16]))
check "cgroup B's reads are counted in its group" \
	test "${st[15]}" = "$idb" -a $((st[16] * 4)) -gt $((st[9] + st[16]))

echo "# buffered writes from cgroup A, written back by the flusher thread"
dmsetup message ioband1 0 reset
# keep the device open: dd's close is then not the last one and does not
# flush; the flusher kthread writes the pages back on its own
exec 3</dev/mapper/ioband1
echo 100 >/proc/sys/vm/dirty_writeback_centisecs
echo 100 >/proc/sys/vm/dirty_expire_centisecs
# 4 MiB: about 1000 writes, five seconds of this 200-IOPS disk
bash -c "echo \$\$ > /sys/fs/cgroup/jobA/cgroup.procs; dd if=/dev/zero of=/dev/mapper/ioband1 bs=1M count=4 status=none"
for _ in $(seq 90); do
	st=($(status_of ioband1))
	[ "${st[14]}" -ge 8192 ] && break
	sleep 1
done
echo "# status: ${st[*]}"
check "writeback by the flusher of A's dirty pages is charged to A" test "${st[14]}" -ge 8192
check "none of it to the default group" test "${st[7]}" -eq 0
exec 3<&-
dmsetup remove --retry ioband1
rmdir /sys/fs/cgroup/jobA /sys/fs/cgroup/jobB
check "unload" unload_ioband
finish
