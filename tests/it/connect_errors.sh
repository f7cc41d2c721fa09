#!/bin/bash
# SPDX-License-Identifier: MIT
# A broker that refuses the gateway's password.  At the default log level
# the gateway says why, once, as a warning, however often it retries;
# `sensorgw status` shows the uplink's last error.  Once the broker takes
# the password, one line says the uplink is back, after how long and how
# many attempts, and the last error stays in the status.
. "${top_srcdir:?}/tests/it/lib.sh" || exit 99

command -v mosquitto_passwd >/dev/null || skip "mosquitto_passwd not installed"
port=$(free_port)
export SENSORGW_RUNTIME_DIR=$T/run
mosquitto_passwd -c -b "$T/passwd" gw right || fail "mosquitto_passwd"
# As root mosquitto would become user "mosquitto", who cannot read $T.
BROKER_CONF=$(printf 'allow_anonymous false\npassword_file %s\nuser %s' "$T/passwd" "$(id -un)")
broker_start "$port"
(umask 077 && echo wrong >"$T/gw.password")
cat >"$T/gw.ini" <<EOT
[gateway]
name = testgw
topic_prefix = t
state_dir = $T/state
stats_interval = 1s

[mqtt]
uri = mqtt://127.0.0.1:$port
client_id = sgwtest-$$-$RANDOM
username = gw
password_file = $T/gw.password
reconnect_min = 100ms
reconnect_max = 1s

[sensor s]
driver = sim
interval = 500ms
EOT
gateway_start "$T/gw.ini"

# Refused again and again: mosquitto logs each attempt.
refusals() { grep -c 'not authorised' "$T/mosquitto-$port.log"; }
retried() { [ "$(refusals)" -ge "$1" ]; }
wait_until 60 retried 8 || fail "the gateway did not retry ($(refusals) attempts seen by the broker)"
warnings=$(grep -c '\[mqtt default\] cannot connect' "$T/gw.log")
[ "$warnings" = 1 ] || fail "$warnings lines about the refusal after $(refusals) attempts, want 1"
grep -q "^<4>\[mqtt default\] cannot connect to tcp://127.0.0.1:$port: refused by the broker: not authorized (return code 5); next attempt in " \
	"$T/gw.log" || fail "no warning with the reason and the next attempt"
! grep -q '^<7>' "$T/gw.log" || fail "debug lines at the default level"

status() {
	$TEST_EMULATOR "$SENSORGW" status -c "$T/gw.ini" >"$T/status" 2>/dev/null &&
	/usr/bin/python3 - "$T/status" "$1" <<'PY'
import json, sys
u = json.load(open(sys.argv[1]))["uplinks"][0]
assert u["connected"] is (sys.argv[2] == "up"), u
assert "not authorized (return code 5)" in u["last_error"], u
assert 0 <= u["last_error_age_s"] < 120, u
PY
}
wait_until 30 status down || { cat "$T/status" >&2; fail "status does not show the last error"; }

# The broker takes the password now (mosquitto reads its password file again on SIGHUP).
attempts=$(refusals)
mosquitto_passwd -b "$T/passwd" gw wrong || fail "mosquitto_passwd"
kill -HUP "$BROKER_PID"
wait_until 30 grep -q "\[mqtt default\] connected to tcp://127.0.0.1:$port after " "$T/gw.log" ||
	fail "no recovery line"
line=$(grep "\[mqtt default\] connected to tcp://127.0.0.1:$port after " "$T/gw.log")
note "$line"
n=$(echo "$line" | sed -n 's/.* down (\([0-9]*\) attempts)$/\1/p')
[ -n "$n" ] && [ "$n" -gt "$attempts" ] || fail "recovery line without the attempts ($attempts refused): $line"
[ "$(grep -c '\[mqtt default\] cannot connect' "$T/gw.log")" = 1 ] || fail "the refusal was repeated"
# Kept after the recovery, until the next error.
wait_until 30 status up || { cat "$T/status" >&2; fail "status lost the last error after the recovery"; }
gateway_stop
[ "$GW_STATUS" = 0 ] || fail "exit status $GW_STATUS"
echo ok
