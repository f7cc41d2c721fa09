#!/bin/bash
# SPDX-License-Identifier: MIT
# The daemon under a stand-in for systemd's notification socket
# (tests/it/notify_listen.py) and a 2 s watchdog: READY=1 once started,
# STATUS= following the broker away and back (at most once a second),
# WATCHDOG=1 every second from the running loop and none while the process
# is stopped, RELOADING=1 and READY=1 around SIGHUP, STOPPING=1 at SIGTERM,
# all from the daemon's own PID; `-n` and `--once` send nothing.
. "${top_srcdir:?}/tests/it/lib.sh" || exit 99

N=$T/notify.log
sock=$T/notify.sock
nfail() {
	{ echo "# notifications (kernel time, read at, pid, message):"; cat "$N"; } >&2
	fail "$@"
}
# msgs FROM REGEX: the daemon's messages after line FROM of $N matching REGEX
# (awk), as "KERNEL_TS MONO MESSAGE".
msgs() {
	awk -v from="$1" -v re="$2" -v pid="${GW_PID:-none}" '
		NR > from && $3 == pid { m = $0; sub(/^[^ ]+ [^ ]+ [^ ]+ /, "", m); if (m ~ re) print $1, $2, m }' "$N"
}
has() { [ -n "$(msgs "$1" "$2")" ]; }
lines() { wc -l <"$N"; }
# gaps FROM REGEX: "MIN MAX MEAN COUNT" of the intervals between those messages.
gaps() {
	msgs "$1" "$2" | awk '
		NR > 1 { g = $1 - prev; if (n == 0 || g < min) min = g; if (g > max) max = g; sum += g; n++ }
		{ prev = $1 }
		END { if (n) printf "%.3f %.3f %.3f %d\n", min, max, sum / n, n; else print "0 0 0 0" }'
}
# holds EXPR with A B C D bound to the four numbers of gaps' answer.
holds() { awk -v g="$1" 'BEGIN { split(g, v, " "); A = v[1]; B = v[2]; C = v[3]; D = v[4]; exit !('"$2"') }'; }
# mark NAME: a datagram of our own; once it is logged, everything sent before it is too.
mark() {
	/usr/bin/python3 -c '
import socket, sys
socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(sys.argv[2].encode(), sys.argv[1])' "$sock" "MARK=$1"
	wait_until 20 grep -q " MARK=$1\$" "$N" || nfail "our own datagram $1 did not come back"
}

port=$(free_port)
broker_start "$port"
/usr/bin/python3 "$top_srcdir/tests/it/notify_listen.py" "$sock" "$N" 2>>"$T/listen.err" &
track $!
wait_until 20 grep -q LISTENING "$N" || { cat "$T/listen.err" >&2; fail "the listener did not come up"; }
{ ini_gateway "$port"; printf '\n[sensor one]\ndriver = sim\ninterval = 200ms\n'; } >"$T/gw.ini"

# -n and --once: not a service, nothing sent, though the socket is there.
NOTIFY_SOCKET=$sock WATCHDOG_USEC=2000000 $TEST_EMULATOR "$SENSORGW" -n -c "$T/gw.ini" >/dev/null 2>>"$T/gw.log" ||
	fail "-n refused the configuration"
NOTIFY_SOCKET=$sock WATCHDOG_USEC=2000000 $TEST_EMULATOR "$SENSORGW" --once -c "$T/gw.ini" >>"$T/gw.log" 2>&1 ||
	fail "--once failed"
mark quiet
[ "$(grep -cv ' LISTENING$\| MARK=' "$N")" = 0 ] && [ "$(lines)" = 2 ] || nfail "-n or --once sent something"

# READY=1 once started: the first message, after "started" was logged.
NOTIFY_SOCKET=$sock WATCHDOG_USEC=2000000 gateway_start "$T/gw.ini"
wait_until 30 has 0 '^READY=1' || nfail "no READY=1"
grep -q '<6>started:' "$T/gw.log" || nfail "READY=1 before the start was logged"
first=$(msgs 0 . | head -n 1)
case $first in
*" READY=1|STATUS="*" to mqtt://127.0.0.1:$port; queue depth "*"; 0 of 1 sensors failing") ;;
*) nfail "the first message is not READY=1 with the status: $first" ;;
esac
wait_until 30 has 0 "^STATUS=connected to mqtt://127[.]0[.]0[.]1:$port; queue depth [0-9]+; 0 of 1 sensors failing\$" ||
	nfail "no STATUS= saying connected"

# WATCHDOG=1 at half of WATCHDOG_USEC: about every second, never near the 2 s timeout.
has_pings() { [ "$(msgs 0 '^WATCHDOG=1$' | wc -l)" -ge "$1" ]; }
wait_until 30 has_pings 7 || nfail "fewer than 7 keep-alives"
g=$(gaps 0 '^WATCHDOG=1$')
note "keep-alive intervals (min max mean n): $g"
holds "$g" "A >= 0.8" || nfail "keep-alives too close: $g"
holds "$g" "C >= 0.9 && C <= 1.5" || nfail "keep-alives not about every second: $g"
holds "$g" "B < 1.9 * $SLOW" || nfail "a keep-alive came too late for a 2 s watchdog: $g"

# The broker goes away and comes back: STATUS= follows.
from=$(lines)
broker_stop
wait_until 30 has "$from" "^STATUS=reconnecting to mqtt://127[.]0[.]0[.]1:$port; queue depth [0-9]+; 0 of 1 sensors failing\$" ||
	nfail "STATUS= did not say the broker went away"
sleep 3	# readings pile up in the queue: a changing status
from=$(lines)
broker_start "$port"
wait_until 30 has "$from" "^STATUS=connected to mqtt://127[.]0[.]0[.]1:$port;" || nfail "STATUS= did not say connected again"
# The summary changed often (the queue's depth): sent no more than once a second.
g=$(gaps 0 '^(READY=1[|])?STATUS=')
note "STATUS= intervals (min max mean n): $g"
holds "$g" "D >= 3" || nfail "too few STATUS= updates: $g"
holds "$g" "A >= 0.8" || nfail "STATUS= sent more than once a second: $g"

# A stopped process feeds no watchdog; it starts again on SIGCONT.
kill -STOP "$GW_PID"
stopped=$(date +%s.%N)
sleep 4
resumed=$(date +%s.%N)
kill -CONT "$GW_PID"
late=$(msgs 0 '^WATCHDOG=1$' | awk -v a="$stopped" -v b="$resumed" '$1 > a + 0.2 && $1 < b' | wc -l)
[ "$late" = 0 ] || nfail "$late keep-alive(s) while the process was stopped"
resumed_ping() { msgs 0 '^WATCHDOG=1$' | awk -v b="$resumed" '$1 > b { ok = 1 } END { exit !ok }'; }
wait_until 10 resumed_ping || nfail "no keep-alive after SIGCONT"

# SIGHUP: RELOADING=1 with the time of the reload, READY=1 after it.
from=$(lines)
{ ini_gateway "$port"; printf '\n[sensor one]\ndriver = sim\ninterval = 200ms\n'
  printf '\n[sensor two]\ndriver = sim\ninterval = 200ms\n'; } >"$T/gw.ini"
kill -HUP "$GW_PID"
wait_until 30 has "$from" '^READY=1' || nfail "no READY=1 after the reload"
order=$(msgs "$from" '^(RELOADING|READY)=1' | awk '{ sub(/[|].*/, "", $3); printf "%s ", $3 }')
[ "$order" = "RELOADING=1 READY=1 " ] || nfail "around SIGHUP: $order"
msgs "$from" '^RELOADING=1[|]MONOTONIC_USEC=[0-9]+[|]' | awk '{
	split($3, kv, "|"); sub(/^MONOTONIC_USEC=/, "", kv[2])
	d = kv[2] / 1e6 - $2; exit !(d > -5 && d < 0.5) }' || nfail "MONOTONIC_USEC= is not the time of the reload"
grep -q 'configuration reloaded' "$T/gw.log" || nfail "READY=1 but no reload logged"
has "$from" '^READY=1[|]STATUS=.*; 0 of 2 sensors failing$' || nfail "READY=1 after the reload without the new status"

# SIGTERM: STOPPING=1, and nothing after it.
gateway_stop
[ "$GW_STATUS" = 0 ] || fail "exit status $GW_STATUS"
mark end
msgs 0 . | tail -n 1 | grep -q ' STOPPING=1' || nfail "the last message is not STOPPING=1"
# Everything but our own datagrams came from the daemon's PID, as systemd's NotifyAccess=main wants.
others=$(awk -v pid="$GW_PID" '$3 != pid && $4 !~ /^(LISTENING|MARK=)/' "$N" | wc -l)
[ "$others" = 0 ] || nfail "$others message(s) from another PID"
echo ok
