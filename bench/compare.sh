#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Compare sensorgw with the Node-RED flow a user would otherwise build
# (function node -> mqtt out, QoS 1), and with the floor (bench/paho_floor.c:
# a bare Paho MQTTAsync publisher with the gateway's options, window and
# pacing and nothing else), on the same workloads, in one run:
#
#   idle   10 simulated sensors at 1 Hz (10 readings/s)
#   1k     100 simulated sensors every 100 ms (1000 readings/s)
#   max    highest delivered QoS 1 rate, one connection, one reading per
#          PUBLISH: the offered rate is raised step by step until the
#          delivered rate stops following it
#
# Each measurement gets its own private mosquitto on 127.0.0.1 at a free
# port and a fresh producer process.  bench/meter.c subscribes, counts what
# the broker delivers and samples the producer's CPU time and RSS in a window
# after a warm-up.  Nothing leaves the loopback interface.
#
# Usage: bench/compare.sh [--quick] [--only IMPL[,IMPL]] [--keep] [--tls]
#                         [--sensorgw PATH] [--sgw-bus NAME] [--batch N]
#   --quick   shorter windows and fewer steps (< 3 min instead of < 10)
#   --only    run these of sensorgw, floor, node-red (default: all three)
#   --keep    keep the work directory (configs, logs, raw meter lines)
#   --tls     sensorgw publishes over TLS (mqtts://, to a second listener
#             of the broker, certificates made by tests/fixtures/pki.sh);
#             with --only sensorgw: the floor and Node-RED stay on plain MQTT
#   --sgw-bus put all of sensorgw's sim sensors on bus NAME (one worker
#             thread) instead of the default: one bus, and thread, each
#   --batch   every workload batched, N readings a PUBLISH as one JSON array:
#             sensorgw with batch = yes (batch_readings = N), Node-RED with a
#             join node of N before its mqtt out, the floor publishing arrays
#             of N; the meter counts readings, not messages
# Environment: SENSORGW (binary), CC (default cc).
#
# Node-RED is installed from the npm registry into bench/peer/node_modules on
# first use (npm ci, pinned by bench/peer/package-lock.json).

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)

quick=0
only=
keep=0
tls=0
sgw_bin=${SENSORGW:-}
sgw_bus=
batch=0
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1 ;;
	--keep) keep=1 ;;
	--tls) tls=1 ;;
	--only) only=$2; shift ;;
	--sensorgw) sgw_bin=$2; shift ;;
	--sgw-bus) sgw_bus=$2; shift ;;
	--batch) batch=$2; shift ;;
	-h|--help) sed -n '3,37p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "compare.sh: unknown argument: $1" >&2; exit 2 ;;
	esac
	shift
done
for i in ${only//,/ }; do
	case $i in
	sensorgw|floor|node-red) ;;
	*) echo "compare.sh: --only takes sensorgw, floor or node-red, comma-separated" >&2; exit 2 ;;
	esac
done
want() { [ -z "$only" ] || [[ ",$only," == *",$1,"* ]]; }
if [ $tls = 1 ] && [ "$only" != sensorgw ]; then
	echo "compare.sh: --tls measures sensorgw alone: add --only sensorgw" >&2
	exit 2
fi

# --- timing plan --------------------------------------------------------------
# Seconds: warm-up and window per workload.  The idle window is long because
# only 10 readings arrive per second.
if [ $quick = 1 ]; then
	idle_warm=8 idle_win=15
	k1_warm=4 k1_win=8
	max_warm=3 max_win=6
	# sensorgw offered rates as "sensors:interval_ms", Node-RED as readings/s
	sgw_steps="25:1 50:1 100:1"
	sgw_inflight="256"
	nr_steps="20000 80000"
else
	idle_warm=15 idle_win=60
	k1_warm=10 k1_win=30
	max_warm=5 max_win=10
	sgw_steps="10:1 25:1 50:1 75:1 100:1 150:1 200:1"
	sgw_inflight="64 256 1024"
	nr_steps="5000 10000 20000 40000 60000 80000 120000 160000"
fi
max_inflight_default=256	# used while ramping; the others are tried at the top
# A sensor read later than its timeout counts as failed and the sensor backs
# off; at 1 ms intervals the default timeout (= interval) would measure that
# back-off, not the publishing path.
max_timeout=50

# --- bookkeeping and cleanup ------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/sgw-bench.XXXXXX")
pids=()

stop_pid() {	# PID [grace seconds]: TERM, then KILL after the grace time
	local pid=$1 grace=${2:-10} i
	kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < grace * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

cleanup() {
	local i
	# newest first: the meter, then the producer, then its broker
	for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
		stop_pid "${pids[i]}" 3
	done
	if [ $keep = 1 ]; then
		echo "work directory kept: $work" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

forget_pid() {
	local p keep_=()
	for p in "${pids[@]+"${pids[@]}"}"; do
		[ "$p" = "$1" ] || keep_+=("$p")
	done
	pids=("${keep_[@]+"${keep_[@]}"}")
}

log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }

# --- prerequisites ------------------------------------------------------------------
need() { command -v "$1" >/dev/null || { echo "compare.sh: $1 not found" >&2; exit 2; }; }
need mosquitto
need "${CC:-cc}"

if want sensorgw; then
	if [ -z "$sgw_bin" ]; then
		for c in "$top/sensorgw" "$top"/build*/sensorgw; do
			[ -x "$c" ] && { sgw_bin=$c; break; }
		done
	fi
	if [ -z "$sgw_bin" ] || [ ! -x "$sgw_bin" ]; then
		echo "compare.sh: no sensorgw binary (build it, or set SENSORGW / --sensorgw)" >&2
		exit 2
	fi
fi
if want node-red; then
	need node
	need npm
	if [ ! -f "$here/peer/node_modules/node-red/red.js" ]; then
		log "installing Node-RED into bench/peer/node_modules"
		(cd "$here/peer" && npm ci --no-audit --no-fund --loglevel=error >&2)
	fi
	nr_version=$(node -p "require('$here/peer/node_modules/node-red/package.json').version")
fi

"${CC:-cc}" -std=c11 -O2 -Wall -Wextra -o "$work/meter" "$here/meter.c"
if want floor; then
	[ -f /usr/include/MQTTAsync.h ] || { echo "compare.sh: the floor needs libpaho-mqtt-dev" >&2; exit 2; }
	# Paho's build without TLS, as sensorgw loads it for mqtt:// brokers.
	"${CC:-cc}" -std=c11 -O2 -Wall -Wextra -o "$work/paho_floor" "$here/paho_floor.c" -lpaho-mqtt3a
fi

if [ $tls = 1 ]; then
	need openssl
	mkdir "$work/pki"
	sh "$top/tests/fixtures/pki.sh" "$work/pki" || { echo "compare.sh: openssl failed" >&2; exit 1; }
fi

free_port() {
	/usr/bin/python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# --- broker -------------------------------------------------------------------------
broker_pid= broker_port= broker_tls_port=
start_broker() {	# NAME
	local conf=$work/$1.mosquitto.conf i try
	for try in 1 2 3; do
		broker_port=$(free_port)
		cat >"$conf" <<-EOF
		allow_anonymous true
		persistence false
		sys_interval 0
		log_dest stderr
		log_type error
		log_type warning
		user $(id -un)
		listener $broker_port 127.0.0.1
		EOF
		# As root mosquitto would become user "mosquitto", who cannot
		# read the certificates in the private work directory.
		if [ $tls = 1 ]; then
			broker_tls_port=$(free_port)
			printf 'listener %s 127.0.0.1\ncafile %s\ncertfile %s\nkeyfile %s\n' \
				"$broker_tls_port" "$work/pki/ca.crt" "$work/pki/srv.crt" \
				"$work/pki/srv.key" >>"$conf"
		fi
		mosquitto -c "$conf" 2>"$work/$1.mosquitto.log" &
		broker_pid=$!
		pids+=("$broker_pid")
		for ((i = 0; i < 100; i++)); do
			if (exec 3<>"/dev/tcp/127.0.0.1/$broker_port") 2>/dev/null; then
				return 0
			fi
			kill -0 "$broker_pid" 2>/dev/null || break
			sleep 0.05
		done
		stop_pid "$broker_pid" 2
		forget_pid "$broker_pid"
	done
	echo "compare.sh: mosquitto did not start (see $work/$1.mosquitto.log)" >&2
	exit 1
}

stop_broker() {
	stop_pid "$broker_pid" 5
	forget_pid "$broker_pid"
}

# --- producers ----------------------------------------------------------------------
prod_pid=
# sensorgw NAME SENSORS INTERVAL_MS MAX_INFLIGHT [TIMEOUT_MS]
start_sensorgw() {
	local name=$1 n=$2 ival=$3 inflight=$4 tmo=${5:-} ini=$work/$1.ini i
	mkdir -p "$work/$name.state"
	{
		printf '[gateway]\nclock = rtc\nname = benchgw\ntopic_prefix = bench\n'
		printf 'format = plain\nstate_dir = %s\n\n' "$work/$name.state"
		if [ $tls = 1 ]; then
			printf '[mqtt]\nuri = mqtts://127.0.0.1:%s\nca_file = %s\n' \
				"$broker_tls_port" "$work/pki/ca.crt"
		else
			printf '[mqtt]\nuri = mqtt://127.0.0.1:%s\n' "$broker_port"
		fi
		printf 'client_id = sensorgw-bench\n'
		printf 'qos = 1\nmax_inflight = %s\n' "$inflight"
		# --batch: the count decides, not the bytes
		[ "$batch" = 0 ] || printf 'batch = yes\nbatch_readings = %s\nbatch_bytes = 128K\n' "$batch"
		for ((i = 1; i <= n; i++)); do
			printf '\n[sensor s%03d]\ndriver = sim\ninterval = %sms\n' "$i" "$ival"
			printf 'quantities = temperature\nseed = %d\n' "$i"
			[ -z "$sgw_bus" ] || printf 'bus = %s\n' "$sgw_bus"
			[ -z "$tmo" ] || printf 'timeout = %sms\n' "$tmo"
		done
	} >"$ini"
	"$sgw_bin" -f -c "$ini" 2>"$work/$name.sensorgw.log" &
	prod_pid=$!
	pids+=("$prod_pid")
}

# floor NAME SENSORS INTERVAL_MS WINDOW
start_floor() {
	local b=()
	[ "$batch" = 0 ] || b=(-b "$batch")
	"$work/paho_floor" -p "$broker_port" -n "$2" -i "$3" -w "$4" "${b[@]+"${b[@]}"}" \
		2>"$work/$1.floor.log" &
	prod_pid=$!
	pids+=("$prod_pid")
}

# node-red NAME key=value... (BENCH_MODE, BENCH_SENSORS, BENCH_INTERVAL_MS, BENCH_RATE)
start_nodered() {
	local name=$1
	shift
	mkdir -p "$work/$name.nr"
	if [ "$batch" = 0 ]; then
		cp "$here/peer/flow-sim.json" "$work/$name.nr/flow.json"
	else
		nr_batch_flow "$here/peer/flow-sim.json" >"$work/$name.nr/flow.json"
	fi
	env BENCH_NR_USERDIR="$work/$name.nr" BENCH_NR_FLOW="$work/$name.nr/flow.json" \
		BENCH_MQTT_PORT="$broker_port" BENCH_PREFIX=bench "$@" \
		node "$here/peer/node_modules/node-red/red.js" \
		--settings "$here/peer/settings.js" \
		>"$work/$name.node-red.log" 2>&1 &
	prod_pid=$!
	pids+=("$prod_pid")
}

# The flow with a join node of $batch between the readings and mqtt out,
# the readings as objects like sensorgw's, the arrays to bench/nodered/batch.
nr_batch_flow() {	# FLOW
	/usr/bin/python3 - "$1" "$batch" <<-'PY'
	import json, sys
	flow, n = json.load(open(sys.argv[1])), int(sys.argv[2])
	fn = next(x for x in flow if x["type"] == "function")
	out = next(x for x in flow if x["type"] == "mqtt out")
	old = "payload: (v / 100).toFixed(2) }"
	assert old in fn["initialize"]
	fn["initialize"] = fn["initialize"].replace(old, "payload: { topic: topics[i], "
	    "value: v / 100, unit: '\u00b0C', ts: Date.now(), seq: n } }")
	join = {"id": "b1e7c0de00000005", "type": "join", "z": fn["z"], "name": "batch",
	        "mode": "custom", "build": "array", "property": "payload",
	        "propertyType": "msg", "key": "topic", "joiner": "\\n", "joinerType": "str",
	        "accumulate": False, "timeout": "1", "count": str(n), "reduceRight": False,
	        "reduceExp": "", "reduceInit": "", "reduceInitType": "", "reduceFixup": "",
	        "x": 250, "y": 80, "wires": [[out["id"]]]}
	fn["wires"] = [[join["id"]]]
	out["topic"] = "bench/nodered/batch"
	flow.append(join)
	json.dump(flow, sys.stdout, indent=1)
	PY
}

stop_producer() {
	stop_pid "$prod_pid" 10
	forget_pid "$prod_pid"
}

# --- measurement --------------------------------------------------------------------
# measure NAME WARM WINDOW MIN_MSGS: runs the meter against the running
# producer and broker; sets $m (the meter's key=value line) or returns 1.
m=
measure() {
	local name=$1 mp
	# In the background: a signal to this script then interrupts the wait
	# at once instead of after the window.
	"$work/meter" -p "$broker_port" -t "$meter_filter" $meter_readings \
		-P "$prod_pid" -B "$broker_pid" -w "$2" -d "$3" -m "$4" -c 15 -f 30 \
		>"$work/$name.meter.out" 2>"$work/$name.meter.err" &
	mp=$!
	pids+=("$mp")
	if wait "$mp"; then
		forget_pid "$mp"
		m=$(cat "$work/$name.meter.out")
		printf '%s %s\n' "$name" "$m" >>"$work/raw.txt"
		return 0
	fi
	forget_pid "$mp"
	log "$name: measurement failed: $(tr '\n' ' ' <"$work/$name.meter.err")"
	m=
	return 1
}

kv() {	# KEY: value from $m
	local f
	for f in $m; do
		[ "${f%%=*}" = "$1" ] && { echo "${f#*=}"; return; }
	done
	echo "?"
}

rows=()
# row WORKLOAD IMPL OFFERED NOTE: one table row from $m
row() {
	local rss_med rss_max
	if [ -z "$m" ]; then
		rows+=("$(printf '%-18s %-9s %9s %9s %12s %12s %11s  %s' "$1" "$2" - - - - - \
			"FAILED: $4")")
		return
	fi
	rss_med=$(awk -v k="$(kv rss_med_kib)" 'BEGIN { printf "%.2f", k / 1024 }')
	rss_max=$(awk -v k="$(kv rss_max_kib)" 'BEGIN { printf "%.2f", k / 1024 }')
	rows+=("$(printf '%-18s %-9s %9s %9s %12s %12s %11s  %s' "$1" "$2" \
		"$rss_med" "$rss_max" "$(kv cpu_us_per_msg)" "$(kv rate)" "$3" \
		"broker $(kv broker_cpu_pct)% meter $(kv meter_cpu_pct)%${4:+ $4}")")
}

declare -A res	# res[workload.impl.key]
keep_result() {	# WORKLOAD IMPL
	local k
	for k in rate cpu_us_per_msg rss_med_kib rss_max_kib broker_cpu_pct; do
		res[$1.$2.$k]=$(kv "$k")
	done
}

run_fixed() {	# WORKLOAD LABEL SENSORS INTERVAL_MS WARM WINDOW
	local w=$1 label=$2 n=$3 ival=$4 warm=$5 win=$6 offered
	offered=$(( n * 1000 / ival ))
	if want sensorgw; then
		log "$label: sensorgw, $n sensors every ${ival} ms"
		start_broker "$w-sgw"
		start_sensorgw "$w-sgw" "$n" "$ival" 32
		if measure "$w-sgw" "$warm" "$win" 0; then keep_result "$w" sgw; fi
		row "$label" sensorgw "$offered" ""
		stop_producer
		stop_broker
	fi
	if want floor; then
		log "$label: floor, $n sensors every ${ival} ms"
		start_broker "$w-floor"
		start_floor "$w-floor" "$n" "$ival" 32
		if measure "$w-floor" "$warm" "$win" 0; then keep_result "$w" floor; fi
		row "$label" floor "$offered" ""
		stop_producer
		stop_broker
	fi
	if want node-red; then
		log "$label: node-red, $n sensors every ${ival} ms"
		start_broker "$w-nr"
		start_nodered "$w-nr" BENCH_MODE=paced BENCH_SENSORS="$n" BENCH_INTERVAL_MS="$ival"
		if measure "$w-nr" "$warm" "$win" 0; then keep_result "$w" nr; fi
		row "$label" node-red "$offered" ""
		stop_producer
		stop_broker
	fi
}

# The ramp stops at a step where less than 90% of the offered rate arrives
# and the delivered rate grew by less than 5% over the previous step's.
prev_rate=0
saturated() {	# OFFERED
	awk -v r="$(kv rate)" -v o="$1" -v p="$prev_rate" \
		'BEGIN { exit !(r < 0.9 * o && r < 1.05 * p) }'
}
# The last step of a ramp that ran out of steps: did it fall behind?
behind() {	# OFFERED
	[ -n "$m" ] && awk -v r="$(kv rate)" -v o="$1" 'BEGIN { exit !(r < 0.9 * o) }'
}

best_rate=0 best_m= best_offered= best_note=
consider() {	# OFFERED NOTE: remember the step with the highest delivered rate
	[ -n "$m" ] || return 0
	if awk -v r="$(kv rate)" -v b="$best_rate" 'BEGIN { exit !(r > b) }'; then
		best_rate=$(kv rate) best_m=$m best_offered=$1 best_note=$2
	fi
}

steps=()	# printed after the table
run_max_sgw() {
	local s n ival offered inflight best_n= best_ival= sat=0 sweep
	best_rate=0 best_m= best_offered= best_note= prev_rate=0
	for s in $sgw_steps; do
		n=${s%%:*} ival=${s#*:}
		offered=$(( n * 1000 / ival ))
		log "max: sensorgw, offered $offered/s ($n sensors every $ival ms), max_inflight $max_inflight_default"
		start_broker "max-sgw-$offered"
		start_sensorgw "max-sgw-$offered" "$n" "$ival" "$max_inflight_default" "$max_timeout"
		measure "max-sgw-$offered" "$max_warm" "$max_win" 0 || true
		stop_producer
		stop_broker
		steps+=("sensorgw  offered $offered/s inflight $max_inflight_default: ${m:-FAILED}")
		consider "$offered" "max_inflight $max_inflight_default"
		[ "$best_offered" != "$offered" ] || best_n=$n best_ival=$ival
		if [ -n "$m" ] && saturated "$offered"; then sat=1; break; fi
		[ -z "$m" ] || prev_rate=$(kv rate)
	done
	[ $sat = 1 ] || ! behind "$offered" || sat=1
	# at the offered load that gave the most, try the other window sizes
	sweep=$sgw_inflight
	[ -n "$best_n" ] || sweep=	# every step failed
	n=${best_n:-1} ival=${best_ival:-1}
	offered=$(( n * 1000 / ival ))
	for inflight in $sweep; do
		[ "$inflight" = "$max_inflight_default" ] && continue
		log "max: sensorgw, offered $offered/s, max_inflight $inflight"
		start_broker "max-sgw-$offered-w$inflight"
		start_sensorgw "max-sgw-$offered-w$inflight" "$n" "$ival" "$inflight" "$max_timeout"
		measure "max-sgw-$offered-w$inflight" "$max_warm" "$max_win" 0 || true
		stop_producer
		stop_broker
		steps+=("sensorgw  offered $offered/s inflight $inflight: ${m:-FAILED}")
		consider "$offered" "max_inflight $inflight"
	done
	m=$best_m
	[ $sat = 1 ] || best_note="$best_note; never saturated: a lower bound"
	row "max QoS 1" sensorgw "$best_offered" "$best_note"
	[ -n "$m" ] && keep_result max sgw
	res[max.sgw.saturated]=$sat
	return 0
}

# ramp IMPL KEY STEP...: raise the offered load step by step until the
# delivered rate stops following it; the best step makes the table's row.
# step_KEY NAME STEP starts the producer for one step and sets $offered
# and $step_note.
offered= step_note=
ramp() {
	local impl=$1 key=$2 s sat=0
	shift 2
	best_rate=0 best_m= best_offered= best_note= prev_rate=0
	for s in "$@"; do
		start_broker "max-$key-${s/:/x}"
		"step_$key" "max-$key-${s/:/x}" "$s"
		measure "max-$key-${s/:/x}" "$max_warm" "$max_win" 0 || true
		stop_producer
		stop_broker
		steps+=("$(printf '%-9s' "$impl") offered $offered/s${step_note:+ $step_note}: ${m:-FAILED}")
		consider "$offered" "$step_note"
		if [ -n "$m" ] && saturated "$offered"; then sat=1; break; fi
		[ -z "$m" ] || prev_rate=$(kv rate)
	done
	[ $sat = 1 ] || ! behind "$offered" || sat=1
	m=$best_m
	[ $sat = 1 ] || best_note="${best_note:+$best_note; }never saturated: a lower bound"
	row "max QoS 1" "$impl" "$best_offered" "$best_note"
	[ -n "$m" ] && keep_result max "$key"
	res[max.$key.saturated]=$sat
	return 0
}

# The floor: the same steps ("sensors:interval_ms") and window as sensorgw's.
step_floor() {
	local n=${2%%:*} ival=${2#*:}
	offered=$(( n * 1000 / ival )) step_note="window $max_inflight_default"
	log "max: floor, offered $offered/s ($n sensors every $ival ms), $step_note"
	start_floor "$1" "$n" "$ival" "$max_inflight_default"
}

# Node-RED: STEP is the offered rate.
step_nr() {
	offered=$2 step_note=
	log "max: node-red, offered $offered/s"
	start_nodered "$1" BENCH_MODE=rate BENCH_SENSORS=100 BENCH_RATE="$offered"
}

meter_filter='bench/+/temperature' meter_readings=
[ "$batch" = 0 ] || meter_filter='bench/+/batch' meter_readings=-r

# --- the run --------------------------------------------------------------------------
started=$(date +%s)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
run_fixed idle "10 sensors @ 1 Hz" 10 1000 "$idle_warm" "$idle_win"
run_fixed k1 "1000 readings/s" 100 100 "$k1_warm" "$k1_win"
if want sensorgw; then run_max_sgw; fi
# shellcheck disable=SC2086
if want floor; then ramp floor floor $sgw_steps; fi
# shellcheck disable=SC2086
if want node-red; then ramp node-red nr $nr_steps; fi
elapsed=$(( $(date +%s) - started ))
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# --- report ---------------------------------------------------------------------------
echo
echo "sensorgw vs the Paho floor vs Node-RED, QoS 1 to a private mosquitto $(mosquitto -h 2>/dev/null | sed -n 's/^mosquitto version //p') on 127.0.0.1"
echo "machine: $(nproc) cores $(uname -m), $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)"
echo "load average (1/5/15 min) before: $load_before, after: $load_after (other processes share the cores)"
want sensorgw && echo "sensorgw: $sgw_bin${sgw_bus:+ (all sensors on bus $sgw_bus)}"
[ "$batch" = 0 ] || echo "batched: $batch readings a PUBLISH (sensorgw batch = yes, Node-RED join, floor arrays); rates and CPU per reading"
want node-red && echo "node-red: $nr_version on node $(node --version)"
echo "mode: $([ $quick = 1 ] && echo quick || echo full), windows (warm-up+measured s): idle $idle_warm+$idle_win, 1k $k1_warm+$k1_win, max $max_warm+$max_win per step; $elapsed s in all"
echo
printf '%-18s %-9s %9s %9s %12s %12s %11s  %s\n' workload impl "RSS MiB" "RSS max" \
	"CPU us/rdg" "delivered/s" "offered/s" "notes"
for r in "${rows[@]+"${rows[@]}"}"; do
	echo "$r"
done
echo
echo "max-rate steps (meter output; rss in KiB, cpu_pct of one core):"
for s in "${steps[@]+"${steps[@]}"}"; do
	echo "  $s"
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.1f", a / b; else print "?" }'; }
have() { [ -n "${res[$1]:-}" ] && [ "${res[$1]}" != "?" ]; }
echo
echo "goals (of the implementations that ran):"
if want sensorgw; then
	# The RSS goal: 3 MiB over plain MQTT, 6 MiB with TLS (OpenSSL's own share).
	goal_mib=3 via=
	[ $tls = 1 ] && goal_mib=6 via=", mqtts://"
	for w in idle k1; do
		v=${res[$w.sgw.rss_max_kib]:-}
		if [ -n "$v" ] && [ "$v" != "?" ]; then
			awk -v k="$v" -v w="$w" -v g="$goal_mib" -v via="$via" 'BEGIN { printf "  %-4s sensorgw RSS max %.2f MiB (goal <= %d MiB%s): %s\n", w, k / 1024, g, via, (k <= g * 1024) ? "met" : "NOT met" }'
		fi
	done
fi
if have k1.sgw.cpu_us_per_msg && have k1.floor.cpu_us_per_msg; then
	r=$(ratio "${res[k1.sgw.cpu_us_per_msg]}" "${res[k1.floor.cpu_us_per_msg]}")
	echo "  1k   CPU per reading, sensorgw / floor = ${r}x (goal <= 1.15x): $(awk -v r="$r" 'BEGIN { print (r != "?" && r + 0 <= 1.15) ? "met" : "NOT met" }')"
fi
if have max.sgw.rate && have max.floor.rate; then
	r=$(ratio "${res[max.sgw.rate]}" "${res[max.floor.rate]}")
	echo "  max  delivered rate, sensorgw / floor = ${r}x (the library's own limit here: floor ${res[max.floor.rate]}/s, broker CPU ${res[max.floor.broker_cpu_pct]:-?}% of one core)"
fi
# Against Node-RED (issue goals): batched, 10x less CPU a reading and 3x
# the rate; one message a reading, at least Node-RED's rate.
if [ "$batch" != 0 ]; then nr_cpu_goal=10 nr_rate_goal=3; else nr_cpu_goal= nr_rate_goal=1; fi
if [ -n "$nr_cpu_goal" ] && have k1.sgw.cpu_us_per_msg && have k1.nr.cpu_us_per_msg; then
	r=$(ratio "${res[k1.nr.cpu_us_per_msg]}" "${res[k1.sgw.cpu_us_per_msg]}")
	echo "  1k   CPU per reading, Node-RED / sensorgw = ${r}x (goal >= ${nr_cpu_goal}x): $(awk -v r="$r" -v g="$nr_cpu_goal" 'BEGIN { print (r + 0 >= g) ? "met" : "NOT met" }')"
fi
if have max.sgw.rate && have max.nr.rate; then
	r=$(ratio "${res[max.sgw.rate]:-}" "${res[max.nr.rate]:-}")
	if [ "${res[max.nr.saturated]:-0}" = 0 ] && awk -v r="$r" -v g="$nr_rate_goal" 'BEGIN { exit !(r + 0 < g) }'; then
		# Node-RED kept up with its last step: its maximum is higher than measured.
		v="not decided: Node-RED never saturated (a lower bound)"
	else
		v=$(awk -v r="$r" -v g="$nr_rate_goal" -v b="${res[max.sgw.broker_cpu_pct]:-0}" 'BEGIN { print (r + 0 >= g) ? "met" : (b + 0 >= 90 ? "broker-bound" : "NOT met") }')
	fi
	echo "  max  delivered rate, sensorgw / Node-RED = ${r}x (goal >= ${nr_rate_goal}x, or broker at its limit: broker CPU ${res[max.sgw.broker_cpu_pct]:-?}% of one core): $v"
fi
