#!/usr/bin/env bash
# Crash consistency through ioband, the way fstests checks it with
# dm-log-writes (generic/482): ext4 on an ioband device that sits on a
# dm-log-writes device, which records every write, flush and FUA in the
# order they completed on a log disk of its own.  Three cgroups with
# weights 400, 200 and 100 (type cgroup, policy weight, io_limit 2, so
# ioband holds bios and sends them on in another order than they came,
# journal commits of jbd2 in the default group among them) run fstests'
# fsstress, write operations with many fsyncs, at once.  The log is then
# replayed with fstests' replay-log onto a fresh disk; at every FUA write
# (or every Nth, so that the checks fit in time; N printed) a snapshot of
# the replayed disk is mounted, which recovers the journal, and must pass
# `fsck.ext4 -fn`, as must the whole replay.  The whole replay must equal
# the disk underneath byte for byte, and its files those fsstress left.
#   LOGWRITES_SECONDS=15   how long fsstress runs
#   LOGWRITES_CHECKS=30    about this many FUA points checked, evenly spread, and the last
# fstests is built on the host by tests/host/fstests.sh (not in the repo).
# estimate: 300
# timeout: 900
# memory: 3G
. "$REPO/tests/lib/guest.sh"

FST=$REPO/.cache/fstests/tree
REPLAY=$FST/src/log-writes/replay-log
FSSTRESS=$FST/ltp/fsstress
[ -x "$REPLAY" ] && [ -x "$FSSTRESS" ] || die "fstests is not built: run tests/host/fstests.sh on the host first"
SECS=${LOGWRITES_SECONDS:-15}
MAXCHECKS=${LOGWRITES_CHECKS:-30}
out=$RESULTS/logwrites
mkdir -p "$out"

load_ioband
modprobe dm_log_writes || die "modprobe dm_log_writes"
modprobe dm_snapshot || die "modprobe dm_snapshot"
data=$(nullb lwdata 512 discard=1)
logd=$(nullb lwlog 2048)
replay=$(nullb lwreplay 512 discard=1)
cow=$(nullb lwcow 512)
SZ=$(blockdev --getsz "$data")
echo "0 $SZ log-writes $data $logd" | dmsetup create lw && dmsetup mknodes lw || die "create log-writes"

cg=/sys/fs/cgroup
mountpoint -q $cg || mount -t cgroup2 none $cg
echo "+io +memory" >$cg/cgroup.subtree_control
declare -A W=([lwa]=400 [lwb]=200 [lwc]=100) ID
groups=()
for g in lwa lwb lwc; do
	mkdir -p $cg/$g
	ID[$g]=$(stat -c %i $cg/$g)
	groups+=("${ID[$g]}:${W[$g]}")
done
ioband_create lwib /dev/mapper/lw 1 1 2 cgroup weight 2048 :100 "${groups[@]}" || die "create ioband"
echo "# ioband: $(table_of lwib)"

mnt=/tmp/lwmnt
mkdir -p $mnt
check "mkfs.ext4 through ioband and log-writes" mkfs.ext4 -q -F /dev/mapper/lwib
# replay and checks start from here: a half-made file system is no crash state
check "mark the log after mkfs" dmsetup message lw 0 mark mkfs
mount /dev/mapper/lwib $mnt || die "mount"
dmsetup message lwib 0 reset

seed=${LOGWRITES_SEED:-$RANDOM}
echo "# fsstress: $SECS s, seeds $seed, $((seed + 1)), $((seed + 2)); write operations, fsync and fdatasync often"
pids=()
i=0
for g in lwa lwb lwc; do
	mkdir -p $mnt/$g
	bash -c "echo \$\$ >$cg/$g/cgroup.procs; exec $FSSTRESS -d $mnt/$g -p 2 -n 1000000 --duration=$SECS \
		-s $((seed + i)) -w -f fsync=30 -f fdatasync=15 -f sync=1" >"$out/fsstress-$g.log" 2>&1 &
	pids+=($!)
	i=$((i + 1))
done
rc=0
for p in "${pids[@]}"; do wait "$p" || rc=$?; done
check_eq "the three fsstress runs ended without error" 0 "$rc"
st=$(status_of lwib)
echo "# ioband's settings: $(dmsetup message lwib 0 settings 2>/dev/null)"
echo "# ioband after fsstress: $st"
# status: group id, then 3 read and 3 write counters; the 2nd of each held
sti=($st)
for ((k = 1; k < ${#sti[@]}; k += 7)); do
	name=default
	for g in lwa lwb lwc; do [ "${sti[k]}" = "${ID[$g]}" ] && name="$g (weight ${W[$g]})"; done
	echo "#   group $name: ${sti[k + 4]} writes, ${sti[k + 5]} held"
done
held_groups=$(for ((k = 1; k < ${#sti[@]}; k += 7)); do [ "${sti[k + 5]}" -gt 0 ] && echo x; done | wc -l)
check "ioband held writes of all four groups ($held_groups)" test "$held_groups" -eq 4

# what the files should be: names, types, sizes, modes and the data
manifest() {
	(cd "$1" && find . -printf '%y %p %s %m %l\n' | sort &&
		find . -type f -print0 | sort -z | xargs -0r md5sum)
}
umount $mnt || die "umount"
mount -o ro /dev/mapper/lwib $mnt && manifest $mnt >"$out/manifest.orig" && umount $mnt
nfiles=$(grep -c '^f ' "$out/manifest.orig")
check "fsstress left files ($nfiles)" test "$nfiles" -gt 0
dmsetup remove lwib
dmsetup remove lw
for g in lwa lwb lwc; do rmdir $cg/$g; done

# every entry of the log: replay-log's find mode prints each one it reads
# with -vv, and reads to the end when no mark matches
"$REPLAY" --log "$logd" --find -vv --end-mark no-such-mark >"$out/entries" 2>/dev/null
nentries=$(grep -c '^seek entry' "$out/entries")
mkfs_entry=$("$REPLAY" --log "$logd" --find --end-mark mkfs | cut -d@ -f1)
# the FUA writes after the mark (entry numbers)
fuas=($(awk -v m="${mkfs_entry:-0}" '/^seek entry/ {
	split($3, a, "@"); if (a[1] + 0 > m + 0 && $NF ~ /\(.*FUA/) print a[1] }' "$out/entries"))
nfua=${#fuas[@]}
echo "# the log holds $nentries entries; the mark mkfs is entry ${mkfs_entry:-missing}; $nfua FUA writes follow it"
check "the log recorded entries after mkfs ($nentries, mark at ${mkfs_entry:-none})" \
	test "$nentries" -gt "${mkfs_entry:-$nentries}"
check "FUA writes follow the mark ($nfua)" test "$nfua" -gt 0
[ -n "$mkfs_entry" ] || die "the log has no mark mkfs"

# checkpoints: every EVERY-th FUA write, and the last
every=$(((nfua + MAXCHECKS - 1) / MAXCHECKS))
[ "$every" -ge 1 ] || every=1
points=()
for ((k = every - 1; k < nfua; k += every)); do points+=("${fuas[k]}"); done
[ "$nfua" -gt 0 ] && [ "${points[-1]:-}" != "${fuas[-1]}" ] && points+=("${fuas[-1]}")

# point ENTRY: the replay so far, as a crash would leave the disk: a
# snapshot of it is mounted, which recovers the journal (into the
# snapshot's copy-on-write store; the replay stays as it is), unmounted,
# and must pass fsck.ext4 -fn
RSZ=$(blockdev --getsz "$replay")
point() {
	local rc=0
	echo "0 $RSZ snapshot $replay $cow N 8" | dmsetup create lwsnap 2>/dev/null &&
		dmsetup mknodes lwsnap 2>/dev/null || return 3
	echo "== after entry $1" >>"$out/fsck.log"
	{ mount -t ext4 /dev/mapper/lwsnap $mnt && umount $mnt; } >>"$out/fsck.log" 2>&1 || rc=1
	fsck.ext4 -fn /dev/mapper/lwsnap >>"$out/fsck.log" 2>&1 || rc=2
	dmsetup remove lwsnap 2>/dev/null
	return $rc
}
# replay_range ENTRY COUNT: replay COUNT entries from ENTRY on (all, without COUNT)
replay_range() {
	"$REPLAY" --log "$logd" --replay "$replay" --start-entry "$1" ${2:+--limit "$2"} >>"$out/replay.log" 2>&1
}

t0=$SECONDS
: >"$out/fsck.log"
replay_range 0 $((mkfs_entry + 1)) || not_ok "replay to the mark mkfs"
prev=$mkfs_entry bad=0 nchecked=0
for c in "${points[@]}"; do
	replay_range $((prev + 1)) $((c - prev)) || { not_ok "replay of entries $((prev + 1)) to $c"; bad=1; break; }
	prev=$c
	nchecked=$((nchecked + 1))
	point "$c" || { echo "# after entry $c: the check failed ($?), see fsck.log"; bad=1; }
done
[ $((prev + 1)) -lt "$nentries" ] && { replay_range $((prev + 1)) || not_ok "replay of the rest"; }
echo "# checked $nchecked of $nfua FUA points (every $every-th and the last) in $((SECONDS - t0)) s"
check "every checked FUA point is clean after journal recovery ($nchecked checked)" \
	test "$nchecked" -gt 0 -a "$bad" = 0
check "the whole replay is clean (fsck.ext4 -fn)" sh -c 'fsck.ext4 -fn "$0" >"$1" 2>&1' "$replay" "$out/fsck-final.log"
check "the whole replay equals the disk under log-writes" cmp "$data" "$replay"
mount -o ro "$replay" $mnt && manifest $mnt >"$out/manifest.replay" && umount $mnt
check "the replayed files are those fsstress left" cmp "$out/manifest.orig" "$out/manifest.replay"

for n in lwdata lwlog lwreplay lwcow; do nullb_remove $n; done
check "unload" unload_ioband
finish
