#!/usr/bin/env bash
# Runner self-test: a kernel WARNING in the guest fails the suite even though
# the script itself succeeds.
# expect: fail-dmesg
# estimate: 5
# timeout: 60
. "$REPO/tests/lib/guest.sh"
check "load the warning module" insmod "$WARN_KO"
rmmod ioband_warn_test
finish
