#!/bin/bash
# SPDX-License-Identifier: MIT
#
# tests/deb/build.sh ROOTFS SRCDIR OUTDIR: the Debian packages of SRCDIR
# built the way a Debian machine of ROOTFS's release builds them, in a copy
# of ROOTFS (debootstrap --variant=minbase RELEASE ROOTFS ...):
#   - the source package and the native binary package, with the test suite
#     (dh_auto_test) unless NOCHECK=1,
#   - the arm64 package cross-built (dpkg-buildpackage -a arm64 -P nocheck)
#     when the native architecture is not arm64 (CROSS=0 skips it),
#   - lintian on each, failing on any error or warning.
# The build dependencies come from debian/control through apt-get build-dep,
# so a dependency missing there fails here.  The results go to OUTDIR.
#
# Run as root, with the archive reachable.  The time of each phase; exit 1
# on the first failure.  KEEP=1 keeps the copy.
set -euo pipefail

[ $# -eq 3 ] || { echo "usage: $0 ROOTFS SRCDIR OUTDIR" >&2; exit 2; }
rootfs=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
mkdir -p "$3"
out=$(cd "$3" && pwd)
[ -f "$rootfs/etc/debian_version" ] || { echo "$0: $rootfs: not a Debian root" >&2; exit 2; }
[ -f "$src/debian/control" ] || { echo "$0: $src: no debian/control" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "$0: needs root (chroot, mount)" >&2; exit 2; }

# shellcheck source=tests/deb/root.sh
. "$(dirname "$0")/root.sh"

root_make "$rootfs" sensorgw-debbuild
release=$(root_release)
arch=$(in_root dpkg --print-architecture)
cross=${CROSS:-1}
[ "$arch" = arm64 ] && cross=0

phase "apt-get update; build-essential, lintian"
in_root apt-get update -qq
in_root apt-get install -y -qq --no-install-recommends build-essential lintian >/dev/null

# The tree as git sees it (tracked and new files, not what .gitignore names:
# no build directories), at /build/sensorgw: dpkg-buildpackage writes to /build.
phase "copy the sources"
mkdir -p "$root/build/sensorgw"
if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
	git -C "$src" ls-files -z -c -o --exclude-standard |
		(cd "$src" && tar --null -T - -cf -) | tar -C "$root/build/sensorgw" -xf -
else
	cp -a "$src/." "$root/build/sensorgw"
fi

# in_build CMD...: CMD in /build/sensorgw.
in_build() { in_root /bin/sh -c 'cd /build/sensorgw && exec "$@"' sh "$@"; }
lint() {
	phase "lintian $1"
	in_root lintian --allow-root --fail-on error,warning --info "/build/$1"
}

profiles=
[ "${NOCHECK:-0}" = 1 ] && profiles=nocheck
phase "apt-get build-dep ($release, $arch${profiles:+, $profiles})"
in_build apt-get build-dep -y -qq ${profiles:+-P "$profiles"} ./ >/dev/null
version=$(in_build dpkg-parsechangelog -S Version)
phase "dpkg-buildpackage: source and $arch${profiles:+, $profiles}"
in_build env ${profiles:+DEB_BUILD_OPTIONS=nocheck DEB_BUILD_PROFILES=nocheck} \
	dpkg-buildpackage -us -uc >"$out/build-$release-$arch.log" 2>&1 ||
	{ tail -n 60 "$out/build-$release-$arch.log"; exit 1; }
# The .changes names the source package too: lintian checks both.
lint "sensorgw_${version}_$arch.changes"

if [ "$cross" = 1 ]; then
	phase "arm64: dpkg --add-architecture, crossbuild-essential-arm64, build-dep"
	in_root dpkg --add-architecture arm64
	in_root apt-get update -qq
	in_root apt-get install -y -qq --no-install-recommends crossbuild-essential-arm64 >/dev/null
	in_build apt-get build-dep -y -qq -a arm64 -P nocheck ./ >/dev/null
	phase "dpkg-buildpackage -a arm64 -P nocheck"
	in_build dpkg-buildpackage -us -uc -b -a arm64 --build-profiles=nocheck \
		>"$out/build-$release-arm64.log" 2>&1 ||
		{ tail -n 60 "$out/build-$release-arm64.log"; exit 1; }
	lint "sensorgw_${version}_arm64.changes"
fi

phase "results to $out"
cp "$root"/build/sensorgw_"$version"* "$out/"
ls -l "$out"
phase_end
