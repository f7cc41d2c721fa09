#!/bin/bash
# SPDX-License-Identifier: MIT
# Per-sensor qos and retain over an uplink with qos 1, retain no: sensor
# "kept" (qos 0, retain yes) and sensor "sure" (qos 2, retain no).  A
# subscriber at QoS 2 gets each at its own QoS; one that comes later gets
# the retained "kept" reading only.  Readings queued on disk while the
# broker was down go out after a restart with the same QoS and retain flag:
# "kept" is left out of the configuration then, so the reading the broker
# retains for it can only be one that waited on disk.
. "${top_srcdir:?}/tests/it/lib.sh" || exit 99

# qsub_start FILE: "retain qos topic payload" lines of t/kept/#, t/sure/#
# at QoS 2 (the broker grants the lower of the two QoS); sets QSUB_PID.
qsub_start() {
	touch "$1"
	stdbuf -oL mosquitto_sub -h 127.0.0.1 -p "$port" -q 2 -F '%r %q %t %p' \
		-t 't/kept/#' -t 't/sure/#' -t sgwtest/probe >>"$1" 2>>"$T/sub.err" &
	QSUB_PID=$!
	track "$QSUB_PID"
	wait_until 20 sub_probe "$port" "$1" || fail "subscriber did not come up"
}
qsub_stop() {
	kill -TERM "$QSUB_PID" 2>/dev/null
	wait "$QSUB_PID" 2>/dev/null
	untrack "$QSUB_PID"
}
# late FILE: what a subscriber that comes now is given as retained.
late() {
	timeout $((20 * SLOW)) mosquitto_sub -h 127.0.0.1 -p "$port" -q 2 -F '%r %q %t %p' \
		-t 't/kept/#' -t 't/sure/#' --retained-only -W $((10 * SLOW)) >"$1" 2>>"$T/sub.err"
	true
}
# n FILE TOPIC: lines of TOPIC in FILE; ts_of: the "ts" of a JSON payload.
n() { awk -v t="$2" '$3 == t' "$1" | wc -l; }
ts_of() { sed -n 's/.*"ts":\([0-9]*\).*/\1/p'; }

port=$(free_port)
broker_start "$port"
sensors() {
	printf '\n[sensor sure]\ndriver = sim\ninterval = 200ms\nformat = json\nqos = 2\nretain = no\n'
	[ "$1" = both ] &&
		printf '\n[sensor kept]\ndriver = sim\ninterval = 200ms\nformat = json\nqos = 0\nretain = yes\n'
	true
}
{ ini_gateway "$port"; sensors both; } >"$T/gw.ini"
{ ini_gateway "$port"; sensors sure; } >"$T/gw2.ini"

# Live: each sensor at its own QoS.
qsub_start "$T/live"
gateway_start "$T/gw.ini"
wait_until 30 eval '[ "$(n "$T/live" t/kept/temperature)" -ge 5 ] && [ "$(n "$T/live" t/sure/temperature)" -ge 5 ]' \
	|| fail "no readings"
awk '$3 == "t/kept/temperature" && $2 != 0 { exit 1 }' "$T/live" || fail "kept not at QoS 0: $(grep kept "$T/live" | head -3)"
awk '$3 == "t/sure/temperature" && $2 != 2 { exit 1 }' "$T/live" || fail "sure not at QoS 2: $(grep sure "$T/live" | head -3)"
late "$T/late"
[ "$(n "$T/late" t/kept/temperature)" = 1 ] || fail "no retained kept reading: $(cat "$T/late")"
grep -q '^1 0 t/kept/temperature {' "$T/late" || fail "retained kept reading: $(cat "$T/late")"
[ "$(n "$T/late" t/sure/temperature)" = 0 ] || fail "sure retained: $(cat "$T/late")"
gateway_stop
[ "$GW_STATUS" = 0 ] || fail "exit status $GW_STATUS"
qsub_stop

# Stored while offline: the broker (and what it retained) is gone, the
# readings go to disk, the gateway stops with them there.
broker_stop
gateway_start "$T/gw.ini"
sleep $((3 * SLOW))
gateway_stop
[ "$GW_STATUS" = 0 ] || fail "exit status $GW_STATUS (offline)"
cutoff=$(date +%s%3N)
broker_start "$port"
qsub_start "$T/after"
gateway_start "$T/gw2.ini"
# The backlog drains before live readings: a live one means it is all sent.
live_sure() {
	local t
	for t in $(awk '$3 == "t/sure/temperature" { print $4 }' "$T/after" | ts_of); do
		[ "$t" -gt "$cutoff" ] && return 0
	done
	return 1
}
wait_until 60 live_sure || fail "no live reading after the backlog"
kept=$(n "$T/after" t/kept/temperature)
queued_sure=$(awk '$3 == "t/sure/temperature" { print $4 }' "$T/after" | ts_of |
	awk -v c="$cutoff" '$1 < c' | wc -l)
note "queued readings delivered: kept $kept, sure $queued_sure"
[ "$kept" -ge 3 ] || fail "kept: $kept queued readings delivered"
[ "$queued_sure" -ge 3 ] || fail "sure: $queued_sure queued readings delivered"
awk '$3 == "t/kept/temperature" && $2 != 0 { exit 1 }' "$T/after" || fail "queued kept not at QoS 0: $(grep kept "$T/after" | head -3)"
awk '$3 == "t/sure/temperature" && $2 != 2 { exit 1 }' "$T/after" || fail "queued sure not at QoS 2: $(grep sure "$T/after" | head -3)"
late "$T/late2"
[ "$(n "$T/late2" t/kept/temperature)" = 1 ] || fail "no retained queued kept reading: $(cat "$T/late2")"
grep -q '^1 0 t/kept/temperature {' "$T/late2" || fail "retained kept reading: $(cat "$T/late2")"
[ "$(awk '{ print $4 }' "$T/late2" | ts_of)" -lt "$cutoff" ] || fail "retained kept reading not a queued one"
[ "$(n "$T/late2" t/sure/temperature)" = 0 ] || fail "sure retained after the restart: $(cat "$T/late2")"
gateway_stop
[ "$GW_STATUS" = 0 ] || fail "exit status $GW_STATUS (after the restart)"
echo ok
