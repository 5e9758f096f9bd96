#!/usr/bin/env bash
# Lifecycle: 1000 ioband devices created, configured, used and removed in a
# loop from one python3 process through the dm ioctls (tests/lib/lifecycle.py),
# up to 64 live at once in 50 device groups; the slab caches show no growth
# (Debian's kernels have no kmemleak: CONFIG_DEBUG_KMEMLEAK is off).  Then
# the module: rmmod is refused while a device uses it and works after,
# and the module loads and works again.
# estimate: 160
# timeout: 600
. "$REPO/tests/lib/guest.sh"

# half as many on the debug kernel, where each takes several times as long
# and kmemleak finds a leak in 500 as well as in 1000
CYCLES=${LIFECYCLE_CYCLES:-$((SLOWDOWN > 1 ? 500 : 1000))}
load_ioband
# thousands of uevents would keep udevd (and the 2 TCG cpus) busy and make
# removes race its probes: this suite manages its own nodes
udevadm control --exit 2>/dev/null
disk=$(nullb nb0 64)

start=$SECONDS
check "$CYCLES create/remove cycles, no leak" \
	python3 -u "$REPO/tests/lib/lifecycle.py" "$CYCLES" 50 64 "$disk"
echo "# cycles took $((SECONDS - start)) s"
check_eq "no dm device left but the disk's" "" "$(dmsetup ls | grep -v '^No devices' || true)"

ioband_create ib1 "$disk" 1 || die "create ib1"
check_fails "rmmod refused while ib1 uses the target" rmmod dm_ioband
check "module still loaded" grep -q '^dm_ioband ' /proc/modules
check "ib1 still works" dd if=/dev/mapper/ib1 of=/dev/null bs=4k count=8 iflag=direct status=none
check "remove ib1" dmsetup remove --retry ib1
check "rmmod once nothing uses it" rmmod dm_ioband
check "module gone" sh -c '! grep -q "^dm_ioband " /proc/modules'
check "insmod again" insmod "$IOBAND_KO"
check "create after reload" ioband_create ib2 "$disk" 7
check_eq "status after reload" "7 -1" "$(status_of ib2 | cut -d' ' -f1-2)"
check "remove ib2" dmsetup remove --retry ib2
check "final unload" unload_ioband
# udev back, as the guest had it (the CLI waits for udev when it runs)
for udevd in /lib/systemd/systemd-udevd /usr/lib/systemd/systemd-udevd; do
	[ -x "$udevd" ] && { "$udevd" --daemon >/dev/null 2>&1; break; }
done
finish
