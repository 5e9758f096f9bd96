#!/usr/bin/env bash
# Buffered writes by weight.  Two cgroups write files with plain write(2)
# on a filesystem over one ioband device (type cgroup, weights 80 and 40,
# attached at the writers' own cgroups or at their parents); the kernel's
# flusher threads write the dirty pages back on their behalf.  The disk
# bounds the write rate: 100 ms per request, 2 tags, requests of at most
# 128 KiB (2.5 MiB/s, well below what the writers dirty even in a TCG
# guest), mq-deadline with 128 requests and writeback throttling off (at
# 100 ms a request, wbt would cut writeback to one request in flight).
# The dirty limit is 32 MiB.  The written bytes counted at the device while
# both write must split 66.7/33.3 within 2 percentage points, on ext4 and
# on XFS, with the defaults (policy fair, io_limit following the disk's 2
# tags).  The 2008 configuration (policy weight, io_limit 128 pinned) is
# measured and printed, not judged, with WB_INFO=1: it lets every bio
# through to queue beneath ioband.
# estimate: 420
# timeout: 900
# exclusive: yes
# memory: 3G
. "$REPO/tests/lib/guest.sh"

WINDOW=${WB_WINDOW:-15}
WARM=${WB_WARM:-10}
FSES=${WB_FSES:-ext4 xfs}
load_ioband
# memory-backed: a filesystem must read back what it wrote
disk=$(nullb wslow 1280 irqmode=2 completion_nsec=100000000 hw_queue_depth=2 submit_queues=1 max_sectors=256 \
	queue/scheduler=mq-deadline queue/nr_requests=128 queue/wbt_lat_usec=0)
cg=/sys/fs/cgroup
mountpoint -q $cg || mount -t cgroup2 none $cg
echo "+io +memory" >$cg/cgroup.subtree_control
mkdir -p $cg/wa/w $cg/wb/w
for g in wa wb; do echo "+io +memory" >$cg/$g/cgroup.subtree_control; done
echo $((32 << 20)) >/proc/sys/vm/dirty_bytes
echo $((16 << 20)) >/proc/sys/vm/dirty_background_bytes
mnt=/tmp/wbmnt
mkdir -p $mnt

# status fields: 1 default group (id, 3 read, 3 write), then groups of 7
group_field() { # ID FIELD(1-6) STATUS: that group's counter
	local st i
	st=($3)
	for ((i = 1; i < ${#st[@]}; i += 7)); do
		[ "${st[i]}" = "$1" ] && { echo "${st[i + $2]}"; return; }
	done
	echo missing
}

# split FS LABEL CHECK WHERE [TABLE-ARGS...]: both writers (in wa/w and
# wb/w) write at once; the written sectors of the groups of wa and wb over
# WINDOW seconds.  WHERE: "leaf" attaches wa/w and wb/w, "parent" wa and
# wb.  CHECK: "goal" judges the split, "info" only prints it.
split() {
	local fs=$1 label=$2 how=$3 where=$4 pids=() snap a b d ida idb pa pb
	shift 4
	pa=$cg/wa pb=$cg/wb
	[ "$where" = leaf ] && pa=$cg/wa/w pb=$cg/wb/w
	ida=$(stat -c %i $pa)
	idb=$(stat -c %i $pb)
	ioband_create ioband1 "$disk" 1 "$@" :100 "$ida:80" "$idb:40" || die "create"
	udev_settle
	echo "# settings: $(dmsetup message ioband1 0 settings)"
	case $fs in
	ext4) mkfs.ext4 -q -F /dev/mapper/ioband1 ;;
	xfs) mkfs.xfs -q -f /dev/mapper/ioband1 ;;
	esac
	mount /dev/mapper/ioband1 $mnt || die "mount $fs"
	for g in wa wb; do
		mkdir -p $mnt/$g
		bash -c "echo \$\$ >$cg/$g/w/cgroup.procs; exec fio --name=$g --directory=$mnt/$g --rw=write --bs=64k \
			--ioengine=psync --size=480M --runtime=$((WARM + WINDOW + 30)) --time_based --thread \
			--output=/dev/null" &
		pids+=($!)
	done
	sleep "$WARM"
	dmsetup message ioband1 0 reset
	sleep "$WINDOW"
	snap=$(status_of ioband1)
	kill "${pids[@]}" 2>/dev/null
	wait "${pids[@]}" 2>/dev/null
	a=$(group_field "$ida" 6 "$snap")
	b=$(group_field "$idb" 6 "$snap")
	d=$(group_field -1 6 "$snap")
	label="$fs, $label, $where cgroups attached"
	echo "# $label: written sectors wa $a, wb $b, default group $d"
	echo "# $label: status $snap"
	local pct
	pct=$(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.1f", a + b ? 100 * a / (a + b) : 0}')
	if [ "$how" = goal ]; then
		check "$label: weight 80 wrote $pct % of the two groups' bytes (66.7 +- 2)" \
			awk -v p="$pct" 'BEGIN {exit !(p > 64.7 && p < 68.7)}'
	else
		echo "# (not a goal) $label: weight 80 wrote $pct %"
	fi
	umount $mnt
	dmsetup remove --retry ioband1
}

for fs in $FSES; do
	command -v "mkfs.$fs" >/dev/null || { not_ok "mkfs.$fs is missing in the guest"; continue; }
	# the defaults (4 128: io_limit auto, the disk's 2 tags): bios wait
	# in ioband, in its order
	split "$fs" "the defaults" goal leaf 4 128 cgroup fair 2048
	split "$fs" "the defaults" goal parent 4 128 cgroup fair 2048
	# the 2008 configuration, measured only with WB_INFO=1: every bio
	# passes at once and queues beneath ioband
	if [ "$fs" = ext4 ] && [ "${WB_INFO:-0}" = 1 ]; then
		split "$fs" "weight, io_limit 129" info leaf 4 129 cgroup weight 256
	fi
done

rmdir $cg/wa/w $cg/wb/w $cg/wa $cg/wb
nullb_remove wslow
check "unload" unload_ioband
finish
