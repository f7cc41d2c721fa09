#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The long forms of the store-and-forward fault tests (make check runs short
# ones): 10 broker outages of 2-20 s while 20 sensors publish at 10 Hz, then
# 100 SIGKILLs while offline.  Needs a built tree; takes 5-10 minutes.
#   bench/soak.sh [BUILD_DIR]          (default: build, as ./dev makes it)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
export top_srcdir=$top top_builddir=$build SENSORGW=$build/sensorgw TEST_EMULATOR=
[ -x "$SENSORGW" ] || { echo "no $SENSORGW: build first (./dev demo or ./dev check)" >&2; exit 1; }
echo "== 10 outages of 2-20 s"
OUTAGES=10 MIN_S=2 MAX_S=20 bash "$top/tests/it/outage.sh"
echo "== 100 kills while offline"
KILLS=100 bash "$top/tests/it/crash.sh"
