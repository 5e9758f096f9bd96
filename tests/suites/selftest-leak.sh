#!/usr/bin/env bash
# Runner self-test on the debug kernel: a module that loses an allocation
# is caught by the kmemleak scan the runner makes after every suite, and
# the leak fails the suite although the script succeeds.
# expect: fail-dmesg
# reason: unreferenced object
# kernels: debug
# estimate: 30
# timeout: 120
. "$REPO/tests/lib/guest.sh"
check "kmemleak is on in this kernel" test -e /sys/kernel/debug/kmemleak
check "load the leaking module" insmod "$LEAK_KO"
rmmod ioband_leak_test
finish
