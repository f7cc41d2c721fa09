#!/bin/bash
# SPDX-License-Identifier: MIT
# heartbeat: a steady value that a delta filter holds back still goes out
# at least every heartbeat, and no more often; without one it goes out once.
. "${top_srcdir:?}/tests/it/lib.sh" || exit 99

port=$(free_port)
broker_start "$port"
{ ini_gateway "$port"; cat <<EOT

[sensor beat]
driver = sim
waveform = constant
interval = 100ms
format = json
filter = delta 1
heartbeat = 1s
topic = casa/beat/temperature

[sensor quiet]
driver = sim
waveform = constant
interval = 100ms
filter = delta 1
topic = casa/quiet/temperature
EOT
} >"$T/gw.ini"

sub_start "$port" "$T/sub" 'casa/#'
start=$(date +%s%N)
gateway_start "$T/gw.ini"
wait_until $((60 * SLOW)) has_at_least "$T/sub" casa/beat/temperature 5 || fail "fewer than 5 heartbeats"
gateway_stop
elapsed_ms=$((($(date +%s%N) - start) / 1000000))

beats=$(count "$T/sub" casa/beat/temperature)
quiet=$(count "$T/sub" casa/quiet/temperature)
note "$beats heartbeats in $elapsed_ms ms; $quiet message(s) without a heartbeat"
[ "$quiet" = 1 ] || fail "the sensor without a heartbeat published $quiet messages, want 1"
# Ten readings a second: without the delta holding them back there would
# be ten times as many.
[ "$beats" -le $((elapsed_ms / 1000 + 2)) ] || fail "$beats heartbeats in $elapsed_ms ms: too many"
# The same value each time, sampled a heartbeat apart: the heartbeat counts
# in scheduled time, the stamp is the time of the read, which a loaded
# machine (or an emulator) may make late by a few hundred ms.
awk '$2 == "casa/beat/temperature" { print $3 }' "$T/sub" | python3 -c '
import json, sys
slack = int(sys.argv[1])
msgs = [json.loads(l) for l in sys.stdin]
values = {m["value"] for m in msgs}
gaps = [b["ts"] - a["ts"] for a, b in zip(msgs, msgs[1:])]
assert len(values) == 1, "values differ: %s" % values
assert min(gaps) >= 1000 - slack, "heartbeats closer than 1 s: %s" % gaps
' $((300 * SLOW)) || fail "heartbeat payloads"
exit 0
