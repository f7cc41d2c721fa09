#!/bin/bash
# SPDX-License-Identifier: MIT
# The broker comes up 5 s after the gateway: the gateway keeps retrying and
# delivers, and readings taken while offline arrive too, in order.
. "${top_srcdir:?}/tests/it/lib.sh" || exit 99

port=$(free_port)
BROKER_PERSIST=1
SUB_ID=sgwtest-late-$$
# Register the subscriber's persistent session, then take the broker away.
broker_start "$port"
sub_start "$port" "$T/sub" 't/#'
sub_stop
broker_stop

{ ini_gateway "$port"; printf '\n[sensor s]\ndriver = sim\nwaveform = ramp\ninterval = 250ms\n'; } >"$T/gw.ini"
gateway_start "$T/gw.ini"
sleep 5		# the point of the test: the broker is absent for a while
kill -0 "$GW_PID" || fail "sensorgw exited while the broker was down"
broker_start "$port"
sub_start "$port" "$T/sub" 't/#'
wait_until 30 has_at_least "$T/sub" t/s/temperature 30 || fail "no data after the broker came up"
awk '$2 == "t/s/temperature" { print $3 }' "$T/sub" >"$T/v"
# Offline readings were kept and sent first: the ramp starts at 19.5.
[ "$(head -1 "$T/v")" = 19.5 ] || fail "first reading $(head -1 "$T/v"), expected 19.5 (offline readings lost?)"
sort -n -c "$T/v" || fail "readings out of order"
grep -q 'connected' "$T/gw.log" || fail "no connect logged"
gateway_stop
[ "$GW_STATUS" = 0 ] || fail "exit status $GW_STATUS"
echo ok
