#!/usr/bin/env bash
# Install the test bed's kernel lines and write .cache/kernels, one line per
# kernel: <label> <version> <vmlinuz> <build dir> <build root>
# (the build root is / or the chroot the module must be built in).
#
#   6.1, 6.12, 6.12-rt  Debian 12's own kernels (bookworm, bookworm-security),
#                       image and headers installed on this machine.
#   7.N, 7.N-rt         the newest 7.x of trixie-backports.  Its kbuild needs
#                       trixie's glibc and gcc-14, so its headers live in a
#                       trixie chroot (.cache/trixie, debootstrap minbase) and
#                       modules are built there; the image and modules are
#                       unpacked onto this machine's /lib/modules (the guests
#                       boot with this root).
#   debug               tests/kernels/build-debug.sh: installed when its
#                       build is cached on this machine, built first with
#                       IOBAND_DEBUG_KERNEL=1 (it takes long; see there).
#
# Versions are resolved at run time: the archive drops superseded ABIs.
# Idempotent: a second run only checks.  Needs root and apt-get update done.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cache=$repo/.cache
root=$cache/trixie
export DEBIAN_FRONTEND=noninteractive INITRD=No
mkdir -p "$cache"
out=$cache/kernels.new
: >"$out"

newest() { apt-cache search --names-only "$1" | awk '{print $1}' | sort -V | tail -n 1; }
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

# --- Debian 12's lines
host_pkgs=()
host_line() { # LABEL REGEX
	local img ver
	img=$(newest "$2")
	[ -n "$img" ] || { echo "kernels: no package matches $2 for $1" >&2; exit 1; }
	ver=${img#linux-image-}
	ver=${ver%-unsigned}
	host_pkgs+=("$img" "linux-headers-$ver")
	echo "$1 $ver /boot/vmlinuz-$ver /lib/modules/$ver/build /" >>"$out"
}
host_line 6.1 '^linux-image-6\.1\.0-[0-9]+-amd64-unsigned$'
host_line 6.12 '^linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned$'
host_line 6.12-rt '^linux-image-6\.12\.[0-9]+\+deb12-rt-amd64-unsigned$'
missing=()
for p in "${host_pkgs[@]}"; do installed "$p" || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
	echo "kernels: installing ${missing[*]}"
	apt-get install -y -q --no-install-recommends "${missing[@]}" >"$cache/apt-kernels.log" 2>&1 ||
		{ tail -n 30 "$cache/apt-kernels.log" >&2; exit 1; }
fi

# --- the trixie chroot for 7.x
# The same mirror this machine's apt uses (no host name is written here).
mirror() {
	{
		cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '/^URIs:/ {print $2}'
		cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
			awk '/^deb / {print $2}'
	} | grep -v security | head -n 1 || true
}
in_root() { chroot "$root" "$@"; }
if [ ! -x "$root/usr/bin/apt-get" ] || [ ! -f "$root/.ioband-ready" ]; then
	command -v debootstrap >/dev/null ||
		apt-get install -y -q --no-install-recommends debootstrap >/dev/null
	url=$(mirror)
	[ -n "$url" ] || { echo "kernels: cannot find the Debian mirror in apt's sources" >&2; exit 1; }
	rm -rf "$root"
	echo "kernels: debootstrap trixie (minbase)"
	debootstrap --variant=minbase trixie "$root" "$url" >"$cache/debootstrap.log" 2>&1 ||
		{ tail -n 30 "$cache/debootstrap.log" >&2; exit 1; }
	echo "deb $url trixie-backports main" >"$root/etc/apt/sources.list.d/backports.list"
	touch "$root/.ioband-ready"
fi
if [ ! -f "$root/.apt-updated" ] || [ -n "$(find "$root/.apt-updated" -mmin +360)" ]; then
	in_root apt-get update -q >/dev/null
	touch "$root/.apt-updated"
fi
bpo_newest() {
	in_root apt-cache search --names-only "$1" | awk '{print $1}' | sort -V | tail -n 1
}
hdr=$(bpo_newest '^linux-headers-7\.[0-9]+\.[0-9]+\+deb13-amd64$')
[ -n "$hdr" ] || { echo "kernels: trixie-backports has no 7.x headers" >&2; exit 1; }
ver7=${hdr#linux-headers-}
ver7rt=${ver7%-amd64}-rt-amd64
line7=$(echo "$ver7" | cut -d. -f1-2)
want=(make gcc kmod dkms "linux-headers-$ver7" "linux-headers-$ver7rt")
missing=()
for p in "${want[@]}"; do
	in_root dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "kernels: installing in the trixie chroot: ${missing[*]}"
	in_root apt-get install -y -q --no-install-recommends "${missing[@]}" \
		>"$cache/apt-trixie.log" 2>&1 || { tail -n 30 "$cache/apt-trixie.log" >&2; exit 1; }
fi
# image, modules and their lists (linux-base: modules.builtin, config):
# unpacked, not installed (they are for the guests)
for v in "$ver7" "$ver7rt"; do
	if [ ! -f "/lib/modules/$v/vmlinuz" ] || [ ! -f "/lib/modules/$v/modules.dep" ]; then
		echo "kernels: unpacking Linux $v for the guests"
		rm -rf "$root/dl" && mkdir -p "$root/dl"
		in_root sh -c "cd /dl && apt-get download -q linux-binary-$v linux-modules-$v linux-base-$v" \
			>"$cache/apt-download.log" 2>&1 || { cat "$cache/apt-download.log" >&2; exit 1; }
		rm -rf "$cache/unpack" && mkdir -p "$cache/unpack"
		for deb in "$root"/dl/*.deb; do dpkg -x "$deb" "$cache/unpack"; done
		rm -rf "/lib/modules/$v"
		cp -a "$cache/unpack/usr/lib/modules/$v" "/lib/modules/$v"
		depmod "$v"
		rm -rf "$cache/unpack" "$root/dl"
	fi
	label=$line7
	[ "$v" = "$ver7" ] || label=$line7-rt
	echo "$label $v /lib/modules/$v/vmlinuz /usr/src/linux-headers-$v $root" >>"$out"
done

# --- the debug kernel (a long build: only when asked for, or cached)
dbg=()
[ "${IOBAND_DEBUG_KERNEL:-0}" = 1 ] || dbg=(--if-cached)
if dline=$("$repo/tests/kernels/build-debug.sh" "${dbg[@]+"${dbg[@]}"}"); then
	read -r kver image tree <<<"$(tail -n 1 <<<"$dline")"
	echo "debug $kver $image $tree /" >>"$out"
else
	rc=$?
	[ $rc = 3 ] || exit $rc
	echo "kernels: no debug kernel built on this machine (IOBAND_DEBUG_KERNEL=1 builds it)" >&2
fi

mv "$out" "$cache/kernels"
cat "$cache/kernels"
