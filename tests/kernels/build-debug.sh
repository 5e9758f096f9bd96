#!/usr/bin/env bash
# Build the test bed's debug kernel (lockdep, KASAN, UBSAN, kmemleak,
# debugobjects) from Debian's linux-source-6.12 and install its modules
# under /lib/modules/<version> (the guests boot with the host's root).
# Cached by source version and configuration, outside the clone (like
# ccache: every clone on the machine shares it; IOBAND_KCACHE moves it): a
# second run only installs.  Prints "<version> <vmlinuz> <build dir>".
#   tests/kernels/build-debug.sh              build if needed
#   tests/kernels/build-debug.sh --if-cached  exit 3 unless already built
# Why 6.12: it is the line Debian 12 users run (bookworm-security), its
# source builds with the host's own gcc-12, and the out-of-tree module
# then builds against it natively; 7.x would need the trixie chroot for
# every step and has no lockdep coverage the 6.12 one lacks for this code.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cache=${IOBAND_KCACHE:-/var/cache/ioband}/debug-kernel
if [ ! -f /usr/src/linux-source-6.12.tar.xz ]; then
	[ "${1:-}" != --if-cached ] || exit 3
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		linux-source-6.12 bc bison flex libelf-dev libssl-dev cpio >/dev/null
fi
tarball=/usr/src/linux-source-6.12.tar.xz
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
vng_cfg=$("$repo/.cache/venv/bin/virtme-configkernel" --dry-run --defconfig 2>/dev/null ||
	"$repo/.cache/venv/bin/virtme-configkernel" --dry-run)
key=$( { echo "$srcver"; echo "$vng_cfg"; cat "$repo/tests/kernels/debug.config"; } |
	sha256sum | cut -c1-12)
tree=$cache/$key/linux
log=$cache/$key/build.log
mkdir -p "$cache/$key"

if [ ! -f "$cache/$key/built" ]; then
	[ "${1:-}" != --if-cached ] || exit 3
	echo "build-debug: building Linux $srcver with lockdep, KASAN, kmemleak (2 cores: see $log)" >&2
	start=$(date +%s)
	rm -rf "$tree"
	mkdir -p "$tree"
	tar -xaf "$tarball" -C "$tree" --strip-components=1
	cd "$tree"
	echo "$vng_cfg" >"$cache/$key/virtme.config"
	{
		make -s defconfig
		scripts/kconfig/merge_config.sh -m .config "$cache/$key/virtme.config" \
			"$repo/tests/kernels/debug.config"
		make -s olddefconfig
	} >"$log" 2>&1
	# every checker the suites rely on must have survived olddefconfig
	for opt in PROVE_LOCKING DEBUG_ATOMIC_SLEEP KASAN UBSAN DEBUG_KMEMLEAK \
		DEBUG_LIST DEBUG_OBJECTS BLK_DEV_DM BLK_DEV_NULL_BLK CGROUP_WRITEBACK; do
		grep -Eq "^CONFIG_$opt=(y|m)$" .config ||
			{ echo "build-debug: CONFIG_$opt did not stay set" >&2; exit 1; }
	done
	if ! make -j"$(nproc)" bzImage modules >>"$log" 2>&1; then
		tail -n 40 "$log" >&2
		exit 1
	fi
	echo "$(( $(date +%s) - start ))" >"$cache/$key/build-seconds"
	touch "$cache/$key/built"
fi
cd "$tree"
kver=$(make -s kernelrelease)
if [ ! -e "/lib/modules/$kver/modules.dep" ] || [ "$cache/$key/built" -nt "/lib/modules/$kver/modules.dep" ]; then
	make -s modules_install INSTALL_MOD_STRIP=1 >>"$log" 2>&1
fi
# out-of-tree modules build against the tree itself
ln -sfn "$tree" "/lib/modules/$kver/build"
# booted from beside its modules: vng takes an image inside a build tree
# for a tree of its own and would look for the modules there
cp "$tree/arch/x86/boot/bzImage" "/lib/modules/$kver/vmlinuz"
echo "$kver /lib/modules/$kver/vmlinuz $tree"
