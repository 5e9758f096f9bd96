#!/usr/bin/env bash
# Hostile input, kernel side: a seeded fuzzer sends thousands of random
# messages (known and unknown words, numbers at and beyond the int/u64
# limits, ID:VAL forms with every separator, empty and 64 KiB words, bytes
# above 127) and table lines (random devices, argument counts, types,
# policies, 4096/4097 groups) to ioband devices through the dm ioctls, from
# one python3 process (tests/lib/msgfuzz.py).  After every rejected case
# the status and table of every ioband device and the device list are
# byte-identical; a table load never touches the live table; the kernel
# never oopses or warns.  MSGFUZZ_SEED reproduces a run (default: random,
# printed).
# estimate: 90
# timeout: 400
. "$REPO/tests/lib/guest.sh"

SEED=${MSGFUZZ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
MSGS=${MSGFUZZ_MESSAGES:-1500}
TABLES=${MSGFUZZ_TABLES:-500}
load_ioband
disk=$(nullb nb0 64)
ioband_create ioband1 "$disk" 1 || die "create ioband1"
echo "0 $(blockdev --getsz "$disk") ioband $disk 1 0 0 user weight 0 :100 1000:30 2000:20" |
	dmsetup create ioband2 && dmsetup mknodes ioband2 || die "create ioband2"
ioband_create ioband3 "$disk" 2 8 64 || die "create ioband3"
dmsetup message ioband1 0 type uid
dmsetup message ioband1 0 attach 1000
# udev probes new devices: let it finish so the counters hold still
udev_settle
sleep 1
dmsetup message ioband1 0 reset
# the table errors go to the log, not the (slow, serial) console
loglevel=$(cut -f1 /proc/sys/kernel/printk)
echo 1 >/proc/sys/kernel/printk

start=$SECONDS
check "fuzzer: seed $SEED, every case behaved, clean kernel log" \
	python3 -u "$REPO/tests/lib/msgfuzz.py" "$SEED" "$MSGS" "$TABLES" "$disk" ioband1 ioband2 ioband3
echo "# fuzzer ran $((SECONDS - start)) s"
echo "$loglevel" >/proc/sys/kernel/printk
check "I/O through ioband1 after the fuzzing" dd if=/dev/zero of=/dev/mapper/ioband1 bs=64k count=16 oflag=direct status=none
check "I/O through ioband2" dd if=/dev/mapper/ioband2 of=/dev/null bs=64k count=16 iflag=direct status=none
for d in ioband1 ioband2 ioband3; do check "remove $d" dmsetup remove --retry $d; done
check "unload" unload_ioband
finish
