# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# The checks of the guest's runner (sourced by run.sh, which runs them in
# order): each returns non-zero and sets $why on failure.  They use run.sh's
# $payload, $tmp, $ini and $secret.

status_topic=systest/pi/status
temp_topic=systest/bme/temperature

# depends_on PACKAGE: PACKAGE is one of sensorgw's Depends (any of an
# alternative counts).
depends_on() {
	dpkg-query -W -f '${Depends}' sensorgw | tr ',|' '\n\n' |
		sed 's/^ *//; s/[ :(].*//' | grep -qx "$1"
}

# Each Exec*= program of the installed unit must come with the package:
# its own, a dependency's or an Essential package's (Debian Policy 3.5);
# any other may be missing on a minimal system, and then the start or the
# reload fails.
check_unit_programs() {
	local unit p owner bad=

	unit=$(prop sensorgw FragmentPath)
	[ -f "$unit" ] || fail "no unit file" || return
	for p in $(sed -n 's/^Exec[A-Za-z]*=[-@:+!]*\([^ ]*\).*/\1/p' "$unit" | sort -u); do
		# dpkg knows the path as the package ships it (/bin or /usr/bin).
		owner=$({ dpkg -S "$p" || dpkg -S "$(readlink -f "$p")"; } 2>/dev/null |
			grep -v '^diversion by' | head -1)
		owner=${owner%%[:,]*}
		if [ -z "$owner" ]; then
			bad+="$p (no package); "
		elif [ "$owner" != sensorgw ] && ! depends_on "$owner" &&
			[ "$(dpkg-query -W -f '${Essential}' "$owner")" != yes ]; then
			bad+="$p ($owner, neither Essential nor in Depends); "
		fi
	done
	[ -z "$bad" ] || fail "${bad%; }"
}

check_notify() {
	local t st

	if ! systemctl start sensorgw 2>/dev/null; then
		fail "systemctl start failed ($(systemctl is-active sensorgw)): $(journal_tail)"
		return
	fi
	t=$(prop sensorgw Type)
	[ "$t" = notify ] || fail "Type=$t" || return
	is_active sensorgw || fail "$(systemctl is-active sensorgw)" || return
	st=$(prop sensorgw StatusText)
	[ -n "$st" ] || fail "no STATUS= from the daemon" || return
	echo "# STATUS=$st"
}

# Every quantity of bme280.regs' "# expect" lines, as its JSON "value".
check_readings() {
	local q want got bad=

	sub -v -t 'systest/bme/+' -C 6 -W 30 >"$tmp/bme" 2>&1
	while read -r _ _ q want; do
		got=$(messages "$tmp/bme" "systest/bme/$q" | field value | tail -1)
		[ "$got" = "$want" ] || bad+="$q ${got:-nothing} (want $want); "
	done < <(grep '^# expect ' "$payload/bme280.regs")
	[ -z "$bad" ] || fail "$bad"
}

check_gpio_edge() {
	local got

	sub_bg "$tmp/gpio" -t systest/button/state -C 2 -W 30 || fail "no subscription" || return
	echo "systest: pulse gpio"
	wait "$sub_pid"
	got=$(messages "$tmp/gpio" systest/button/state | field value | tr '\n' ' ')
	[ "$got" = "1 0 " ] || fail "got '${got% }', want 1 then 0"
}

check_journal_quiet() {
	local w

	w=$(journal_warnings "$1")
	[ -z "$w" ] || fail "$(echo "$w" | head -3 | tr '\n' '|')"
}

# The bad INI: another topic prefix (what a wrongly applied reload would
# show) and a section with an unknown driver (the error).
write_bad_ini() {
	cp "$ini" "$tmp/good.ini"
	sed 's/^topic_prefix = .*/topic_prefix = changed/' "$tmp/good.ini" >"$ini"
	printf '\n[sensor broken]\ndriver = no_such_driver\n' >>"$ini"
}

restore_ini() {
	cat "$tmp/good.ini" >"$ini"
}

# still_old FILE: over a few seconds, readings under the old prefix and
# none under the bad file's.
still_old() {
	sub_bg "$1" -t 'changed/#' -t "$temp_topic" -W 8 || fail "no subscription" || return
	wait "$sub_pid"
	[ -z "$(messages "$1" | grep '^changed/')" ] || fail "the bad file's topics are in use" || return
	[ -n "$(messages "$1" "$temp_topic")" ] || fail "no readings after the bad reload"
}

check_reload_bad() {
	local pid

	live_pid || return
	write_bad_ini
	if systemctl reload sensorgw 2>/dev/null; then
		restore_ini
		fail "the reload succeeded"
		return
	fi
	is_active sensorgw || { restore_ini; fail "$(systemctl is-active sensorgw) after the reload"; return; }
	[ "$(main_pid)" = "$pid" ] || { restore_ini; fail "the main process changed"; return; }
	still_old "$tmp/reload"
	local rc=$?
	restore_ini
	return $rc
}

# The daemon's own guard, without the unit's ExecReload=--check-config.
check_hup_bad() {
	local pid

	live_pid || return
	write_bad_ini
	kill -HUP "$pid"
	sleep 2
	is_active sensorgw && [ "$(main_pid)" = "$pid" ] ||
		{ restore_ini; fail "the service did not survive: $(systemctl is-active sensorgw)"; return; }
	still_old "$tmp/hup" || { restore_ini; return 1; }
	restore_ini
	systemctl reload sensorgw 2>/dev/null || fail "the reload of the good file failed: $(journal_tail)" || return
	is_active sensorgw || fail "$(systemctl is-active sensorgw) after the good reload"
}

check_stop_offline() {
	local s

	s=$(sub -t "$status_topic" -C 1 -W 10)
	[ "$s" = online ] || fail "status '$s' before the stop, want online" || return
	systemctl stop sensorgw 2>/dev/null || fail "systemctl stop failed: $(journal_tail)" || return
	s=$(prop sensorgw Result)
	[ "$s" = success ] || fail "Result=$s after the stop" || return
	s=$(sub -t "$status_topic" -C 1 -W 10)
	[ "$s" = offline ] || fail "status '$s' after the stop, want offline" || return
	systemctl start sensorgw 2>/dev/null || fail "it did not start again: $(journal_tail)"
}

# outage_readings FILE FROM_MS TO_MS: how many readings of FILE were taken
# in the window.
outage_readings() {
	messages "$1" "$temp_topic" | field ts | awk -v a="$2" -v b="$3" '$1 > a && $1 < b { n++ } END { print n + 0 }'
}

queue_files() {
	find /var/lib/sensorgw/queue -type f -size +0 2>/dev/null | sort
}

# broker_outage CLIENT SECONDS: a persistent QoS 1 session CLIENT (the
# broker keeps what arrives for it), then the broker stopped for SECONDS;
# out_t0 and out_t1 (ms) bound the outage's readings.
out_t0='' out_t1=''
broker_outage() {
	sub -c -i "$1" -q 1 -t "$temp_topic" -C 1 -W 20 >/dev/null ||
		fail "no reading before the outage" || return
	out_t0=$(now_ms)
	systemctl stop mosquitto || fail "mosquitto did not stop" || return
	sleep "$2"
	out_t1=$(now_ms)
	[ -n "$(queue_files)" ] || fail "nothing in /var/lib/sensorgw/queue after ${2}s offline"
}

# delivered CLIENT FILE: the broker back, what the session CLIENT receives.
delivered() {
	systemctl start mosquitto || fail "mosquitto did not start" || return
	sub -c -i "$1" -q 1 -t "$temp_topic" -v -W 20 >"$2" 2>&1
	local n
	n=$(outage_readings "$2" "$out_t0" "$out_t1")
	echo "# $n readings of the outage ($(((out_t1 - out_t0) / 1000))s) delivered"
	[ "$n" -ge 2 ] || fail "$n readings of the outage delivered, want 2 or more"
}

check_crash_queue() {
	local pid nr

	broker_outage systest-crash 7 || return
	live_pid || return
	nr=$(prop sensorgw NRestarts)
	kill -9 "$pid"
	wait_for 60 restarted_from "$pid" || fail "not running again 60s after the kill" || return
	[ "$(prop sensorgw NRestarts)" -gt "$nr" ] || fail "NRestarts did not grow" || return
	delivered systest-crash "$tmp/crash"
}

check_watchdog() {
	local pid w since

	w=$(prop sensorgw WatchdogUSec)
	[ "$w" != 0 ] && [ "$w" != infinity ] || fail "no WatchdogSec" || return
	live_pid || return
	since=$(date +%s)
	kill -STOP "$pid"
	if ! wait_for 150 restarted_from "$pid"; then
		kill -CONT "$pid"
		fail "not restarted within 150s (WatchdogSec $w)"
		return
	fi
	journalctl -q -o cat -u sensorgw --since "@$since" | grep -qi 'watchdog timeout' ||
		fail "restarted, but the journal has no watchdog timeout"
}

exposure() {
	systemd-analyze security --no-pager "$@" 2>&1 |
		sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p'
}

check_security() {
	local live off unit

	unit=$(prop sensorgw FragmentPath)
	live=$(exposure sensorgw.service)
	off=$(exposure --offline=true "$unit")
	echo "# exposure: $live (running), $off (offline, $unit)"
	[ -n "$live" ] && [ "$live" = "$off" ] || fail "running ${live:-?}, offline ${off:-?}"
}

check_upgrade() {
	local sums modes before pid ver missing f

	sums=$(sha256sum "$ini" "$secret")
	modes=$(stat -c '%n %U:%G %a' /etc/sensorgw "$ini" "$secret")
	broker_outage systest-upgrade 7 || return
	before=$(queue_files)
	live_pid || return
	apt-get install -y -q "$payload/debs/upgrade.deb" </dev/null >"$tmp/upgrade.log" 2>&1 ||
		fail "$(grep -E '^(E:|dpkg:)' "$tmp/upgrade.log" | head -3 | tr '\n' ' ')" || return
	ver=$(dpkg-query -W -f '${Version}' sensorgw)
	case $ver in *+systest1) ;; *) fail "version $ver after the upgrade"; return ;; esac
	[ "$(sha256sum "$ini" "$secret")" = "$sums" ] || fail "the INI or the password file changed" || return
	[ "$(stat -c '%n %U:%G %a' /etc/sensorgw "$ini" "$secret")" = "$modes" ] ||
		fail "modes changed: $(stat -c '%n %U:%G %a' /etc/sensorgw "$ini" "$secret" | tr '\n' ' ')" || return
	missing=
	for f in $before; do
		[ -e "$f" ] || missing+="$f "
	done
	[ -z "$missing" ] || fail "queue files gone: $missing" || return
	wait_for 30 restarted_from "$pid" || fail "not running again after the upgrade" || return
	delivered systest-upgrade "$tmp/upgrade"
}

# Warnings that the checks' faults bring: the broker away, the bad INI,
# the kill, the watchdog.
expected_warnings='mqtt|connect|broker|refused|offline|sensorgw\.ini:[0-9]+:|no_such_driver|error\(s\)|not starting|[Rr]eload|SIGHUP|[Ww]atchdog|SIGABRT|SIGKILL|code=(killed|dumped)|Failed with result|Killing process|core'

check_journal_expected() {
	local w

	# All of them in the host's console.log (it shows "# " lines only).
	journal_warnings "$1" | sed 's/^/journal: /'
	w=$(journal_warnings "$1" | grep -E -v "$expected_warnings")
	[ -z "$w" ] || fail "$(echo "$w" | head -3 | tr '\n' '|')"
}

check_purge() {
	local left

	apt-get purge -y -q sensorgw </dev/null >"$tmp/purge.log" 2>&1 ||
		fail "$(grep -E '^(E:|dpkg:)' "$tmp/purge.log" | head -3 | tr '\n' ' ')" || return
	[ ! -e "$ini" ] || fail "$ini is left" || return
	[ ! -e /var/lib/sensorgw ] || fail "/var/lib/sensorgw is left" || return
	[ -z "$(systemctl show -P FragmentPath sensorgw)" ] || fail "the unit is left" || return
	[ -z "$(dpkg-statoverride --list | grep sensorgw)" ] || fail "stat overrides are left" || return
	if [ -d /etc/sensorgw ]; then
		left=$(ls -A /etc/sensorgw | tr '\n' ' ')
		echo "# left in /etc/sensorgw: ${left:-nothing}"
		[ "$left" = "$(basename "$secret") " ] || fail "/etc/sensorgw keeps $left"
	fi
}
