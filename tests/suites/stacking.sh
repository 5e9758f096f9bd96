#!/usr/bin/env bash
# ioband stacked under and over the rest of Linux's storage stack: dm-crypt
# (LUKS2), LVM (a mirrored and a striped LV), md raid1, dm-thin, loop
# devices, ext4 and XFS.  Every ioband device holds bios (io_throttle 1,
# io_limit 2, policy weight, 32 tokens) with two groups of different
# weights busy at once: under a stack, two ioband devices of one device
# group (weights 80 and 40) both carry the stack, or one carries it and the
# other a writer of its own; over a stack, uid 1000 (80) and uid 2000 (40)
# write through one device.  In each stack crc32c-verified fio keeps I/O in
# flight while the device above ioband, ioband itself and the device below
# are suspended and resumed (flush and --noflush); ioband must have held
# bios meanwhile.  Then fio writes everything once more and reads it back.
# Every step runs under timeout(1); one stuck in the kernel is a hung task
# (20 s) too, and the kernel log has a "stacking: ..." line before each
# stack and each suspend or resume, so that the blocked-task report there
# shows where it hung.  Each stack tears itself down, and is failed when it
# leaves anything behind.
# estimate: 300
# timeout: 900
. "$REPO/tests/lib/guest.sh"

load_ioband
for m in dm_crypt dm_thin_pool raid1 loop; do modprobe "$m" || die "modprobe $m"; done
# LVM's raid1 needs dm-raid, which the debug kernel does not build: there
# the mirrored LV is the older dm-mirror kind
if modprobe dm_raid 2>/dev/null; then
	MIRROR=(--type raid1 -m 1 --nosync)
else
	modprobe dm_mirror || die "modprobe dm_mirror"
	MIRROR=(--type mirror -m 1 --mirrorlog core --nosync)
fi
out=$RESULTS/fio
mkdir -p "$out" && chmod 777 "$out"
MNT=/tmp/stk-mnt
TMP=/tmp/stk-tmp
mkdir -p "$MNT" "$TMP"
mount -t tmpfs -o size=64m stk-tmp "$TMP" || die "tmpfs on $TMP"

STACK=none
# stage NAME: say which stack runs, in the output and in the kernel log
stage() {
	STACK=$1
	echo "# stack: $1"
	echo "stacking: stack $1" >/dev/kmsg
	mark "stage $1"
}
# b SECS CMD...: CMD within SECS (SIGTERM, SIGKILL 5 s later)
b() { local s=$1; shift; timeout -k 5 "$s" "$@"; }
# step DESCRIPTION CMD...: check, returning CMD's status (a stack whose
# set-up failed skips its I/O and goes on to its clean-up)
step() { local d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d (command: $*)"; return 1; fi; }
wait_for() { local end=$((SECONDS + $2)); until eval "$1"; do [ $SECONDS -lt $end ] || return 1; sleep 0.2; done; }

# --- devices ---------------------------------------------------------
# The disks are null_blk that take 2 ms a request (a timer, not a busy
# CPU): with io_limit 2 ioband holds whatever fio queues beyond two bios,
# and I/O stays in flight without fio eating the guest's time.
disk() { nullb "$1" "$2" irqmode=2 completion_nsec=2000000; }
# HOLD: io_throttle 1, io_limit 2: the least ioband takes
HOLD="1 2"
# ib NAME DEV ARGS...: an ioband device (libdevmapper makes the node:
# the runner sets DM_DISABLE_UDEV)
ib() {
	local n=$1 d=$2
	shift 2
	echo "0 $(blockdev --getsz "$d") ioband $d $*" | dmsetup create "$n" && [ -b "/dev/mapper/$n" ]
}
# pair_up: ioband stk-a (weight 80) and stk-b (weight 40) in device group 1,
# each over a disk of its own
pair_up() {
	local a b
	a=$(disk stkda 128) && b=$(disk stkdb 128) &&
		ib stk-a "$a" 1 $HOLD none weight 32 :80 && ib stk-b "$b" 1 $HOLD none weight 32 :40
}
pair_down() { rm_dm stk-a stk-b && nullb_remove stkda && nullb_remove stkdb; }
# top_up DEV: ioband stk-top over DEV in device group 2, type uid, groups
# uid 1000 (weight 80) and uid 2000 (weight 40); both users may open it
top_up() { ib stk-top "$1" 2 $HOLD uid weight 32 :100 1000:80 2000:40 && chmod 666 /dev/mapper/stk-top; }
rm_dm() { b 60 dmsetup remove --retry "$@"; }
# holds DEV: the settings message says DEV's device group holds bios as set
# here (policy weight, 32 tokens, io_throttle 1, io_limit 2)
holds() {
	local s
	s=$(dmsetup message "$1" 0 settings) || return 1
	echo "# $1: $s"
	case " $s " in *" policy=weight token=32 "*" effective_io_throttle=1 effective_io_limit=2 "*) ;; *) return 1 ;; esac
}
# disks_down NAME...: remove these null_blk disks
disks_down() { local n; for n; do nullb_remove "$n" || return 1; done; }
# the status lines of all devices, once: writes below counts from them
snap() { STATUS=$(dmsetup status); }
# writes DEV [GROUP]: writes ioband DEV counted (in GROUP, or in all groups)
writes() {
	local line f i s=0
	while read -r line; do
		[ "${line%%:*}" = "$1" ] || continue
		# NAME: START LEN ioband <device-group-id>, then per group: id
		# reads read-delayed read-sectors writes write-delayed write-sectors
		read -r -a f <<<"$line"
		for ((i = 5; i + 6 < ${#f[@]}; i += 7)); do
			[ "${2:-all}" = all ] || [ "${f[i]}" = "$2" ] && s=$((s + f[i + 4]))
		done
	done <<<"$STATUS"
	echo $s
}
# both_wrote - DEV1 DEV2 | both_wrote DEV G1 G2: both devices (or groups) wrote
both_wrote() {
	local a b
	snap
	if [ "$1" = - ]; then
		a=$(writes "$2") b=$(writes "$3")
		check "$STACK: both devices of the device group wrote ($2: $a, $3: $b)" test "${a:-0}" -gt 0 -a "${b:-0}" -gt 0
	else
		a=$(writes "$1" "$2") b=$(writes "$1" "$3")
		check "$STACK: both groups wrote (uid $2: $a, uid $3: $b)" test "${a:-0}" -gt 0 -a "${b:-0}" -gt 0
	fi
}

# --- fio -------------------------------------------------------------
# Random writes of 4-64 KiB at queue depth 8, crc32c in every block.  The
# jobs of one run go in one fio process (fio's start costs seconds under
# TCG); --uid makes a job another user's.  Terse results, a line per job:
# field 5 the job's error, 6 KiB read (verified), 47 KiB written.
FIO=(fio --minimal --ioengine=libaio --direct=1 --iodepth=8 --rw=randwrite --bsrange=4k-64k
	--verify=crc32c --verify_fatal=1 --verify_state_save=0)
# fio_run NAME OPTIONS... JOBS...: exit status to NAME.rc, the pid of its
# timeout (fio's parent) to NAME.pid
fio_run() {
	local n=$1
	shift
	rm -f "$out/$n.rc" "$out/$n.pid"
	# fio stopped by a signal finishes what it does first: the I/O ioband
	# holds, its verify backlog, or laying out a file on ext4, which on
	# the debug kernel takes more than half a minute
	timeout -k $((30 * SLOWDOWN)) 150 "${FIO[@]}" --output="$out/$n.terse" "$@" >"$out/$n.log" 2>&1 &
	echo $! >"$out/$n.pid"
	wait $!
	echo $? >"$out/$n.rc"
}
# vfio NAME JOBS...: write everything, then read it all back and verify
vfio() { local n=$1; shift; fio_run "$n" --do_verify=1 "$@"; }
# tfio NAME JOBS..., in the background: random writes until tfio_stop,
# every 8 blocks read back and verified
tfio() { local n=$1; shift; fio_run "$n" --time_based --runtime=120 --verify_backlog=8 "$@" & }
tfio_stop() {
	kill -TERM "$(cat "$out/$1.pid")" 2>/dev/null
	wait_for "[ -s '$out/$1.rc' ]" $((40 * SLOWDOWN)) || echo "# fio $1 did not stop"
}
# fio_good NAME [stopped|written]: fio exited 0 (stopped: 128, as tfio_stop
# makes it), no job failed, every job wrote and (but written) verified
fio_good() {
	local rc
	rc=$(cat "$out/$1.rc" 2>/dev/null)
	[ "$rc" = 0 ] || { [ "$rc" = 128 ] && [ "${2:-}" = stopped ]; } || return 1
	awk -F';' -v w="${2:-}" 'NF >= 47 { jobs++; if ($5 != 0 || ($6 == 0 && w != "written") || $47 == 0) bad = 1 }
		END { exit bad || !jobs }' "$out/$1.terse"
}
# fio_check NAME [stopped|written]: fio_good as a verdict, saying what was done
fio_check() {
	local what
	what=$(awk -F';' 'NF >= 47 { j++; r += $6; w += $47 }
		END { printf "jobs: %d, %d KiB written, %d KiB read back", j, w, r }' "$out/$1.terse" 2>/dev/null)
	if fio_good "$@"; then
		ok "$STACK: fio $1 verified, no error ($what)"
	else
		not_ok "$STACK: fio $1 (exit $(cat "$out/$1.rc" 2>/dev/null), $what)"
		grep -h -m 5 -i "verify\|error\|fio:" "$out/$1.terse" "$out/$1.log" 2>/dev/null | sed 's/^/#   /'
	fi
}
# cycles WATCH NAME SPEC...: with fio run NAME going, suspend and resume
# (tests/lib/cycle.py says how SPEC reads); its verdicts become this suite's
cycles() {
	local w=$1 n=$2 line pid
	shift 2
	wait_for "[ -s '$out/$n.pid' ]" 10 || { not_ok "$STACK: fio $n did not start"; return; }
	pid=$(cat "$out/$n.pid")
	while IFS= read -r line; do
		case $line in
		"ok - "*) ok "$STACK: ${line#ok - }" ;;
		"not ok - "*) not_ok "$STACK: ${line#not ok - }" ;;
		"exit 0" | "exit 3") ;;
		"exit "*) not_ok "$STACK: cycle.py failed (${line})" ;;
		*) echo "$line" ;;
		esac
	done < <(b 120 python3 "$REPO/tests/lib/cycle.py" "$w" "$pid" "$@"; echo "exit $?")
}
# the two users' jobs over DEV: 2 MiB each, in two places
ujobs() {
	UJOBS=(--name=u1000 --uid=1000 --gid=1000 --filename="$1" --size=2M
		--name=u2000 --uid=2000 --gid=2000 --filename="$1" --size=2M --offset=8M)
}

# sweep: what a stack left behind (its own clean-up failed): take it down,
# fail the stack for it.  Builtins where they do: every process costs.
sweep() {
	local left="" dev mp rest f n pass
	while read -r dev mp rest; do
		case $mp in "$MNT"*) umount -l "$mp" && left+=" mount:$mp" ;; esac
	done </proc/mounts
	for f in /sys/block/loop*/loop/backing_file; do
		[ -r "$f" ] || continue
		read -r n <"$f"
		case $n in *stk-img*) f=${f#/sys/block/}; losetup -d "/dev/${f%%/*}" && left+=" loop:${f%%/*}" ;; esac
	done
	while read -r n rest; do
		[ "$n" = md100 ] && b 30 mdadm --stop /dev/md100 >/dev/null 2>&1 && left+=" md100"
	done </proc/mdstat
	for pass in 1 2 3; do
		for n in $(dmsetup ls 2>/dev/null | awk '$1 ~ /^(stk-|vgs-)/ {print $1}' | sort -r); do
			b 30 dmsetup remove --force "$n" >/dev/null 2>&1 && left+=" dm:$n"
		done
	done
	for f in /sys/kernel/config/nullb/stk*/; do
		[ -d "$f" ] || continue
		n=${f%/}
		nullb_remove "${n##*/}" && left+=" nullb:${n##*/}"
	done
	check_eq "$STACK: torn down, nothing left behind" "" "$left"
}

# LVM without udev, scanning only the PVs this suite makes (a PV label on
# ioband shows on the disk below it too: LVM would see duplicates)
LVMCONF='devices { obtain_device_list_from_udev = 0 use_devicesfile = 0 types = [ "nullb", 16 ]
	filter = [ "a|^/dev/mapper/stk-[ab]$|", "a|^/dev/stkl0$|", "r|.*|" ] }
	activation { udev_sync = 0 udev_rules = 0 monitoring = 0 }
	backup { backup = 0 archive = 0 }'
export LVM_SUPPRESS_FD_WARNINGS=1
lvm_() { local c=$1; shift; b 60 "$c" -q --config "$LVMCONF" "$@" >/dev/null; }
# (vgcreate labels the PVs itself; vgremove -f takes the LVs with it; the
# labels go with the disks)
vg_up() { lvm_ vgcreate vgs "$@"; }
vg_down() { lvm_ vgremove -f vgs; }

KEY=$TMP/key
head -c 64 /dev/urandom >"$KEY"
# luks DEV NAME: LUKS2 on DEV (a cheap key derivation: TCG), opened as NAME
luks() {
	b 60 cryptsetup luksFormat -q --type luks2 --pbkdf pbkdf2 --pbkdf-force-iterations 1000 \
		--key-file "$KEY" "$1" && b 30 cryptsetup open --key-file "$KEY" "$1" "$2"
}

# md raid1 over two devices: --assume-clean (no resync), no bitmap
md_up() {
	b 60 mdadm --create /dev/md100 --level=1 --raid-devices=2 --metadata=1.2 \
		--assume-clean --run --bitmap=none --quiet "$@" </dev/null && wait_for '[ -b /dev/md100 ]' 10
}
md_down() { b 30 mdadm --stop --quiet /dev/md100 && b 30 mdadm --zero-superblock "$@"; }

# thin_up DATA: pool stk-pool over DATA (metadata on null_blk stkmeta,
# 64 KiB blocks, new blocks zeroed), thin volume stk-thin (32 MiB, id 0)
thin_up() {
	local meta
	meta=$(disk stkmeta 16) &&
		echo "0 $(blockdev --getsz "$1") thin-pool $meta $1 128 0" | b 30 dmsetup create stk-pool &&
		b 30 dmsetup message stk-pool 0 "create_thin 0" &&
		echo "0 65536 thin /dev/mapper/stk-pool 0" | b 30 dmsetup create stk-thin
}
# clean FSCK...: a read-only file system check passes (its report only
# when it fails)
clean() {
	local r
	r=$(b 60 "$@" 2>&1) && return 0
	printf '%s\n' "$r" | tail -n 20 | sed 's/^/#   /'
	return 1
}
# thin_down: remove the volume and the pool, then check the pool's metadata
thin_down() {
	rm_dm stk-thin && b 30 dmsetup message stk-pool 0 "delete 0" && rm_dm stk-pool &&
		b 60 thin_check -q /dev/stkmeta
}

###########################################################################
stage "control: the verification catches a corrupted block"
# on stk-b of the first stack's pair: written, one block changed beneath
# ioband, then the verify-only pass must fail on a verification error
caught() {
	[ "$(cat "$out/ctl-v.rc")" != 0 ] && awk -F';' 'NF >= 47 && $5 != 0 { bad = 1 } END { exit !bad }' "$out/ctl-v.terse"
}
if step "$STACK: two ioband devices in one device group" pair_up; then
	fio_run ctl-w --do_verify=0 --name=w --filename=/dev/mapper/stk-b --size=2M
	fio_check ctl-w written
	# one 4 KiB block, in the middle of what fio wrote
	dd if=/dev/urandom of=/dev/stkdb bs=4k count=1 seek=256 oflag=direct conv=notrunc status=none
	fio_run ctl-v --verify_only --name=w --filename=/dev/mapper/stk-b --size=2M
	check "$STACK: fio's verify fails on it" caught
	check "$STACK: stk-a holds bios: weight, io_throttle 1, io_limit 2" holds stk-a
	check "$STACK: stk-b too" holds stk-b
	PAIR=yes
else
	PAIR=no
fi

stage "dm-crypt (LUKS2) over ioband"
if [ $PAIR = yes ] && step "$STACK: luksFormat and open on stk-a" luks /dev/mapper/stk-a stk-crypt; then
	J=(--name=crypt --filename=/dev/mapper/stk-crypt --size=2M
		--name=b --filename=/dev/mapper/stk-b --size=2M)
	tfio c1 "${J[@]}"
	cycles stk-a c1 stk-crypt:3 stk-a:1 stk-a:1:noflush
	tfio_stop c1
	fio_check c1 stopped
	vfio c2 "${J[@]}"
	fio_check c2
	both_wrote - stk-a stk-b
	check "$STACK: close" b 30 cryptsetup close stk-crypt
fi
check "$STACK: remove the ioband pair" pair_down
sweep

stage "ioband over dm-crypt (LUKS2)"
if d=$(disk stkd 64) && step "$STACK: luksFormat and open" luks "$d" stk-crypt &&
	step "$STACK: ioband over the crypt device" top_up /dev/mapper/stk-crypt; then
	check "$STACK: stk-top holds bios: weight, io_throttle 1, io_limit 2" holds stk-top
	ujobs /dev/mapper/stk-top
	tfio c3 "${UJOBS[@]}"
	cycles stk-top c3 stk-crypt:1 stk-top:1:noflush
	tfio_stop c3
	fio_check c3 stopped
	vfio c4 "${UJOBS[@]}"
	fio_check c4
	both_wrote stk-top 1000 2000
	check "$STACK: remove ioband" rm_dm stk-top
	check "$STACK: close" b 30 cryptsetup close stk-crypt
fi
check "$STACK: remove the disk" disks_down stkd
sweep

###########################################################################
stage "LVM mirrored and striped LVs on ioband PVs"
if step "$STACK: two ioband devices in one device group" pair_up &&
	step "$STACK: vgcreate on stk-a, stk-b" vg_up /dev/mapper/stk-a /dev/mapper/stk-b &&
	step "$STACK: lvcreate ${MIRROR[*]}" lvm_ lvcreate --yes "${MIRROR[@]}" -L 16M -n mir vgs &&
	step "$STACK: lvcreate striped -i 2" lvm_ lvcreate --yes -i 2 -I 64k -L 16M -n str vgs; then
	J=(--name=mir --filename=/dev/mapper/vgs-mir --size=2M
		--name=str --filename=/dev/mapper/vgs-str --size=2M)
	tfio l1 "${J[@]}"
	cycles stk-a l1 vgs-mir:2 vgs-str:2 stk-a:1 stk-b:1:noflush
	check "$STACK: lvchange --refresh (reload, suspend, resume) of the striped LV" lvm_ lvchange --refresh vgs/str
	check "$STACK: fio ran through the refresh" test ! -s "$out/l1.rc"
	tfio_stop l1
	fio_check l1 stopped
	vfio l2 "${J[@]}"
	fio_check l2
	both_wrote - stk-a stk-b
	check "$STACK: vgremove" vg_down
fi
check "$STACK: remove the ioband pair" pair_down
sweep

stage "ioband over an LV"
if d=$(disk stkl0 64) && step "$STACK: vgcreate" vg_up "$d" &&
	step "$STACK: lvcreate" lvm_ lvcreate --yes -L 32M -n lv vgs &&
	step "$STACK: ioband over the LV" top_up /dev/mapper/vgs-lv; then
	ujobs /dev/mapper/stk-top
	tfio l3 "${UJOBS[@]}"
	cycles stk-top l3 vgs-lv:1 stk-top:1:noflush
	tfio_stop l3
	fio_check l3 stopped
	vfio l4 "${UJOBS[@]}"
	fio_check l4
	both_wrote stk-top 1000 2000
	check "$STACK: remove ioband" rm_dm stk-top
	check "$STACK: vgremove" vg_down
fi
check "$STACK: remove the disk" disks_down stkl0
sweep

###########################################################################
stage "md raid1 over two ioband devices"
if step "$STACK: two ioband devices in one device group" pair_up &&
	step "$STACK: mdadm --create raid1 on stk-a, stk-b" md_up /dev/mapper/stk-a /dev/mapper/stk-b; then
	J=(--name=md --filename=/dev/md100 --size=2M --numjobs=2 --offset_increment=8M)
	tfio m1 "${J[@]}"
	cycles stk-a m1 stk-a:1 stk-b:1:noflush
	tfio_stop m1
	fio_check m1 stopped
	vfio m2 "${J[@]}"
	fio_check m2
	both_wrote - stk-a stk-b
	check "$STACK: the array is not degraded" grep -qx 0 /sys/block/md100/md/degraded
	check "$STACK: mdadm --stop, --zero-superblock" md_down /dev/mapper/stk-a /dev/mapper/stk-b
fi
check "$STACK: remove the ioband pair" pair_down
sweep

stage "ioband over md raid1"
if m0=$(disk stkm0 64) && m1=$(disk stkm1 64) &&
	step "$STACK: mdadm --create raid1" md_up "$m0" "$m1" &&
	step "$STACK: ioband over md" top_up /dev/md100; then
	ujobs /dev/mapper/stk-top
	tfio m3 "${UJOBS[@]}"
	cycles stk-top m3 stk-top:1 stk-top:1:noflush
	tfio_stop m3
	fio_check m3 stopped
	vfio m4 "${UJOBS[@]}"
	fio_check m4
	both_wrote stk-top 1000 2000
	check "$STACK: remove ioband" rm_dm stk-top
	check "$STACK: mdadm --stop, --zero-superblock" md_down "$m0" "$m1"
fi
check "$STACK: remove the disks" disks_down stkm0 stkm1
sweep

###########################################################################
stage "dm-thin with its data device on ioband"
if step "$STACK: two ioband devices in one device group" pair_up &&
	step "$STACK: thin-pool with data on stk-a, a thin volume" thin_up /dev/mapper/stk-a; then
	J=(--name=thin --filename=/dev/mapper/stk-thin --size=2M
		--name=b --filename=/dev/mapper/stk-b --size=2M)
	tfio t1 "${J[@]}"
	# as LVM does: the thin volume first, then its pool
	cycles stk-a t1 stk-thin+stk-pool:3 stk-a:1 stk-a:1:noflush
	tfio_stop t1
	fio_check t1 stopped
	vfio t2 "${J[@]}"
	fio_check t2
	both_wrote - stk-a stk-b
	check "$STACK: remove thin and pool, thin_check the metadata" thin_down
fi
check "$STACK: remove the metadata disk" disks_down stkmeta
check "$STACK: remove the ioband pair" pair_down
sweep

stage "ioband over a dm-thin volume"
if d=$(disk stkd 64) && step "$STACK: thin-pool, thin volume" thin_up "$d" &&
	step "$STACK: ioband over the thin volume" top_up /dev/mapper/stk-thin; then
	ujobs /dev/mapper/stk-top
	tfio t3 "${UJOBS[@]}"
	cycles stk-top t3 stk-thin+stk-pool:1 stk-top:1:noflush
	tfio_stop t3
	fio_check t3 stopped
	vfio t4 "${UJOBS[@]}"
	fio_check t4
	both_wrote stk-top 1000 2000
	check "$STACK: remove ioband" rm_dm stk-top
	check "$STACK: remove thin and pool, thin_check the metadata" thin_down
fi
check "$STACK: remove the disks" disks_down stkmeta stkd
sweep

###########################################################################
stage "ioband over a loop device over a file"
# the file is on tmpfs: this stack's disk is fast, fio's I/O is not paced
truncate -s 32M "$TMP/stk-img"
if loopdev=$(b 30 losetup -f --show "$TMP/stk-img") &&
	step "$STACK: ioband over $loopdev" top_up "$loopdev"; then
	ujobs /dev/mapper/stk-top
	tfio o1 "${UJOBS[@]}"
	cycles stk-top o1 stk-top:1 stk-top:1:noflush
	tfio_stop o1
	fio_check o1 stopped
	vfio o2 "${UJOBS[@]}"
	fio_check o2
	both_wrote stk-top 1000 2000
	check "$STACK: remove ioband" rm_dm stk-top
	check "$STACK: losetup -d" b 30 losetup -d "$loopdev"
fi
rm -f "$TMP/stk-img"
sweep

stage "a loop device over a file on ext4 on ioband"
# ext4_up: ext4 on stk-a, mounted, with a 32 MiB file
ext4_up() {
	mkfs.ext4 -q /dev/mapper/stk-a && b 30 mount /dev/mapper/stk-a "$MNT" && fallocate -l 32M "$MNT/stk-img"
}
if step "$STACK: two ioband devices in one device group" pair_up &&
	step "$STACK: ext4 on stk-a, a file in it" ext4_up &&
	loopdev=$(b 30 losetup --direct-io=on -f --show "$MNT/stk-img"); then
	J=(--name=loop --filename="$loopdev" --size=2M
		--name=b --filename=/dev/mapper/stk-b --size=2M)
	tfio p1 "${J[@]}"
	# --nolockfs: freezing ext4 under a busy loop device is not ours to
	# test (on 6.1 loop writes into the frozen file system: ext4 warns)
	cycles stk-a p1 stk-a:1:nolockfs stk-a:1:noflush
	tfio_stop p1
	fio_check p1 stopped
	vfio p2 "${J[@]}"
	fio_check p2
	both_wrote - stk-a stk-b
	check "$STACK: losetup -d" b 30 losetup -d "$loopdev"
	check "$STACK: umount" b 30 umount "$MNT"
	check "$STACK: fsck.ext4 finds the file system clean" clean fsck.ext4 -n -f /dev/mapper/stk-a
fi
check "$STACK: remove the ioband pair" pair_down
sweep

###########################################################################
# fs_stack FS FSCK MKFS...: FS on ioband over null_blk, two files: uid 1000
# writes with O_DIRECT, uid 2000 through the page cache, both fsync every
# 8 writes.  After the suspend cycles both files are written once more and
# fsynced, then, after a remount, read from the disk and verified; FSCK
# (read-only) finds the file system clean at the end.
fs_up() {
	"$@" /dev/mapper/stk-top >/dev/null && b 30 mount /dev/mapper/stk-top "$MNT" &&
		truncate -s 2M "$MNT/f1000" "$MNT/f2000" && chmod 666 "$MNT/f1000" "$MNT/f2000"
}
remount() { b 30 umount "$MNT" && b 30 mount /dev/mapper/stk-top "$MNT"; }
fs_stack() {
	local fs=$1 fsck=$2 d
	shift 2
	stage "$fs on ioband"
	if d=$(disk stkd 320) && step "$STACK: ioband over null_blk" top_up "$d" &&
		step "$STACK: $*, mount, two files" fs_up "$@"; then
		J=(--fsync=8 --size=2M
			--name=u1000 --uid=1000 --gid=1000 --filename="$MNT/f1000"
			--name=u2000 --uid=2000 --gid=2000 --filename="$MNT/f2000" --direct=0)
		tfio "$fs-1" "${J[@]}"
		# a flush suspend freezes the file system, fio's I/O in flight
		cycles stk-top "$fs-1" stk-top:1 stk-top:1:noflush
		tfio_stop "$fs-1"
		fio_check "$fs-1" stopped
		fio_run "$fs-2" --do_verify=0 --end_fsync=1 "${J[@]}"
		fio_check "$fs-2" written
		both_wrote stk-top 1000 2000
		check "$STACK: umount, mount" remount
		fio_run "$fs-3" --verify_only "${J[@]}"
		fio_check "$fs-3"
		check "$STACK: umount" b 30 umount "$MNT"
		check "$STACK: $fsck finds the file system clean" clean $fsck /dev/mapper/stk-top
		check "$STACK: remove ioband" rm_dm stk-top
	fi
	check "$STACK: remove the disk" disks_down stkd
	sweep
}
fs_stack ext4 "fsck.ext4 -n -f" mkfs.ext4 -q
fs_stack xfs "xfs_repair -n" mkfs.xfs -f -q

###########################################################################
stage "end"
umount "$TMP"
check "no device-mapper device is left" sh -c '[ -z "$(dmsetup ls | grep -v "^No devices")" ]'
dmsetup remove_all 2>/dev/null
check "unload dm-ioband" unload_ioband
check "module is gone" sh -c '! grep -q "^dm_ioband " /proc/modules'
finish
