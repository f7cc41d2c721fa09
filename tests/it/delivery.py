#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Check what a recording subscriber saw of a gateway's JSON readings.

Usage: delivery.py RECORD TOPIC_PREFIX [--runs KILLS_FILE --max-tail-ms N]
                   [--first-seq N] [--after-ms T]

Every payload under TOPIC_PREFIX must be a well-formed reading
({"value","unit","ts","seq"}) or, on <topic>/error, a health report that
carries its sequence number.  Sequence numbers are split into runs (a
restart skips ahead by a reserved block); within a run no number may be
missing.  Per topic, readings must arrive in sequence order (duplicates,
allowed around a reconnect, are counted).  With --runs, KILLS_FILE holds the
time (ms since the epoch) each run was killed; the last reading delivered of
each run must have been sampled at most N ms before its kill.  With
--first-seq, the first run must begin with number N (nothing lost before the
first reading seen); with --after-ms, some reading must have been sampled
after T (ms since the epoch: the record reaches past that moment).
Prints a summary; exits 1 on any violation.
"""
import json
import sys
from collections import defaultdict

record, prefix = sys.argv[1], sys.argv[2]
kills, max_tail = None, None
if "--runs" in sys.argv:
    kills = [int(l) for l in open(sys.argv[sys.argv.index("--runs") + 1]) if l.strip()]
    max_tail = int(sys.argv[sys.argv.index("--max-tail-ms") + 1])
first_seq = int(sys.argv[sys.argv.index("--first-seq") + 1]) if "--first-seq" in sys.argv else None
after_ms = int(sys.argv[sys.argv.index("--after-ms") + 1]) if "--after-ms" in sys.argv else None

bad = []
seen = {}
last_by_topic = defaultdict(lambda: -1)
dups = 0
order_errors = 0
for line in open(record):
    parts = line.rstrip("\n").split(" ", 2)
    if len(parts) < 3 or not parts[1].startswith(prefix):
        continue
    topic, payload = parts[1], parts[2]
    if topic.endswith("/error"):
        # A sensor's health report (a read ran past its deadline on a busy
        # machine) takes a sequence number too.
        try:
            seen.setdefault(json.loads(payload)["seq"], None)
        except Exception as e:
            bad.append("%s %r: %s" % (topic, payload, e))
        continue
    try:
        r = json.loads(payload)
        assert list(r) == ["value", "unit", "ts", "seq"], list(r)
        assert isinstance(r["seq"], int) and isinstance(r["ts"], int)
    except Exception as e:  # a corrupt record delivered
        bad.append("%s %r: %s" % (topic, payload, e))
        continue
    s = r["seq"]
    if s in seen:
        dups += 1
        continue
    seen[s] = r["ts"]
    if s < last_by_topic[topic]:
        order_errors += 1
        if order_errors <= 5:
            print("out of order on %s: %d after %d" % (topic, s, last_by_topic[topic]))
    last_by_topic[topic] = max(s, last_by_topic[topic])

seqs = sorted(seen)
runs = []
for s in seqs:
    if runs and s - runs[-1][-1] < 1000:
        runs[-1].append(s)
    else:
        runs.append([s])
missing = 0
for run in runs:
    gap = (run[-1] - run[0] + 1) - len(run)
    if gap:
        have = set(run)
        holes = [x for x in range(run[0], run[-1] + 1) if x not in have]
        print("run %d..%d: %d missing, e.g. %s" % (run[0], run[-1], gap, holes[:10]))
    missing += gap
print("readings: %d unique, %d duplicates, %d runs, %d missing inside runs, "
      "%d out of order, %d malformed" % (len(seqs), dups, len(runs), missing, order_errors, len(bad)))
for b in bad[:5]:
    print("malformed: " + b)
ok = not bad and missing == 0 and order_errors == 0 and seqs
if first_seq is not None and seqs and seqs[0] != first_seq:
    print("the first reading is number %d, not %d" % (seqs[0], first_seq))
    ok = False
if after_ms is not None:
    newest = max((t for t in seen.values() if t is not None), default=0)
    if newest <= after_ms:
        print("no reading sampled after %d (newest %d)" % (after_ms, newest))
        ok = False
if kills is not None:
    if len(runs) != len(kills):
        print("expected %d runs (one per kill), saw %d" % (len(kills), len(runs)))
        ok = False
    else:
        worst = 0
        for run, k in zip(runs, kills):
            last = max((x for x in run if seen[x] is not None), default=run[-1])
            tail = k - (seen[last] or k)
            worst = max(worst, tail)
        print("worst gap between a kill and the last reading kept: %d ms (limit %d)" % (worst, max_tail))
        ok = ok and worst <= max_tail
sys.exit(0 if ok else 1)
