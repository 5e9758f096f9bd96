#!/usr/bin/env bash
# DKMS packaging: add kmod/ as ioband/<version>, build and install it for
# both test kernels on the host, then boot each kernel and load the DKMS
# module with modprobe (suite dkms-load), then remove it again.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
export DEBIAN_FRONTEND=noninteractive
dpkg-query -W -f='${Status}' dkms 2>/dev/null | grep -q 'install ok installed' ||
	apt-get install -y -q --no-install-recommends dkms >/dev/null
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' kmod/dkms.conf)
src=/usr/src/ioband-$ver
cleanup() { dkms remove -m ioband -v "$ver" --all >/dev/null 2>&1 || true; rm -rf "$src"; }
trap cleanup EXIT
cleanup
mkdir -p "$src"
cp kmod/*.c kmod/*.h kmod/Kbuild kmod/Makefile kmod/dkms.conf "$src/"
dkms add -m ioband -v "$ver" >/dev/null
fails=0
while read -r _ kver; do
	if dkms build -m ioband -v "$ver" -k "$kver" >/tmp/dkms-build.log 2>&1 &&
		dkms install -m ioband -v "$ver" -k "$kver" >/tmp/dkms-install.log 2>&1; then
		echo "ok - dkms build and install for $kver"
	else
		echo "not ok - dkms for $kver"; tail -n 20 /tmp/dkms-build.log /tmp/dkms-install.log
		fails=$((fails + 1))
	fi
done <.cache/kernels
python3 tests/vm/run.py "$@" tests/host/dkms-load.sh || fails=$((fails + 1))
exit $fails
