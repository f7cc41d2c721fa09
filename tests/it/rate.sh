#!/bin/bash
# SPDX-License-Identifier: MIT
# max_rate = 100/s: a disk backlog of more than 300 readings drains no
# faster than 100 publishes a second, all of it, in order, and the
# statistics count the readings that waited.  Only the lower bound of the
# time is checked: a slow machine may take longer, never less.
. "${top_srcdir:?}/tests/it/lib.sh" || exit 99

port=$(free_port)
export SENSORGW_RUNTIME_DIR=$T/run
# gw_ini INTERVAL: JSON readings (sequence numbers), limited to 100/s.
gw_ini() {
	ini_gateway "$port" | sed 's/^clock = rtc$/clock = rtc\nformat = json\nstats_interval = 1s/'
	printf 'max_rate = 100/s\nmax_inflight = 100\n'
	printf '\n[sensor s]\ndriver = sim\nwaveform = ramp\ninterval = %s\n' "$1"
}
# Offline: the readings of a fast sensor pile up on disk.
gw_ini 5ms >"$T/gw.ini"
gateway_start "$T/gw.ini"
wait_until 60 status_ok 's["queue"]["depth"] >= 350' || fail "no backlog of 350 readings"
gateway_stop
[ "$GW_STATUS" = 0 ] || fail "exit status $GW_STATUS"

# Online, the sensor all but still: the backlog drains at the rate allowed.
broker_start "$port"
sub_start "$port" "$T/sub" 't/s/#'
gw_ini 1h >"$T/gw.ini"
gateway_start "$T/gw.ini"
wait_until 120 status_ok 's["queue"]["depth"] == 0 and s["uplinks"][0]["inflight"] == 0 and s["uplinks"][0]["pending"] == 0' ||
	fail "the backlog did not drain"
wait_until 20 status_ok 's["uplinks"][0]["rate_limited"] >= 300' ||
	{ cat "$T/status" >&2; fail "the statistics do not count the readings held back"; }
gateway_stop
[ "$GW_STATUS" = 0 ] || fail "exit status $GW_STATUS"

/usr/bin/python3 "$top_srcdir/tests/it/delivery.py" "$T/sub" t/s/ >"$T/report" 2>&1 ||
	{ cat "$T/report" >&2; fail "readings lost or out of order"; }
note "$(cat "$T/report")"
awk '$2 == "t/s/temperature" { print $1 }' "$T/sub" >"$T/times"
n=$(wc -l <"$T/times")
[ "$n" -ge 350 ] || fail "only $n readings arrived"
# N readings paced 10 ms apart span (N - 1) * 10 ms; a quarter of a second
# allowed for the subscriber's own scheduling.
/usr/bin/python3 - "$T/times" <<'PY' || fail "the backlog arrived faster than 100/s"
import sys
t = [float(x) for x in open(sys.argv[1])]
span, need = t[-1] - t[0], (len(t) - 1) / 100.0 - 0.25
print("# %d readings over %.2f s (at least %.2f s)" % (len(t), span, need), file=sys.stderr)
sys.exit(0 if span >= max(need, 2.5) else 1)
PY
echo ok
