#!/usr/bin/env bash
# Guest half of tests/host/dkms.sh: the DKMS-installed module loads by name.
# timeout: 120
. "$REPO/tests/lib/guest.sh"
check "modprobe dm-ioband finds the DKMS module" modprobe dm-ioband
check "it is the DKMS build" sh -c 'modinfo -n dm-ioband | grep -q /updates/dkms/'
dev=$(nullb nb0 64)
check "create a device" ioband_create ioband1 "$dev" 1
check "remove it" dmsetup remove --retry ioband1
check "modprobe -r" modprobe -r dm-ioband
finish
