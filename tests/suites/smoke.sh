#!/usr/bin/env bash
# Smoke: load dm-ioband.ko, make an ioband device over null_blk with the
# real dmsetup, move verified data through it, remove it, unload.
# timeout: 300
. "$REPO/tests/lib/guest.sh"

load_ioband
check "dmsetup targets lists ioband" sh -c 'dmsetup targets | grep -q "^ioband "'
dev=$(nullb nb0 256)
check "create ioband1 over $dev" ioband_create ioband1 "$dev" 1
check_eq "dmsetup table prints the seed's 4 fields" "$(devnum "$dev") 1 4 128" "$(table_of ioband1)"
# the kernel's partition scan reads the new disk: start from zero
check "reset the counters" dmsetup message ioband1 0 reset
check_eq "status after reset is all zero" "1 -1 0 0 0 0 0 0" "$(status_of ioband1)"

head -c 64M /dev/urandom >/tmp/data
check "write 64 MiB through ioband (O_DIRECT)" dd if=/tmp/data of=/dev/mapper/ioband1 bs=1M oflag=direct status=none
check "read back through ioband matches" cmp <(dd if=/dev/mapper/ioband1 bs=1M count=64 iflag=direct status=none) /tmp/data
check "data reached the disk underneath" cmp <(dd if="$dev" bs=1M count=64 iflag=direct status=none) /tmp/data
st=($(status_of ioband1))
check "status counted reads and writes" test "${st[2]}" -gt 0 -a "${st[5]}" -gt 0
check_eq "status counted 64 MiB written" 131072 "${st[7]}"

check "remove ioband1" dmsetup remove ioband1
check "unload dm-ioband" unload_ioband
check "module is gone" sh -c '! grep -q "^dm_ioband " /proc/modules'
nullb_remove nb0
finish
