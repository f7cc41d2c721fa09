#!/bin/bash
# SPDX-License-Identifier: MIT
# SIGTERM at random moments: while the first connect is under way, while
# connected and publishing, while the broker refuses, right after the
# broker died, while a connect waits for a CONNACK that never comes, after
# a reconnect, and during a reload.  Every run must end with exit status 0
# within its deadline and without a sanitizer report; a crash leaves its
# core (and, with gdb, its backtrace) in the run's directory, which stays.
#
# RUNS (default 21) runs, cycling through the scenarios, each at a random
# moment; SEED repeats the sequence of moments.  Longer, by hand, under load:
#   RUNS=700 STRESS=1 make check TESTS=tests/it/stop_stress.sh
# STRESS=1 runs stress-ng --cpu 2 beside (if installed); SCENARIOS="lost
# reconnected" runs some scenarios only.
. "${top_srcdir:?}/tests/it/lib.sh" || exit 99

RUNS=${RUNS:-21}
SEED=${SEED:-$RANDOM}
RANDOM=$SEED
note "seed $SEED: SEED=$SEED RUNS=$RUNS repeats this sequence"
ulimit -c unlimited 2>/dev/null || note "cores are not enabled (ulimit -c)"
# The kernel's default "core" writes the core into the crashed process's
# working directory, the run's; a pipe (systemd-coredump) keeps it elsewhere.
pattern=$(cat /proc/sys/kernel/core_pattern 2>/dev/null)
case $pattern in core*) ;; *) note "core_pattern is \"$pattern\": cores are not in the run directories" ;; esac
read -r -a SCENARIOS <<<"${SCENARIOS:-connecting publishing refused lost no_connack reconnected reload}"

up=$(free_port)		# a broker that stays up
gone=$(free_port)	# a broker that goes away mid-connection
mute=$(free_port)	# held by a listener that never answers: no CONNACK
broker_start "$up"
broker_start "$gone"
gone_pid=$BROKER_PID
if [ "${STRESS:-0}" = 1 ]; then
	if command -v stress-ng >/dev/null; then
		stress-ng --cpu 2 --quiet &
		track $!
		note "stress-ng --cpu 2 beside"
	else
		note "STRESS=1: stress-ng is not installed, running without load"
	fi
fi

# ini PORT PROTOCOL QUEUE: a gateway publishing 20 readings every 25 ms,
# enough to have messages in flight whenever it stops.
ini() {
	ini_gateway "$1"
	printf 'protocol = %s\n' "$2"
	[ "$3" = off ] && printf '\n[queue]\nmode = off\n'
	for i in $(seq -w 0 19); do
		printf '\n[sensor s%s]\ndriver = sim\nseed = %d\ninterval = 25ms\n' "$i" "$((10#$i + 1))"
	done
}

# pick LOW HIGH: a random delay of LOW..HIGH ms into $secs, in seconds (not
# in a subshell: the sequence must follow SEED).
pick() {
	local m=$(( $1 + RANDOM % ($2 - $1 + 1) ))
	secs=$((m / 1000)).$(printf '%03d' $((m % 1000)))
}

# term_blocked PID: the gateway blocks SIGTERM (signal 15, bit 14 of SigBlk):
# from then on a SIGTERM stops it; before, it just ends the process.
term_blocked() {
	local mask
	mask=$(awk '$1 == "SigBlk:" { print $2 }' "/proc/$1/status" 2>/dev/null)
	[ -n "$mask" ] && (( 0x$mask & 0x4000 ))
}

# what happened to a run that did not end well, from its core if any.
post_mortem() {
	local dir=$1 core
	for core in "$dir"/core*; do [ -e "$core" ] && break; done
	if [ -e "$core" ]; then
		note "core: $core"
		command -v gdb >/dev/null &&
			gdb -q -batch -ex 'thread apply all bt' "$SENSORGW" "$core" >"$dir/backtrace" 2>&1 &&
			sed 's/^/#   /' "$dir/backtrace" >&2
	fi
	sed 's/^/#   /' "$dir/gw.log" | tail -n 60 >&2
}

failures=0 slowest=0 slowest_at=""
started=$(date +%s)
for n in $(seq "$RUNS"); do
	scenario=${SCENARIOS[$(( (n - 1) % ${#SCENARIOS[@]} ))]}
	proto=3.1.1; [ $((RANDOM % 2)) = 0 ] && proto=5
	queue=auto; [ $((RANDOM % 3)) = 0 ] && queue=off
	dir="$T/run.$n"
	mkdir -p "$dir"
	case $scenario in
	refused) port=1 ;;		# nothing listens there, and nobody may
	lost|reconnected) port=$gone ;;
	no_connack) port=$mute ;;
	*) port=$up ;;
	esac
	ini "$port" "$proto" "$queue" >"$dir/gw.ini"
	if [ "$port" = "$gone" ] && ! kill -0 "$gone_pid" 2>/dev/null; then
		broker_start "$gone"
		gone_pid=$BROKER_PID
	fi
	# The core goes to the working directory (core_pattern "core").
	(cd "$dir" && exec $TEST_EMULATOR "$SENSORGW" -f -c "$dir/gw.ini" >"$dir/gw.log" 2>&1) &
	pid=$!
	track "$pid"
	what=""
	case $scenario in
	connecting)
		if [ -z "$TEST_EMULATOR" ]; then
			wait_until 30 term_blocked "$pid" || what="did not block SIGTERM"
		else
			wait_until 30 grep -q 'started:' "$dir/gw.log" || what="did not start"
		fi
		pick 0 300 ;;
	publishing)
		wait_until 30 grep -q 'connected to' "$dir/gw.log" || what="did not connect"
		pick 0 2000 ;;
	refused|no_connack)
		wait_until 30 grep -q 'started:' "$dir/gw.log" || what="did not start"
		pick 0 1500 ;;
	lost)
		wait_until 30 grep -q 'connected to' "$dir/gw.log" || what="did not connect"
		pick 0 500; sleep "$secs"
		kill -KILL "$gone_pid"; wait "$gone_pid" 2>/dev/null; untrack "$gone_pid"
		hold_port "$gone" "$(mktemp "$T/port.XXXXXX")"	# ours until the next start
		pick 0 1500 ;;
	reconnected)
		wait_until 30 grep -q 'connected to' "$dir/gw.log" || what="did not connect"
		pick 0 500; sleep "$secs"
		kill -KILL "$gone_pid"; wait "$gone_pid" 2>/dev/null; untrack "$gone_pid"
		broker_start "$gone"
		gone_pid=$BROKER_PID
		wait_until 30 eval "[ \$(grep -c 'connected to' '$dir/gw.log') -ge 2 ]" || what="did not reconnect"
		pick 0 1500 ;;
	reload)
		wait_until 30 grep -q 'connected to' "$dir/gw.log" || what="did not connect"
		pick 0 500; sleep "$secs"
		kill -HUP "$pid"
		pick 0 600 ;;
	esac
	delay=$secs
	sleep "$delay"
	t0=$(date +%s%N)
	kill -TERM "$pid" 2>/dev/null
	# Stopping waits up to 3 s for the in-flight messages, 1 s per uplink
	# for the DISCONNECT; a stuck stop is aborted for its core.
	if ! wait_until 30 eval "! kill -0 $pid"; then
		what="${what:+$what, }did not stop"
		kill -ABRT "$pid" 2>/dev/null
	fi
	wait "$pid"
	status=$?
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	[ "$ms" -gt "$slowest" ] && { slowest=$ms; slowest_at="run $n, $scenario"; }
	untrack "$pid"
	[ "$status" = 0 ] || what="${what:+$what, }exit status $status"
	grep -qi 'sanitizer\|runtime error' "$dir/gw.log" && what="${what:+$what, }sanitizer report"
	for core in "$dir"/core*; do [ -e "$core" ] && what="${what:+$what, }core dumped"; break; done
	if [ -n "$what" ]; then
		failures=$((failures + 1))
		note "run $n ($scenario, MQTT $proto, queue $queue, SIGTERM after ${delay}s): $what"
		post_mortem "$dir"
	elif [ "${KEEP_TMP:-0}" != 1 ]; then
		rm -rf "$dir"
	fi
done
note "$RUNS runs in $(( $(date +%s) - started )) s, $failures failed; slowest stop $slowest ms ($slowest_at)"
[ "$failures" = 0 ] || fail "$failures of $RUNS runs did not stop cleanly"
echo ok
