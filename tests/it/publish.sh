#!/bin/bash
# SPDX-License-Identifier: MIT
# Every configured topic receives the expected values, in order; the status
# topic says online while running and offline after SIGTERM.
. "${top_srcdir:?}/tests/it/lib.sh" || exit 99

port=$(free_port)
broker_start "$port"
mkdir -p "$T/root/sys/class/thermal/thermal_zone0"
echo 48312 >"$T/root/sys/class/thermal/thermal_zone0/temp"
{ ini_gateway "$port"; cat <<EOT

[sensor sala]
driver = sim
waveform = ramp
quantities = temperature, humidity
interval = 200ms
topic.temperature = casa/sala/temperatura
topic.humidity = casa/sala/Humidade

[sensor porta]
driver = sim
waveform = ramp
quantities = door
interval = 300ms
format = json

[sensor filt]
driver = sim
waveform = ramp
interval = 100ms
filter = calibrate 2 -19.5, delta 0.25
topic = casa/filt/temperature

[sensor cpu]
driver = cpu_temp
interval = 250ms
topic = casa/{sensor}/{quantity}
EOT
} >"$T/gw.ini"

sub_start "$port" "$T/sub" 'casa/#' 't/#'
SENSORGW_SYSROOT=$T/root gateway_start "$T/gw.ini"
wait_until 30 has_at_least "$T/sub" casa/sala/temperatura 10 || fail "no temperature readings"
wait_until 30 has_at_least "$T/sub" casa/sala/Humidade 10 || fail "no humidity readings (case kept?)"
wait_until 30 has_at_least "$T/sub" t/porta/door 5 || fail "no door readings on the default topic"
wait_until 30 has_at_least "$T/sub" casa/cpu/temperature 3 || fail "no cpu readings"
wait_until 10 grep -q ' t/testgw/status online$' "$T/sub" || fail "status not online"

# The ramp: 19.5, 19.6, ... with no gap and in order.
awk '$2 == "casa/sala/temperatura" { print $3 }' "$T/sub" | head -10 >"$T/temp"
printf '19.5\n19.6\n19.7\n19.8\n19.9\n20.0\n20.1\n20.2\n20.3\n20.4\n' | cmp -s - "$T/temp" \
	|| { cat "$T/temp" >&2; fail "temperature values not the expected ramp"; }
awk '$2 == "casa/sala/Humidade" { print $3 }' "$T/sub" | head -3 >"$T/hum"
printf '53.0\n53.1\n53.2\n' | cmp -s - "$T/hum" || { cat "$T/hum" >&2; fail "humidity values"; }
[ "$(last_payload "$T/sub" casa/cpu/temperature)" = 48.3 ] || fail "cpu temperature not 48.3"
# Filters in the order written: 2x - 19.5 turns the ramp 19.5, 19.6 … into
# 19.5, 19.7, 19.9 …; the deadband then keeps changes of more than 0.25.
wait_until 30 has_at_least "$T/sub" casa/filt/temperature 4 || fail "no filtered readings"
awk '$2 == "casa/filt/temperature" { print $3 }' "$T/sub" | head -4 >"$T/filt"
printf '19.5\n19.9\n20.3\n20.7\n' | cmp -s - "$T/filt" || { cat "$T/filt" >&2; fail "filter chain output"; }

# JSON: value alternates 0/1, seq strictly increases, ts is a plausible epoch ms.
awk '$2 == "t/porta/door" { $1 = ""; $2 = ""; print }' "$T/sub" | head -5 >"$T/door"
/usr/bin/python3 - "$T/door" <<'PY' || fail "door JSON payloads"
import json, sys, time
rows = [json.loads(l) for l in open(sys.argv[1])]
assert [r["value"] for r in rows] == [0, 1, 0, 1, 0], rows
assert all(r["unit"] == "" for r in rows), rows
seqs = [r["seq"] for r in rows]
assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs), seqs
now = time.time() * 1000
assert all(now - 120000 < r["ts"] <= now + 1000 for r in rows), rows
assert list(rows[0]) == ["value", "unit", "ts", "seq"], list(rows[0])
PY

gateway_stop
[ "$GW_STATUS" = 0 ] || fail "sensorgw exited $GW_STATUS on SIGTERM"
wait_until 10 sh -c "[ \"\$(awk '\$2 == \"t/testgw/status\" { p = \$3 } END { print p }' '$T/sub')\" = offline ]" \
	|| fail "status not offline after SIGTERM"
# Retained: a new subscriber sees offline.
[ "$(mosquitto_sub -h 127.0.0.1 -p "$port" -t t/testgw/status -C 1 -W 5)" = offline ] || fail "status offline not retained"
echo "ok"
