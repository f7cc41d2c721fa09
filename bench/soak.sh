#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Soak: the gateway for an hour at 100 readings/s against a private
# mosquitto that is restarted 30 times (outages of 2-20 s), with a second
# gateway on the same broker killed with SIGKILL 10 times while the broker
# is away (and started again at once, offline).  The first gateway is never
# restarted: its RSS and open fds are sampled every 10 s, and after the
# warm-up they must not grow by more than 5 %.  A recording subscriber
# (tests/it/sub_record.py, a persistent session) keeps everything both
# publish; at the end tests/it/delivery.py finds, for the first gateway,
# every reading from number 1 to past the end of the run, once, in order;
# for the killed one, none missing inside a run, and each run's last reading
# sampled at most 1.6 s before its kill (the readings of the last sync
# interval, sync_interval = 1s, are the only ones a SIGKILL may take).
#
#   bench/soak.sh [options] [BUILD_DIR]     (default BUILD_DIR: build)
#     --minutes N     length of the run (default 60; with --valgrind 10)
#     --rate N        readings/s of each gateway, a multiple of 10 (default 100)
#     --restarts N    broker restarts (default: one every two minutes, at
#                     least one)
#     --kills N       SIGKILLs of the second gateway, during outages
#                     (default: a third of the restarts, at least one)
#     --valgrind      the first gateway under valgrind memcheck, no second
#                     gateway; must end with no error and no definite leak
#     --out DIR       keep the samples, logs and summary there
#     --seed N        the outages' lengths and moments (default 1)
#
# A check of the script itself: bench/soak.sh --minutes 3.  Needs mosquitto,
# mosquitto_sub, python3-paho-mqtt (and valgrind).  Prints a summary; exits
# 1 when a goal is missed.  The integration tests' longer forms:
# OUTAGES=10 MIN_S=2 MAX_S=20 tests/it/outage.sh and KILLS=100
# tests/it/crash.sh (with SENSORGW and top_srcdir set).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
minutes="" rate=100 restarts="" kills="" valgrind=0 out="" seed=1 build=""
usage() { echo "soak.sh: $*" >&2; exit 2; }
number() {	# number OPTION VALUE: VALUE, a whole number
	case $2 in ''|*[!0-9]*) usage "$1 wants a whole number, not '$2'" ;; esac
	[ "${#2}" -le 6 ] || usage "$1 $2: too large"
	echo $((10#$2))
}
while [ $# -gt 0 ]; do
	case $1 in
	--minutes|--rate|--restarts|--kills|--seed)
		[ $# -ge 2 ] || usage "$1 wants a value"
		v=$(number "$1" "$2") || exit 2
		case $1 in
		--minutes) minutes=$v ;; --rate) rate=$v ;; --restarts) restarts=$v ;;
		--kills) kills=$v ;; --seed) seed=$v ;;
		esac
		shift ;;
	--out) [ $# -ge 2 ] || usage "--out wants a directory"; out=$2; shift ;;
	--valgrind) valgrind=1 ;;
	-h|--help) sed -n '4,33{s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
	-*) usage "unknown option $1" ;;
	*) build=$1 ;;
	esac
	shift
done
: "${minutes:=$([ "$valgrind" = 1 ] && echo 10 || echo 60)}"
[ "$minutes" -ge 1 ] || usage "--minutes must be at least 1"
: "${restarts:=$((minutes / 2 > 0 ? minutes / 2 : 1))}"
if [ "$valgrind" = 1 ]; then
	[ "${kills:-0}" = 0 ] || usage "--valgrind runs no second gateway: no --kills"
	kills=0
fi
: "${kills:=$(((restarts + 2) / 3))}"
[ $((rate % 10)) = 0 ] && [ "$rate" -gt 0 ] || usage "--rate must be a positive multiple of 10"
[ "$kills" -le "$restarts" ] || usage "kills happen during outages: --kills <= --restarts"
# Each restart takes up to 20 s of outage and a reconnect.
[ $((restarts * 30)) -le $((minutes * 60)) ] || usage "$restarts restarts do not fit in $minutes minutes"
build=$(cd "${build:-$top/build}" && pwd) || exit 1
export top_srcdir=$top top_builddir=$build SENSORGW=$build/sensorgw TEST_EMULATOR=
[ -x "$SENSORGW" ] || { echo "no $SENSORGW: build first (./dev demo or ./dev check)" >&2; exit 1; }
[ "$valgrind" = 0 ] || command -v valgrind >/dev/null || { echo "soak.sh: valgrind not installed" >&2; exit 1; }
. "$top/tests/it/lib.sh"
RANDOM=$seed
duration=$((minutes * 60))
# The first tenth of the run, at least 2 minutes, is warm-up (allocator
# pools, Paho's buffers, the page cache of the queue's files).
warmup=$((duration / 10 > 120 ? duration / 10 : 120))
[ "$warmup" -lt "$duration" ] || warmup=$((duration / 2))
say() { printf '[%5ds] %s\n' "$SECONDS" "$*"; }

port=$(free_port)
BROKER_PERSIST=1
broker_start "$port"
psub_start "$port" "soak-sub-a-$$" "$T/sub" 'a/#'
# The killed gateway's readings on a subscriber of their own.
[ "$kills" -gt 0 ] && psub_start "$port" "soak-sub-b-$$" "$T/sub-b" 'b/#'

ini() {	# ini NAME PREFIX: a gateway of RATE readings/s, 10 sim sensors per 100/s
	printf '[gateway]\nclock = rtc\nname = %s\ntopic_prefix = %s\nstate_dir = %s\nstats_interval = 60s\n' \
		"$1" "$2" "$T/state-$2"
	printf '\n[queue]\nsync = interval\nsync_interval = 1s\n'
	printf '\n[mqtt]\nuri = mqtt://127.0.0.1:%s\nclient_id = soak-%s-%s\nqos = 1\n' "$port" "$2" "$$"
	printf 'reconnect_min = 100ms\nreconnect_max = 2s\n'
	for i in $(seq -w 0 $((rate / 10 - 1))); do
		printf '\n[sensor s%s]\ndriver = sim\nseed = %d\ninterval = 100ms\nformat = json\n' \
			"$i" "$((10#$i + 1))"
	done
}
ini long a >"$T/a.ini"
ini killed b >"$T/b.ini"

if [ "$valgrind" = 1 ]; then
	# Paho's threads and the dlopen()ed library are part of what is checked.
	vg=(valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite
		--errors-for-leak-kinds=definite --error-exitcode=99 --track-origins=yes
		--log-file="$T/valgrind.log")
	"${vg[@]}" "$SENSORGW" -f -c "$T/a.ini" >>"$T/gw.log" 2>&1 &
	GW_PID=$!
	track "$GW_PID"
else
	gateway_start "$T/a.ini"
fi
gw_a=$GW_PID
wait_until 60 grep -q started "$T/gw.log" || fail "gateway did not start"
gw_b=""
start_b() {
	$SENSORGW -f -c "$T/b.ini" >>"$T/gwb.log" 2>&1 &
	gw_b=$!
	track "$gw_b"
}
[ "$kills" -gt 0 ] && start_b

# RSS (kB), open fds and threads of the first gateway (under valgrind: the
# valgrind process, which is the gateway), and RSS of the second.
sampler() {
	local t0=$SECONDS
	while kill -0 "$gw_a" 2>/dev/null; do
		local rss fds thr rssb=0
		rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$gw_a/status" 2>/dev/null) || break
		thr=$(awk '/^Threads/ { print $2 }' "/proc/$gw_a/status" 2>/dev/null) || break
		fds=$(ls "/proc/$gw_a/fd" 2>/dev/null | wc -l)
		if [ -n "$gw_b" ] && [ -r "$T/gw_b.pid" ]; then
			rssb=$(awk '/^VmRSS/ { print $2 }' "/proc/$(cat "$T/gw_b.pid")/status" 2>/dev/null || echo 0)
		fi
		echo "$((SECONDS - t0)) $rss $fds $thr $rssb" >>"$T/samples"
		sleep 10
	done
}
echo "$gw_b" >"$T/gw_b.pid"
sampler &
track $!

connects() { grep -c 'connected to' "$1" 2>/dev/null || true; }
more_connects() { [ "$(connects "$1")" -gt "$2" ]; }
# Outages at evenly spread moments, each 2-20 s; every (restarts/kills)-th
# one also kills the second gateway.
say "soak: ${minutes} min, ${rate} readings/s, $restarts broker restarts, $kills kills, valgrind $valgrind (port $port, $T)"
period=$((duration / (restarts + 1)))
every=$([ "$kills" -gt 0 ] && echo $((restarts / kills)) || echo 0)
killed=0
start=$SECONDS
for n in $(seq "$restarts"); do
	until [ $((SECONDS - start)) -ge $((n * period)) ]; do sleep 1; done
	before=$(connects "$T/gw.log")
	broker_stop
	outage=$((2 + RANDOM % 19))
	if [ "$every" -gt 0 ] && [ $((n % every)) = 0 ] && [ "$killed" -lt "$kills" ]; then
		sleep $((1 + outage / 3))
		date +%s%3N >>"$T/kills"
		kill -KILL "$gw_b"
		wait "$gw_b" 2>/dev/null || true
		untrack "$gw_b"
		start_b
		echo "$gw_b" >"$T/gw_b.pid"
		killed=$((killed + 1))
		sleep $((outage - 1 - outage / 3))
		say "restart $n: outage ${outage}s, second gateway killed ($killed of $kills)"
	else
		sleep "$outage"
		say "restart $n: outage ${outage}s"
	fi
	kill -0 "$gw_a" || fail "the gateway died during outage $n"
	broker_start "$port"
	wait_until 60 more_connects "$T/gw.log" "$before" || fail "no reconnect after outage $n"
done
until [ $((SECONDS - start)) -ge "$duration" ]; do sleep 1; done
t_end=$(date +%s%3N)

# Drain: done when every reading from number 1 to one sampled after the
# end of the run has arrived (the first gateway keeps publishing).
say "draining"
ok=1
end=$((SECONDS + 300))
until /usr/bin/python3 "$top/tests/it/delivery.py" "$T/sub" a/s --first-seq 1 \
	--after-ms "$t_end" >"$T/report-a" 2>&1; do
	[ "$SECONDS" -ge "$end" ] && { ok=0; break; }
	sleep 2
done
grep -q ' 1 runs, 0 missing inside runs, 0 out of order, 0 malformed' "$T/report-a" || ok=0
if [ -n "$gw_b" ]; then
	date +%s%3N >>"$T/kills"	# the last run ends with the SIGTERM below
	kill -TERM "$gw_b"
	wait "$gw_b"; st_b=$?
	untrack "$gw_b"
	[ "$st_b" = 0 ] || { echo "second gateway: exit status $st_b"; ok=0; }
	gw_b=""
	end=$((SECONDS + 300))
	until /usr/bin/python3 "$top/tests/it/delivery.py" "$T/sub-b" b/s --first-seq 1 \
		--runs "$T/kills" --max-tail-ms 1600 >"$T/report-b" 2>&1; do
		[ "$SECONDS" -ge "$end" ] && { ok=0; break; }
		sleep 2
	done
fi
gateway_stop
[ "$GW_STATUS" = 0 ] || { echo "first gateway: exit status $GW_STATUS"; ok=0; }

summary() {
	if [ "$valgrind" = 1 ]; then
		echo "soak: $minutes min, $rate readings/s, $restarts broker restarts," \
			"the gateway under valgrind memcheck"
	else
		echo "soak: $minutes min, $rate readings/s per gateway, $restarts broker restarts," \
			"$killed SIGKILLs of the second gateway"
	fi
	echo "machine: $(nproc) cores, $(uname -m), $(. /etc/os-release; echo "$PRETTY_NAME"), $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
	echo "first gateway: $(connects "$T/gw.log") connects, $(grep -c 'disconnected' "$T/gw.log") disconnects"
	sed 's/^/first gateway: /' "$T/report-a"
	if [ -s "$T/report-b" ]; then
		echo "second gateway: $(grep -c 'connected to' "$T/gwb.log") connects, $killed SIGKILLs;" \
			"RSS at most $(awk '{ if ($5 > m) m = $5 } END { print m + 0 }' "$T/samples") kB"
		sed 's/^/second gateway: /' "$T/report-b"
	fi
	/usr/bin/python3 - "$T/samples" "$warmup" "$rate" "$duration" "$T/report-a" "$ok" <<'PY'
import statistics, sys
rows = [list(map(int, l.split())) for l in open(sys.argv[1]) if l.strip()]
warm, rate, duration = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
after = [r for r in rows if r[0] >= warm] or rows
ok = True
for name, col, unit in (("RSS", 1, " kB"), ("open fds", 2, ""), ("threads", 3, "")):
    v = [r[col] for r in after]
    # Ends as medians of five samples, so that one sample taken while a
    # backlog drains does not decide.
    first, last = statistics.median(v[:5]), statistics.median(v[-5:])
    growth = 100.0 * (last - first) / first if first else 0.0
    print("%s after %d s of warm-up (%d samples): first %g, median %g, last %g, max %g%s; "
          "growth %.1f %%" % (name, warm, len(v), first, statistics.median(v), last, max(v),
                              unit, growth))
    if name != "threads" and growth > 5.0:
        ok = False
step = max(1, len(rows) // 24)
apart = (rows[-1][0] - rows[0][0]) * step / max(1, len(rows) - 1)
print("RSS over the whole run, one sample in %d (about %d s apart): %s kB" %
      (step, apart, " ".join(str(r[1]) for r in rows[::step])))
report = open(sys.argv[5]).read()
unique = int(report.split("readings: ")[-1].split()[0])
missing = int(report.split(" missing inside runs")[0].split()[-1])
print("first gateway: %d readings delivered (the rate times the run's length: %d); "
      "readings lost: %d%s" % (unique, rate * duration, missing,
                               "" if sys.argv[6] == "1" else " (but see above)"))
sys.exit(0 if ok else 1)
PY
}
summary >"$T/summary" || ok=0
if [ "$valgrind" = 1 ]; then
	grep -E 'ERROR SUMMARY|definitely lost|indirectly lost|possibly lost|still reachable|All heap' \
		"$T/valgrind.log" >>"$T/summary" || true
	grep -q 'ERROR SUMMARY: 0 errors' "$T/valgrind.log" || ok=0
fi
cat "$T/summary"
if [ -n "$out" ]; then
	mkdir -p "$out"
	cp "$T"/summary "$T"/samples "$T"/report-* "$T"/gw*.log "$T"/kills "$out"/ 2>/dev/null || true
	[ "$valgrind" = 1 ] && cp "$T/valgrind.log" "$out"/
	echo "kept in $out"
fi
[ "$ok" = 1 ] || { echo "soak: FAILED"; exit 1; }
echo "soak: ok"
