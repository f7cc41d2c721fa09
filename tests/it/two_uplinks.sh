#!/bin/bash
# SPDX-License-Identifier: MIT
# One gateway, two brokers ([mqtt] and [mqtt cloud]), each with its own
# connection, status and disk-queue cursor: while the cloud broker is away
# the house broker keeps getting live readings; when it is back, the cloud
# gets the backlog, in order, with nothing missing; neither sees the
# other's readings twice.
. "${top_srcdir:?}/tests/it/lib.sh" || exit 99

p1=$(free_port)
p2=$(free_port)
BROKER_PERSIST=1
broker_start "$p1"; B1=$BROKER_PID
psub_start "$p1" "sgwtest-house-$$" "$T/house" 't/#'; S1=$PSUB_PID
broker_start "$p2"; B2=$BROKER_PID
psub_start "$p2" "sgwtest-cloud-$$" "$T/cloud" 't/#'
{ ini_gateway "$p1"
  printf '\n[mqtt cloud]\nuri = mqtt://127.0.0.1:%s\nclient_id = sgwtest-cloud-gw-%s\nqos = 1\nreconnect_min = 100ms\nreconnect_max = 1s\n' "$p2" "$$"
  for i in 0 1 2 3 4; do printf '\n[sensor s%d]\ndriver = sim\ninterval = 100ms\nformat = json\n' "$i"; done
} >"$T/gw.ini"
gateway_start "$T/gw.ini"
wait_until 30 has_at_least "$T/cloud" t/s0/temperature 10 || fail "cloud got nothing"
# Take the cloud broker away for a few seconds.
BROKER_PID=$B2 BROKER_PORT=$p2 broker_stop
before=$(count "$T/house" t/s0/temperature)
wait_until 30 has_at_least "$T/house" t/s0/temperature $((before + 30)) || fail "house stalled while the cloud was away"
BROKER_PID=$B2; broker_start "$p2"
sleep 3	# live traffic to both again
gateway_stop
[ "$GW_STATUS" = 0 ] || fail "exit status $GW_STATUS"
# Everything the gateway took before SIGTERM (the last moments went to disk
# for both) is checked up to the newest reading both brokers have.
for side in house cloud; do
	/usr/bin/python3 "$top_srcdir/tests/it/delivery.py" "$T/$side" t/s >"$T/$side.report" \
		|| { cat "$T/$side.report" >&2; fail "$side: readings missing or out of order"; }
	note "$side: $(tail -1 "$T/$side.report")"
done
# Both saw the same readings (the cloud's late, from its queue cursor).
/usr/bin/python3 - "$T/house" "$T/cloud" <<'PY' || fail "the two brokers saw different readings"
import json, sys
def seqs(f):
    out = set()
    for l in open(f):
        p = l.rstrip("\n").split(" ", 2)
        if len(p) == 3 and p[1].startswith("t/s") and not p[1].endswith("/error"):
            out.add(json.loads(p[2])["seq"])
    return out
h, c = seqs(sys.argv[1]), seqs(sys.argv[2])
top = min(max(h), max(c))
h = {s for s in h if s <= top}
c = {s for s in c if s <= top}
print("house %d, cloud %d readings up to seq %d; only house: %d, only cloud: %d"
      % (len(h), len(c), top, len(h - c), len(c - h)))
assert h == c
PY
echo ok
