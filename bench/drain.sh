#!/bin/bash
# SPDX-License-Identifier: MIT
#
# A backlog drain: N readings (default 1 000 000) queued on disk while the
# broker is away, then the broker back: how long the gateway takes to
# deliver them all at QoS 1, one message a reading and in batches.
#
#   fill    100 sim sensors every 1 ms (timeout 50 ms), the broker away,
#           until the disk queue holds N readings; then SIGTERM
#   drain   the same queue (a copy each) under a configuration with one
#           idle sensor: the broker starts, bench/meter.c subscribes and the
#           gateway starts; the meter counts readings (one per "seq" in a
#           batch) from the first to the N-th and samples the gateway's CPU
#
# Usage: bench/drain.sh [--readings N] [--keep] [--sensorgw PATH]
#   --readings  the backlog's size (default 1000000)
#   --keep      keep the work directory (configs, logs, queues)
# Environment: SENSORGW (binary), CC (default cc), BATCH_BYTES (5120),
# BATCH_READINGS (100), INFLIGHT (max_inflight for both runs, 256).

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
want=1000000
keep=0
sgw=${SENSORGW:-}
while [ $# -gt 0 ]; do
	case $1 in
	--readings) want=$2; shift ;;
	--keep) keep=1 ;;
	--sensorgw) sgw=$2; shift ;;
	-h|--help) sed -n '3,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "drain.sh: unknown argument: $1" >&2; exit 2 ;;
	esac
	shift
done
if [ -z "$sgw" ]; then
	for c in "$top/sensorgw" "$top"/build*/sensorgw "$top"/BUILD/sensorgw; do
		[ -x "$c" ] && { sgw=$c; break; }
	done
fi
[ -x "${sgw:-}" ] || { echo "drain.sh: no sensorgw binary (set SENSORGW or --sensorgw)" >&2; exit 2; }
command -v mosquitto >/dev/null || { echo "drain.sh: mosquitto not found" >&2; exit 2; }
bytes=${BATCH_BYTES:-5120}
per=${BATCH_READINGS:-100}
inflight=${INFLIGHT:-256}

work=$(mktemp -d "${TMPDIR:-/tmp}/sgw-drain.XXXXXX")
pids=()
stop_pid() {	# PID: TERM, then KILL after 20 s
	local i
	kill -TERM "$1" 2>/dev/null || return 0
	for ((i = 0; i < 200; i++)); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}
cleanup() {
	local i
	for ((i = ${#pids[@]} - 1; i >= 0; i--)); do stop_pid "${pids[i]}"; done
	if [ $keep = 1 ]; then echo "work directory kept: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }

"${CC:-cc}" -std=c11 -O2 -Wall -Wextra -o "$work/meter" "$here/meter.c"
port=$(/usr/bin/python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# ini STATE SENSORS INTERVAL [BATCH]: a configuration
ini() {
	local i
	printf '[gateway]\nclock = rtc\nname = benchgw\ntopic_prefix = bench\nformat = json\n'
	printf 'state_dir = %s\nstats_interval = 1s\n\n' "$1"
	printf '[queue]\nmax_size = 1G\nsegment_size = 16M\n\n'
	printf '[mqtt]\nuri = mqtt://127.0.0.1:%s\nclient_id = sensorgw-drain\nqos = 1\n' "$port"
	printf 'max_inflight = %s\nreconnect_min = 200ms\nreconnect_max = 200ms\n' "$inflight"
	[ -z "${4:-}" ] || printf 'batch = yes\nbatch_bytes = %s\nbatch_readings = %s\n' "$bytes" "$per"
	for ((i = 1; i <= $2; i++)); do
		printf '\n[sensor s%03d]\ndriver = sim\ninterval = %s\ntimeout = 50ms\n' "$i" "$3"
		printf 'quantities = temperature\nseed = %d\n' "$i"
	done
}

depth() {	# INI: the disk queue's depth, from the status file
	"$sgw" status -c "$1" 2>/dev/null |
		/usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["queue"]["depth"])' \
		2>/dev/null || echo 0
}

# --- fill ----------------------------------------------------------------------------
ini "$work/fill" 100 1ms >"$work/fill.ini"
mkdir -p "$work/fill"
log "fill: $want readings into the disk queue, the broker away"
t0=$(date +%s.%N)
"$sgw" -f -c "$work/fill.ini" 2>"$work/fill.log" &
gw=$!
pids+=("$gw")
while :; do
	sleep 1
	kill -0 "$gw" 2>/dev/null || { echo "drain.sh: sensorgw died (see $work/fill.log)" >&2; exit 1; }
	d=$(depth "$work/fill.ini")
	[ "$d" -lt "$want" ] || break
done
stop_pid "$gw"
pids=()
fill_s=$(echo "$(date +%s.%N) - $t0" | bc)
qbytes=$(du -sb "$work/fill/queue" | cut -f1)
log "fill: $d readings queued in ${fill_s%.*} s, $qbytes bytes on disk"

# --- drain ---------------------------------------------------------------------------
results=()
drain() {	# NAME [BATCH]
	local name=$1 b=${2:-} fifo=$work/$1.go bpid gpid mpid
	cp -a "$work/fill" "$work/$name"
	ini "$work/$name" 1 24h "$b" >"$work/$name.ini"
	cat >"$work/$name.mosquitto.conf" <<-EOT
	listener $port 127.0.0.1
	allow_anonymous true
	persistence false
	sys_interval 0
	max_queued_messages 0
	EOT
	mosquitto -c "$work/$name.mosquitto.conf" 2>"$work/$name.mosquitto.log" &
	bpid=$!
	pids+=("$bpid")
	sleep 0.5
	# The gateway starts only once the meter is subscribed: same PID after exec.
	mkfifo "$fifo"
	sh -c 'read -r _ <"$1"; shift; exec "$@"' sh "$fifo" "$sgw" -f -c "$work/$name.ini" \
		2>"$work/$name.log" &
	gpid=$!
	pids+=("$gpid")
	"$work/meter" -p "$port" -t 'bench/#' -P "$gpid" -B "$bpid" -N "$want" -f 60 \
		>"$work/$name.meter.out" 2>"$work/$name.meter.err" &
	mpid=$!
	for _ in $(seq 100); do grep -q ready "$work/$name.meter.err" && break; sleep 0.1; done
	echo go >"$fifo"
	log "drain: $name"
	wait "$mpid" || log "drain: $name: incomplete: $(cat "$work/$name.meter.err")"
	results+=("$(printf '%-9s %s' "$name" "$(cat "$work/$name.meter.out")")")
	stop_pid "$gpid"
	stop_pid "$bpid"
	pids=()
}
drain single
drain batched yes

echo
echo "backlog drain: $want readings queued on disk (json payloads), QoS 1, max_inflight $inflight,"
echo "to a private mosquitto $(mosquitto -h 2>/dev/null | sed -n 's/^mosquitto version //p') on 127.0.0.1"
echo "machine: $(nproc) cores $(uname -m), $(. /etc/os-release && echo "$PRETTY_NAME"), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "fill: $d readings in ${fill_s%.*} s ($qbytes bytes of queue)"
echo "batched: batch_bytes $bytes, batch_readings $per"
for r in "${results[@]}"; do echo "  $r"; done
