#!/usr/bin/env bash
# Who issued a bio, with type cgroup, the same on every kernel line: dm core
# clones bios, and whether a clone carries the original's blkcg association
# has changed between kernels.  A process's direct I/O is charged to its own
# cgroup, with and without the io controller enabled above it; a kernel
# thread's writeback of dirty pages is charged to the cgroup that dirtied
# them; I/O from the root cgroup stays in the default group.
# estimate: 60
# timeout: 300
. "$REPO/tests/lib/guest.sh"
load_ioband
dev=$(nullb nb0 256)
cg=/sys/fs/cgroup
mountpoint -q $cg || mount -t cgroup2 none $cg
# io and memory for the children of the root; "noio" keeps them from its own
echo "+memory +io" >$cg/cgroup.subtree_control
mkdir -p $cg/ioA $cg/noio/leaf
echo "+memory" >$cg/noio/cgroup.subtree_control
ida=$(stat -c %i $cg/ioA)
idleaf=$(stat -c %i $cg/noio/leaf)
ioband_create ioband1 "$dev" 1 4 128 cgroup weight 256 :100 "$ida:80" "$idleaf:40"
udev_settle
dmsetup message ioband1 0 reset

# in CG: read 4 MiB with O_DIRECT from the ioband device
read_in() {
	bash -c "echo \$\$ >$cg/$1/cgroup.procs; exec dd if=/dev/mapper/ioband1 of=/dev/null bs=64k count=64 iflag=direct status=none"
}
# status fields: 1 default group (id, 3 read, 3 write), then groups of 7
group_field() { # ID FIELD(1-6): that group's counter
	local st i
	st=($(status_of ioband1))
	for ((i = 1; i < ${#st[@]}; i += 7)); do
		[ "${st[i]}" = "$1" ] && { echo "${st[i + $2]}"; return; }
	done
	echo missing
}

read_in ioA
check_eq "direct reads in a cgroup with io enabled: its group's read sectors" \
	8192 "$(group_field "$ida" 3)"
read_in noio/leaf
check_eq "direct reads in a cgroup without its own io controller: its group's sectors" \
	8192 "$(group_field "$idleaf" 3)"
dd if=/dev/mapper/ioband1 of=/dev/null bs=64k count=64 iflag=direct status=none
check_eq "reads from the root cgroup: the default group" 8192 "$(group_field -1 3)"

echo "# buffered writes, written back by the flusher"
dmsetup message ioband1 0 reset
exec 3</dev/mapper/ioband1
echo 100 >/proc/sys/vm/dirty_writeback_centisecs
echo 100 >/proc/sys/vm/dirty_expire_centisecs
for g in ioA noio/leaf; do
	bash -c "echo \$\$ >$cg/$g/cgroup.procs; exec dd if=/dev/zero of=/dev/mapper/ioband1 bs=1M count=4 seek=\$(( ${#g} * 8 )) status=none"
done
for _ in $(seq 60); do
	[ "$(group_field "$ida" 6)" -ge 8192 ] && [ "$(group_field "$idleaf" 6)" -ge 8192 ] && break
	sleep 1
done
check "writeback of ioA's pages is charged to ioA" test "$(group_field "$ida" 6)" -ge 8192
check "writeback of noio/leaf's pages is charged to noio/leaf" \
	test "$(group_field "$idleaf" 6)" -ge 8192
check_eq "none of it to the default group" 0 "$(group_field -1 6)"
exec 3<&-
echo "# status: $(status_of ioband1)"

dmsetup remove --retry ioband1
rmdir $cg/noio/leaf $cg/noio $cg/ioA
nullb_remove nb0
check "unload" unload_ioband
finish
