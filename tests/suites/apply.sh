#!/usr/bin/env bash
# `ioband apply` end to end against the real module: every profile in
# profiles/ that the guest can provide devices for is applied, checked with
# dmsetup, applied again (no change), exported with `show` and applied back
# (no change); --check changes nothing; a profile failing at its third
# device leaves the machine as it was; the Ansible playbook reports changed,
# then ok.
# estimate: 300
# timeout: 1500
. "$REPO/tests/lib/guest.sh"
[ -x "$IOBAND" ] || die "no ioband binary at $IOBAND (cargo build --release)"
export IOBAND_LOCK=/tmp/ioband-apply.lock
P=$REPO/profiles
W=/tmp/ioband-apply
mkdir -p "$W"

load_ioband

# "sda" with partitions: dm-linear slices named as in the profiles (sda1,
# sda2), and three more for the failure test.
sda=$(nullb sda 640)
for i in 1 2 3 4 5; do
	linear_slice "sda$i" "$sda" $(((i - 1) * 262144)) 262144 || die "slice sda$i"
done
d1=$(devnum /dev/mapper/sda1) d2=$(devnum /dev/mapper/sda2)

# apply_json FILE [ARGS...]: run apply --json, keep stdout in $W/out.json
apply_json() {
	local f=$1
	shift
	"$IOBAND" apply --json "$@" "$f" >"$W/out.json" 2>"$W/err.txt"
}
json_changed() { grep -o '"changed":[a-z]*' "$W/out.json" | head -n 1 | cut -d: -f2; }
ioband_tables() { dmsetup table --target ioband 2>/dev/null | sort; }

# round_trip NAME FILE: second apply, --check and show -> apply change nothing
round_trip() {
	local n=$1 f=$2 before
	check "$n: second apply succeeds" apply_json "$f"
	check_eq "$n: second apply changes nothing" false "$(json_changed)"
	check "$n: apply --check succeeds" apply_json "$f" --check
	check_eq "$n: --check finds nothing to do" false "$(json_changed)"
	before=$(ioband_tables)
	check "$n: show" sh -c "'$IOBAND' show > '$W/shown.yaml'"
	check "$n: show -> apply --prune" apply_json "$W/shown.yaml" --prune
	check_eq "$n: show -> apply changes nothing" false "$(json_changed)"
	check_eq "$n: tables unchanged by the round trip" "$before" "$(ioband_tables)"
	check "$n: show --json -> apply" sh -c "'$IOBAND' show --json > '$W/shown.json' && '$IOBAND' apply --json '$W/shown.json' | grep -q '\"changed\":false'"
}

remove_all_ioband() {
	local n
	for n in $(dmsetup ls --target ioband 2>/dev/null | awk '{print $1}'); do
		dmsetup remove --retry "$n"
	done
}

echo "# getting-started.yaml"
f=$P/getting-started.yaml
check "--check on an empty machine" apply_json "$f" --check
check_eq "--check says it would change" true "$(json_changed)"
check_eq "--check created nothing" "" "$(ioband_tables)"
check "apply getting-started" apply_json "$f"
check_eq "first apply changed" true "$(json_changed)"
check_eq "ioband1 table" "$d1 1 4 128 user fair 2048 :40 1000:30 2000:20" "$(table_of ioband1)"
check_eq "ioband2 table" "$d2 1 4 128 none fair 2048 :10" "$(table_of ioband2)"
dmsetup message ioband1 0 reset
check_eq "ioband1 status: default group and users 1000, 2000" \
	"1 -1 0 0 0 0 0 0 1000 0 0 0 0 0 0 2000 0 0 0 0 0 0" "$(status_of ioband1)"
round_trip getting-started "$f"

echo "# example1-partitions.yaml over getting-started (changes in place)"
f=$P/example1-partitions.yaml
check "apply example1" apply_json "$f"
check_eq "changed" true "$(json_changed)"
check_eq "ioband1 table (groups detached, type none)" "$d1 1 4 128 none fair 2048 :80" "$(table_of ioband1)"
check_eq "ioband2 table" "$d2 1 4 128 none fair 2048 :40" "$(table_of ioband2)"
round_trip example1 "$f"

echo "# example3-user-group.yaml"
f=$P/example3-user-group.yaml
check "apply example3" apply_json "$f"
check_eq "ioband2 has user 1000 with weight 20" "$d2 1 4 128 user fair 2048 :40 1000:20" "$(table_of ioband2)"
round_trip example3 "$f"

echo "# example4-xen-vbd.yaml"
f=$P/example4-xen-vbd.yaml
check "apply example4" apply_json "$f"
check_eq "token 512 on the device group, user group gone" "$d2 1 4 128 none weight 512 :40" "$(table_of ioband2)"
check_eq "token is per device group" "$d1 1 4 128 none weight 512 :80" "$(table_of ioband1)"
round_trip example4 "$f"

echo "# example5-blktap-pid.yaml (with --prune: ioband2 goes)"
f=$P/example5-blktap-pid.yaml
check "apply --prune example5" apply_json "$f" --prune
check "ioband2 was pruned" sh -c '! dmsetup info ioband2 >/dev/null 2>&1'
check_eq "ioband1 groups by pid, device group back to defaults" "$d1 1 4 128 pid fair 2048 :100 15011:80 15276:40" "$(table_of ioband1)"
round_trip example5 "$f"
remove_all_ioband

echo "# cgroup.yaml"
f=$P/cgroup.yaml
if [ "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ] || mount -t cgroup2 none /sys/fs/cgroup 2>/dev/null; then
	mkdir -p /sys/fs/cgroup/db /sys/fs/cgroup/batch
	db=$(stat -c %i /sys/fs/cgroup/db) batch=$(stat -c %i /sys/fs/cgroup/batch)
	check "apply cgroup" apply_json "$f"
	check_eq "cgroup ids, policy and numbers" "$d1 2 16 256 cgroup weight-iosize 2048 :100 $db:300 $batch:50" "$(table_of ioband1)"
	round_trip cgroup "$f"
	remove_all_ioband
	rmdir /sys/fs/cgroup/db /sys/fs/cgroup/batch 2>/dev/null
else
	not_ok "cgroup v2 is not available in the guest"
fi

echo "# fair-shallow-disk.yaml (policy fair)"
f=$P/fair-shallow-disk.yaml
check "apply fair-shallow-disk" apply_json "$f"
check_eq "db table: policy fair, io_limit 32" "$d1 3 31 32 none fair 2048 :200" "$(table_of db)"
# fair, weight 100 and token 2048 are all defaults now: the short form
check_eq "backup table" "$d2 3 31 32" "$(table_of backup)"
check "second apply" apply_json "$f"
check_eq "second apply changes nothing" false "$(json_changed)"
remove_all_ioband

echo "# a failure at the third device leaves the machine as it was"
check "start from example1" apply_json "$P/example1-partitions.yaml"
# sda5 is mounted, so the kernel refuses an ioband device on it (EBUSY)
# although it passes validation. The plan removes ioband2, creates newband3
# and newband4, then fails at newband5: the first three are undone.
mkdir -p /tmp/mnt5
check "mkfs and mount sda5" sh -c 'mkfs.ext2 -q /dev/mapper/sda5 && mount /dev/mapper/sda5 /tmp/mnt5'
cat >"$W/bad.yaml" <<EOF
devices:
  - name: ioband1
    device: /dev/mapper/sda1
    device_group: 1
    weight: 80
  - name: ioband2
    state: absent
  - name: newband3
    device: /dev/mapper/sda3
    device_group: 1
  - name: newband4
    device: /dev/mapper/sda4
    device_group: 1
    weight: 7
  - name: newband5
    device: /dev/mapper/sda5
    device_group: 1
EOF
before=$(dmsetup table | sort)
if apply_json "$W/bad.yaml"; then
	not_ok "apply of a profile whose third new device cannot be made succeeded"
else
	ok "apply of the bad profile fails"
fi
check_eq "bad apply reports changed=false (all undone)" false "$(json_changed)"
check "the JSON names the failed action" grep -q '"device":"newband5","action":"create","detail":"[^"]*","status":"failed"' "$W/out.json"
check_eq "the JSON shows three undone actions" 3 "$(grep -o '"status":"undone"' "$W/out.json" | wc -l)"
check_eq "dmsetup table is as before" "$before" "$(dmsetup table | sort)"
check "ioband2 is back" dmsetup info ioband2
umount /tmp/mnt5
# The same through a device that vanished: validation stops it before any change.
sed 's|/dev/mapper/sda5|/dev/mapper/nonexistent|' "$W/bad.yaml" >"$W/bad2.yaml"
before=$(dmsetup table | sort)
check_fails "a missing device fails validation" apply_json "$W/bad2.yaml"
check "the error names the device" grep -q nonexistent "$W/out.json"
check_eq "nothing changed" "$before" "$(dmsetup table | sort)"

echo "# exit codes"
"$IOBAND" apply --exit-code-changed 3 "$P/getting-started.yaml" >/dev/null 2>&1
check_eq "--exit-code-changed 3 when something changed" 3 "$?"
"$IOBAND" apply --exit-code-changed 3 "$P/getting-started.yaml" >/dev/null 2>&1
check_eq "0 when nothing changed" 0 "$?"
"$IOBAND" apply --bogus 2>/dev/null
check_eq "usage error exits 2" 2 "$?"
printf 'devices:\n  - name: x\n    weight: 0\n' >"$W/invalid.yaml"
"$IOBAND" apply "$W/invalid.yaml" 2>"$W/err.txt"
check_eq "invalid profile exits 1" 1 "$?"
check "the error has file:line:column" grep -q 'invalid.yaml:3:' "$W/err.txt"
check "schema is JSON" sh -c "'$IOBAND' schema | python3 -c 'import json,sys; json.load(sys.stdin)'"

echo "# lock: a second apply waits, then refuses"
exec 9>"$IOBAND_LOCK"
flock -x 9
"$IOBAND" apply --lock-timeout 0.5 "$P/getting-started.yaml" >/dev/null 2>"$W/err.txt"
check_eq "refused while the lock is held" 1 "$?"
check "says why" grep -q 'another .ioband apply. holds' "$W/err.txt"
exec 9>&-
remove_all_ioband

echo "# signals mid-apply: the run stops, undoes what it did and says so"
# the test hook slows apply down to one action per second
for sig in TERM INT HUP; do
	IOBAND_TEST_ACTION_DELAY_MS=1000 "$IOBAND" apply --json "$P/example1-partitions.yaml" \
		>"$W/sig.json" 2>"$W/sig.err" &
	ap=$!
	end=$((SECONDS + 30))
	until dmsetup info ioband1 >/dev/null 2>&1 || [ $SECONDS -gt $end ]; do sleep 0.2; done
	kill -$sig $ap
	wait $ap
	check_eq "SIG$sig mid-apply: exit 1" 1 "$?"
	check "SIG$sig: reported" grep -q "interrupted by SIG$sig" "$W/sig.json" ||
		sed 's/^/#   /' "$W/sig.json" "$W/sig.err"
	check "SIG$sig: every action undone or skipped" sh -c "! grep -q '\"status\":\"done\"' '$W/sig.json'"
	check_eq "SIG$sig: no ioband device left" "" "$(ioband_tables)"
done
# (bash starts background jobs with SIGINT ignored: signal only once apply
# has installed its handlers, i.e. once its first device exists)
IOBAND_TEST_ACTION_DELAY_MS=1000 "$IOBAND" apply "$P/example1-partitions.yaml" >"$W/sig.out" 2>&1 &
ap=$!
end=$((SECONDS + 30))
until dmsetup info ioband1 >/dev/null 2>&1 || [ $SECONDS -gt $end ]; do sleep 0.2; done
kill -INT $ap
wait $ap
check_eq "SIGINT in text mode: exit 1" 1 "$?"
check "text mode says everything was undone" grep -q 'every change of this run was undone' "$W/sig.out" ||
	sed 's/^/#   /' "$W/sig.out"
remove_all_ioband

echo "# not root, module not loaded"
setpriv --reuid 1000 --regid 1000 --clear-groups "$IOBAND" apply "$P/example1-partitions.yaml" >/dev/null 2>"$W/err.txt"
check_eq "apply as uid 1000 exits 1" 1 "$?"
check "and says to run as root" grep -qi 'root' "$W/err.txt"
sed 's/^/#   /' "$W/err.txt"

echo "# example2-lvm.yaml"
export LVM_SUPPRESS_FD_WARNINGS=1
lvmconf='devices { obtain_device_list_from_udev = 0 types = [ "nullb", 16 ] } activation { udev_sync = 0 udev_rules = 0 } global { use_lvmetad = 0 }'
sdc=$(nullb sdc 512)
sdd=$(nullb sdd 512)
if pvcreate -q --config "$lvmconf" "$sdc" "$sdd" >/dev/null 2>&1 && vgcreate -q --config "$lvmconf" vg0 "$sdc" "$sdd" >/dev/null 2>&1 &&
	lvcreate -q --config "$lvmconf" -n lv0 -i 2 -L 128M vg0 >/dev/null 2>&1 &&
	lvcreate -q --config "$lvmconf" -n lv1 -i 2 -L 128M vg0 >/dev/null 2>&1; then
	dmsetup mknodes
	f=$P/example2-lvm.yaml
	check "apply example2 (vg0/lv0, vg0/lv1)" apply_json "$f"
	check_eq "ioband1 on lv0" "$(devnum /dev/mapper/vg0-lv0) 1 4 128 none fair 2048 :80" "$(table_of ioband1)"
	check_eq "ioband2 on lv1" "$(devnum /dev/mapper/vg0-lv1) 1 4 128 none fair 2048 :40" "$(table_of ioband2)"
	round_trip example2 "$f"
	remove_all_ioband
	vgremove -q -f --config "$lvmconf" vg0 >/dev/null 2>&1
	pvremove -q --config "$lvmconf" "$sdc" "$sdd" >/dev/null 2>&1
else
	not_ok "LVM set-up failed in the guest"
fi

echo "# Ansible"
AP=$REPO/.cache/venv/bin/ansible-playbook
# Ansible tests the CLI, not the kernel, and takes minutes per run under
# TCG: it runs on the 6.12 guest only.
if [ "${KVER#6.1.}" != "$KVER" ]; then
	echo "# skipped on $KVER (run on 6.12)"
elif [ -x "$AP" ]; then
	cp "$P/example1-partitions.yaml" "$W/ansible.yaml"
	run_play() {
		ANSIBLE_LOCAL_TEMP=$W/ansible-tmp ANSIBLE_REMOTE_TEMP=$W/ansible-tmp HOME=$W \
			"$AP" -i localhost, -c local "$REPO/packaging/ansible/playbook.yml" \
			-e ioband_bin="$IOBAND" -e ioband_profile="$W/ansible.yaml" \
			-e ansible_become=false -e ansible_python_interpreter="$(command -v python3)" "$@" >"$W/ansible.out" 2>&1
	}
	# Two runs (each takes minutes under TCG): a real one from nothing, then
	# check mode on the result, which must pass --check to ioband (-v shows
	# the argv) and find nothing to do.  The CLI's own idempotence and
	# --check are tested above.
	check "ansible first run" run_play
	check "first run reports changed=1" grep -Eq 'changed=1 ' "$W/ansible.out"
	check_eq "devices made by ansible" "$d1 1 4 128 none fair 2048 :80" "$(table_of ioband1)"
	before=$(ioband_tables)
	check "ansible check-mode run" run_play --check -v
	check "check mode passed --check to ioband" grep -q '"apply", "--json", "--check"' "$W/ansible.out"
	check "check mode on the applied profile reports changed=0" grep -Eq 'changed=0 ' "$W/ansible.out"
	check_eq "check mode changed nothing" "$before" "$(ioband_tables)"
	remove_all_ioband
else
	not_ok "ansible-playbook missing"
fi

remove_all_ioband
dmsetup remove_all 2>/dev/null
check "unload" unload_ioband
linear_slice sda1 "$sda" 0 262144 && linear_slice sda2 "$sda" 262144 262144 || die "slices"
"$IOBAND" apply "$P/example1-partitions.yaml" >/dev/null 2>"$W/err.txt"
check_eq "apply without the module exits 1" 1 "$?"
check "and names the module" grep -q 'dm-ioband' "$W/err.txt"
sed 's/^/#   /' "$W/err.txt"
check_eq "nothing was created" "" "$(dmsetup ls | grep -v '^No devices' | grep -v sda || true)"
dmsetup remove --retry sda1; dmsetup remove --retry sda2
finish
