#!/bin/bash
# SPDX-License-Identifier: MIT
# Home Assistant discovery: retained config messages on connect, checked
# against the documented schema; announced again when Home Assistant says
# "online"; an entity whose sensor left the INI removed after a restart.
# A window of one: the configs and the readings take turns.
. "${top_srcdir:?}/tests/it/lib.sh" || exit 99

port=$(free_port)
broker_start "$port"
write_ini() {
	ini_gateway "$port" | sed '/^\[gateway\]$/a stats_interval = 1s'
	printf 'homeassistant = yes\nmax_inflight = 1\n\n[sensor env]\ndriver = sim\nquantities = temperature, humidity\n'
	printf 'interval = 1s\nformat = json\n'
	[ "${1:-}" = with_other ] && printf '\n[sensor other]\ndriver = sim\ninterval = 1s\n'
	return 0
}
write_ini with_other >"$T/gw.ini"
d=homeassistant/sensor
env_t=$d/testgw_env_temperature/config
env_h=$d/testgw_env_humidity/config
other=$d/testgw_other_temperature/config

sub_start "$port" "$T/sub" 'homeassistant/#'
gateway_start "$T/gw.ini"
for t in "$env_t" "$env_h" "$other"; do
	wait_until 30 has_at_least "$T/sub" "$t" 1 || fail "no config on $t"
done

# What a new subscriber gets: the retained configs, one JSON document each.
retained() { mosquitto_sub -h 127.0.0.1 -p "$port" -t 'homeassistant/#' -v -W 3 2>/dev/null; }
retained >"$T/retained"
/usr/bin/python3 - "$T/retained" <<'EOF' || fail "config messages do not match the schema"
import json, sys

common = {"name", "unique_id", "state_topic", "availability_topic", "payload_available",
          "payload_not_available", "device", "expire_after", "value_template"}
sensor = {"unit_of_measurement", "device_class", "state_class", "suggested_display_precision"}
device = {"identifiers", "name", "model", "manufacturer", "sw_version"}
want = {
    "homeassistant/sensor/testgw_env_temperature/config":
        ("t/env/temperature", "temperature", "°C", True),
    "homeassistant/sensor/testgw_env_humidity/config":
        ("t/env/humidity", "humidity", "%", True),
    "homeassistant/sensor/testgw_other_temperature/config":
        ("t/other/temperature", "temperature", "°C", False),
}
got = {}
for line in open(sys.argv[1], encoding="utf-8"):
    topic, _, payload = line.rstrip("\n").partition(" ")
    got[topic] = json.loads(payload)
assert set(got) == set(want), sorted(got)
for topic, (state, dc, unit, tmpl) in want.items():
    c = got[topic]
    assert set(c) <= common | sensor, set(c) - common - sensor
    assert set(c["device"]) <= device, c["device"]
    oid = topic.split("/")[2]
    assert c["unique_id"] == "sensorgw_" + oid, c
    assert c["state_topic"] == state, c
    assert c["availability_topic"] == "t/testgw/status", c
    assert (c["payload_available"], c["payload_not_available"]) == ("online", "offline"), c
    assert c["device"]["identifiers"] == ["sensorgw_testgw"], c
    assert c["device"]["manufacturer"] == "sensorgw" and c["device"]["name"] == "testgw", c
    assert c["device_class"] == dc and c["unit_of_measurement"] == unit, c
    assert c["state_class"] == "measurement" and c["expire_after"] == 60, c
    assert ("value_template" in c) == tmpl, c
    if tmpl:
        assert c["value_template"] == "{{ value_json.value }}", c
EOF

# Home Assistant's birth message: everything again.
mosquitto_pub -h 127.0.0.1 -p "$port" -q 1 -t homeassistant/status -m online
for t in "$env_t" "$env_h" "$other"; do
	wait_until 30 has_at_least "$T/sub" "$t" 2 || fail "$t not announced again"
done
wait_until 30 grep -q 'Home Assistant is online' "$T/gw.log" || fail "re-announce not logged"
# Another's status is none of ours.
mosquitto_pub -h 127.0.0.1 -p "$port" -q 1 -t homeassistant/status -m offline
# Both came in through the uplink's subscription, and none was dropped.
wait_until 30 status_ok 's["uplinks"][0]["received"] == 2 and s["uplinks"][0]["dropped_in"] == 0' ||
	{ cat "$T/status" >&2; fail "the statistics do not count the messages received"; }
gateway_stop
[ "$(grep -c 'Home Assistant is online' "$T/gw.log")" = 1 ] || fail "announced on \"offline\""
state=$T/state/homeassistant.default
[ "$(sort "$state")" = "$(printf '%s\n' "$env_h" "$env_t" "$other" | sort)" ] ||
	fail "state file: $(cat "$state")"

# [sensor other] leaves the INI: its config is emptied, the others stay.
write_ini >"$T/gw.ini"
gateway_start "$T/gw.ini"
wait_until 30 grep -q 'Home Assistant: 2 entities announced, 1 removed' "$T/gw.log" ||
	fail "removal not logged"
emptied() { awk -v t="$other" '$2 == t && NF == 2' "$T/sub" | grep -q .; }
wait_until 30 emptied || fail "no empty config on $other: $(grep -F "$other" "$T/sub" | tail -1)"
retained >"$T/retained"
grep -q "^$other " "$T/retained" && fail "$other still retained"
grep -q "^$env_t " "$T/retained" || fail "$env_t gone"
[ "$(sort "$state")" = "$(printf '%s\n' "$env_h" "$env_t" | sort)" ] ||
	fail "state file after removal: $(cat "$state")"
gateway_stop
# Nothing left to remove: the next start removes nothing.
gateway_start "$T/gw.ini"
wait_until 30 has_at_least "$T/sub" "$env_t" 4 || fail "no announce after the second restart"
gateway_stop
[ "$(grep -c 'removed' "$T/gw.log")" = 1 ] || fail "removed twice"
echo ok
