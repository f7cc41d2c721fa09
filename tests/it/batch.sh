#!/bin/bash
# SPDX-License-Identifier: MIT
# Batching (batch = yes) on one of two uplinks: the house broker gets one
# message a reading of every sensor, the cloud broker JSON arrays of two of
# the four.  Each gets exactly its readings, in order; while the cloud
# broker is away the house keeps getting live readings without delay; when
# the cloud is back its backlog comes whole, in order, in batches within
# batch_bytes and batch_readings.
. "${top_srcdir:?}/tests/it/lib.sh" || exit 99

BYTES=1024
COUNT=20
p1=$(free_port)
p2=$(free_port)
BROKER_PERSIST=1
broker_start "$p1"
psub_start "$p1" "sgwtest-house-$$" "$T/house" 't/#'
broker_start "$p2"; B2=$BROKER_PID
psub_start "$p2" "sgwtest-cloud-$$" "$T/cloud" 't/#'
{ ini_gateway "$p1" | sed 's/^clock = rtc$/clock = rtc\nstats_interval = 1s/'
  printf '\n[mqtt cloud]\nuri = mqtt://127.0.0.1:%s\nclient_id = sgwtest-cloud-gw-%s\nqos = 1\n' "$p2" "$$"
  printf 'reconnect_min = 100ms\nreconnect_max = 1s\nsensors = s2, s3\n'
  printf 'batch = yes\nbatch_bytes = %s\nbatch_readings = %s\nbatch_wait = 500ms\n' "$BYTES" "$COUNT"
  printf 'batch_topic = t/cloud/batch\n'
  for i in 0 1 2 3; do printf '\n[sensor s%d]\ndriver = sim\ninterval = 100ms\nformat = json\n' "$i"; done
} >"$T/gw.ini"
gateway_start "$T/gw.ini"
wait_until 30 has_at_least "$T/cloud" t/cloud/batch 5 || fail "cloud got no batches"
BROKER_PID=$B2 BROKER_PORT=$p2 broker_stop
away=$(date +%s%3N)
sleep $((20 * SLOW))
back=$(date +%s%3N)
BROKER_PID=$B2; broker_start "$p2"
sleep $((4 * SLOW))	# the cloud's backlog, then live traffic to both again
# The statistics count the batches and their readings, of the cloud alone.
wait_until 20 status_ok 's["uplinks"][1]["name"] == "cloud" and s["uplinks"][1]["batches"] >= 40 and
	s["uplinks"][1]["batched_readings"] >= 5 * s["uplinks"][1]["batches"] and
	s["uplinks"][0]["batches"] == 0 and s["uplinks"][0]["batched_readings"] == 0' ||
	fail "statistics: $(cat "$T/status")"
gateway_stop
[ "$GW_STATUS" = 0 ] || fail "exit status $GW_STATUS"

/usr/bin/python3 - "$T/house" "$T/cloud" "$away" "$back" $((3000 * SLOW)) "$BYTES" "$COUNT" \
	<<'PY' || fail "batches"
import json, os, sys
from collections import defaultdict
sys.path.insert(0, os.environ["top_srcdir"] + "/tests/it")
from two_brokers import CLOUD, lines, readings, check_split, check_live

house_f, cloud_f = sys.argv[1], sys.argv[2]
away, back, limit, nbytes, ncount = (int(a) for a in sys.argv[3:8])
house = readings(house_f)
assert not readings(cloud_f), "the cloud got readings one by one"
cloud, batches = defaultdict(list), []
for a, t, p in lines(cloud_f):
    if t != "t/cloud/batch":
        continue
    arr = json.loads(p)
    assert isinstance(arr, list) and arr, p[:80]
    assert len(arr) <= ncount, "a batch of %d readings" % len(arr)
    assert len(p.encode()) <= nbytes, "a batch of %d bytes" % len(p.encode())
    for r in arr:
        assert set(r) == {"topic", "value", "unit", "ts", "seq"}, sorted(r)
        cloud[r["topic"]].append((r["seq"], r["ts"], a))
    batches.append((a, len(arr), len(p.encode())))

check_split(house, cloud)
for t in CLOUD:
    # Whole: every reading sampled while the cloud was away reached it.
    c = {s for s, _, _ in cloud[t]}
    gone = [s for s, ts, _ in house[t] if away <= ts <= back and s not in c]
    assert not gone, "%s: the backlog lost %s" % (t, gone[:5])
# The backlog came in batches, full ones mostly.
backlog = sum(1 for v in cloud.values() for _, ts, a in v if away + 500 <= ts <= back)
late = [b for b in batches if b[0] >= back]
print("# cloud: %d batches, %d readings of the outage; after it %d batches, %.1f readings each"
      % (len(batches), backlog, len(late), sum(n for _, n, _ in late) / max(len(late), 1)),
      file=sys.stderr)
assert backlog >= 200, backlog
assert max(n for _, n, _ in late) > 5, late[:5]
# Live while the cloud was away: sampled then, arrived within 3 s (more
# under an emulator).
check_live(house, away, back, limit, 400)
PY
echo ok
