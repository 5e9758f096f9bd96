#!/usr/bin/env bash
# What ioband passes through, as dm-linear does: REQ_NOWAIT (io_uring's
# first try; a bio that would have to wait completes with EAGAIN, counted,
# and io_uring retries it from a worker: no error reaches the program), an
# integrity profile (scsi_debug with DIX), inline-encryption contexts
# (fscrypt with -o inlinecrypt over blk-crypto-fallback), and a clear
# refusal of zoned devices.  Parts a kernel cannot do (no scsi_debug, no
# zoned null_blk, no inline encryption) say so and are skipped there.
# estimate: 60
# timeout: 400
. "$REPO/tests/lib/guest.sh"

load_ioband
setting() { dmsetup message "$1" 0 settings | tr ' ' '\n' | sed -n "s/^$2=//p"; }
blkname() { dmsetup info -c --noheadings -o blkdevname "$1"; }

echo "# REQ_NOWAIT"
slow=$(nullb nbnw 128 irqmode=2 completion_nsec=1000000 hw_queue_depth=2 submit_queues=1 queue/scheduler=none)
check "create ionw" ioband_create ionw "$slow" 1
q=/sys/block/$(blkname ionw)/queue
if [ -f "$q/nowait" ]; then
	check_eq "the device takes REQ_NOWAIT (queue/nowait)" 1 "$(cat "$q/nowait")"
fi
# io_uring on the 2-tag disk with the defaults: room for every bio held
check "io_uring QD 32, verified, defaults" fio --name=u --filename=/dev/mapper/ionw --direct=1 \
	--ioengine=io_uring --rw=randwrite --bs=4k --size=8m --iodepth=32 --verify=crc32c --do_verify=1 \
	--output=/dev/null
echo "# nowait_again with the defaults: $(setting ionw nowait_again)"
# the 2008 policy at io_limit 2 holds at most three bios per group: the
# rest of a QD 32 batch would have to wait in map()
dmsetup message ionw 0 policy weight
dmsetup message ionw 0 io_throttle 1
dmsetup message ionw 0 io_limit 2
check "io_uring QD 32, verified, hold limits at their least" fio --name=u --filename=/dev/mapper/ionw --direct=1 \
	--ioengine=io_uring --rw=randwrite --bs=4k --size=8m --iodepth=32 --verify=crc32c --do_verify=1 \
	--output=/dev/null
again=$(setting ionw nowait_again)
echo "# nowait_again: $again"
check "bios that would wait were refused with EAGAIN, and counted" test "${again:-0}" -gt 0
check "libaio QD 32 (no REQ_NOWAIT) still waits and verifies" fio --name=a --filename=/dev/mapper/ionw --direct=1 \
	--ioengine=libaio --rw=randwrite --bs=4k --size=4m --iodepth=32 --verify=crc32c --do_verify=1 \
	--output=/dev/null
check_eq "libaio's bios were not refused" "$again" "$(setting ionw nowait_again)"
dmsetup remove --retry ionw

echo "# zoned devices are refused"
z=/sys/kernel/config/nullb/nbz
mkdir -p $z
if echo 1 >$z/zoned 2>/dev/null && echo 64 >$z/size && echo 4 >$z/zone_size &&
	echo 1 >$z/power 2>/dev/null && [ "$(cat /sys/block/nbz/queue/zoned 2>/dev/null)" = host-managed ]; then
	dmesg -c >/dev/null
	check "ioband on a zoned disk fails" sh -c "! echo '0 131072 ioband /dev/nbz 1' | dmsetup create ionz 2>/dev/null"
	check "the reason is logged" sh -c 'dmesg | grep -q "Zoned devices are not supported"'
	check "and no device is left" sh -c '! dmsetup info ionz >/dev/null 2>&1'
else
	echo "# skip: this kernel has no zoned block devices"
fi
echo 0 >$z/power 2>/dev/null
rmdir $z

echo "# integrity profile (scsi_debug, DIF type 1 with DIX)"
if modprobe scsi_debug dev_size_mb=64 dif=1 dix=1 guard=0 sector_size=512 max_queue=8 2>/dev/null; then
	sd=
	for _ in $(seq 50); do
		sd=$(grep -l scsi_debug /sys/block/sd*/device/model 2>/dev/null | head -n 1 | cut -d/ -f4)
		[ -n "$sd" ] && [ -b "/dev/$sd" ] && break
		sleep 0.2
	done
	fmt=$(cat "/sys/block/$sd/integrity/format" 2>/dev/null)
	echo "# $sd integrity: $fmt"
	check "create ioint over $sd" ioband_create ioint "/dev/$sd" 1
	check_eq "the integrity profile passes through" "$fmt" "$(cat /sys/block/$(blkname ioint)/integrity/format)"
	check "verified I/O through it" fio --name=i --filename=/dev/mapper/ioint --direct=1 --ioengine=libaio \
		--rw=randwrite --bs=4k --size=8m --iodepth=16 --verify=crc32c --do_verify=1 --output=/dev/null
	dmsetup remove --retry ioint
	udev_settle
	rmmod scsi_debug 2>/dev/null || { sleep 1; rmmod scsi_debug; }
else
	echo "# skip: no scsi_debug in this kernel"
fi

echo "# inline encryption (fscrypt, -o inlinecrypt, blk-crypto-fallback)"
fscrypt() { python3 "$REPO/tests/lib/fscrypt.py" "$@"; }
dc=$(nullb nbc 128)
ioband_create iocr "$dc" 4
mkfs.ext4 -q -O encrypt /dev/mapper/iocr
mkdir -p /tmp/mcr
mount -o inlinecrypt /dev/mapper/iocr /tmp/mcr 2>/dev/null
# a kernel without inline encryption mounts without the option, or fails
if grep -q "/tmp/mcr .*inlinecrypt" /proc/mounts; then
	head -c 64 /dev/urandom >/tmp/fskey
	id=$(fscrypt add_key /tmp/mcr </tmp/fskey)
	mkdir /tmp/mcr/secret
	check "encryption policy on a directory" fscrypt set_policy "$id" /tmp/mcr/secret
fi
# file names take AES-256-CTS, which a kernel may lack (ENOPKG)
if [ -d /tmp/mcr/secret ] && ! touch /tmp/mcr/secret/probe 2>/tmp/touch.err; then
	echo "# skip: encrypted names fail here: $(cat /tmp/touch.err)"
elif [ -d /tmp/mcr/secret ]; then
	marker=IOBAND-PLAINTEXT-MARKER-$RANDOM$RANDOM
	for i in $(seq 2000); do echo "$marker"; done >/tmp/mcr/secret/file
	cp /tmp/mcr/secret/file /tmp/plain
	sync
	check "the plaintext never reached the disk" sh -c "! grep -qa '$marker' $dc"
	echo 3 >/proc/sys/vm/drop_caches
	check "the file reads back through ioband" cmp /tmp/mcr/secret/file /tmp/plain
	dmesg | grep -i "blk-crypto\|fscrypt" | tail -n 3 | sed 's/^/# /'
else
	echo "# skip: this kernel cannot mount with inlinecrypt (no inline encryption)"
fi
! mountpoint -q /tmp/mcr || umount /tmp/mcr
dmsetup remove --retry iocr
check "unload" unload_ioband
finish
