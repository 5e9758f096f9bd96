#!/usr/bin/env bash
# Replays the seed document (dm-ioband v0.0.3, Documentation/device-mapper/
# ioband.txt): Getting started, Command Reference and Examples, with the
# real dmsetup, checking the printed table and status lines.
# estimate: 100
# timeout: 600
. "$REPO/tests/lib/guest.sh"

load_ioband
check "dmsetup targets shows ioband" sh -c 'dmsetup targets | grep -Eq "^ioband +v1\.[0-9]+\.[0-9]+$"'

# "sda" with two partitions, "sdb" with four: dm-linear slices of null_blk.
sda=$(nullb sda 256)
sdb=$(nullb sdb 256)
linear_slice sda1 "$sda" 0 262144
linear_slice sda2 "$sda" 262144 262144
for i in 1 2 3 4; do linear_slice "sdb$i" "$sdb" $(( (i - 1) * 131072 )) 131072; done
SDA1=/dev/mapper/sda1 SDA2=/dev/mapper/sda2
d1=$(devnum $SDA1) d2=$(devnum $SDA2)

echo "# Getting started"
check "create ioband1" sh -c "echo \"0 \$(blockdev --getsize $SDA1) ioband $SDA1 1\" | dmsetup create ioband1"
check "create ioband2" sh -c "echo \"0 \$(blockdev --getsize $SDA2) ioband $SDA2 1\" | dmsetup create ioband2"
dmsetup mknodes
check "/dev/mapper/ioband1 and ioband2 exist" test -b /dev/mapper/ioband1 -a -b /dev/mapper/ioband2
check_eq "table with defaults is the seed's four fields" "0 262144 ioband $d1 1 4 128" "$(dmsetup table ioband1)"
check "weight 40 on ioband1" dmsetup message ioband1 0 weight 40
check "weight 10 on ioband2" dmsetup message ioband2 0 weight 10
check_eq "ioband1 table keeps weight 40" "$d1 1 4 128 none fair 2048 :40" "$(table_of ioband1)"
check "type user" dmsetup message ioband1 0 type user
check "attach 1000" dmsetup message ioband1 0 attach 1000
check "attach 2000" dmsetup message ioband1 0 attach 2000
check "weight 1000:30" dmsetup message ioband1 0 weight 1000:30
check "weight 2000:20" dmsetup message ioband1 0 weight 2000:20
check_eq "table shows type and user groups" "$d1 1 4 128 user fair 2048 :40 1000:30 2000:20" "$(table_of ioband1)"
dmsetup message ioband1 0 reset
check_eq "status: default group and two user groups" \
	"1 -1 0 0 0 0 0 0 1000 0 0 0 0 0 0 2000 0 0 0 0 0 0" "$(status_of ioband1)"
# uid 1000 reads 1 MiB through ioband1: counted in its own group
setpriv --reuid 1000 --regid 1000 --clear-groups dd if=/dev/mapper/ioband1 of=/dev/null bs=4k count=256 iflag=direct status=none 2>/dev/null ||
	{ chmod 666 /dev/mapper/ioband1; setpriv --reuid 1000 --regid 1000 --clear-groups dd if=/dev/mapper/ioband1 of=/dev/null bs=4k count=256 iflag=direct status=none; }
st=($(status_of ioband1))
check_eq "uid 1000's 256 reads are counted in group 1000" "1000 256 2048" "${st[8]} ${st[9]} ${st[11]}"
check_eq "nothing counted in group 2000" "2000 0" "${st[15]} ${st[16]}"
check "remove ioband1" dmsetup remove --retry ioband1
check "remove ioband2" dmsetup remove --retry ioband2

echo "# Command Reference"
check "create with io_throttle 10 io_limit 200" sh -c "echo \"0 \$(blockdev --getsize $SDA1) ioband $SDA1 1 10 200\" | dmsetup create ioband1"
check_eq "table shows 10 200" "$d1 1 10 200" "$(table_of ioband1)"
check "ioband2 in device group 1" ioband_create ioband2 $SDA2 1
for i in 3 4; do check "ioband$i on sdb$i in device group 2" ioband_create "ioband$i" "/dev/mapper/sdb$i" 2; done
check_eq "device group 1 shares io_throttle/io_limit" "$d2 1 10 200" "$(table_of ioband2)"
check_eq "device group 2 has its own defaults" "$(devnum /dev/mapper/sdb3) 2 4 128" "$(table_of ioband3)"
check "type user on ioband2" dmsetup message ioband2 0 type user
check "attach 1000 on ioband2" dmsetup message ioband2 0 attach 1000
check "detach 1000 from ioband2" dmsetup message ioband2 0 detach 1000
check_eq "ioband2 has no groups left" "1 -1 0 0 0 0 0 0" "$(dmsetup message ioband2 0 reset; status_of ioband2)"
check "weight 40 (default group)" dmsetup message ioband1 0 weight 40
check "type user, attach 1000, weight 1000:10" sh -c 'dmsetup message ioband1 0 type user && dmsetup message ioband1 0 attach 1000 && dmsetup message ioband1 0 weight 1000:10'
check "token 256" dmsetup message ioband1 0 token 256
check "io_throttle 16" dmsetup message ioband1 0 io_throttle 16
check "io_limit 128" dmsetup message ioband1 0 io_limit 128
check_eq "table after the reference's messages" "$d1 1 16 128 user fair 256 :40 1000:10" "$(table_of ioband1)"
check_eq "token/io_throttle/io_limit are per device group" "$d2 1 16 128 user fair 256 :100" "$(table_of ioband2)"
lines=$(dmsetup table --target ioband | grep -c '^ioband[1-4]: 0 [0-9]* ioband [0-9]*:[0-9]* [12] ')
check_eq "dmsetup table --target ioband prints 4 named lines" 4 "$lines"
dd if=/dev/mapper/ioband2 of=/dev/null bs=4k count=100 iflag=direct status=none
dd if=/dev/zero of=/dev/mapper/ioband2 bs=4k count=50 oflag=direct status=none
dmsetup message ioband2 0 reset
dd if=/dev/mapper/ioband2 of=/dev/null bs=4k count=100 iflag=direct status=none
dd if=/dev/zero of=/dev/mapper/ioband2 bs=4k count=50 oflag=direct status=none
st=$(dmsetup status --target ioband | grep '^ioband2:')
check "status line: name, 0, size, ioband, group, 7 numbers for the default group" \
	sh -c "echo '$st' | grep -Eq '^ioband2: 0 262144 ioband 1 -1 100 [0-9]+ 800 50 [0-9]+ 400\$'"
check "reset" dmsetup message ioband2 0 reset
check_eq "status after reset" "1 -1 0 0 0 0 0 0" "$(status_of ioband2)"

echo "# Reload keeps the configuration"
before=$(table_of ioband1)
check "dmsetup table | dmsetup load; resume" sh -c 'dmsetup table ioband1 | cut -d" " -f1-3 --complement >/dev/null; dmsetup table ioband1 | sed "s/^ioband1: //" | dmsetup load ioband1 && dmsetup resume ioband1'
check_eq "extended line round-trips" "$before" "$(table_of ioband1)"
check "reload with the plain seed line" sh -c "echo \"0 \$(blockdev --getsize $SDA1) ioband $SDA1 1\" | dmsetup reload ioband1 && dmsetup resume ioband1"
check_eq "plain reload keeps type, groups and weights" "$before" "$(table_of ioband1)"
for i in 1 2 3 4; do dmsetup remove --retry "ioband$i"; done

echo "# Example #1: partitions, weights 80 and 40, ext3"
check "create ioband1/2 in one device group" sh -c "ioband_create() { :; }; echo \"0 \$(blockdev --getsize $SDA1) ioband $SDA1 1\" | dmsetup create ioband1 && echo \"0 \$(blockdev --getsize $SDA2) ioband $SDA2 1\" | dmsetup create ioband2 && dmsetup mknodes"
check "weight 80" dmsetup message ioband1 0 weight 80
check "weight 40" dmsetup message ioband2 0 weight 40
mkdir -p /tmp/mnt1 /tmp/mnt2
check "mkfs.ext3 ioband1" mkfs.ext3 -q /dev/mapper/ioband1
check "mount ioband1" mount /dev/mapper/ioband1 /tmp/mnt1
check "mkfs.ext3 ioband2" mkfs.ext3 -q /dev/mapper/ioband2
check "mount ioband2" mount /dev/mapper/ioband2 /tmp/mnt2
check "write and read files" sh -c 'head -c 8M /dev/urandom > /tmp/mnt1/f && cp /tmp/mnt1/f /tmp/mnt2/f && sync && cmp /tmp/mnt1/f /tmp/mnt2/f'

echo "# Example #3: a user group on ioband2"
check "type user" dmsetup message ioband2 0 type user
check "attach 1000" dmsetup message ioband2 0 attach 1000
check "weight 1000:20" dmsetup message ioband2 0 weight 1000:20
check_eq "ioband2 table" "$d2 1 4 128 user fair 2048 :40 1000:20" "$(table_of ioband2)"
umount /tmp/mnt1 /tmp/mnt2
dmsetup remove --retry ioband1; dmsetup remove --retry ioband2

echo "# Example #5: blktap daemons by pid"
check "create ioband1" ioband_create ioband1 $SDA1 1
sleep 300 & p1=$!
sleep 300 & p2=$!
check "type pid" dmsetup message ioband1 0 type pid
check "attach pid 1" dmsetup message ioband1 0 attach $p1
check "weight pid 1 80" dmsetup message ioband1 0 weight $p1:80
check "attach pid 2" dmsetup message ioband1 0 attach $p2
check "weight pid 2 40" dmsetup message ioband1 0 weight $p2:40
check_eq "table lists both pids" "$d1 1 4 128 pid fair 2048 :100 $p1:80 $p2:40" "$(table_of ioband1)"
kill $p1 $p2; wait 2>/dev/null
dmsetup remove --retry ioband1

echo "# Example #2: striped logical volumes"
export LVM_SUPPRESS_FD_WARNINGS=1
lvmconf='devices { obtain_device_list_from_udev = 0 types = [ "nullb", 16 ] } activation { udev_sync = 0 udev_rules = 0 } global { use_lvmetad = 0 }'
sdc=$(nullb sdc 512)
sdd=$(nullb sdd 512)
if pvcreate -q --config "$lvmconf" "$sdc" "$sdd" >/dev/null 2>&1 && vgcreate -q --config "$lvmconf" vg0 "$sdc" "$sdd" >/dev/null 2>&1; then
	check "lvcreate lv0 striped" lvcreate -q --config "$lvmconf" -n lv0 -i 2 -L 128M vg0
	check "lvcreate lv1 striped" lvcreate -q --config "$lvmconf" -n lv1 -i 2 -L 128M vg0
	dmsetup mknodes
	check "ioband1 on lv0" ioband_create ioband1 /dev/mapper/vg0-lv0 1
	check "ioband2 on lv1" ioband_create ioband2 /dev/mapper/vg0-lv1 1
	check "weights 80 and 40" sh -c 'dmsetup message ioband1 0 weight 80 && dmsetup message ioband2 0 weight 40'
	check "mkfs.ext3 on ioband over LVM" mkfs.ext3 -q /dev/mapper/ioband1
	dmsetup remove --retry ioband1; dmsetup remove --retry ioband2
	vgremove -q -f --config "$lvmconf" vg0 >/dev/null 2>&1
	pvremove -q --config "$lvmconf" "$sdc" "$sdd" >/dev/null 2>&1
else
	not_ok "LVM set-up failed in the guest"
fi
dmsetup remove_all 2>/dev/null
check "unload" unload_ioband
finish
