#!/bin/bash
# SPDX-License-Identifier: MIT
# The broker goes away 10 times for 2-4 s while 20 sensors publish at 10 Hz:
# after the last restart every sequence number arrives, per-topic order is
# kept, duplicates are counted.  (The long form: OUTAGES=10 MIN_S=2
# MAX_S=20; bench/soak.sh keeps a gateway through an hour of such outages.)
. "${top_srcdir:?}/tests/it/lib.sh" || exit 99

OUTAGES=${OUTAGES:-10}
MIN_S=${MIN_S:-2}
MAX_S=${MAX_S:-4}
port=$(free_port)
BROKER_PERSIST=1
broker_start "$port"
psub_start "$port" "sgwtest-outage-$$" "$T/sub" 't/#'
{ ini_gateway "$port"
  for i in $(seq -w 0 19); do
	printf '\n[sensor s%s]\ndriver = sim\nseed = %d\ninterval = 100ms\nformat = json\n' "$i" "$((10#$i + 1))"
  done
} >"$T/gw.ini"
gateway_start "$T/gw.ini"
wait_until 30 has_at_least "$T/sub" t/s00/temperature 10 || fail "no data before the outages"
connects() { grep -c 'connected to' "$T/gw.log"; }
more_connects() { [ "$(connects)" -gt "$1" ]; }
for n in $(seq "$OUTAGES"); do
	before=$(connects)
	broker_stop
	sleep "$(( MIN_S + RANDOM % (MAX_S - MIN_S + 1) ))"	# the outage itself
	kill -0 "$GW_PID" || fail "sensorgw died during outage $n"
	broker_start "$port"
	wait_until 30 more_connects "$before" || fail "no reconnect after outage $n"
	sleep 1		# some live traffic before the next outage
done
# Let the backlog drain: done when the newest readings stop being missing.
sleep 5
end=$(( $(date +%s) + 90 * SLOW ))
until /usr/bin/python3 "$top_srcdir/tests/it/delivery.py" "$T/sub" t/s >"$T/report" 2>&1; do
	[ "$(date +%s)" -ge "$end" ] && { cat "$T/report" >&2; fail "readings missing or out of order"; }
	sleep 1
done
cat "$T/report"
gateway_stop
[ "$GW_STATUS" = 0 ] || fail "exit status $GW_STATUS"
note "disconnects logged: $(grep -c 'disconnected' "$T/gw.log")"
echo ok
