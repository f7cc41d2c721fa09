# SPDX-License-Identifier: MIT
# Shared helpers for the integration tests (sourced).  Every test gets a
# private temp dir, brokers on free loopback ports, and a trap that stops
# whatever it started.  Waits poll for a condition up to a generous deadline.

set -u
: "${SENSORGW:?SENSORGW must point at the sensorgw binary}"
: "${TEST_EMULATOR:=}"
MOSQUITTO=${MOSQUITTO:-/usr/sbin/mosquitto}
# Deadlines scale up under an emulator (qemu-aarch64 is ~10x slower).
SLOW=1
[ -n "$TEST_EMULATOR" ] && SLOW=4

T=$(mktemp -d "${TMPDIR:-/tmp}/sgw-test.XXXXXX")
_pids=""
cleanup() {
	local p
	for p in "$T"/port.*.pid.*; do [ -e "$p" ] && kill "$(cat "$p")" 2>/dev/null; done
	for p in $_pids; do kill -KILL "$p" 2>/dev/null; done
	for p in $_pids; do wait "$p" 2>/dev/null; done
	if [ "${KEEP_TMP:-0}" = 1 ]; then echo "kept $T" >&2; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# On failure the gateway's last log lines go to the test's log: $T is removed.
fail() {
	echo "FAIL: $*" >&2
	if [ -s "${T:-}/gw.log" ]; then
		echo "# last lines of the gateway's log:" >&2
		tail -n 40 "$T/gw.log" >&2
	fi
	exit 1
}
skip() { echo "SKIP: $*" >&2; exit 77; }
note() { echo "# $*" >&2; }

command -v "$MOSQUITTO" >/dev/null || skip "mosquitto not installed"
command -v mosquitto_sub >/dev/null || skip "mosquitto_sub not installed"

track() { _pids="$_pids $1"; }
untrack() { _pids=$(echo " $_pids " | sed "s/ $1 / /"); }

# free_port: a free loopback port, held by a placeholder listener (that
# never answers) until broker_start takes it.  Tests run in parallel: a port
# left unbound while "the broker is down" could go to another test's broker,
# and the gateway would deliver there.
free_port() {
	local f
	f=$(mktemp "$T/port.XXXXXX")
	hold_port 0 "$f"
	cat "$f"
}
# hold_port PORT FILE: listen on PORT (0: any) and write the port to FILE.
hold_port() {
	/usr/bin/python3 -c '
import os, socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(64)
port = s.getsockname()[1]
open(sys.argv[2] + ".pid." + str(port), "w").write(str(os.getpid()))
open(sys.argv[2], "w").write(str(port))
time.sleep(86400)
' "$1" "$2" >/dev/null 2>&1 &
	local i
	for i in $(seq 200); do [ -s "$2" ] && return 0; sleep 0.05; done
	fail "could not hold port $1"
}
release_port() {
	local p pid
	for p in "$T"/port.*.pid."$1"; do
		[ -e "$p" ] || continue
		pid=$(cat "$p")
		kill "$pid" 2>/dev/null
		# Gone before the broker binds (and before port_open could see it).
		while kill -0 "$pid" 2>/dev/null; do sleep 0.02; done
		rm -f "$p"
	done
}

# wait_until SECONDS COMMAND...: poll COMMAND every 0.1 s until it succeeds.
wait_until() {
	local secs=$(( $1 * SLOW )) end; shift
	end=$(( $(date +%s) + secs ))
	while ! "$@" 2>/dev/null; do
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.1
	done
	return 0
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# broker_start PORT: a private mosquitto; sets BROKER_PID.  With
# BROKER_PERSIST=1 it keeps sessions and queued messages across restarts;
# BROKER_CONF is added to its configuration.
# max_queued_messages 0: by default mosquitto drops QoS 1 messages beyond
# 1000 queued for a slow subscriber, which a backlog drain easily is.
broker_start() {
	local port=$1
	release_port "$port"
	if [ "${BROKER_PERSIST:-0}" = 1 ]; then
		mkdir -p "$T/db-$port"
		# As root, mosquitto would switch to its own user, which cannot write here.
		printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence true\npersistence_location %s/\nmax_queued_messages 0\nuser %s\n' \
			"$port" "$T/db-$port" "$(id -un)" >"$T/mosquitto-$port.conf"
	else
		printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 0\n' "$port" >"$T/mosquitto-$port.conf"
	fi
	printf '%s\n' "${BROKER_CONF:-}" >>"$T/mosquitto-$port.conf"
	"$MOSQUITTO" -c "$T/mosquitto-$port.conf" >>"$T/mosquitto-$port.log" 2>&1 &
	BROKER_PID=$!
	BROKER_PORT=$port
	track "$BROKER_PID"
	wait_until 20 port_open "$port" || fail "mosquitto did not start on port $port"
}

broker_stop() {
	kill -TERM "$BROKER_PID" 2>/dev/null
	wait "$BROKER_PID" 2>/dev/null
	untrack "$BROKER_PID"
	hold_port "$BROKER_PORT" "$(mktemp "$T/port.XXXXXX")"
}

# sub_start PORT FILE TOPIC...: record "arrival_s.ns topic payload" lines
# (appending).  With SUB_ID set, a persistent session under that client id,
# so that messages published while it is away are kept for it.
sub_start() {
	local port=$1 file=$2 args="-t sgwtest/probe" t; shift 2
	for t in "$@"; do args="$args -t $t"; done
	[ -n "${SUB_ID:-}" ] && args="$args -c -i $SUB_ID"
	touch "$file"
	# shellcheck disable=SC2086
	stdbuf -oL mosquitto_sub -h 127.0.0.1 -p "$port" -q 1 -F '%U %t %p' $args >>"$file" 2>>"$T/sub.err" &
	SUB_PID=$!
	track "$SUB_PID"
	# The subscription is live once a probe message comes back.
	wait_until 20 sub_probe "$port" "$file" || fail "subscriber did not come up"
}
sub_probe() {
	mosquitto_pub -h 127.0.0.1 -p "$1" -q 1 -t sgwtest/probe -m x 2>/dev/null
	grep -q ' sgwtest/probe ' "$2"
}

# gateway_start INI [args]: run sensorgw in the foreground; sets GW_PID.
sub_stop() {
	kill -TERM "$SUB_PID" 2>/dev/null
	wait "$SUB_PID" 2>/dev/null
	untrack "$SUB_PID"
}

gateway_start() {
	local ini=$1; shift
	# shellcheck disable=SC2086
	$TEST_EMULATOR "$SENSORGW" -f -c "$ini" "$@" >>"$T/gw.log" 2>&1 &
	GW_PID=$!
	track "$GW_PID"
}

gateway_stop() {
	kill -TERM "$GW_PID" 2>/dev/null
	wait "$GW_PID"
	GW_STATUS=$?
	untrack "$GW_PID"
}

# status_ok PYTHON-ASSERTION: `sensorgw status` of "$T/gw.ini", as JSON in
# s, satisfies it.  The assertion is parenthesised, so it may span lines.
status_ok() {
	$TEST_EMULATOR "$SENSORGW" status -c "$T/gw.ini" >"$T/status" 2>/dev/null &&
	/usr/bin/python3 -c "import json, sys; s = json.load(open(sys.argv[1])); assert ($1), s" "$T/status"
}

# count FILE TOPIC: messages recorded for TOPIC.
count() { awk -v t="$2" '$2 == t' "$1" | wc -l; }
has_at_least() { [ "$(count "$1" "$2")" -ge "$3" ]; }
last_payload() { awk -v t="$2" '$2 == t { p = $3 } END { print p }' "$1"; }

# ini_gateway PORT: the [gateway] and [mqtt] sections.  clock = rtc: the
# payloads are the same whether or not a time daemon has synchronised the
# test machine's clock (tests/it/clock.sh runs the default).
ini_gateway() {
	cat <<EOT
[gateway]
name = testgw
topic_prefix = t
state_dir = $T/state
clock = rtc

[mqtt]
uri = mqtt://127.0.0.1:$1
client_id = sgwtest-$$-$RANDOM
qos = 1
reconnect_min = 100ms
reconnect_max = 1s
EOT
}

# psub_start PORT ID FILE FILTER: a recording subscriber that survives
# broker restarts (tests/it/sub_record.py, persistent session); sets PSUB_PID.
psub_start() {
	touch "$3"
	/usr/bin/python3 "$top_srcdir/tests/it/sub_record.py" "$1" "$2" "$4" "$3" 2>>"$T/psub.err" &
	PSUB_PID=$!
	track "$PSUB_PID"
	wait_until 30 sub_probe "$1" "$3" || fail "recording subscriber did not come up"
}
