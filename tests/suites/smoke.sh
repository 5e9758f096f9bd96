#!/usr/bin/env bash
# Smoke: load dm-ioband.ko, make an ioband device over null_blk with the
# real dmsetup, move verified data through it, remove it, unload.
# estimate: 45
# timeout: 300
. "$REPO/tests/lib/guest.sh"

load_ioband
check "dmsetup targets lists ioband" sh -c 'dmsetup targets | grep -q "^ioband "'
dev=$(nullb nb0 256 discard=1)
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

echo "# flush/FUA, discard, write-zeroes pass through"
check "O_SYNC writes and fsync (FUA/flush)" dd if=/tmp/data of=/dev/mapper/ioband1 bs=64k count=64 oflag=direct,sync conv=fsync status=none
check "discard limits stack from the disk underneath" test "$(cat /sys/block/$(dmsetup info -c --noheadings -o blkdevname ioband1)/queue/discard_max_bytes)" -gt 0
check "blkdiscard the first 8 MiB" blkdiscard -o 0 -l 8M /dev/mapper/ioband1
check "discarded range reads back as zeros" cmp -n 8M /dev/zero /dev/mapper/ioband1
check "write-zeroes (blkdiscard -z) on the next 8 MiB" blkdiscard -z -o 8M -l 8M /dev/mapper/ioband1
check "zeroed range reads back as zeros" cmp -n 8M /dev/zero <(dd if=/dev/mapper/ioband1 bs=1M skip=8 count=8 iflag=direct status=none)
check "the rest is untouched" cmp <(dd if=/dev/mapper/ioband1 bs=1M skip=16 count=48 iflag=direct status=none) <(dd if=/tmp/data bs=1M skip=16 count=48 status=none)
check "remove ioband1" dmsetup remove --retry ioband1
check "unload dm-ioband" unload_ioband
check "module is gone" sh -c '! grep -q "^dm_ioband " /proc/modules'
nullb_remove nb0
finish
