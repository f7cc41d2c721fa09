#!/bin/bash
# SPDX-License-Identifier: MIT
# The gateway is killed with SIGKILL 20 times at random moments while the
# broker is away.  When the broker comes back, a fresh run delivers the
# backlog: no record is corrupt, no reading is missing inside a run, and
# each run lost at most the readings of its last sync interval (none but the
# one being stored with sync = always).  Then a clean SIGTERM while offline
# loses nothing.
. "${top_srcdir:?}/tests/it/lib.sh" || exit 99

KILLS=${KILLS:-20}
port=$(free_port)
run_kills() {	# run_kills SYNC COUNT: COUNT runs, each killed with SIGKILL
	local sync=$1 n
	{ ini_gateway "$port"
	  printf '\n[queue]\nsync = %s\nsync_interval = 1s\n' "$sync"
	  for i in $(seq -w 0 9); do
		printf '\n[sensor s%s]\ndriver = sim\ninterval = 100ms\nformat = json\n' "$i"
	  done
	} >"$T/gw.ini"
	for n in $(seq "$2"); do
		gateway_start "$T/gw.ini"
		wait_until 30 grep -q started "$T/gw.log" || fail "run $n did not start"
		# A random moment 1.5-3 s in: several group commits have happened.
		sleep "$(( 15 + RANDOM % 16 ))e-1"
		date +%s%3N >>"$T/kills"
		kill -KILL "$GW_PID"
		wait "$GW_PID" 2>/dev/null
		untrack "$GW_PID"
		mv "$T/gw.log" "$T/gw.log.$sync.$n"
	done
}

drain_and_check() {	# drain_and_check MAX_TAIL_MS: deliver the backlog, then check it
	{ ini_gateway "$port"; printf '\n[sensor drain]\ndriver = sim\ninterval = 1h\n'; } >"$T/drain.ini"
	broker_start "$port"
	psub_start "$port" "sgwtest-crash-$$-$RANDOM" "$T/sub" 't/#'
	gateway_start "$T/drain.ini"
	end=$(( $(date +%s) + 120 * SLOW ))
	until /usr/bin/python3 "$top_srcdir/tests/it/delivery.py" "$T/sub" t/s \
		--runs "$T/kills" --max-tail-ms "$1" >"$T/report" 2>&1; do
		[ "$(date +%s)" -ge "$end" ] && { cat "$T/report" >&2; fail "backlog after kills: see report"; }
		sleep 1
	done
	cat "$T/report"
	gateway_stop
	[ "$GW_STATUS" = 0 ] || fail "drain run exit status $GW_STATUS"
	broker_stop
	kill "$PSUB_PID"; untrack "$PSUB_PID"
	rm -f "$T/sub" "$T/kills"
}

note "group commit (sync_interval 1s): $KILLS kills"
run_kills interval "$KILLS"
drain_and_check 1600

note "sync = always: $((KILLS / 4)) kills"
run_kills always "$((KILLS / 4))"
drain_and_check 500

note "SIGTERM while offline"
run_kills interval 0
gateway_start "$T/gw.ini"
sleep 2		# readings pile up with no broker
date +%s%3N >>"$T/kills"
gateway_stop
[ "$GW_STATUS" = 0 ] || fail "exit status $GW_STATUS after SIGTERM"
# Everything up to the stop is kept: the last reading is within one period.
drain_and_check 300
echo ok
