# SPDX-License-Identifier: MIT
"""The checks of a gateway with two uplinks (routes.sh, batch.sh): a house
broker that carries sensors s0..s3 and a cloud broker that carries s2 and
s3, the cloud stopped for a while.  Files hold mosquitto_sub lines
"arrival_s.ns topic payload" (tests/it/lib.sh's sub_start)."""
import json
import sys
from collections import defaultdict

HOUSE = {"t/s0/temperature", "t/s1/temperature", "t/s2/temperature", "t/s3/temperature"}
CLOUD = {"t/s2/temperature", "t/s3/temperature"}


def lines(f):
    """(arrival_ms, topic, payload) of each message in F."""
    for line in open(f):
        p = line.rstrip("\n").split(" ", 2)
        if len(p) == 3:
            yield float(p[0]) * 1000, p[1], p[2]


def readings(f):
    """{topic: [(seq, ts_ms, arrival_ms)]} of one-reading messages, in arrival order."""
    out = defaultdict(list)
    for a, t, p in lines(f):
        if t.startswith("t/s") and not t.endswith("/error"):
            r = json.loads(p)
            out[t].append((r["seq"], r["ts"], a))
    return out


def check_split(house, cloud):
    """Each got exactly its sensors, in order, and the same readings of the
    shared ones up to the newest both have."""
    assert set(house) == HOUSE, sorted(house)
    assert set(cloud) == CLOUD, "the cloud got %s" % sorted(cloud)
    for side, rec in (("house", house), ("cloud", cloud)):
        for t, v in rec.items():
            seqs = [s for s, _, _ in v]
            # A duplicate around a reconnect is allowed, a step back is not.
            assert all(a <= b for a, b in zip(seqs, seqs[1:])), "%s %s: out of order" % (side, t)
    for t in CLOUD:
        h, c = {s for s, _, _ in house[t]}, {s for s, _, _ in cloud[t]}
        top = min(max(h), max(c))
        h, c = {s for s in h if s <= top}, {s for s in c if s <= top}
        assert h == c, "%s: house only %s, cloud only %s" % (t, sorted(h - c)[:5], sorted(c - h)[:5])


def check_live(house, away, back, limit, least):
    """The house's readings sampled while the cloud was away (at least
    LEAST) each arrived within LIMIT ms."""
    late = [(t, s, a - ts) for t, v in house.items() for s, ts, a in v
            if away + 500 <= ts <= back and a - ts > limit]
    n = sum(1 for v in house.values() for _, ts, _ in v if away + 500 <= ts <= back)
    print("# house: %d readings sampled while the cloud was away, %d late" % (n, len(late)),
          file=sys.stderr)
    assert n >= least and not late, late[:5]
