#!/usr/bin/env bash
# Build fstests (xfstests) for the guest suites fstests and logwrites.
# fstests is not part of the project: it is unpacked from the snapshot in
# the vendor directory ($IOBAND_VENDOR, else ../shared/vendor beside the
# repository) into .cache/fstests/ (scratch, outside git) and built there
# with its own make, which runs its configure.  Idempotent: once built, a
# second run only compares the stamp (the tarball's name and checksum).
# Run it on the host before the guests boot (they see .cache through the
# shared root, read-only); it may run beside other host work.
#   tests/host/fstests.sh        (prints the tree it built, last)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
vendor=${IOBAND_VENDOR:-$repo/../shared/vendor}
out=$repo/.cache/fstests
tree=$out/tree

shopt -s nullglob
tars=("$vendor"/fstests-*.tar.gz)
shopt -u nullglob
[ ${#tars[@]} -eq 1 ] || {
	echo "fstests: want exactly one fstests-*.tar.gz in $vendor, found ${#tars[@]} (set IOBAND_VENDOR)" >&2
	exit 1
}
tarball=${tars[0]}
want="$(basename "$tarball") $(sha256sum <"$tarball" | cut -d' ' -f1)"
if [ -f "$out/stamp" ] && [ "$(cat "$out/stamp")" = "$want" ] && [ -x "$tree/check" ]; then
	echo "fstests: built already ($want)"
	echo "$tree"
	exit 0
fi

# a half-built or older tree goes; the stamp is written last, so an
# interrupted build is redone from scratch on the next run
rm -rf "$out"
mkdir -p "$tree"
tar xzf "$tarball" -C "$tree" --strip-components=1
start=$SECONDS
# configure's checks and the C sources build in parallel on every core
if ! make -C "$tree" -j"$(nproc)" >"$out/build.log" 2>&1; then
	tail -n 40 "$out/build.log" >&2
	echo "fstests: build failed, log in $out/build.log" >&2
	exit 1
fi
# the tools the suites run: a build that skipped one (a missing -dev
# package turns parts off in configure) fails here, not in a guest
for f in ltp/fsstress ltp/fsx ltp/aio-stress src/log-writes/replay-log src/godown; do
	[ -x "$tree/$f" ] || { echo "fstests: $f was not built (see $out/build.log)" >&2; exit 1; }
done
echo "$want" >"$out/stamp"
echo "fstests: built $(basename "$tarball") in $((SECONDS - start)) s"
echo "$tree"
