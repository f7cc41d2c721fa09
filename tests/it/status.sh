#!/bin/bash
# SPDX-License-Identifier: MIT
# Self-report: `sensorgw status` shows the queue growing while offline, the
# retained <status topic>/stats appears after a connect, the file goes away
# at exit.
. "${top_srcdir:?}/tests/it/lib.sh" || exit 99

port=$(free_port)
export SENSORGW_RUNTIME_DIR=$T/run
{ ini_gateway "$port"; printf '\n[sensor s]\ndriver = sim\ninterval = 100ms\n'; } >"$T/gw.ini"
gateway_start "$T/gw.ini"
queued() {
	$TEST_EMULATOR "$SENSORGW" status -c "$T/gw.ini" >"$T/status" 2>/dev/null &&
	/usr/bin/python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["queue"]["depth"] > 0 and s["queue"]["oldest_age_ms"] >= 0, s
assert s["uplinks"][0]["name"] == "default" and s["uplinks"][0]["connected"] is False, s
' "$T/status"
}
wait_until 30 queued || { cat "$T/status" >&2; fail "status does not show readings queued while offline"; }

broker_start "$port"
connected_stats() {
	mosquitto_sub -h 127.0.0.1 -p "$port" -t t/testgw/status/stats -C 1 -W 3 >"$T/stats" &&
	/usr/bin/python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["uplinks"][0]["connected"] is True and s["sensors"] == 1, s
' "$T/stats"
}
wait_until 30 connected_stats || { cat "$T/stats" >&2; fail "no stats on t/testgw/status/stats after connecting"; }
gateway_stop
[ "$GW_STATUS" = 0 ] || fail "exit status $GW_STATUS"
[ ! -e "$T/run/testgw.status.json" ] || fail "status file left behind"
$TEST_EMULATOR "$SENSORGW" status -c "$T/gw.ini" 2>"$T/err" && fail "status succeeded with no gateway"
grep -q 'is sensorgw running' "$T/err" || fail "status without a gateway: no clear message"
echo ok
