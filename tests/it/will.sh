#!/bin/bash
# SPDX-License-Identifier: MIT
# kill -9: the broker publishes the Last Will, a retained "offline".
. "${top_srcdir:?}/tests/it/lib.sh" || exit 99

port=$(free_port)
broker_start "$port"
{ ini_gateway "$port"; printf '\n[sensor s]\ndriver = sim\ninterval = 1s\n'; } >"$T/gw.ini"
sub_start "$port" "$T/sub" 't/testgw/status'
gateway_start "$T/gw.ini"
wait_until 30 grep -q ' t/testgw/status online$' "$T/sub" || fail "status never online"
kill -KILL "$GW_PID"
wait "$GW_PID" 2>/dev/null
untrack "$GW_PID"
wait_until 30 grep -q ' t/testgw/status offline$' "$T/sub" || fail "no Last Will after kill -9"
[ "$(mosquitto_sub -h 127.0.0.1 -p "$port" -t t/testgw/status -C 1 -W 5)" = offline ] || fail "will not retained"
echo ok
