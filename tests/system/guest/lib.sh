# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# Helpers of the guest's runner (sourced by run.sh): the check lines, waits,
# the MQTT side of the checks and a few systemd look-ups.

passed=0 failed=0
why=
t_start=$(date +%s)

# check DESCRIPTION FUNCTION [ARGS...]: one check, one line.  FUNCTION
# returns non-zero on failure and says why in $why.
check() {
	local what=$1 t0 rc
	shift
	why=
	t0=$(date +%s)
	"$@"
	rc=$?
	if [ $rc = 0 ]; then
		passed=$((passed + 1))
		echo "ok $what ($(($(date +%s) - t0))s)"
	else
		failed=$((failed + 1))
		echo "FAIL $what: ${why:-failed} ($(($(date +%s) - t0))s)"
	fi
	return $rc
}

# not_run DESCRIPTION...: checks that cannot run after an earlier failure.
not_run() {
	local what
	for what in "$@"; do
		failed=$((failed + 1))
		echo "FAIL $what: not run"
	done
}

finish() {
	echo "systest: done in $(($(date +%s) - t_start))s: $passed passed, $failed failed"
	exit 0
}

fail() {
	why=$*
	return 1
}

# wait_for SECONDS COMMAND...: true once COMMAND is, polling every 0.2 s.
wait_for() {
	local end=$(($(date +%s) + $1))
	shift
	until "$@"; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.2
	done
}

now_ms() {
	date +%s%3N
}

# ------------------------------------------------------------------ MQTT

mqtt_pw=
mqtt_args() {
	echo -h localhost -u systest -P "$mqtt_pw"
}

# sub ARGS...: mosquitto_sub as the test client (its complaints, such as
# "Timed out", in sub.err: a check says what it missed).
sub() {
	# shellcheck disable=SC2046
	mosquitto_sub $(mqtt_args) "$@" 2>>"$tmp/sub.err"
}

# sub_bg FILE ARGS...: a subscriber in the background (-v, its lines in
# FILE), returned once the broker acknowledged its subscription.  Its pid
# is $sub_pid.
sub_pid=
sub_bg() {
	local file=$1
	shift
	# Line-buffered: the SUBACK line is looked for while it runs.
	# shellcheck disable=SC2046
	stdbuf -oL mosquitto_sub $(mqtt_args) -d -v "$@" >"$file" 2>&1 &
	sub_pid=$!
	wait_for 30 grep -q 'received SUBACK' "$file"
}

# messages FILE [TOPIC]: the payloads of FILE's messages (for TOPIC),
# one a line, without mosquitto_sub's debug lines.
messages() {
	local file=$1 topic=${2:-}
	grep -v '^Client ' "$file" | grep -v '^Subscribed ' |
		if [ -n "$topic" ]; then
			sed -n "s|^$topic ||p"
		else
			cat
		fi
}

# field NAME: a number field of the JSON payloads on stdin ("value", "ts", "seq").
field() {
	sed -n "s/.*\"$1\":\(-\{0,1\}[0-9.]*\).*/\1/p"
}

# ------------------------------------------------------------------ systemd

prop() {
	systemctl show -P "$2" "$1"
}

main_pid() {
	prop sensorgw MainPID
}

# live_pid: the main process's pid in the caller's $pid, or a failure (a
# kill to pid 0 would reach the runner's own process group).
live_pid() {
	pid=$(main_pid)
	[ -n "$pid" ] && [ "$pid" != 0 ] || fail "no main process ($(systemctl is-active sensorgw))"
}

is_active() {
	[ "$(systemctl is-active "$1")" = active ]
}

# restarted_from PID: the service runs again, with another main process.
restarted_from() {
	local pid
	pid=$(main_pid)
	is_active sensorgw && [ "$pid" != 0 ] && [ "$pid" != "$1" ]
}

# journal_warnings CURSOR_FILE: the service's journal lines at warning or
# above since the cursor journal_mark saved in the file.
journal_warnings() {
	if [ -s "$1" ]; then
		journalctl -q -o cat -p warning -u sensorgw --after-cursor="$(cat "$1")"
	else
		journalctl -q -o cat -p warning -u sensorgw -b
	fi
}

# journal_tail: the service's last warnings and errors, on one line.
journal_tail() {
	journalctl -q -o cat -p warning -u sensorgw -n 6 | tr '\n' '|'
}

journal_mark() {
	journalctl -q -n 1 --show-cursor | sed -n 's/^-- cursor: //p' >"$1"
}
