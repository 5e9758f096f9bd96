#!/usr/bin/env bash
# Runner self-test: a failing guest command must fail the suite.
# expect: fail-exit
# estimate: 5
# timeout: 60
. "$REPO/tests/lib/guest.sh"
check "this command fails on purpose" false
finish
