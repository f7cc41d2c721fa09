#!/bin/bash
# SPDX-License-Identifier: MIT
# Per-uplink routing ([mqtt NAME] sensors): the house broker carries every
# sensor, the cloud broker two of four.  Each gets exactly its sensors'
# readings, in order; while the cloud broker is away the house keeps
# getting live readings without delay; when it is back the cloud gets its
# backlog, the same readings the house saw of those two sensors.
. "${top_srcdir:?}/tests/it/lib.sh" || exit 99

p1=$(free_port)
p2=$(free_port)
BROKER_PERSIST=1
broker_start "$p1"
psub_start "$p1" "sgwtest-house-$$" "$T/house" 't/#'
broker_start "$p2"; B2=$BROKER_PID
psub_start "$p2" "sgwtest-cloud-$$" "$T/cloud" 't/#'
{ ini_gateway "$p1"
  printf '\n[mqtt cloud]\nuri = mqtt://127.0.0.1:%s\nclient_id = sgwtest-cloud-gw-%s\nqos = 1\n' "$p2" "$$"
  printf 'reconnect_min = 100ms\nreconnect_max = 1s\nsensors = s2, s3\n'
  for i in 0 1 2 3; do printf '\n[sensor s%d]\ndriver = sim\ninterval = 100ms\nformat = json\n' "$i"; done
} >"$T/gw.ini"
gateway_start "$T/gw.ini"
wait_until 30 has_at_least "$T/cloud" t/s2/temperature 10 || fail "cloud got nothing"
BROKER_PID=$B2 BROKER_PORT=$p2 broker_stop
away=$(date +%s%3N)
before=$(count "$T/house" t/s0/temperature)
wait_until 30 has_at_least "$T/house" t/s0/temperature $((before + 30)) || fail "house stalled while the cloud was away"
back=$(date +%s%3N)
BROKER_PID=$B2; broker_start "$p2"
sleep 3	# the cloud's backlog, then live traffic to both again
gateway_stop
[ "$GW_STATUS" = 0 ] || fail "exit status $GW_STATUS"

/usr/bin/python3 - "$T/house" "$T/cloud" "$away" "$back" $((3000 * SLOW)) <<'PY' || fail "routing"
import json, sys
from collections import defaultdict

def readings(f):
    """{topic: [(seq, ts_ms, arrival_ms)]} of the sensors' readings, in arrival order."""
    out = defaultdict(list)
    for l in open(f):
        p = l.rstrip("\n").split(" ", 2)
        if len(p) == 3 and p[1].startswith("t/s") and not p[1].endswith("/error"):
            r = json.loads(p[2])
            out[p[1]].append((r["seq"], r["ts"], float(p[0]) * 1000))
    return out

house, cloud = readings(sys.argv[1]), readings(sys.argv[2])
away, back, limit = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
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
# Live while the cloud was away: sampled then, arrived within 3 s (more
# under an emulator).
late = [(t, s, a - ts) for t, v in house.items() for s, ts, a in v
        if away + 500 <= ts <= back and a - ts > limit]
n = sum(1 for v in house.values() for _, ts, _ in v if away + 500 <= ts <= back)
print("# house: %d readings sampled while the cloud was away, %d late" % (n, len(late)),
      file=sys.stderr)
assert n >= 60 and not late, late[:5]
PY
echo ok
