#!/usr/bin/env bash
# Every bad table line and message fails with an error returned to dmsetup
# and a reason in the kernel log, and changes nothing: the table and status
# of every ioband device are byte-identical afterwards.
# estimate: 200
# timeout: 600
. "$REPO/tests/lib/guest.sh"

load_ioband
disk=$(nullb nb0 256)
linear_slice s1 "$disk" 0 262144
linear_slice s2 "$disk" 262144 262144
D=/dev/mapper/s1
SZ=$(blockdev --getsz $D)
ioband_create ioband1 $D 1 || die "create ioband1"
ioband_create ioband2 /dev/mapper/s2 1 || die "create ioband2"
dmsetup message ioband1 0 type user
dmsetup message ioband1 0 attach 1000
dmsetup message ioband1 0 weight 1000:30
dmsetup message ioband1 0 weight 40
dmsetup message ioband1 0 limit 1000:read_bps=1048576
dmsetup message ioband1 0 attach 2000
dmsetup message ioband1 0 floor 2000:bps=100
dmsetup message ioband1 0 class idle

# table and status name every device; each dmsetup run costs ~0.15 s in TCG
snapshot() { { dmsetup table; dmsetup status; } 2>&1 | sort; }
# udev probes the new devices (reads show up in their counters): the state
# compared against must be taken after it is done, and hold still.
udev_settle
for try in 1 2 3 4 5; do
	base=$(snapshot)
	sleep 1
	[ "$(snapshot)" = "$base" ] && break
	udev_settle
done
unchanged() {
	local now
	now=$(snapshot)
	if [ "$now" = "$base" ]; then return 0; fi
	echo "# state changed:"; diff <(echo "$base") <(echo "$now") | sed 's/^/#   /'
	return 1
}
# the reason the kernel logged for the last rejection
# (bash does the matching: every process start costs ~0.15 s under TCG)
last_reason() {
	local l r=""
	while IFS= read -r l; do
		case $l in *"device-mapper: table"* | *"device-mapper: ioband"*) r=$l ;; esac
	done < <(dmesg)
	echo "${r#\[*\] }"
}

bad_table() {
	local desc=$1 line=$2
	if echo "0 $SZ ioband $line" | dmsetup create badtbl >/dev/null 2>&1; then
		not_ok "table rejected: $desc ($line)"
		dmsetup remove --retry badtbl
		return
	fi
	if echo "0 $SZ ioband $line" | dmsetup reload ioband1 >/dev/null 2>&1; then
		not_ok "reload rejected: $desc"
		dmsetup clear ioband1
		return
	fi
	# one comparison for both: a left-over badtbl or a changed ioband1
	# shows in the diff
	if unchanged; then ok "table rejected, nothing changed: $desc -- $(last_reason)"; else not_ok "create or reload of '$line' changed state"; fi
}

bad_msg() {
	local desc=$1 dev=$2
	shift 2
	if dmsetup message "$dev" 0 "$@" >/dev/null 2>&1; then
		not_ok "message rejected: $desc (dmsetup message $dev 0 $*)"
		return
	fi
	if unchanged; then ok "message rejected, nothing changed: $desc -- $(last_reason)"; else not_ok "message '$*' changed state"; fi
}

echo "# bad table lines"
bad_table "no arguments" ""
bad_table "device only" "$D"
bad_table "group not a number" "$D abc"
bad_table "negative group" "$D -1"
bad_table "group overflows int" "$D 99999999999"
bad_table "group beyond INT_MAX" "$D 2147483648"
bad_table "io_throttle not a number" "$D 1 x"
bad_table "negative io_throttle" "$D 1 -4"
bad_table "io_throttle overflow" "$D 1 4294967296"
bad_table "io_throttle not below default io_limit" "$D 1 200"
bad_table "io_limit not a number" "$D 1 4 x"
bad_table "io_limit below io_throttle" "$D 1 10 5"
bad_table "io_limit equal to io_throttle" "$D 1 10 10"
bad_table "io_limit too large" "$D 1 4 99999999"
bad_table "five arguments" "$D 1 4 128 user"
bad_table "seven arguments" "$D 1 4 128 user weight 0"
bad_table "unknown type" "$D 1 4 128 bogus weight 0 :100"
bad_table "unknown policy" "$D 1 4 128 user bogus 0 :100"
bad_table "token not a number" "$D 1 4 128 user weight x :100"
bad_table "default weight without colon" "$D 1 4 128 user weight 0 100"
bad_table "default weight zero" "$D 1 4 128 user weight 0 :0"
bad_table "default weight negative" "$D 1 4 128 user weight 0 :-1"
bad_table "group without weight" "$D 1 4 128 user weight 0 :100 1000"
bad_table "group weight zero" "$D 1 4 128 user weight 0 :100 1000:0"
bad_table "group id not a number" "$D 1 4 128 user weight 0 :100 x:10"
bad_table "duplicate group" "$D 1 4 128 user weight 0 :100 1000:1 1000:2"
bad_table "groups with type none" "$D 1 4 128 none weight 0 :100 1000:10"
bad_table "uid out of range" "$D 1 4 128 user weight 0 :100 4294967295:10"
bad_table "pid out of range" "$D 1 4 128 pid weight 0 :100 99999999:10"
bad_table "weight overflow" "$D 1 4 128 user weight 0 :100 1000:99999999999"
bad_table "no such device" "/dev/nonexistent 1"
L="$D 1 4 128 user weight 0 :100 1000:10"
bad_table "limit without caps" "$L limit"
bad_table "limit without an id" "$L limit bps=1"
bad_table "limit for a group not in the line" "$L limit 2000:bps=1"
bad_table "limit with an unknown key" "$L limit 1000:read_bpss=1"
bad_table "limit zero" "$L limit 1000:read_bps=0"
bad_table "limit of bytes beyond 2^50" "$L limit 1000:bps=1125899906842625"
bad_table "limit of bios beyond 10^9" "$L limit -1:iops=1000000001"
bad_table "limit overflowing u64" "$L limit 1000:bps=18446744073709551616"
bad_table "limit max in a table" "$L limit 1000:bps=max,iops=5x"
bad_table "limit twice for a group" "$L limit 1000:bps=1 limit 1000:iops=2"
bad_table "a group after a limit" "$L limit 1000:bps=1 2000:10"
bad_table "a word in place of limit" "$L limits 1000:bps=1"
bad_table "floor above the cap" "$L limit 1000:bps=100 floor 1000:bps=101"
bad_table "floor zero" "$L floor 1000:iops=0"
bad_table "floor with an unknown key" "$L floor -1:iops_read=5"
bad_table "floor twice for a group" "$L floor 1000:bps=1 floor 1000:bps=2"
bad_table "unknown class" "$L class 1000:lazy"
bad_table "class without an id" "$L class idle"
bad_table "an idle group with a floor" "$L floor 1000:bps=1 class 1000:idle"
bad_table "write_weight zero" "$L write_weight 1000:0"
bad_table "write_weight beyond the maximum" "$L write_weight -1:1000001"
bad_table "write_weight same in a table" "$L write_weight 1000:same"
bad_table "io_limit below the group's io_throttle" "$D 1 0 3"

echo "# bad messages"
bad_msg "no words" ioband1
bad_msg "unknown command" ioband1 foo 1
bad_msg "weight without value" ioband1 weight
bad_msg "three words" ioband1 weight 1 2
bad_msg "weight zero" ioband1 weight 0
bad_msg "weight negative" ioband1 weight -5
bad_msg "weight not a number" ioband1 weight abc
bad_msg "weight empty" ioband1 weight ""
bad_msg "weight overflow" ioband1 weight 99999999999
bad_msg "weight beyond the maximum" ioband1 weight 1000001
bad_msg "weight of a group not attached" ioband1 weight 3000:10
bad_msg "weight with a bad group id" ioband1 weight x:10
bad_msg "weight zero for a group" ioband1 weight 1000:0
bad_msg "weight with an empty value" ioband1 weight 1000:
bad_msg "token zero" ioband1 token 0
bad_msg "token negative" ioband1 token -1
bad_msg "token not a number" ioband1 token x
bad_msg "token overflow" ioband1 token 4294967296
bad_msg "io_throttle zero" ioband1 io_throttle 0
bad_msg "io_throttle equal to io_limit" ioband1 io_throttle 128
bad_msg "io_throttle overflow" ioband1 io_throttle 99999999999
bad_msg "io_limit equal to io_throttle" ioband1 io_limit 4
bad_msg "io_limit below io_throttle" ioband1 io_limit 2
bad_msg "io_limit zero" ioband1 io_limit 0
bad_msg "io_limit too large" ioband1 io_limit 70000
bad_msg "unknown type" ioband1 type bogus
bad_msg "type change while groups are attached" ioband1 type pid
bad_msg "attach twice" ioband1 attach 1000
bad_msg "attach negative" ioband1 attach -5
bad_msg "attach not a number" ioband1 attach abc
bad_msg "attach uid out of range" ioband1 attach 4294967295
bad_msg "attach overflow" ioband1 attach 99999999999999999999999
bad_msg "attach with type none" ioband2 attach 1000
bad_msg "detach the default group" ioband1 detach -1
bad_msg "detach a group not attached" ioband1 detach 3000
bad_msg "detach not a number" ioband1 detach abc
bad_msg "reset with an argument" ioband1 reset now
bad_msg "unknown policy" ioband1 policy bogus
bad_msg "limit without caps" ioband1 limit
bad_msg "limit with an unknown key" ioband1 limit 1000:read_bpss=5
bad_msg "limit zero" ioband1 limit 1000:read_bps=0
bad_msg "limit negative" ioband1 limit 1000:read_bps=-5
bad_msg "limit without a value" ioband1 limit 1000:read_bps
bad_msg "limit empty" ioband1 limit 1000:
bad_msg "limit of bytes beyond 2^50" ioband1 limit 1000:write_bps=1125899906842625
bad_msg "limit of bios beyond 10^9" ioband1 limit iops=1000000001
bad_msg "limit overflowing u64" ioband1 limit 1000:bps=18446744073709551616
bad_msg "limit half good: nothing applied" ioband1 limit 1000:write_bps=100,read_iops=0
bad_msg "limit of a group not attached" ioband1 limit 3000:bps=1
bad_msg "limit with a bad group id" ioband1 limit x:bps=1
bad_msg "limits with an argument" ioband1 limits now
bad_msg "limit below the group's floor" ioband1 limit 2000:bps=99
bad_msg "floor above the group's cap" ioband1 floor 1000:read_bps=1048577
bad_msg "floor zero" ioband1 floor 1000:bps=0
bad_msg "floor with an unknown key" ioband1 floor 1000:bandwidth=5
bad_msg "floor half good: nothing applied" ioband1 floor 1000:bps=5,iops=x
bad_msg "floor of a group not attached" ioband1 floor 3000:bps=1
bad_msg "unknown class" ioband1 class 1000:lazy
bad_msg "class of a group not attached" ioband1 class 3000:idle
bad_msg "class idle for a group with a floor" ioband1 class 2000:idle
bad_msg "floor for a group of the idle class" ioband1 floor bps=100
bad_msg "write_weight zero" ioband1 write_weight 1000:0
bad_msg "write_weight overflow" ioband1 write_weight 99999999999
bad_msg "write_weight not a number" ioband1 write_weight 1000:double
bad_msg "write_weight of a group not attached" ioband1 write_weight 3000:50
bad_msg "very long word" ioband1 weight "$(printf '9%.0s' $(seq 4000))"

echo "# the devices still work"
check "I/O through ioband1 after all that" dd if=/dev/zero of=/dev/mapper/ioband1 bs=64k count=16 oflag=direct status=none
check "remove" dmsetup remove --retry ioband1
check "remove" dmsetup remove --retry ioband2
dmsetup remove --retry s1; dmsetup remove --retry s2
check "unload" unload_ioband
finish
