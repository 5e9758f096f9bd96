#!/usr/bin/env bash
# fstests (xfstests) over ioband, judged against dm-linear.  A chosen list
# of fstests runs on ext4 and on XFS with TEST_DEV and SCRATCH_DEV on
# ioband devices, then with both on dm-linear over the same kind of disks
# (memory-backed null_blk, discard on); every test must end the same way
# (pass, fail or not run) on both, and enough of them must pass.
# TEST_DEV's ioband has the table's defaults (`<dev> 1`).  SCRATCH_DEV's
# holds bios: io_throttle 1, io_limit 2, policy weight, type cgroup with
# fstests' own cgroup attached (weight 200) beside the default group
# (weight 100), where the journal and log writes of kernel threads land.
# So the data a test writes and the journal commits (flush/FUA) that
# order it wait in two groups and leave ioband in another order than they
# came; the suite checks that ioband did hold bios of both groups.  Most
# tests do their work on SCRATCH_DEV, including those that stack
# dm-flakey, dm-error, dm-thin, dm-linear (freeze vs suspend) or
# dm-log-writes on it.
#   FSTESTS_LIST=ci (default) | long | generic/001,generic/002  (run.py
#   passes no spaces: commas; spaces work when run by hand)
#   FSTESTS_FSES=ext4,xfs  FSTESTS_TARGETS=ioband,linear
# fstests is built on the host by tests/host/fstests.sh (not in the repo).
# Its results (check.log, check.time, check's output, and the .out.bad, .full
# and .dmesg of every test that failed) are saved under $RESULTS/fstests/.
# estimate: 420
# timeout: 1500
# memory: 3G
. "$REPO/tests/lib/guest.sh"

SRC=$REPO/.cache/fstests/tree
[ -x "$SRC/check" ] || die "fstests is not built: run tests/host/fstests.sh on the host first"

# ci: five quick tests, one for each path of ioband a file system leans
# on, about 6 minutes for both file systems and both targets under TCG:
#  052  shutdown (godown) and log recovery, on SCRATCH_DEV
#  240  AIO direct writes smaller than a block into holes (512-byte bios),
#       on TEST_DEV
#  335  fsync of a rename, power cut by dm-flakey stacked on SCRATCH_DEV,
#       remount: the journal's flush/FUA ordering through ioband
#  537  fstrim (discard) and fstrim refused under norecovery, on SCRATCH_DEV
#  678  io_uring reads over several extents, on TEST_DEV
CI_LIST="generic/052 generic/240 generic/335 generic/537 generic/678"
# long: the ci list and more of each kind (about 40 minutes a file system
# and target under TCG; generic/040 and 738 alone take 5 and 8 of them):
#  direct I/O and AIO: 091 (fsx DIO against buffered I/O) 198 207 210 538
#    113 (aio-stress) 263 (fsx AIO DIO)
#  power cuts after fsync (dm-flakey): 034 039 040 321 322 341 376 483 311
#    703 (io_uring O_DSYNC direct writes)
#  shutdown and recovery: 392 417 468 047 048 388 475 (dm-error below the
#    journal mid-fsstress)
#  freeze: 085 (freeze against suspend of a dm-linear on top) 068 390 491 738
#  discard: 260 288 251 500 (dm-thin)
#  dm-error on top: 250; dm-log-writes replayed at every FUA: 455 482
#  fsstress and fio at length: 013 095 299
LONG_LIST="$CI_LIST generic/091 generic/198 generic/207 generic/210 generic/538 generic/113
generic/263 generic/034 generic/039 generic/040 generic/321 generic/322 generic/341 generic/376
generic/483 generic/311 generic/703 generic/392 generic/417 generic/468 generic/047 generic/048
generic/388 generic/475 generic/085 generic/068 generic/390 generic/491 generic/738 generic/260
generic/288 generic/251 generic/500 generic/250 generic/455 generic/482 generic/013 generic/095
generic/299"
case ${FSTESTS_LIST:-ci} in
ci) LIST=$CI_LIST ;;
long) LIST=$LONG_LIST ;;
*) LIST=${FSTESTS_LIST//,/ } ;;
esac
LIST=$(echo $LIST)
FSES=${FSTESTS_FSES:-ext4,xfs}
TARGETS=${FSTESTS_TARGETS:-ioband,linear}
echo "# fstests list ($(wc -w <<<"$LIST") tests): $LIST"

# the shared root is read-only: fstests runs from an overlay with its
# upper layer in the guest's memory, where it may write what it likes
# (a tmpfs of its own: the guest's /tmp may not do as an upper layer)
work=/tmp/fstests ovl=/tmp/fstests-ovl
mkdir -p $work $ovl
mount -t tmpfs -o size=1g fstests-ovl $ovl && mkdir -p $ovl/upper $ovl/work &&
	mount -t overlay overlay -o "lowerdir=$SRC,upperdir=$ovl/upper,workdir=$ovl/work" $work ||
	cp -a "$SRC/." "$work/" || die "no writable copy of fstests"
out=$RESULTS/fstests
mkdir -p "$out"

# fstests' users and groups: copies of passwd and group with the extra
# lines are bound over them for this suite only (the guest's /etc is an
# overlay on the host's, which stays untouched either way; the next suite
# of the boot should not find them)
etc=/tmp/fstests-etc
mkdir -p "$etc"
cp /etc/passwd /etc/group "$etc/"
uid=31000
for u in fsgqa fsgqa2 123456-fsgqa; do
	while getent passwd "$uid" >/dev/null || getent group "$uid" >/dev/null; do uid=$((uid + 1)); done
	getent passwd "$u" >/dev/null || echo "$u:x:$uid:$uid::/tmp:/bin/bash" >>"$etc/passwd"
	getent group "$u" >/dev/null || echo "$u:x:$uid:" >>"$etc/group"
	uid=$((uid + 1))
done
cg=/sys/fs/cgroup
mount --bind "$etc/passwd" /etc/passwd || die "bind passwd"
mount --bind "$etc/group" /etc/group || die "bind group"
cleanup() {
	umount /etc/passwd /etc/group 2>/dev/null
	mountpoint -q $work && umount $work
	mountpoint -q $ovl && umount $ovl
	[ -d "$cg/fst" ] && rmdir "$cg/fst" 2>/dev/null
}
trap cleanup EXIT
check "fstests' users resolve" sh -c '(id fsgqa && id fsgqa2 && id 123456-fsgqa) >/dev/null'

# fstests runs in a cgroup of its own, which SCRATCH_DEV's ioband attaches
mountpoint -q $cg || mount -t cgroup2 none $cg
echo "+io +memory" >$cg/cgroup.subtree_control
mkdir -p $cg/fst
cgid=$(stat -c %i $cg/fst)

load_ioband
# tests that mount an image file need loop devices (no static /dev nodes here)
modprobe loop 2>/dev/null
TMNT=/tmp/fst-test SMNT=/tmp/fst-scratch
mkdir -p $TMNT $SMNT

# held GROUP-ID STATUS: the bios ioband held (read + write delayed) of a group
held() {
	local st i
	st=($2)
	for ((i = 1; i < ${#st[@]}; i += 7)); do
		[ "${st[i]}" = "$1" ] && { echo $((st[i + 2] + st[i + 5])); return; }
	done
	echo 0
}

# run FS TARGET: the list on fresh disks; leaves $out/FS-TARGET.res
# ("test status seconds" a line)
run() {
	local fs=$1 tgt=$2 t s l sz rb=/tmp/fst-results/$1-$2 st
	# XFS wants 300 MiB at least
	t=$(nullb fstt 512 discard=1) || return 1
	s=$(nullb fsts 1024 discard=1) || return 1
	l=$(nullb fstl 1024 discard=1) || return 1
	sz=$(blockdev --getsz "$t")
	case $tgt in
	ioband)
		ioband_create fst-test "$t" 1 || return 1
		ioband_create fst-scratch "$s" 2 1 2 cgroup weight 2048 :100 "$cgid:200" || return 1
		;;
	linear)
		linear_slice fst-test "$t" 0 "$sz" || return 1
		linear_slice fst-scratch "$s" 0 "$(blockdev --getsz "$s")" || return 1
		;;
	esac
	case $fs in
	ext4) mkfs.ext4 -q -F /dev/mapper/fst-test ;;
	xfs) mkfs.xfs -q -f /dev/mapper/fst-test ;;
	esac || return 1
	cat >"$work/local.config" <<-EOF
		export FSTYP=$fs
		export TEST_DEV=/dev/mapper/fst-test
		export TEST_DIR=$TMNT
		export SCRATCH_DEV=/dev/mapper/fst-scratch
		export SCRATCH_MNT=$SMNT
		export LOGWRITES_DEV=$l
		export RESULT_BASE=$rb
	EOF
	rm -rf "$rb"
	local t0=$SECONDS
	mark "$fs on $tgt: devices made, check starts"
	echo "fstests suite: $fs on $tgt, check starts" >/dev/kmsg
	# udev runs in the guest and fstests waits for it (run-in-guest.sh
	# turns it off for dmsetup, whose warning would change tests' output)
	# shellcheck disable=SC2086
	(cd "$work" && echo $BASHPID >$cg/fst/cgroup.procs && exec env -u DM_DISABLE_UDEV ./check $LIST) \
		>"$out/check-$fs-$tgt.txt" 2>&1
	echo "# $fs on $tgt: fstests took $((SECONDS - t0)) s"
	if [ "$tgt" = ioband ]; then
		st=$(status_of fst-scratch)
		# what the tables came to (io_limit "auto" follows the disk's depth)
		echo "# $fs: TEST_DEV's ioband: $(table_of fst-test); $(dmsetup message fst-test 0 settings 2>/dev/null)"
		echo "# $fs: SCRATCH_DEV's ioband: $(table_of fst-scratch); $(dmsetup message fst-scratch 0 settings 2>/dev/null)"
	fi
	results "$rb/check.log" "$out/check-$fs-$tgt.txt" >"$out/$fs-$tgt.res"
	[ -s "$out/$fs-$tgt.res" ] || not_ok "$fs on $tgt: no results (check's output: $out/check-$fs-$tgt.txt)"
	# what to look at later: the logs, and the files of the failed tests
	mkdir -p "$out/$fs-$tgt"
	cp "$rb"/check.log "$rb"/check.time "$out/$fs-$tgt/" 2>/dev/null
	local f
	for f in $(awk '$2 == "fail" {print $1}' "$out/$fs-$tgt.res" 2>/dev/null); do
		mkdir -p "$out/$fs-$tgt/${f%/*}"
		cp "$rb/$f".out.bad "$rb/$f".full "$rb/$f".dmesg "$out/$fs-$tgt/${f%/*}/" 2>/dev/null
	done
	for m in $(awk '$1 ~ "^/dev/(mapper/fst|nullb|fst)" || $2 ~ "^/tmp/fst-" {print $2}' /proc/mounts | sort -r); do
		umount "$m"
	done
	dmsetup remove --retry fst-test
	dmsetup remove --retry fst-scratch
	nullb_remove fstt
	nullb_remove fsts
	nullb_remove fstl
	if [ "$tgt" = ioband ]; then
		echo "# $fs: SCRATCH_DEV's ioband at the end: $st"
		check "$fs: SCRATCH_DEV's ioband held bios of fstests' cgroup ($(held "$cgid" "$st"))" \
			test "$(held "$cgid" "$st")" -gt 0
		check "$fs: SCRATCH_DEV's ioband held bios of the default group ($(held -1 "$st"))" \
			test "$(held -1 "$st")" -gt 0
	fi
}

# results CHECK.LOG CHECK-OUTPUT: "test pass|fail|notrun|missing seconds" a
# line for each test of the list; check.log's Failures and Not run lines
# decide, check's output has the times (and why a test did not run)
results() {
	local failed notrun ran t v secs
	ran=" $(sed -n 's/^Ran: //p' "$1" 2>/dev/null) "
	failed=" $(sed -n 's/^Failures: //p' "$1" 2>/dev/null) "
	notrun=" $(sed -n 's/^Not run: //p' "$1" 2>/dev/null) "
	for t in $LIST; do
		v=pass
		[[ $ran == *" $t "* ]] || v=missing
		[[ $notrun == *" $t "* ]] && v=notrun
		[[ $failed == *" $t "* ]] && v=fail
		secs=$(awk -v t="$t" '$1 == t {for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+s$/) {print $i + 0; exit}}' "$2")
		echo "$t $v ${secs:--}"
	done
}

summary() { # FILE: "N pass, N fail, N notrun"
	awk '{n[$2]++} END {printf "%d pass, %d fail, %d notrun, %d missing", n["pass"], n["fail"], n["notrun"], n["missing"]}' "$1"
}

for fs in ${FSES//,/ }; do
	for tgt in ${TARGETS//,/ }; do
		run "$fs" "$tgt" || not_ok "$fs on $tgt: could not set up the devices"
		[ -f "$out/$fs-$tgt.res" ] || continue
		echo "# $fs on $tgt: $(summary "$out/$fs-$tgt.res")"
		awk '{printf "#   %-12s %-7s %s s\n", $1, $2, $3}' "$out/$fs-$tgt.res"
		grep '\[not run\]' "$out/check-$fs-$tgt.txt" | sed "s/^/#   ($fs, $tgt) /"
	done
	[ -f "$out/$fs-ioband.res" ] && [ -f "$out/$fs-linear.res" ] || continue
	diffs=$(join -a1 -a2 -e missing -o 0,1.2,2.2 <(sort "$out/$fs-ioband.res") <(sort "$out/$fs-linear.res") |
		awk '$2 != $3 {print $1 " ioband:" $2 " linear:" $3}')
	[ -z "$diffs" ] || echo "$diffs" | sed "s/^/# $fs differs: /"
	check_eq "$fs: every test ends the same on ioband as on dm-linear" "" "$diffs"
	npass=$(awk '$2 == "pass"' "$out/$fs-ioband.res" | wc -l)
	check "$fs: tests passed on ioband ($npass of $(wc -l <"$out/$fs-ioband.res"))" test "$npass" -gt 0
done
check "unload" unload_ioband
finish
