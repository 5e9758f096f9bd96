#!/usr/bin/env bash
# Install everything the test bed needs on a Debian 12 machine (run as root).
# Idempotent: a second run only checks.  The kernels it resolved are in
# .cache/kernels (tests/kernels/install.sh).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cache=$repo/.cache
mkdir -p "$cache"
export DEBIAN_FRONTEND=noninteractive
# The image packages run initramfs hooks; the guest boots without an
# initramfs (virtme-ng shares the host root), so skip building one.
export INITRD=No

if [ "$(id -u)" != 0 ]; then
	echo "setup: must run as root (installs Debian packages)" >&2
	exit 1
fi

# apt-cache needs fresh lists: the archive drops superseded kernel ABIs.
if [ ! -f "$cache/apt-updated" ] || [ -n "$(find "$cache/apt-updated" -mmin +360)" ]; then
	apt-get update -q >/dev/null
	touch "$cache/apt-updated"
fi

pkgs=(qemu-system-x86 busybox-static kmod fio dmsetup libdevmapper-dev
      libclang-dev clang pkg-config make gcc python3-venv e2fsprogs xfsprogs lvm2 util-linux fdisk
      fonts-dejavu-core libcap-ng-dev libseccomp-dev debootstrap dkms
      cryptsetup-bin mdadm thin-provisioning-tools curl
      # fstests (tests/host/fstests.sh builds it; suites fstests, logwrites)
      autoconf automake libtool libtool-bin xfslibs-dev uuid-dev libacl1-dev libaio-dev
      libgdbm-dev liburing-dev libcap-dev gawk attr quota bc psmisc)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing ${missing[*]}"
	apt-get install -y -q --no-install-recommends "${missing[@]}" >"$cache/apt-install.log" 2>&1 || {
		tail -n 30 "$cache/apt-install.log" >&2
		exit 1
	}
fi

# Prometheus for the exporter suite: Debian's package, unpacked into the
# cache rather than installed (the package would start a server on the
# host); the binary needs only libc.
prom=$cache/prometheus
if [ ! -x "$prom/root/usr/bin/prometheus" ]; then
	mkdir -p "$prom"
	(cd "$prom" && rm -f prometheus_*.deb && apt-get download -q prometheus >/dev/null 2>&1 &&
		dpkg-deb -x prometheus_*.deb root) || {
		echo "setup: could not fetch Debian's prometheus package" >&2
		exit 1
	}
fi

# virtme-ng (boots the guests) and ansible-core (the Ansible example is
# tested in the guest), pinned, in the project's own venv.
VNG_VERSION=1.42
ANSIBLE_VERSION=2.18.19
# (pip's output is read whole: grep -q leaving early would fail the pipe
# under pipefail and rebuild a good venv)
venv_has() {
	local shown
	shown=$("$cache/venv/bin/pip" show "$1" 2>/dev/null) || return 1
	grep -qx "Version: $2" <<<"$shown"
}
if [ ! -x "$cache/venv/bin/vng" ] || [ ! -x "$cache/venv/bin/ansible-playbook" ] ||
	! venv_has virtme-ng "$VNG_VERSION" || ! venv_has ansible-core "$ANSIBLE_VERSION"; then
	python3 -m venv "$cache/venv"
	"$cache/venv/bin/pip" install -q "virtme-ng==$VNG_VERSION" "ansible-core==$ANSIBLE_VERSION"
fi

# Rust toolchain: the machine has one (rustup); nothing to fetch here.
command -v cargo >/dev/null || { echo "setup: cargo not found" >&2; exit 1; }

# virtiofsd for the guests' root (tests/host/virtiofsd.sh says why);
# tests/run-all.sh builds it beside the CLI instead
[ "${IOBAND_VIRTIOFSD_LATER:-}" = 1 ] || "$repo/tests/host/virtiofsd.sh"

# every kernel line of the test bed (tests/kernels/install.sh says which)
"$repo/tests/kernels/install.sh"
