#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Where sensorgw's CPU goes per reading, thread by thread, on a fixed-rate
# workload (default: the 1k workload of compare.sh, 100 sim sensors every
# 100 ms, QoS 1, max_inflight 32) against a private mosquitto on 127.0.0.1.
#
# Usage: bench/profile.sh [--sensors N] [--interval MS] [--inflight N]
#                         [--window S] [--keep] SENSORGW
#
# Prints, over a window after a 3 s warm-up:
#   - per thread: CPU time (schedstat) and context switches per reading;
#   - per thread: system calls per reading, by name (a second window under
#     strace -f, which slows the process down: read the counts, not the
#     times);
# Readings are the offered rate times the window (the workload must keep
# up: the script checks the log for timed-out sensors).  Needs mosquitto,
# strace and /usr/bin/python3 (for a free port).

set -euo pipefail

n=100 ival=100 inflight=32 win=5 keep=0
while [ $# -gt 1 ]; do
	case $1 in
	--sensors) n=$2; shift ;;
	--interval) ival=$2; shift ;;
	--inflight) inflight=$2; shift ;;
	--window) win=$2; shift ;;
	--keep) keep=1 ;;
	*) echo "profile.sh: unknown argument: $1" >&2; exit 2 ;;
	esac
	shift
done
[ $# = 1 ] && [ -x "$1" ] || { sed -n '3,18p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
bin=$1
for c in mosquitto strace; do
	command -v $c >/dev/null || { echo "profile.sh: $c not found" >&2; exit 2; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/sgw-profile.XXXXXX")
pids=()
cleanup() {
	local i
	for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
		kill "${pids[i]}" 2>/dev/null || true
		wait "${pids[i]}" 2>/dev/null || true
	done
	if [ $keep = 1 ]; then echo "work directory kept: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port=$(/usr/bin/python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\nsys_interval 0\n' \
	"$port" >"$work/mosquitto.conf"
mosquitto -c "$work/mosquitto.conf" 2>"$work/mosquitto.log" &
pids+=($!)
for ((i = 0; i < 100; i++)); do
	(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
	sleep 0.05
done

mkdir -p "$work/state"
{
	printf '[gateway]\nclock = rtc\nname = benchgw\ntopic_prefix = bench\nformat = plain\n'
	printf 'state_dir = %s\n\n[mqtt]\nuri = mqtt://127.0.0.1:%s\n' "$work/state" "$port"
	printf 'client_id = sensorgw-profile\nqos = 1\nmax_inflight = %s\n' "$inflight"
	for ((i = 1; i <= n; i++)); do
		printf '\n[sensor s%03d]\ndriver = sim\ninterval = %sms\n' "$i" "$ival"
		printf 'quantities = temperature\nseed = %d\n' "$i"
	done
} >"$work/gw.ini"
"$bin" -f -c "$work/gw.ini" 2>"$work/sensorgw.log" &
pid=$!
pids+=($pid)
sleep 3

# TID NAME CPU_NS CTXSW for every thread
snap() {
	local t
	for t in /proc/$pid/task/*; do
		printf '%s %s %s %s\n' "${t##*/}" "$(tr ' ' _ <"$t/comm")" \
			"$(cut -d' ' -f1 "$t/schedstat")" \
			"$(awk '/ctxt_switches/ { s += $2 } END { print s }' "$t/status")"
	done | sort
}
snap >"$work/t0"
sleep "$win"
snap >"$work/t1"
readings=$(( n * 1000 / ival * win ))

echo "sensorgw $bin: $n sim sensors every $ival ms, max_inflight $inflight, QoS 1;" \
	"window $win s = $readings readings"
echo "per reading, by thread (CPU from schedstat; context switches voluntary + involuntary):"
join "$work/t0" "$work/t1" | awk -v r="$readings" '
	{ cpu = ($6 - $3) / 1e3 / r; cs = ($7 - $4) / r; tc += cpu; tcs += cs
	  printf "  %-16s %7.2f us CPU %6.2f context switches\n", $2, cpu, cs }
	END { printf "  %-16s %7.2f us CPU %6.2f context switches\n", "all", tc, tcs }'

# System calls per thread: strace -f, counting the calls entered.
timeout -s INT "$win" strace -f -qq -p "$pid" -o "$work/strace.txt" 2>/dev/null || true
sent=$(grep -c 'writev(' "$work/strace.txt" || true)
echo "system calls per reading under strace (${sent} PUBLISH writes counted as readings):"
awk '{ split($2, a, "("); if (a[1] !~ /^</) print $1, a[1] }' "$work/strace.txt" |
	sort | uniq -c | sort -k2,2n -k1,1nr >"$work/calls"
while read -r tid name _; do
	awk -v t="$tid" -v nm="$name" -v r="${sent:-1}" '
		$2 == t { line = line sprintf(" %s %.2f", $3, $1 / r); tot += $1 }
		END { if (tot) printf "  %-16s %5.2f:%s\n", nm, tot / r, line }' "$work/calls"
done <"$work/t1"
if grep -q 'timed out\|Connection timed out\|retrying' "$work/sensorgw.log"; then
	echo "warning: sensors timed out; the workload did not keep up (see the log with --keep)" >&2
fi
