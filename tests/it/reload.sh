#!/bin/bash
# SPDX-License-Identifier: MIT
# SIGHUP reloads: a broken file keeps the running configuration; so does one
# that adds an mqtts:// uplink to a process started without TLS; a good one
# takes effect.
. "${top_srcdir:?}/tests/it/lib.sh" || exit 99

port=$(free_port)
broker_start "$port"
sub_start "$port" "$T/sub" 't/#'
{ ini_gateway "$port"; printf '\n[sensor one]\ndriver = sim\ninterval = 200ms\n'; } >"$T/gw.ini"
gateway_start "$T/gw.ini"
wait_until 30 has_at_least "$T/sub" t/one/temperature 3 || fail "no data"

printf '[gateway]\nname = x\nbogus = 1\n' >"$T/gw.ini"
kill -HUP "$GW_PID"
wait_until 20 grep -q 'keeping the running configuration' "$T/gw.log" || fail "bad reload not refused"
grep -q "gw.ini:3: " "$T/gw.log" || fail "bad reload error has no FILE:LINE"
before=$(count "$T/sub" t/one/temperature)
wait_until 20 has_at_least "$T/sub" t/one/temperature $((before + 3)) || fail "stopped after a bad reload"

# Started with mqtt:// only, the process has Paho without TLS.
{ ini_gateway "$port"; printf '\n[sensor one]\ndriver = sim\ninterval = 200ms\n'
  printf '\n[mqtt cloud]\nuri = mqtts://127.0.0.1:%s\nclient_id = sgwtest-tls-%s\n' "$port" "$$"; } >"$T/gw.ini"
kill -HUP "$GW_PID"
wait_until 20 grep -q 'gw.ini: mqtts:// added on reload needs a restart' "$T/gw.log" ||
	fail "reload adding mqtts:// not refused"
grep 'needs a restart' "$T/gw.log" | grep -q 'keeping the running configuration' ||
	fail "refused reload does not say it keeps the running configuration"
before=$(count "$T/sub" t/one/temperature)
wait_until 20 has_at_least "$T/sub" t/one/temperature $((before + 3)) || fail "stopped after the refused reload"

{ ini_gateway "$port"; printf '\n[sensor two]\ndriver = sim\nquantities = humidity\ninterval = 200ms\n'; } >"$T/gw.ini"
kill -HUP "$GW_PID"
wait_until 30 has_at_least "$T/sub" t/two/humidity 3 || fail "new configuration not applied"
kill -0 "$GW_PID" || fail "sensorgw died on reload"
gateway_stop
[ "$GW_STATUS" = 0 ] || fail "exit status $GW_STATUS"
echo ok
