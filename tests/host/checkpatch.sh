#!/usr/bin/env bash
# The kernel's own style checker on kmod/, in its strictest mode: any
# error, warning or check fails.  checkpatch.pl ships in Debian's
# linux-source-6.12 (installed if missing); the three files it needs are
# taken out of the tarball once into .cache/checkpatch.
#
# compat.h alone may compare LINUX_VERSION_CODE: telling kernel versions
# apart is what it is for (checkpatch assumes in-tree code, which never
# needs to), and nothing else in kmod/ may.
#   tests/host/checkpatch.sh
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"

tarball=/usr/src/linux-source-6.12.tar.xz
dir=.cache/checkpatch
if [ ! -x "$dir/scripts/checkpatch.pl" ]; then
	if [ ! -f "$tarball" ]; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
			linux-source-6.12 >/dev/null
	fi
	rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
	tar -xJf "$tarball" -C "$dir.tmp" --strip-components=1 --wildcards \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' '*/scripts/const_structs.checkpatch'
	rm -rf "$dir" && mv "$dir.tmp" "$dir"
fi

check() {
	perl "$dir/scripts/checkpatch.pl" --strict --no-tree --terse --show-types \
		--no-summary "$@"
}
out=$(
	check -f $(git ls-files "kmod/*.c" "kmod/*.h" | grep -v "^kmod/compat\.h$") || true
	check --ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON -f kmod/compat.h || true
)
if [ -n "$out" ]; then
	echo "$out"
	echo "not ok - checkpatch --strict on kmod/: $(echo "$out" | wc -l) complaint(s)"
	exit 1
fi
echo "ok - checkpatch --strict on kmod/: 0 errors, 0 warnings, 0 checks ($(git ls-files "kmod/*.c" "kmod/*.h" | wc -l) files)"
