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
status_ok() {
	$TEST_EMULATOR "$SENSORGW" status -c "$T/gw.ini" >"$T/status" 2>/dev/null &&
	/usr/bin/python3 -c "import json, sys; s = json.load(open(sys.argv[1])); assert ($1), s" "$T/status"
}
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
import json, sys
from collections import defaultdict

house_f, cloud_f = sys.argv[1], sys.argv[2]
away, back, limit, nbytes, ncount = (int(a) for a in sys.argv[3:8])

def lines(f):
    for l in open(f):
        p = l.rstrip("\n").split(" ", 2)
        if len(p) == 3:
            yield float(p[0]) * 1000, p[1], p[2]

def singles(f):
    """{topic: [(seq, ts_ms, arrival_ms)]} of one-reading messages, in arrival order."""
    out = defaultdict(list)
    for a, t, p in lines(f):
        if t.startswith("t/s") and not t.endswith("/error"):
            r = json.loads(p)
            out[t].append((r["seq"], r["ts"], a))
    return out

house = singles(house_f)
assert not singles(cloud_f), "the cloud got readings one by one"
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

mine = {"t/s2/temperature", "t/s3/temperature"}
assert set(house) == mine | {"t/s0/temperature", "t/s1/temperature"}, sorted(house)
assert set(cloud) == mine, "the cloud got %s" % sorted(cloud)
for side, rec in (("house", house), ("cloud", cloud)):
    for t, v in rec.items():
        seqs = [s for s, _, _ in v]
        # A duplicate around a reconnect is allowed, a step back is not.
        assert all(a <= b for a, b in zip(seqs, seqs[1:])), "%s %s: out of order" % (side, t)
# The same readings of s2 and s3 on both, up to the newest both have.
for t in mine:
    h, c = {s for s, _, _ in house[t]}, {s for s, _, _ in cloud[t]}
    top = min(max(h), max(c))
    h, c = {s for s in h if s <= top}, {s for s in c if s <= top}
    assert h == c, "%s: house only %s, cloud only %s" % (t, sorted(h - c)[:5], sorted(c - h)[:5])
    # Whole: every reading sampled while the cloud was away reached it.
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
late = [(t, s, a - ts) for t, v in house.items() for s, ts, a in v
        if away + 500 <= ts <= back and a - ts > limit]
n = sum(1 for v in house.values() for _, ts, _ in v if away + 500 <= ts <= back)
print("# house: %d readings sampled while the cloud was away, %d late" % (n, len(late)),
      file=sys.stderr)
assert n >= 400 and not late, late[:5]
PY
echo ok
