#!/usr/bin/env bash
# End-to-end test of the ioband CLI against the real dm-ioband target.
#
# Runs as root INSIDE a Linux guest where dm-ioband.ko is loaded, dmsetup
# exists and udev does not run. IOBAND is the path of the built binary.
# Prints "ok - ..." / "not ok - ..." lines, then "N passed, M failed", and
# exits non-zero if anything failed.
#
#   IOBAND=/path/to/target/debug/ioband bash cli/tests/guest/against-target.sh
set -u

IOBAND=${IOBAND:?set IOBAND to the path of the ioband binary}
PASS=0
FAIL=0
P=e2e                               # prefix of every device this script makes

ok()    { PASS=$((PASS + 1)); echo "ok - $*"; }
notok() { FAIL=$((FAIL + 1)); echo "not ok - $*"; }

# check DESC CMD...: the command must succeed.
check() {
    local desc=$1; shift
    local out
    if out=$("$@" 2>&1); then ok "$desc"; else notok "$desc: $out"; fi
}

# rc WANT DESC CMD...: the command must exit with WANT.
rc() {
    local want=$1 desc=$2; shift 2
    local out code
    out=$("$@" 2>&1); code=$?
    if [ "$code" -eq "$want" ]; then ok "$desc (exit $code)"
    else notok "$desc: exit $code, wanted $want; output: $out"; fi
}

# same DESC A B: two strings must be equal.
same() {
    if [ "$2" == "$3" ]; then ok "$1"
    else notok "$1"; echo "#   got:  '$2'"; echo "#   want: '$3'"; fi
}

# contains DESC HAYSTACK NEEDLE
contains() {
    case "$2" in
        *"$3"*) ok "$1" ;;
        *) notok "$1"; echo "#   '$2' does not contain '$3'" ;;
    esac
}

cleanup() {
    exec 9<&- 2>/dev/null || true
    local d
    for d in $(dmsetup ls 2>/dev/null | awk '{print $1}' | grep "^$P" | sort -r); do
        dmsetup remove --retry "$d" >/dev/null 2>&1 || true
    done
    # Linear slices after the ioband devices on top of them.
    for d in $(dmsetup ls 2>/dev/null | awk '{print $1}' | grep "^$P"); do
        dmsetup remove --retry "$d" >/dev/null 2>&1 || true
    done
    [ -d /sys/fs/cgroup/$P-db ] && rmdir /sys/fs/cgroup/$P-db 2>/dev/null
    for d in $P.slice/$P-sub.slice/$P-db.service $P.slice/$P-sub.slice $P.slice; do
        [ -d /sys/fs/cgroup/$d ] && rmdir /sys/fs/cgroup/$d 2>/dev/null
    done
    rm -f /tmp/$P-units.yaml /tmp/$P-late.yaml /tmp/$P-apply.lock
    # the shallow null_blk, once no ioband device sits on it
    if [ -d /sys/kernel/config/nullb/${P}q ]; then
        echo 0 >/sys/kernel/config/nullb/${P}q/power 2>/dev/null
        rmdir /sys/kernel/config/nullb/${P}q 2>/dev/null
    fi
    return 0
}
trap cleanup EXIT

# ---------------------------------------------------------------- setup
if [ ! -b /dev/nullb0 ]; then
    modprobe null_blk nr_devices=1 gb=1 || { echo "Bail out! cannot load null_blk"; exit 1; }
fi
for _ in $(seq 50); do [ -b /dev/nullb0 ] && break; sleep 0.1; done
[ -b /dev/nullb0 ] || { echo "Bail out! no /dev/nullb0"; exit 1; }
cleanup

DISK=/dev/nullb0
DISK_SECTORS=$(blockdev --getsz $DISK)
# Three "partitions" of one disk, as dm-linear slices.
SLICE=$((DISK_SECTORS / 3))
for i in 0 1 2; do
    echo "0 $SLICE linear $DISK $((i * SLICE))" | dmsetup create $P-lin$i
done
dmsetup mknodes >/dev/null 2>&1 || true
LIN0=/dev/mapper/$P-lin0
LIN1=/dev/mapper/$P-lin1
LIN2=/dev/mapper/$P-lin2
MM0=$(dmsetup info -c --noheadings -o major,minor --separator : $P-lin0 | tr -d ' ')
MM2=$(dmsetup info -c --noheadings -o major,minor --separator : $P-lin2 | tr -d ' ')
[ -b "$LIN0" ] && [ -b "$LIN1" ] && [ -b "$LIN2" ] || { echo "Bail out! no linear slices"; exit 1; }

# --------------------------------------------------------------- module
out=$("$IOBAND" targets 2>&1)
rc 0 "ioband targets finds the module" "$IOBAND" targets
contains "targets prints a version" "$out" "ioband"
contains "targets output matches dmsetup targets" "$(dmsetup targets)" "$(echo "$out" | awk '{print $2}')"
rc 0 "ioband version" "$IOBAND" version

# --------------------------------------------------------------- create
rc 0 "create $P-1 (friendly form)" "$IOBAND" create $P-1 "$LIN0" --group 1
rc 0 "create $P-2 (--table form)" "$IOBAND" create $P-2 --table "0 $SLICE ioband $LIN1 1 4 128"
check "/dev/mapper/$P-1 is a block device" test -b /dev/mapper/$P-1
check "/dev/mapper/$P-2 is a block device" test -b /dev/mapper/$P-2
same "dmsetup table of $P-1 (short form)" "$(dmsetup table $P-1)" "0 $SLICE ioband $MM0 1 4 128"
same "table --raw agrees with dmsetup table" "$("$IOBAND" table --raw $P-1)" "$(dmsetup table $P-1)"
same "status --raw agrees with dmsetup status" "$("$IOBAND" status --raw $P-1)" "$(dmsetup status $P-1)"
# The kernel's partition scan may already have read from it: only the shape.
st=$(dmsetup status $P-1)
if [[ "$st" =~ ^0\ $SLICE\ ioband\ 1\ -1(\ [0-9]+){6}$ ]]; then ok "status of a fresh device: only the default group"
else notok "status of a fresh device: '$st'"; fi
contains "ls lists $P-1" "$("$IOBAND" ls)" "$P-1"

# ------------------------------------------- io_limit auto, as in force
# setting KEY DEV: one value of the module's reply to `settings`
setting() { dmsetup message "$2" 0 settings 2>/dev/null | tr ' ' '\n' | sed -n "s/^$1=//p"; }
# limits DEV: `ioband status --json`'s limits and nowait_again of DEV, as
# "configured effective queue_depth throttle effective-throttle nowait"
limits() {
    "$IOBAND" status --json "$1" | python3 -c '
import json, sys
d = json.load(sys.stdin)["devices"][0]
l, t = d["limits"]["io_limit"], d["limits"]["io_throttle"]
print(l["configured"], l["effective"], l["queue_depth"], t["configured"], t["effective"], d["nowait_again"])'
}
# The dm-linear slice below $P-1 is bio-based: its depth is not known, and
# auto means 128.
same "settings of $P-1: auto over a stacked device" \
    "$(setting io_limit_auto $P-1) $(setting queue_depth $P-1) $(setting effective_io_limit $P-1)" "1 0 128"
st=$("$IOBAND" status $P-1)
contains "human status: policy fair" "$st" "device group 1: total weight 200, policy fair"
contains "human status: io_limit 128 (auto, depth unknown)" "$st" \
    "  io_throttle 4, io_limit 128 (auto, depth unknown), token 2048"
if command -v python3 >/dev/null; then
    same "status --json: limits of $P-1" "$(limits $P-1)" "auto 128 None 4 4 $(setting nowait_again $P-1)"
fi
# A disk of depth 2 (null_blk, one hardware queue of 2 tags).
NB=/sys/kernel/config/nullb/${P}q
mountpoint -q /sys/kernel/config || mount -t configfs none /sys/kernel/config 2>/dev/null
if mkdir "$NB" 2>/dev/null && echo 64 >"$NB/size" && echo 1 >"$NB/memory_backed" &&
    echo 2 >"$NB/hw_queue_depth" && echo 1 >"$NB/power" &&
    for _ in $(seq 50); do [ -b /dev/${P}q ] && break; sleep 0.1; done &&
    [ -b /dev/${P}q ]; then
    rc 0 "create $P-q on a disk of depth 2 with --io-limit auto" \
        "$IOBAND" create $P-q /dev/${P}q --group 7 --io-limit auto
    same "... the table says 128 (auto), policy fair (the short form)" \
        "$(dmsetup table $P-q | cut -d' ' -f5-)" "7 4 128"
    same "settings: auto follows the depth, io_throttle stays below" \
        "$(setting io_limit_auto $P-q) $(setting queue_depth $P-q) $(setting effective_io_limit $P-q) $(setting effective_io_throttle $P-q)" \
        "1 2 2 1"
    same "message $P-q 0 settings prints what dmsetup prints" \
        "$("$IOBAND" message $P-q 0 settings)" "$(dmsetup message $P-q 0 settings)"
    contains "human status shows the io_limit in force" "$("$IOBAND" status $P-q)" \
        "io_throttle 1 (4 configured), io_limit 2 (auto, depth 2), token 2048"
    if command -v python3 >/dev/null; then
        same "status --json: limits of $P-q" "$(limits $P-q)" "auto 2 2 4 1 $(setting nowait_again $P-q)"
    fi
    rc 0 "io-limit $P-q 16 pins it" "$IOBAND" io-limit $P-q 16
    same "... settings: pinned at 16" \
        "$(setting io_limit_auto $P-q) $(setting effective_io_limit $P-q) $(setting effective_io_throttle $P-q)" "0 16 4"
    contains "... human status: io_limit 16" "$("$IOBAND" status $P-q)" "io_throttle 4, io_limit 16, token"
    if command -v python3 >/dev/null; then
        same "... status --json: pinned" "$(limits $P-q)" "16 16 2 4 4 $(setting nowait_again $P-q)"
    fi
    rc 0 "io_limit $P-q auto (the message's spelling) goes back to auto" "$IOBAND" io_limit $P-q auto
    same "... the table says 128 again" "$(dmsetup table $P-q | cut -d' ' -f5-)" "7 4 128"
    same "... and the depth is followed again" "$(setting effective_io_limit $P-q)" "2"
    rc 0 "remove $P-q" "$IOBAND" remove $P-q
else
    notok "cannot make a null_blk of depth 2 through configfs"
fi

# ------------------------------------------------------------- messages
rc 0 "weight $P-1 40" "$IOBAND" weight $P-1 40
rc 0 "weight $P-2 10" "$IOBAND" weight $P-2 10
rc 0 "type $P-1 user" "$IOBAND" type $P-1 user
rc 0 "attach $P-1 1000" "$IOBAND" attach $P-1 1000
rc 0 "attach $P-1 root (by name)" "$IOBAND" attach $P-1 root
rc 0 "weight $P-1 1000 30" "$IOBAND" weight $P-1 1000 30
rc 0 "message $P-1 0 weight 0:20 (dmsetup syntax)" "$IOBAND" message $P-1 0 weight 0:20
same "dmsetup table shows the extended form" "$(dmsetup table $P-1)" \
    "0 $SLICE ioband $MM0 1 4 128 user fair 2048 :40 1000:30 0:20"
same "table --raw agrees after messages" "$("$IOBAND" table --raw $P-1)" "$(dmsetup table $P-1)"
same "the extended table line loads again (reload + resume)" \
    "$("$IOBAND" reload $P-1 --table "$(dmsetup table $P-1)" --resume 2>&1 && dmsetup table $P-1)" \
    "0 $SLICE ioband $MM0 1 4 128 user fair 2048 :40 1000:30 0:20"

# I/O as root lands in group 0.
dd if=/dev/zero of=/dev/mapper/$P-1 bs=4k count=64 oflag=direct status=none
dd if=/dev/mapper/$P-1 of=/dev/null bs=4k count=32 iflag=direct status=none
st=$(dmsetup status $P-1)
same "status --raw agrees after I/O" "$("$IOBAND" status --raw $P-1)" "$st"
contains "status lists default, 1000 and 0" "$st" " -1 "
grp0=$(echo "$st" | awk '{for (i = 5; i <= NF; i += 7) if ($i == "0") print $(i+6)}')
if [ -n "$grp0" ] && [ "$grp0" -ge 512 ]; then ok "root's writes counted in group 0 ($grp0 sectors)"
else notok "root's writes counted in group 0: status '$st'"; fi
same "status --raw of several devices matches dmsetup status --target ioband" \
    "$("$IOBAND" status --raw | grep "^$P" | sort)" \
    "$(dmsetup status --target ioband | grep "^$P" | sort)"
same "table --raw of several devices matches dmsetup table --target ioband" \
    "$("$IOBAND" table --raw | grep "^$P" | sort)" \
    "$(dmsetup table --target ioband | grep "^$P" | sort)"

if command -v python3 >/dev/null; then
    share=$("$IOBAND" status --json $P-1 | python3 -c '
import json, sys
d = json.load(sys.stdin)["devices"][0]
g = {x["id"]: x for x in d["groups"]}
print(round(g[1000]["share_percent"], 1), g[0]["name"], g[0]["write"]["bytes"] >= 262144)')
    same "status --json: share of uid 1000 is 30/(40+30+20+10)" "$share" "30.0 root True"
    lines=$("$IOBAND" status $P-1 --watch 0.2 --count 3 --json | wc -l)
    same "status --watch --count 3 --json prints 3 lines" "$lines" "3"
fi
out=$("$IOBAND" status 2>&1)
contains "human status shows the device group" "$out" "device group 1"
contains "human status shows root by name" "$out" "0 (root)"

# caps, floors, the idle class and write weights, against the real module
rc 0 "limit $P-1 --group 1000 read_bps=200M write_iops=2k" \
    "$IOBAND" limit $P-1 --group 1000 read_bps=200M write_iops=2k
rc 0 "floor $P-1 --group 0 bps=1M" "$IOBAND" floor $P-1 --group 0 bps=1M
rc 0 "class $P-1 idle (the default group)" "$IOBAND" class $P-1 idle
rc 0 "write-weight $P-1 1000 15" "$IOBAND" write-weight $P-1 1000 15
LIMITED="0 $SLICE ioband $MM0 1 4 128 user fair 2048 :40 1000:30 0:20 class -1:idle"
LIMITED="$LIMITED limit 1000:read_bps=209715200,write_iops=2000 write_weight 1000:15 floor 0:bps=1048576"
same "dmsetup table shows them, per group, default group first" "$(dmsetup table $P-1)" "$LIMITED"
same "table --raw agrees" "$("$IOBAND" table --raw $P-1)" "$LIMITED"
same "the line with them loads again (reload + resume)" \
    "$("$IOBAND" reload $P-1 --table "$(dmsetup table $P-1)" --resume 2>&1 && dmsetup table $P-1)" \
    "$LIMITED"
if command -v python3 >/dev/null; then
    got=$("$IOBAND" status --json $P-1 | python3 -c '
import json, sys
d = json.load(sys.stdin)["devices"][0]
g = {x["id"]: x for x in d["groups"]}
print(g[1000]["caps"]["read_bps"], g[1000]["caps"]["write_iops"], g[1000]["write_weight"],
      g[0]["floors"]["bps"], g[-1]["class"], type(g[1000]["cap_waits"]).__name__)')
    same "status --json carries caps, floors, class and write weight" "$got" \
        "209715200 2000 15 1048576 idle int"
fi
contains "human status shows the caps under the group" "$("$IOBAND" status $P-1)" \
    $'\n    caps r 200M/s, w 2k io/s'
rc 1 "a floor above the cap is refused before the kernel" \
    "$IOBAND" floor $P-1 --group 1000 read_bps=300M
same "... and changes nothing" "$(dmsetup table $P-1)" "$LIMITED"
rc 0 "limit none" "$IOBAND" limit $P-1 --group 1000 none
rc 0 "floor none" "$IOBAND" floor $P-1 --group 0 none
rc 0 "class normal" "$IOBAND" class $P-1 normal
rc 0 "write-weight same" "$IOBAND" write-weight $P-1 1000 same
same "the table is as before" "$(dmsetup table $P-1)" \
    "0 $SLICE ioband $MM0 1 4 128 user fair 2048 :40 1000:30 0:20"

rc 0 "reset $P-1" "$IOBAND" reset $P-1
same "reset zeroes the counters" \
    "$(dmsetup status $P-1)" "0 $SLICE ioband 1 -1 0 0 0 0 0 0 1000 0 0 0 0 0 0 0 0 0 0 0 0 0"
rc 0 "io-throttle $P-1 16" "$IOBAND" io-throttle $P-1 16
rc 0 "io-limit $P-1 256" "$IOBAND" io-limit $P-1 256
rc 0 "token $P-1 512" "$IOBAND" token $P-1 512
contains "throttle, limit and token show in the table" "$(dmsetup table $P-1)" " 1 16 256 user fair 512 "
rc 0 "detach $P-1 1000" "$IOBAND" detach $P-1 1000
rc 0 "detach $P-1 root" "$IOBAND" detach $P-1 root

# cgroup v2 by path.
rc 0 "create $P-3 with --type cgroup" "$IOBAND" create $P-3 "$LIN2" --group 2 --type cgroup --weight 40
if [ "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ] && mkdir -p /sys/fs/cgroup/$P-db; then
    ino=$(stat -c %i /sys/fs/cgroup/$P-db)
    rc 0 "attach a cgroup by path" "$IOBAND" attach $P-3 /sys/fs/cgroup/$P-db --weight 60
    contains "cgroup id is the directory's inode" "$(dmsetup table $P-3)" " $ino:60"
    contains "status names the cgroup by its path under /sys/fs/cgroup" "$("$IOBAND" status $P-3)" "$ino ($P-db)"
    contains "status --json gives the cgroup's directory" "$("$IOBAND" status --json $P-3)" "\"path\": \"/sys/fs/cgroup/$P-db\""
else
    ok "# SKIP no cgroup v2 at /sys/fs/cgroup"
fi
contains "extended create options reach the kernel" "$(dmsetup table $P-3)" " 2 4 128 cgroup fair 2048 :40"

# ------------------------------- cgroups by unit and slice name, nested shares
CG=/sys/fs/cgroup
if [ "$(stat -f -c %T $CG 2>/dev/null)" = cgroup2fs ] && command -v python3 >/dev/null &&
    mkdir -p $CG/$P.slice/$P-sub.slice/$P-db.service; then
    # As systemd lays them out: $P-sub.slice lies in $P.slice, and the
    # service in $P-sub.slice; named by unit, not by path.
    export IOBAND_LOCK=/tmp/$P-apply.lock
    units=/tmp/$P-units.yaml
    write_units() { # DEFAULT_WEIGHT [EXTRA GROUP LINE]
        cat >"$units" <<EOF
devices:
  - name: $P-3
    device: $LIN2
    device_group: 2
    type: cgroup
    weight: $1
    groups:
      - slice: $P.slice
        weight: 200
      - slice: $P-sub.slice
        weight: 100
      - unit: $P-db.service
        weight: 300
${2:-}
EOF
    }
    write_units 100
    rc 0 "apply: a slice, a slice in it and a service below, by name" "$IOBAND" apply "$units"
    cid() { stat -c %i "$CG/$1"; }
    sl=$(cid $P.slice) sub=$(cid $P.slice/$P-sub.slice) db=$(cid $P.slice/$P-sub.slice/$P-db.service)
    same "... the table has their cgroup ids" "$(dmsetup table $P-3)" \
        "0 $SLICE ioband $MM2 2 4 128 cgroup fair 2048 :100 $sl:200 $sub:100 $db:300"
    contains "... a second apply changes nothing" "$("$IOBAND" apply --json "$units")" '"changed":false'
    kshares=$(dmsetup message $P-3 0 shares)
    echo "# shares: $kshares"
    json=$("$IOBAND" status --json $P-3)
    got=$(python3 -c '
import json, sys
d = json.loads(sys.argv[1])["devices"][0]
print(" ".join("%s:%s:%s" % (g["id"], "-" if g["parent"] is None else g["parent"]["id"],
               g["share_ppm"]) for g in d["groups"]))' "$json")
    same "status --json: every share and parent as the module's shares message says" "$got" "$kshares"
    got=$(python3 -c '
import json, sys
d = json.loads(sys.argv[1])["devices"][0]
want = {-1: (None, 1/3), int(sys.argv[2]): (None, 4/9), int(sys.argv[3]): (sys.argv[5], 1/18),
        int(sys.argv[4]): (sys.argv[6], 1/6)}
for g in d["groups"]:
    parent, share = want[g["id"]]
    pname = g["parent"] and g["parent"]["name"]
    if pname != parent or abs(g["share_ppm"] - share * 1e6) > 5 or \
            abs(g["share_percent"] - g["share_ppm"] / 1e4) > 1e-9:
        print("group %s (%s): parent %s, share %s" % (g["id"], g["name"], pname, g["share_ppm"]))
print("ok")' "$json" "$sl" "$sub" "$db" "$P.slice" "$P-sub.slice")
    same "... 1/3 default, 4/9 the slice, 1/18 the sub-slice, 1/6 the service, parents by name" "$got" "ok"
    contains "... names: units by their unit name" "$json" "\"name\": \"$P-db.service\""
    st=$("$IOBAND" status $P-3)
    line() { echo "$st" | awk -v n=" $1 (" 'index($0, n) {print NR; exit}'; }
    col() { echo "$st" | awk -v n=" $1 (" 'i = index($0, n) {print i; exit}'; }
    same "human status: the sub-slice indented under the slice, the service under it" \
        "$(line $sub) $(line $db) $(col $sub) $(col $db)" \
        "$(($(line $sl) + 1)) $(($(line $sl) + 2)) $(($(col $sl) + 2)) $(($(col $sl) + 4))"
    # attach, detach and weight take unit names too
    rc 0 "detach by unit name" "$IOBAND" detach $P-3 $P-db.service
    rc 0 "attach by unit name, with a weight" "$IOBAND" attach $P-3 $P-db.service --weight 300
    rc 0 "weight by slice name" "$IOBAND" weight $P-3 $P-sub.slice 100
    same "... back where the profile left it" "$(dmsetup table $P-3)" \
        "0 $SLICE ioband $MM2 2 4 128 cgroup fair 2048 :100 $sl:200 $sub:100 $db:300"
    # A unit that is not running: nothing at all is applied.
    write_units 150 "      - unit: $P-missing.service"
    before=$(dmsetup table | sort)
    out=$("$IOBAND" apply "$units" 2>&1); code=$?
    same "apply with a unit that is not running fails" "$code" "1"
    contains "... naming the device and the field" "$out" "device $P-3: group \`unit: $P-missing.service\`"
    contains "... and why" "$out" "$P-missing.service is not running"
    same "... and changes nothing (not even the default weight)" "$(dmsetup table | sort)" "$before"
    out=$("$IOBAND" attach $P-3 $P-missing.service 2>&1); code=$?
    same "attach of a unit that is not running fails" "$code" "1"
    contains "... naming the device and the unit" "$out" "$P-3: group \"$P-missing.service\": no cgroup named $P-missing.service"
    unset IOBAND_LOCK
else
    ok "# SKIP no cgroup v2 at /sys/fs/cgroup or no python3"
fi

# ---------------------------------------------------------- error cases
rc 1 "weight of an unattached group fails" "$IOBAND" weight $P-1 4242 5
out=$("$IOBAND" weight $P-1 4242 5 2>&1)
contains "... and says to attach it first" "$out" "ioband attach $P-1 4242"
rc 1 "kernel rejects weight 4242:5 (EINVAL)" "$IOBAND" message $P-1 0 weight 4242:5
same "dmsetup agrees that it fails" "$(dmsetup message $P-1 0 weight 4242:5 >/dev/null 2>&1; echo $?)" "1"
rc 1 "unknown message fails" "$IOBAND" message $P-1 0 frobnicate
rc 1 "status of a missing device fails" "$IOBAND" status $P-missing
rc 1 "create over an existing name fails" "$IOBAND" create $P-1 "$LIN0" --group 1
rc 1 "create on a missing disk fails" "$IOBAND" create $P-bad --table "0 8 ioband /dev/$P-nonexistent 1"
rc 1 "... and leaves no device behind" dmsetup info $P-bad
rc 1 "create with 5 table arguments is refused by the kernel too" \
    dmsetup create $P-bad5 --table "0 8 ioband $LIN0 1 4 128 user"
rc 2 "create with 5 table arguments is a usage error" \
    "$IOBAND" create $P-bad5 --table "0 8 ioband $LIN0 1 4 128 user"
rc 2 "weight 0 is a usage error" "$IOBAND" weight $P-1 0
rc 2 "missing arguments are a usage error" "$IOBAND" attach $P-1
rc 1 "attach on type none fails" "$IOBAND" attach $P-2 1000
rc 1 "a non-ioband device is refused" "$IOBAND" status $P-lin0
rc 1 "remove of a non-ioband device is refused" "$IOBAND" remove $P-lin0

# ------------------------------------------------------ suspend, resume
rc 0 "suspend --noflush" "$IOBAND" suspend $P-2 --noflush
contains "dmsetup sees it suspended" "$(dmsetup info $P-2)" "SUSPENDED"
contains "ls shows it suspended" "$("$IOBAND" ls)" "suspended"
rc 0 "resume" "$IOBAND" resume $P-2
contains "dmsetup sees it active" "$(dmsetup info $P-2)" "ACTIVE"

# --------------------------------------------------------------- remove
exec 9</dev/mapper/$P-2
rc 1 "remove of an open device fails (EBUSY)" "$IOBAND" remove $P-2
rc 0 "remove --deferred of an open device" "$IOBAND" remove --deferred $P-2
check "... which still exists while open" dmsetup info $P-2
exec 9<&-
sleep 0.2
rc 1 "... and is gone once closed" dmsetup info $P-2
rc 0 "remove $P-1 $P-3" "$IOBAND" remove $P-1 $P-3
rc 1 "$P-1 is gone" dmsetup info $P-1
check "/dev/mapper/$P-1 is gone" test ! -e /dev/mapper/$P-1
rc 1 "remove of a missing device fails" "$IOBAND" remove $P-1

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
