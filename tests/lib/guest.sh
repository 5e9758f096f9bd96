# Helpers for guest suites (sourced; runs inside the test kernel as root).
# Output is TAP-like: "ok - ..." / "not ok - ..."; finish exits non-zero
# when anything failed.
set -u
PASS=0
# how many times slower than Debian's kernels this one runs (run.py: 4 on
# the debug kernel, 1 elsewhere): for waits on things to get going, never
# for the bounds a test asserts
SLOWDOWN=${IOBAND_SLOWDOWN:-1}
FAILS=0

# each verdict with the seconds since the suite started goes to
# $RESULTS/timeline too: where a suite spends its time
mark() { [ -n "${RESULTS:-}" ] && echo "$SECONDS $*" >>"$RESULTS/timeline"; return 0; }
ok() { PASS=$((PASS + 1)); echo "ok - $*"; mark "ok - $*"; }
not_ok() { FAILS=$((FAILS + 1)); echo "not ok - $*"; mark "not ok - $*"; }
# check DESCRIPTION COMMAND...: run the command, pass when it exits 0
check() { local d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d (command: $*)"; fi; }
# check_fails DESCRIPTION COMMAND...: pass when the command exits non-zero
check_fails() { local d=$1; shift; if "$@" 2>/dev/null; then not_ok "$d (succeeded: $*)"; else ok "$d"; fi; }
# check_eq DESCRIPTION EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: expected '$2', got '$3'"; fi
}
finish() {
	echo "# $PASS passed, $FAILS failed"
	[ "$FAILS" -eq 0 ]
}
# to stderr: it may run inside $(...), whose stdout is captured
die() { echo "not ok - $*" >&2; exit 1; }

load_ioband() {
	modprobe dm_mod 2>/dev/null
	insmod "$IOBAND_KO" || die "insmod $IOBAND_KO"
}

unload_ioband() {
	rmmod dm_ioband
}

# nullb NAME SIZE_MB [attr=value...]: a null_blk disk made through configfs,
# so several disks with different timings can exist; prints /dev/NAME.
# Attributes named queue/... are written to /sys/block/NAME/queue/ after
# the disk appears (scheduler, nr_requests).
nullb() {
	local name=$1 size=$2 d
	shift 2
	modprobe null_blk nr_devices=0 2>/dev/null
	mountpoint -q /sys/kernel/config || mount -t configfs none /sys/kernel/config
	d=/sys/kernel/config/nullb/$name
	mkdir "$d" || die "mkdir $d"
	echo "$size" >"$d/size"
	echo 1 >"$d/memory_backed"
	local kv
	for kv in "$@"; do
		case $kv in queue/*) continue ;; esac
		echo "${kv#*=}" >"$d/${kv%%=*}" || die "nullb $name: cannot set $kv"
	done
	echo 1 >"$d/power"
	[ -b "/dev/$name" ] || die "nullb $name: /dev/$name missing"
	for kv in "$@"; do
		case $kv in queue/*) ;; *) continue ;; esac
		echo "${kv#*=}" >"/sys/block/$name/${kv%%=*}" || die "nullb $name: cannot set $kv"
	done
	echo "/dev/$name"
}

nullb_remove() {
	local d=/sys/kernel/config/nullb/$1
	echo 0 >"$d/power" 2>/dev/null
	rmdir "$d"
}

# ioband_create NAME DEV GROUP [extra table args...]
ioband_create() {
	local name=$1 dev=$2
	shift 2
	echo "0 $(blockdev --getsz "$dev") ioband $dev $*" | dmsetup create "$name" &&
		dmsetup mknodes "$name"
}

# linear_slice NAME DEV START_SECTOR SECTORS
# wait_for COND SECS: poll until COND (a shell expression) is true
wait_for() {
	local end=$((SECONDS + $2))
	until eval "$1"; do
		[ $SECONDS -lt $end ] || return 1
		sleep 0.2
	done
}

# partition DEV COUNT SECTORS: COUNT GPT partitions of SECTORS each on DEV
# (DEV1, DEV2, ...).  Real partitions, unlike dm-linear slices, share their
# disk's queue: ioband sees the disk's depth through them.
partition() {
	local dev=$1 n=$2 size=$3 i
	{
		echo "label: gpt"
		for i in $(seq 1 "$n"); do echo ",$size"; done
	} | sfdisk -q "$dev" >/dev/null || die "sfdisk $dev"
	for i in $(seq 1 "$n"); do
		wait_for "[ -b $dev$i ]" 10 || die "partition $dev$i missing"
	done
}

linear_slice() {
	echo "0 $4 linear $2 $3" | dmsetup create "$1" && dmsetup mknodes "$1"
}

# udev_settle: wait until udev has probed the devices just made.  udev
# reads about 1 MiB (some 50 bios) from every new device-mapper device; on
# the 200 IOPS test disks that is a quarter of a second, and ioband counts
# it in the group it hits, so measurements start after it.
udev_settle() {
	command -v udevadm >/dev/null || return 0
	udevadm settle --timeout=60 || echo "udevadm settle timed out" >&2
}

# fio_together DIR SECONDS JOB...: 4 KiB random direct reads at QD 32, all
# JOBs ("name" or "name,option=value,...", fio options) in one fio process:
# separate processes start seconds apart under TCG, one process starts its
# jobs together.  Each job logs its bandwidth with wall-clock stamps to
# DIR/name_bw.N.log; share.py DIR/name measures over the window all ran in.
fio_together() {
	local dir=$1 rt=$2 spec o opts args=()
	shift 2
	for spec in "$@"; do
		IFS=, read -r -a opts <<<"$spec"
		args+=(--name="${opts[0]}" --write_bw_log="$dir/${opts[0]}")
		for o in "${opts[@]:1}"; do args+=("--$o"); done
	done
	udev_settle
	fio --rw=randread --bs=4k --direct=1 --ioengine=libaio --iodepth=32 \
		--runtime="$rt" --time_based --log_avg_msec=500 --log_unix_epoch=1 \
		--output-format=json --output="$dir/${1%%,*}.json" "${args[@]}" >/dev/null
}

# the status/table line without "NAME: 0 LEN ioband "
status_of() { dmsetup status "$1" | cut -d' ' -f4-; }
table_of() { dmsetup table "$1" | cut -d' ' -f4-; }
devnum() { printf '%d:%d' "$(stat -L -c '%t' "$1" | sed 's/^/0x/')" "$(stat -L -c '%T' "$1" | sed 's/^/0x/')"; }
