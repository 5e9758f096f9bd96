#!/usr/bin/env bash
# DKMS packaging: add kmod/ as ioband/<version>, build and install it with
# dkms for every kernel line of the test bed, then boot each kernel and load
# the DKMS module with modprobe (suite dkms-load), then remove it again.
# Lines whose kbuild needs a newer Debian (7.x) run dkms in the trixie
# chroot, as a trixie user would; the module it installs there is copied
# into this machine's /lib/modules/<version>, which the guests boot with.
#   tests/host/dkms.sh [--kernel LINE]...
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
export DEBIAN_FRONTEND=noninteractive
dpkg-query -W -f='${Status}' dkms 2>/dev/null | grep -q 'install ok installed' ||
	apt-get install -y -q --no-install-recommends dkms >/dev/null
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' kmod/dkms.conf)

# the lines asked for (run.py's --kernel values), else all of them
wanted=()
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) wanted+=("$2"); shift 2 ;;
	--kernel=*) wanted+=("${1#--kernel=}"); shift ;;
	*) shift ;;
	esac
done
selected() {
	[ ${#wanted[@]} -eq 0 ] && return 0
	local w
	for w in "${wanted[@]}"; do
		case $w in
		all | "$1") return 0 ;;
		*.x) [[ $1 == "${w%.x}".[0-9]* && $1 != *-rt ]] && return 0 ;;
		*.x-rt) [[ $1 == "${w%.x-rt}".[0-9]*-rt ]] && return 0 ;;
		esac
	done
	return 1
}

roots=()
cleanup() {
	local r
	for r in / "${roots[@]}"; do
		chroot "$r" dkms remove -m ioband -v "$ver" --all >/dev/null 2>&1 || true
		rm -rf "$r/usr/src/ioband-$ver"
	done
	for r in "${copied[@]}"; do rm -f "$r"; done
	for k in "${depmods[@]}"; do depmod "$k"; done
}
copied=() depmods=()
trap cleanup EXIT

fails=0 lines=()
while read -r label kver _ _ root; do
	selected "$label" || continue
	lines+=(--kernel "$label")
	if [ ! -d "$root/usr/src/ioband-$ver" ]; then
		chroot "$root" dkms remove -m ioband -v "$ver" --all >/dev/null 2>&1 || true
		mkdir -p "$root/usr/src/ioband-$ver"
		cp kmod/*.c kmod/*.h kmod/Kbuild kmod/Makefile kmod/dkms.conf "$root/usr/src/ioband-$ver/"
		chroot "$root" dkms add -m ioband -v "$ver" >/dev/null
		[ "$root" = / ] || roots+=("$root")
	fi
	log=$repo/.cache/dkms-$kver.log
	# objtool reads /proc: a private mount namespace keeps the chroot clean
	if unshare --mount --propagation private sh -c \
		'[ "$0" = / ] || mount -t proc proc "$0/proc"; exec chroot "$0" "$@"' "$root" \
		sh -c "dkms build -m ioband -v $ver -k $kver && dkms install -m ioband -v $ver -k $kver" \
		>"$log" 2>&1; then
		echo "ok - dkms build and install for $kver ($label)"
	else
		echo "not ok - dkms for $kver ($label)"
		tail -n 20 "$log"
		fails=$((fails + 1))
		continue
	fi
	if [ "$root" != / ]; then
		mod=$(find "$root/lib/modules/$kver/updates/dkms" -name 'dm-ioband.ko*' | head -n 1)
		mkdir -p "/lib/modules/$kver/updates/dkms"
		cp "$mod" "/lib/modules/$kver/updates/dkms/"
		copied+=("/lib/modules/$kver/updates/dkms/$(basename "$mod")")
		depmod "$kver"
		depmods+=("$kver")
	fi
done <.cache/kernels
[ ${#lines[@]} -gt 0 ] || { echo "dkms: no kernel line selected" >&2; exit 1; }
python3 tests/vm/run.py "${lines[@]}" tests/host/dkms-load.sh || fails=$((fails + 1))
exit $fails
