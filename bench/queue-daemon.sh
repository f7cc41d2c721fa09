#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Store-and-forward costs of the real daemon, read from /proc/PID/io and the
# gateway's status file:
#   1. bytes written to disk per reading while online (goal 0)
#   2. bytes written per reading while offline, against the payload bytes
#      (goal <= 1.25x), and fsyncs per second (goal <= 1): 10 sensors at
#      10 Hz, and at 1 Hz with sync_interval 1 s and 10 s (each group commit
#      dirties at least one 4 KiB page, which write_bytes counts whole)
#   3. drain time of a BACKLOG-reading backlog (default 1,000,000) to a local
#      mosquitto (goal < 60 s), with max_inflight 32 (default) and 512
#   4. start-up time on that backlog after kill -9
# Usage: bench/queue-daemon.sh [--quick] [SENSORGW]   (default build/sensorgw)
# Traffic stays on 127.0.0.1; everything started is stopped on exit.
set -u
quick=0
[ "${1:-}" = --quick ] && { quick=1; shift; }
top=$(cd "$(dirname "$0")/.." && pwd)
gw=${1:-$top/build/sensorgw}
[ -x "$gw" ] || { echo "no sensorgw at $gw (./dev demo builds one)" >&2; exit 1; }
BACKLOG=${BACKLOG:-1000000}
SECS=${SECS:-30}
[ $quick = 1 ] && { BACKLOG=200000; SECS=10; }
# On a real file system (not tmpfs), so that write_bytes counts.
T=$(mktemp -d /var/tmp/sgw-bench.XXXXXX)
# The status file lives on a tmpfs, as under systemd's RuntimeDirectory=.
RUN=$(mktemp -d /dev/shm/sgw-bench-run.XXXXXX)
export SENSORGW_RUNTIME_DIR=$RUN
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$T" "$RUN"; }
trap cleanup EXIT

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
broker() {
	printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 0\n' "$port" >"$T/m.conf"
	/usr/sbin/mosquitto -c "$T/m.conf" >/dev/null 2>&1 &
	BROKER=$!; pids+=("$BROKER")
	for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return; sleep 0.1; done
}
ini() {	# ini NSENSORS INTERVAL FORMAT INFLIGHT
	printf "[gateway]\nclock = rtc\nname = bench\ntopic_prefix = b\nstate_dir = %s/state\nformat = %s\nstats_interval = 1s\n" "$T" "$3"
	printf '\n[mqtt]\nuri = mqtt://127.0.0.1:%s\nqos = 1\nmax_inflight = %s\nreconnect_min = 100ms\nreconnect_max = 1s\n' "$port" "$4"
	for i in $(seq "$1"); do printf '\n[sensor s%d]\ndriver = sim\nseed = %d\ninterval = %s\n' "$i" "$i" "$2"; done
}
wbytes() { awk '/^write_bytes/ { print $2 }' "/proc/$1/io"; }
stat_field() { /usr/bin/python3 -c "import json,sys; s=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$RUN/bench.status.json" "$1" 2>/dev/null; }
wait_status() { for _ in $(seq 200); do [ -s "$RUN/bench.status.json" ] && return 0; sleep 0.1; done; return 1; }

echo "sensorgw store-and-forward benchmark  ($(uname -m), $(nproc) cores, $(date -u +%F))"

# 1. online
broker
ini 10 100ms json 32 >"$T/on.ini"
"$gw" -f -q -c "$T/on.ini" 2>>"$T/gw.log" & G=$!; pids+=("$G")
sleep 3
w0=$(wbytes $G)
sleep "$SECS"
w1=$(wbytes $G)
kill -TERM $G; wait $G
echo "online,  10 sensors x 10 Hz, ${SECS}s: $((w1 - w0)) bytes written to disk ($(( (w1 - w0) / (SECS * 100) )) per reading)"

# 2. offline: offline_run INTERVAL SYNC_INTERVAL (10 sensors, JSON payloads)
offline_run() {
	local hz
	ini 10 "$1" json 32 >"$T/off.ini"
	printf '\n[queue]\nsync_interval = %s\n' "$2" >>"$T/off.ini"
	rm -rf "$T/state"
	"$gw" -f -q -c "$T/off.ini" 2>>"$T/gw.log" & G=$!; pids+=("$G")
	wait_status; sleep 2
	w0=$(wbytes $G); d0=$(stat_field 's["queue"]["depth"]'); f0=$(stat_field 's["queue"]["fsyncs"]')
	sleep "$SECS"
	w1=$(wbytes $G); d1=$(stat_field 's["queue"]["depth"]'); f1=$(stat_field 's["queue"]["fsyncs"]')
	kill -TERM $G; wait $G
	hz=$([ "$1" = 100ms ] && echo 10 || echo 1)
	/usr/bin/python3 - "$((w1 - w0))" "$SECS" "$payload" "$((d1 - d0))" "$((f1 - f0))" "$hz" "$2" <<'PY'
import sys
w, secs, payload, n, f, hz = (int(x) for x in sys.argv[1:7])
print("offline, 10 sensors x %d Hz, sync_interval %s, %ds: %d readings queued, %d bytes written, %.1f per reading;"
      " JSON payload %d bytes: %.2fx; %d fsyncs = %.2f/s" % (hz, sys.argv[7], secs, n, w, w / n, payload, w / n / payload, f, f / secs))
PY
}
kill -TERM "$BROKER"; wait "$BROKER" 2>/dev/null
payload=$(printf '{"value":21.5,"unit":"°C","ts":1763769600123,"seq":12345}' | wc -c)
offline_run 100ms 1s
offline_run 1s 1s
offline_run 1s 10s

# 3. drain a big backlog
rm -rf "$T/state"
ini 50 1ms plain 32 >"$T/fill.ini"
"$gw" -f -q -c "$T/fill.ini" 2>>"$T/gw.log" & G=$!; pids+=("$G")
wait_status
t0=$(date +%s.%N)
while :; do
	sleep 1
	d=$(stat_field 's["queue"]["depth"]'); [ -n "$d" ] && [ "$d" -ge "$BACKLOG" ] && break
done
t1=$(date +%s.%N)
kill -9 $G; wait $G 2>/dev/null
bytes=$(du -sb "$T/state/queue" | cut -f1)
echo "filled a backlog of $d readings ($((bytes / 1048576)) MiB on disk) in $(echo "$t1 - $t0" | bc) s offline"
for inflight in 32 512; do
	cp -a "$T/state" "$T/state.copy"
	ini 1 1h plain "$inflight" >"$T/drain.ini"
	broker
	rm -f "$RUN/bench.status.json"
	s0=$(date +%s.%N)
	"$gw" -f -c "$T/drain.ini" 2>"$T/drain.log" & G=$!; pids+=("$G")
	# 4. start-up on the backlog after kill -9 (recovery of the tail segment)
	until grep -q 'started:' "$T/drain.log"; do sleep 0.01; done
	s1=$(date +%s.%N)
	wait_status
	while :; do
		d=$(stat_field 's["queue"]["depth"]')
		[ -n "$d" ] && [ "$d" -le 1 ] && break
		sleep 0.2
	done
	s2=$(date +%s.%N)
	kill -TERM $G; wait $G
	kill -TERM "$BROKER"; wait "$BROKER" 2>/dev/null
	echo "max_inflight $inflight: started (queue opened and recovered) in $(echo "$s1 - $s0" | bc) s; backlog drained in $(echo "$s2 - $s0" | bc) s"
	rm -rf "$T/state"; mv "$T/state.copy" "$T/state"
done
