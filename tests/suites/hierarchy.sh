#!/usr/bin/env bash
# Type cgroup as systemd and container runtimes lay cgroups out: two
# slices with three services each, and the processes one level further
# down (a service's payload cgroup).  A bio belongs to the nearest attached
# ancestor of its cgroup; shares nest level by level among the groups that
# do I/O.  Checked: where every service's I/O lands, re-homing on attach
# and detach, the nested split on a bottleneck disk (slices 80/40, services
# 1:1:2, each within 1 percentage point, under policies weight and fair),
# the "shares" message, a reload, the nesting bound, and cgroups removed
# while attached or with bios in flight.  The split is not run on the
# debug kernel, whose guest cannot keep the disk busy.
# estimate: 200
# timeout: 900
# exclusive: yes
. "$REPO/tests/lib/guest.sh"

WINDOW=${HIER_WINDOW:-20}
load_ioband
# 10 ms per I/O and 2 tags: 200 IOPS, the bottleneck (as in fairness)
disk=$(nullb slow 1024 memory_backed=0 irqmode=2 completion_nsec=10000000 hw_queue_depth=2 submit_queues=1 \
	queue/scheduler=mq-deadline queue/nr_requests=128)
cg=/sys/fs/cgroup
mountpoint -q $cg || mount -t cgroup2 none $cg
top=$cg/iobandtest
# io at every level, so each cgroup has its own blkcg
echo "+io +memory" >$cg/cgroup.subtree_control
mkdir -p $top
echo "+io +memory" >$top/cgroup.subtree_control
services="a.slice/s1.service a.slice/s2.service a.slice/s3.service b.slice/s1.service b.slice/s2.service b.slice/s3.service"
for s in a.slice b.slice; do
	mkdir -p $top/$s
	echo "+io +memory" >$top/$s/cgroup.subtree_control
done
for s in $services; do
	mkdir -p $top/$s/payload
	echo "+io +memory" >$top/$s/cgroup.subtree_control
done
id() { stat -c %i "$top/$1"; }
declare -A W=([s1.service]=100 [s2.service]=100 [s3.service]=200)
table="$(id a.slice):80 $(id b.slice):40"
for s in $services; do table+=" $(id $s):${W[${s#*/}]}"; done
# io_limit pinned far above the disk's 2 tags: the weight policy's epochs
# split the disk, as in 2008 (at the auto limit they miss by about 1 pp)
ioband_create ioband1 "$disk" 1 4 120 cgroup weight 256 :100 $table
udev_settle

# status fields: 1 default group (id, 3 read, 3 write), then groups of 7
group_field() { # ID FIELD(1-6) [STATUS]: that group's counter
	local st i
	st=(${3:-$(status_of ioband1)})
	for ((i = 1; i < ${#st[@]}; i += 7)); do
		[ "${st[i]}" = "$1" ] && { echo "${st[i + $2]}"; return; }
	done
	echo missing
}
# read_in CGROUP: 1 MiB of direct reads (2048 sectors) from inside it
read_in() {
	bash -c "echo \$\$ >$top/$1/cgroup.procs; exec dd if=/dev/mapper/ioband1 of=/dev/null bs=64k count=16 iflag=direct status=none"
}
read_sectors() { group_field "$1" 3; }

echo "# attribution: each payload's reads land in its service's group"
for s in $services; do
	dmsetup message ioband1 0 reset
	read_in $s/payload
	check_eq "$s/payload: its service's group" 2048 "$(read_sectors "$(id $s)")"
	check_eq "$s/payload: nothing in its slice's group" 0 "$(read_sectors "$(id ${s%%/*})")"
	check_eq "$s/payload: nothing in the default group" 0 "$(read_sectors -1)"
done
mkdir $top/a.slice/unattached.service
dmsetup message ioband1 0 reset
read_in a.slice/unattached.service
check_eq "a service not attached: its slice's group" 2048 "$(read_sectors "$(id a.slice)")"
rmdir $top/a.slice/unattached.service

echo "# detach and attach re-home the next bio at once"
sid=$(id a.slice/s2.service)
dmsetup message ioband1 0 detach "$sid"
dmsetup message ioband1 0 reset
read_in a.slice/s2.service/payload
check_eq "service detached: its payload's reads land in the slice" 2048 "$(read_sectors "$(id a.slice)")"
dmsetup message ioband1 0 attach "$sid"
dmsetup message ioband1 0 weight "$sid:100"
dmsetup message ioband1 0 reset
read_in a.slice/s2.service/payload
check_eq "attached again: back in the service's group" 2048 "$(read_sectors "$sid")"
check_eq "... and none in the slice" 0 "$(read_sectors "$(id a.slice)")"

echo "# the shares message: configured shares (every group busy), nesting included"
shares=$(dmsetup message ioband1 0 shares)
echo "# shares: $shares"
share_of() { tr ' ' '\n' <<<"$shares" | awk -F: -v id="$1" '$1 == id {print $2 ":" $3}'; }
# share_is ID PARENT MILLIONTHS: integer arithmetic may round each level
share_is() {
	local got
	got=$(share_of "$1")
	[ "${got%%:*}" = "$2" ] && [ $((${got#*:} - $3)) -ge -3 ] && [ $((${got#*:} - $3)) -le 3 ]
}
# top: default 100, a.slice 80, b.slice 40 (of 220); a.slice splits its
# 80/220 between itself (80) and its services (100 100 200)
check "default group: top level, 100/220" share_is -1 - 454545
check "a.slice: top level, its own part 80/480 of 80/220" share_is "$(id a.slice)" - 60606
check "a.slice/s3.service: under a.slice, 200/480 of 80/220" \
	share_is "$(id a.slice/s3.service)" "$(id a.slice)" 151515
check "b.slice/s1.service: under b.slice, 100/440 of 40/220" \
	share_is "$(id b.slice/s1.service)" "$(id b.slice)" 41322
check_eq "the status line keeps the seed's format: 2 + 6 + 8 groups of 7 fields" \
	64 "$(status_of ioband1 | wc -w)"

echo "# a reload keeps the groups and their nesting"
dmsetup table ioband1 | dmsetup load ioband1
dmsetup resume ioband1
check_eq "shares after a reload" "$shares" "$(dmsetup message ioband1 0 shares)"

# nested_split POLICY: the six payloads read at once; the split counted
# at the device over WINDOW seconds while all of them run
nested_split() {
	local s pids=() total=0 sec name snap
	declare -A got
	for s in $services; do
		bash -c "echo \$\$ >$top/$s/payload/cgroup.procs; exec fio --name=r --filename=/dev/mapper/ioband1 \
			--rw=randread --bs=4k --direct=1 --ioengine=libaio --iodepth=8 --runtime=$((WINDOW + 60)) \
			--time_based --thread --output=/dev/null" &
		pids+=($!)
	done
	# counting starts once every service has sent I/O
	for _ in $(seq 60); do
		sleep 1
		dmsetup message ioband1 0 reset
		sleep 2
		for s in $services; do [ "$(read_sectors "$(id $s)")" -gt 0 ] || continue 2; done
		break
	done
	dmsetup message ioband1 0 reset
	sleep "$WINDOW"
	# one snapshot: every group counted over the same window
	snap=$(status_of ioband1)
	for s in $services; do
		sec=$(group_field "$(id $s)" 3 "$snap")
		got[$s]=$sec
		total=$((total + sec))
	done
	kill "${pids[@]}" 2>/dev/null
	wait "${pids[@]}" 2>/dev/null
	for s in $services; do
		# slice 2/3 or 1/3, then 1/4, 1/4, 1/2 of it
		local want
		case $s in
		a.slice/s3.service) want=33.33 ;; a.slice/*) want=16.67 ;;
		b.slice/s3.service) want=16.67 ;; *) want=8.33 ;;
		esac
		name="$1: $s got $(awk -v g="${got[$s]}" -v t="$total" 'BEGIN {printf "%.2f", 100 * g / t}') % of $total sectors, configured $want %"
		check "$name (within 1 pp)" awk -v g="${got[$s]}" -v t="$total" -v w="$want" \
			'BEGIN {d = 100 * g / t - w; exit !(t > 0 && d < 1 && d > -1)}'
	done
}
# Under KASAN the guest served 120 of the disk's ~166 IOPS and the split
# missed by up to 5.4 points: the debug kernel checks the rest (its bios
# already go through the nested bookkeeping above), the others the split.
if [ "$SLOWDOWN" -gt 1 ]; then
	echo "# the nested split: not on the debug kernel"
else
	echo "# the nested split: slices 80/40, services 1:1:2"
	nested_split weight
	dmsetup message ioband1 0 policy fair
	dmsetup message ioband1 0 io_throttle 1
	dmsetup message ioband1 0 io_limit 2
	nested_split fair
	dmsetup message ioband1 0 policy weight
	dmsetup message ioband1 0 io_limit 120
	dmsetup message ioband1 0 io_throttle 4
fi

echo "# cgroups removed while attached, and with bios in flight"
mkdir -p $top/b.slice/s1.service/payload/gone
gid=$(id b.slice/s1.service/payload/gone)
dmsetup message ioband1 0 attach "$gid"
bash -c "echo \$\$ >$top/b.slice/s1.service/payload/gone/cgroup.procs; exec fio --name=g \
	--filename=/dev/mapper/ioband1 --rw=randread --bs=4k --direct=1 --ioengine=libaio --iodepth=32 \
	--runtime=60 --time_based --thread --output=/dev/null" &
pid=$!
sleep 3
kill -9 $pid
wait $pid 2>/dev/null
# fio is one process (--thread): gone, its bios may still be held or in flight
for _ in $(seq 50); do rmdir $top/b.slice/s1.service/payload/gone 2>/dev/null && break; sleep 0.1; done
check "the attached cgroup is removed" test ! -d $top/b.slice/s1.service/payload/gone
read_in b.slice/s1.service/payload
check "the device still reads" test "$(read_sectors "$(id b.slice/s1.service)")" -gt 0
check "detach the removed cgroup's group" dmsetup message ioband1 0 detach "$gid"
check_fails "detach it twice" dmsetup message ioband1 0 detach "$gid"
mkdir $top/b.slice/s2.service/payload/late
read_in b.slice/s2.service/payload/late
check "a cgroup made after attach: its service's group" \
	test "$(read_sectors "$(id b.slice/s2.service)")" -ge 2048
rmdir $top/b.slice/s2.service/payload/late

echo "# attached cgroups nest at most 16 deep"
dmsetup remove --retry ioband1
ioband_create ioband1 "$disk" 1 4 128 cgroup weight 256 :100
d=$top/deep
for i in $(seq 17); do
	mkdir -p "$d/n$i"
	d=$d/n$i
	last=$(stat -c %i "$d")
	[ "$i" -lt 17 ] && dmsetup message ioband1 0 attach "$last"
done
before=$(table_of ioband1)
check_fails "a 17th nested level is refused" dmsetup message ioband1 0 attach "$last"
check_eq "and changes nothing" "$before" "$(table_of ioband1)"
check "a 17th group beside them is fine" dmsetup message ioband1 0 attach "$(id a.slice)"

dmsetup remove --retry ioband1
find $top/deep -depth -type d -exec rmdir {} \;
for s in $services; do rmdir $top/$s/payload $top/$s; done
rmdir $top/a.slice $top/b.slice $top
nullb_remove slow
check "unload" unload_ioband
finish
