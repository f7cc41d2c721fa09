#!/bin/bash
# SPDX-License-Identifier: MIT
# A rogue broker (tests/it/rogue_broker.py) holds the gateway's port and
# misbehaves in one way after another: it closes at once, stalls half-way
# through the CONNACK, sends a remaining length longer than MQTT allows, a
# PUBACK too short to name a message, a packet of a reserved type and then
# the end of its stream, a PUBLISH of 256 MB of which 1 KiB comes, and
# finally acknowledges nothing (but answers pings).  Then the real
# mosquitto takes the port.  The gateway must neither die nor trip a
# sanitizer, must come back to the broker after each failure with growing
# delays (no CONNACK resets them while nothing is acknowledged), must send
# no reading to a broker that has not acknowledged its "online" status, and
# every reading sampled meanwhile must reach mosquitto once it is back,
# numbered from 1 without a gap, once, in order per topic.
. "${top_srcdir:?}/tests/it/lib.sh" || exit 99

port=$(free_port)
# The recording subscriber's session is made now and kept by mosquitto
# (persistence), so that the backlog published the moment it is back waits
# for the subscriber.
BROKER_PERSIST=1
broker_start "$port"
psub_start "$port" "sgwtest-rogue-sub-$$" "$T/sub" 't/#'
kill "$PSUB_PID"; wait "$PSUB_PID" 2>/dev/null; untrack "$PSUB_PID"
broker_stop

echo close >"$T/mode"
release_port "$port"
/usr/bin/python3 "$top_srcdir/tests/it/rogue_broker.py" "$port" "$T/mode" "$T/rogue" 2>>"$T/rogue.err" &
ROGUE_PID=$!
track "$ROGUE_PID"
wait_until 20 grep -q listen "$T/rogue" || fail "the rogue broker did not start"

{ printf '[gateway]\nclock = rtc\nname = testgw\ntopic_prefix = t\nstate_dir = %s\n' "$T/state"
  printf '\n[mqtt]\nuri = mqtt://127.0.0.1:%s\nclient_id = sgwtest-rogue-%s\nqos = 1\n' "$port" "$$"
  # The shortest keepalive: a broker that sends nothing is given up in ~10 s.
  printf 'keepalive = 5s\nreconnect_min = 100ms\nreconnect_max = 4s\n'
  for s in sa sb; do printf '\n[sensor %s]\ndriver = sim\ninterval = 100ms\nformat = json\n' $s; done
} >"$T/gw.ini"
gateway_start "$T/gw.ini"
wait_until 30 grep -q started "$T/gw.log" || fail "gateway did not start"

# accepts MODE: the gateway's connections the rogue took in MODE.
accepts() { grep -c " accept $1 " "$T/rogue" || true; }
at_least() { [ "$(accepts "$1")" -ge "$2" ]; }
# published MODE TOPIC_PREFIX: how many messages the gateway published there.
published() { grep -c " publish $1 [^ ]* $2" "$T/rogue" || true; }
status_sent() { [ "$(published "$1" t/testgw/status)" -ge 1 ]; }
clean() {
	! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$T/gw.log"
}

# came_back MODE N: the gateway made N connections to the MODE broker, or
# died (which ends the wait at once; the caller tells which).
came_back() { ! kill -0 "$GW_PID" 2>/dev/null || at_least "$1" "$2"; }
# MODE:CONNECTS: how many of the gateway's connections each behaviour takes
# (the second one shows that the gateway gave the first up by itself); a
# stalled CONNACK costs Paho's 30 s connect timeout, a packet that never
# ends the 5 s keepalive twice, the others a reconnect delay each.
for step in close:4 stall:2 bad-length:2 short-puback:2 unknown-type:2 huge:2 no-puback:1; do
	mode=${step%:*} want=${step#*:}
	echo "$mode" >"$T/mode"
	wait_until $((30 + 40 * want)) came_back "$mode" "$want" ||
		fail "the gateway did not come back to the $mode broker ($(accepts "$mode") connects)"
	kill -0 "$GW_PID" 2>/dev/null || fail "the gateway died under the $mode broker"
	if [ "$mode" = no-puback ]; then
		# The "online" status goes out and is never acknowledged: no
		# reading follows it (they wait on disk).
		wait_until 30 status_sent no-puback || fail "no status sent to the no-puback broker"
		sleep $((3 * SLOW))
		[ "$(published no-puback t/s)" = 0 ] || fail "readings sent to a broker that acknowledged nothing"
	fi
	kill -0 "$GW_PID" 2>/dev/null || fail "the gateway died under the $mode broker"
	clean || fail "a sanitizer report under the $mode broker"
	note "$mode: $(accepts "$mode") connects"
done

# Backoff: nothing was ever acknowledged, so the delays grew to
# reconnect_max (4 s, drawn from [2, 4] s) and stayed there, also for the
# connections that got a CONNACK.  Where the broker cut the connection at
# once, a gap between connects is that delay plus the time Paho takes to
# see the loss and connect again (about 1 s here; reconnecting after
# reconnect_min, as when a CONNACK reset the backoff, gives gaps of that).
/usr/bin/python3 - "$T/rogue" <<'PY' || fail "reconnects without backoff"
import sys
rows = [l.split() for l in open(sys.argv[1]) if " accept " in l]
gaps = []
for (t0, _, m0, _), (t1, _, m1, _) in zip(rows, rows[1:]):
    if m0 == m1 and m0 in ("bad-length", "short-puback", "unknown-type"):
        gaps.append(float(t1) - float(t0))
print("gaps between connects where garbage or the end followed a CONNACK: %s s" %
      " ".join("%.2f" % g for g in gaps))
assert len(gaps) >= 3, gaps
assert min(gaps) >= 1.9, "a reconnect %.2f s after a CONNACK: no backoff" % min(gaps)
print("connects in all: %d" % len(rows))
PY

[ ! -s "$T/rogue.err" ] || { cat "$T/rogue.err" >&2; fail "the rogue broker failed"; }

# Mosquitto back on the port: the backlog (memory, disk) goes there.
t_back=$(date +%s%3N)
kill "$ROGUE_PID"; wait "$ROGUE_PID" 2>/dev/null; untrack "$ROGUE_PID"
broker_start "$port"
psub_start "$port" "sgwtest-rogue-sub-$$" "$T/sub" 't/#'
end=$(( $(date +%s) + 90 * SLOW ))
until /usr/bin/python3 "$top_srcdir/tests/it/delivery.py" "$T/sub" t/s --first-seq 1 \
	--after-ms $((t_back + 2000)) >"$T/report" 2>&1; do
	[ "$(date +%s)" -ge "$end" ] && { cat "$T/report" >&2; fail "readings missing or out of order"; }
	sleep 1
done
cat "$T/report"
grep -q ' 0 duplicates,' "$T/report" || fail "readings arrived twice"
kill -0 "$GW_PID" 2>/dev/null || fail "the gateway died"
gateway_stop
[ "$GW_STATUS" = 0 ] || fail "exit status $GW_STATUS"
clean || fail "a sanitizer report"
echo ok
