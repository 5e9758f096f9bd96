#!/usr/bin/env bash
# The defaults a plain table line gets: policy fair, and io_limit "auto",
# which follows the queue depth of the device below (read when the table
# goes live and again within a second of a change), while the table prints
# the 2008 defaults "4 128" and reloads keep auto.  A pinned io_limit, the
# "auto" message, a stacked device (depth unknown), a device group over
# disks of two depths.
# estimate: 40
# timeout: 300
. "$REPO/tests/lib/guest.sh"

load_ioband
d8=$(nullb nbd8 64 hw_queue_depth=8 submit_queues=1 queue/scheduler=none)
d2=$(nullb nbd2 64 hw_queue_depth=2 submit_queues=1 queue/scheduler=none)
d1=$(nullb nbd1 64 hw_queue_depth=1 submit_queues=1 queue/scheduler=none)
# settings NAME KEY: one value of the "settings" message's reply
setting() { dmsetup message "$1" 0 settings | tr ' ' '\n' | sed -n "s/^$2=//p"; }
# a few reads: map() looks at the depth below again once a second
poke() { dd if="/dev/mapper/$1" of=/dev/null bs=4k count=4 iflag=direct status=none; }

echo "# a plain line on a disk of 8 tags"
check "create ioband1" ioband_create ioband1 "$d8" 1
check_eq "the table prints the 2008 defaults" "$(devnum "$d8") 1 4 128" "$(table_of ioband1)"
echo "# settings: $(dmsetup message ioband1 0 settings)"
check_eq "policy fair by default" fair "$(setting ioband1 policy)"
check_eq "io_limit is auto" 1 "$(setting ioband1 io_limit_auto)"
check_eq "the depth below is read" 8 "$(setting ioband1 queue_depth)"
check_eq "effective io_limit: the depth" 8 "$(setting ioband1 effective_io_limit)"
check_eq "effective io_throttle: the default 4" 4 "$(setting ioband1 effective_io_throttle)"

echo "# the disk's nr_requests lowered to 5, then a scheduler"
echo 5 >/sys/block/nbd8/queue/nr_requests
sleep 1.2
poke ioband1
check_eq "io_limit follows nr_requests within a second" 5 "$(setting ioband1 effective_io_limit)"
check_eq "io_throttle stays below it" 4 "$(setting ioband1 effective_io_throttle)"
echo mq-deadline >/sys/block/nbd8/queue/scheduler
sleep 1.2
poke ioband1
check_eq "with mq-deadline: the tags, not its requests" 8 "$(setting ioband1 effective_io_limit)"
check_eq "the table still prints 4 128" "$(devnum "$d8") 1 4 128" "$(table_of ioband1)"

echo "# messages: a pinned io_limit, back to auto"
check "io_limit 5" dmsetup message ioband1 0 io_limit 5
check_eq "the table shows 5" "$(devnum "$d8") 1 4 5" "$(table_of ioband1)"
check_eq "not auto" "0 5" "$(setting ioband1 io_limit_auto) $(setting ioband1 effective_io_limit)"
check "io_limit auto" dmsetup message ioband1 0 io_limit auto
check_eq "auto again, the table prints 128" "1 8 $(devnum "$d8") 1 4 128" \
	"$(setting ioband1 io_limit_auto) $(setting ioband1 effective_io_limit) $(table_of ioband1)"
dmsetup message ioband1 0 io_limit 64
check "io_limit 128, the 2008 default, is auto" dmsetup message ioband1 0 io_limit 128
check_eq "auto" "1 8" "$(setting ioband1 io_limit_auto) $(setting ioband1 effective_io_limit)"

echo "# reloads keep auto"
check "dmsetup table | dmsetup load; resume" sh -c 'dmsetup table ioband1 | sed "s/^ioband1: //" | dmsetup load ioband1 && dmsetup resume ioband1'
check_eq "still auto at the depth" "1 8" "$(setting ioband1 io_limit_auto) $(setting ioband1 effective_io_limit)"
check "io_throttle 10 in a reload" sh -c "echo '0 $(blockdev --getsz "$d8") ioband $d8 1 10' | dmsetup load ioband1 && dmsetup resume ioband1"
check_eq "the table prints 10 128" "$(devnum "$d8") 1 10 128" "$(table_of ioband1)"
check_eq "effective io_throttle stays below the depth" "7 8" \
	"$(setting ioband1 effective_io_throttle) $(setting ioband1 effective_io_limit)"
check "io_throttle 4" dmsetup message ioband1 0 io_throttle 4

echo "# one device group over disks of 8 and 2 tags: the deeper one"
check "create ioband2 on the 2-tag disk, group 1" ioband_create ioband2 "$d2" 1
check_eq "ioband2 reads its own depth" 2 "$(setting ioband2 queue_depth)"
check_eq "the group's io_limit is the deeper disk's" 8 "$(setting ioband2 effective_io_limit)"
dmsetup remove --retry ioband1
check_eq "ioband1 gone: the 2-tag disk's" "2 1" \
	"$(setting ioband2 effective_io_limit) $(setting ioband2 effective_io_throttle)"
dmsetup remove --retry ioband2

echo "# a disk of one tag: io_limit is at least 2"
check "create ioband3" ioband_create ioband3 "$d1" 2
check_eq "io_limit 2, io_throttle 1" "2 1" \
	"$(setting ioband3 effective_io_limit) $(setting ioband3 effective_io_throttle)"
check "verified I/O through it" fio --name=v --filename=/dev/mapper/ioband3 --direct=1 --rw=randwrite \
	--bs=4k --size=4m --iodepth=16 --ioengine=libaio --verify=crc32c --do_verify=1 --output=/dev/null
dmsetup remove --retry ioband3

echo "# on a stacked (bio-based) device the depth is unknown: 128"
linear_slice lin8 "$d8" 0 65536
check "create ioband4 over dm-linear" ioband_create ioband4 /dev/mapper/lin8 3
check_eq "depth 0 (unknown), io_limit 128" "0 128" \
	"$(setting ioband4 queue_depth) $(setting ioband4 effective_io_limit)"
check "a pinned io_limit works there" dmsetup message ioband4 0 io_limit 8
check_eq "io_limit 8" 8 "$(setting ioband4 effective_io_limit)"

echo "# the 2008 alias \"default\" is the weight policy"
check "policy default" dmsetup message ioband4 0 policy default
check_eq "weight" weight "$(setting ioband4 policy)"
dmsetup remove --retry ioband4
dmsetup remove --retry lin8
check "unload" unload_ioband
finish
