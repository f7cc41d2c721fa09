#!/bin/sh
# SPDX-License-Identifier: MIT
# Cross-build sensorgw for arm64 and run its whole test suite under
# qemu-aarch64 (configure sets TEST_EMULATOR, tests/run-test turns Check's
# fork mode off): once with the assembly kernels, once with --disable-asm.
# Not part of "make check" (it builds the tree twice); CI runs it:
#     tests/check-arm64.sh [BUILD_ROOT]
# BUILD_ROOT defaults to a fresh temporary directory, removed on success.
# Needs gcc-aarch64-linux-gnu, qemu-user and the arm64 -dev packages.
# Exits non-zero when either build or any test fails.
set -eu

srcdir=$(cd "$(dirname "$0")/.." && pwd)
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
if [ $# -gt 0 ]; then
	root=$1
	keep=1
	mkdir -p "$root"
else
	root=$(mktemp -d "${TMPDIR:-/tmp}/sgw-arm64.XXXXXX")
	keep=0
fi
root=$(cd "$root" && pwd)

if [ ! -x "$srcdir/configure" ]; then
	(cd "$srcdir" && autoreconf -fi)
fi

# Each build is VPATH: the source tree must not be configured itself.
if [ -f "$srcdir/config.status" ]; then
	echo "check-arm64: $srcdir is configured in-tree; run 'make distclean' there first" >&2
	exit 2
fi

# run_build NAME asm|c CONFIGURE-ARGS...
run_build() {
	name=$1; want=$2; shift 2
	dir=$root/$name
	echo "check-arm64: === $name: configure --host=aarch64-linux-gnu $*"
	rm -rf "$dir"
	mkdir -p "$dir"
	(
		cd "$dir"
		"$srcdir/configure" --host=aarch64-linux-gnu "$@" >configure.out 2>&1 ||
			{ tail -n 30 configure.out; exit 1; }
		# Make sure the build tests what it claims to.
		if grep -q '^#define SGW_ASM_AARCH64 1' config.h; then got=asm; else got=c; fi
		echo "check-arm64: kernels: $got"
		if [ "$got" != "$want" ]; then
			echo "check-arm64: $name: expected $want kernels, configure chose $got" >&2
			exit 1
		fi
		make -j"$jobs" >make.out 2>&1 || { tail -n 50 make.out; exit 1; }
		if ! make -j"$jobs" check >check.out 2>&1; then
			tail -n 60 check.out
			for log in $(find . -name '*.log' ! -name config.log ! -name test-suite.log); do
				if grep -q '^:test-result: FAIL\|^:test-result: ERROR' "${log%.log}.trs" 2>/dev/null; then
					echo "----- $log"
					tail -n 40 "$log"
				fi
			done
			exit 1
		fi
		grep -E '^# (TOTAL|PASS|FAIL|ERROR|XFAIL|XPASS|SKIP):' check.out
	)
}

status=0
run_build build-arm64 asm || status=1
run_build build-arm64-noasm c --disable-asm || status=1

if [ $status -ne 0 ]; then
	echo "check-arm64: FAILED (build trees kept in $root)" >&2
	exit 1
fi
echo "check-arm64: all arm64 tests passed"
[ $keep = 1 ] || rm -rf "$root"
exit 0
