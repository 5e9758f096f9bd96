#!/usr/bin/env bash
# Runner self-test on the debug kernel: a module that takes two locks in
# both orders makes lockdep report a possible circular locking dependency,
# and that report fails the suite although the script succeeds.
# expect: fail-dmesg
# reason: circular
# kernels: debug
# boot: own
# estimate: 10
# timeout: 120
. "$REPO/tests/lib/guest.sh"
check "lockdep is on in this kernel" test -e /proc/lockdep
check "load the lock-order module" insmod "$LOCKORDER_KO"
rmmod ioband_lockorder_test
finish
