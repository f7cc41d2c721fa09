#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The guest's test runner.  systest.service runs it once the machine is up
# and powers the machine off when it returns; its output goes to the serial
# console, where the host reads one "ok" or "FAIL" line per check, "# "
# notes, "systest: pulse" when it must pulse the GPIO line and, last,
# "systest: done ...".
#
# The order matters: the checks are the steps of one life of the package
# (install, start, readings, faults, upgrade, purge); after a failed step
# that the rest needs, the rest is reported as not run.
set -u
cd "$(dirname "$0")" || exit 1
# shellcheck source=lib.sh
. ./lib.sh
# shellcheck source=checks.sh
. ./checks.sh

payload=/systest
tmp=$(mktemp -d)
ini=/etc/sensorgw/sensorgw.ini
secret=/etc/sensorgw/mqtt-password
export DEBIAN_FRONTEND=noninteractive

# The first line after systemd's terminal reset.
echo
echo "systest: runner up after $(cut -d' ' -f1 /proc/uptime)s of uptime; kernel $(uname -r)"

# ------------------------------------------------------------------ devices

# The BME280: i2c-stub answers at 0x76 with the registers of bme280.regs.
setup_i2c() {
	local a bus='' reg bytes id

	modprobe i2c-dev || fail "modprobe i2c-dev failed" || return
	modprobe i2c-stub chip_addr=0x76 || fail "modprobe i2c-stub failed" || return
	for a in /sys/bus/i2c/devices/i2c-*; do
		[ "$(cat "$a/name")" = "SMBus stub driver" ] && bus=${a##*-}
	done
	[ "$bus" = 0 ] || fail "i2c-stub is i2c-${bus:-none}, the INI names bus 0" || return
	grep -v '^#' "$payload/bme280.regs" | while read -r reg bytes; do
		# shellcheck disable=SC2086
		i2cset -y 0 0x76 "$reg" $bytes i || exit 1
	done || fail "i2cset failed" || return
	id=$(i2cget -y 0 0x76 0xd0) || fail "i2cget failed" || return
	[ "$id" = 0x60 ] || fail "chip id $id, want 0x60" || return
	# i2c-tools' udev rule: group i2c, mode 0660.
	wait_for 10 test -c /dev/i2c-0 || fail "no /dev/i2c-0" || return
	wait_for 10 sh -c '[ "$(stat -c %G /dev/i2c-0)" = i2c ]' ||
		fail "/dev/i2c-0 is $(stat -c %G:%a /dev/i2c-0), want group i2c"
}

# The PL061's line 3: free (gpio_keys is blacklisted on the kernel's command
# line) and, as on Raspberry Pi OS, the GPIO chips belong to the group gpio.
setup_gpio() {
	local info

	getent group gpio >/dev/null || groupadd --system gpio || fail "groupadd gpio failed" || return
	echo 'SUBSYSTEM=="gpio", KERNEL=="gpiochip*", GROUP="gpio", MODE="0660"' \
		>/etc/udev/rules.d/60-gpio.rules
	udevadm control --reload
	udevadm trigger --subsystem-match=gpio --action=add
	udevadm settle -t 20
	gpiodetect | grep -q '^gpiochip0 \[.*pl061\]' ||
		fail "gpiochip0 is not the PL061: $(gpiodetect | tr '\n' ' ')" || return
	info=$(gpioinfo -c gpiochip0 3 2>&1)
	case $info in
	*consumer=*) fail "line 3 is in use: $info"; return ;;
	esac
	[ "$(stat -c %G /dev/gpiochip0)" = gpio ] ||
		fail "/dev/gpiochip0 is $(stat -c %G:%a /dev/gpiochip0), want group gpio"
}

# QEMU's pulse itself, seen by libgpiod's gpiomon: a failure here is the
# machine's, not the daemon's.
line_held() {
	gpioinfo -c gpiochip0 3 2>/dev/null | grep -q -E 'consumer="?gpiomon'
}

pulse_edges() {
	local pid edges

	timeout 30 gpiomon -c gpiochip0 -e both -n 2 3 >"$tmp/gpiomon" 2>&1 &
	pid=$!
	if ! wait_for 30 line_held; then
		kill "$pid" 2>/dev/null
		fail "gpiomon did not take line 3: $(gpioinfo -c gpiochip0 3 2>&1) $(cat "$tmp/gpiomon")"
		return
	fi
	echo "systest: pulse gpio"
	wait "$pid"
	edges=$(grep -o -E 'rising|falling' "$tmp/gpiomon" | tr '\n' ' ')
	[ "$edges" = "rising falling " ] || fail "gpiomon saw '${edges% }'"
}

# mosquitto on localhost:1883 with passwords: sensorgw for the gateway,
# systest for the checks' clients.
gw_pw=
setup_broker() {
	local f=/etc/mosquitto/systest.passwd

	mqtt_pw=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
	gw_pw=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
	rm -f "$f"
	mosquitto_passwd -c -b "$f" systest "$mqtt_pw" &&
		mosquitto_passwd -b "$f" sensorgw "$gw_pw" || fail "mosquitto_passwd failed" || return
	chown mosquitto:mosquitto "$f"
	chmod 0600 "$f"
	printf 'listener 1883 localhost\nallow_anonymous false\npassword_file %s\n' "$f" \
		>/etc/mosquitto/conf.d/systest.conf
	systemctl restart mosquitto || fail "mosquitto did not restart" || return
	# shellcheck disable=SC2046
	wait_for 30 mosquitto_pub $(mqtt_args) -t systest/hello -m up ||
		fail "mosquitto does not take the test client"
}

# ------------------------------------------------------------------ package

install_pkg() {
	apt-get install -y -q "$payload/debs/install.deb" </dev/null >"$tmp/install.log" 2>&1 ||
		fail "$(grep -E '^(E:|dpkg:)' "$tmp/install.log" | head -3 | tr '\n' ' ')"
}

package_layout() {
	local m

	getent passwd sensorgw >/dev/null || fail "no user sensorgw" || return
	m=$(stat -c '%U:%G %a' /etc/sensorgw)
	[ "$m" = "root:sensorgw 750" ] || fail "/etc/sensorgw is $m, want root:sensorgw 750"
}

# The INI of this test and the password file, 0640 root:sensorgw; the
# service is stopped first so that the journal from here on is this
# configuration's alone.
configure() {
	local group=sensorgw

	getent group sensorgw >/dev/null || group=root
	systemctl stop sensorgw 2>/dev/null
	install -d -m 0750 -g "$group" /etc/sensorgw
	install -m 0640 -g "$group" "$payload/guest/sensorgw.ini" "$ini"
	install -m 0640 -g "$group" /dev/null "$secret"
	printf '%s\n' "$gw_pw" >"$secret"
	journal_mark "$tmp/mark0"
}

# ------------------------------------------------------------------ main

check "i2c-stub at 0x76 on /dev/i2c-0 holds the BME280's registers" setup_i2c
check "PL061 line 3 free for edge events, /dev/gpiochip0 group gpio" setup_gpio
check "QEMU's system_powerdown pulses line 3: gpiomon sees a rising and a falling edge" pulse_edges
check "mosquitto on localhost:1883 with passwords" setup_broker || finish
check "apt install ./sensorgw_$(dpkg-deb -f "$payload/debs/install.deb" Version)_arm64.deb (offline)" install_pkg ||
	{ not_run "the rest"; finish; }
check "the package made the user sensorgw and /etc/sensorgw root:sensorgw 0750" package_layout
check "the unit runs only programs of the package, its dependencies or Essential packages" check_unit_programs
configure
check "the service reaches active through Type=notify (READY=1, STATUS=)" check_notify
check "BME280 readings arrive with the values its registers encode" check_readings
check "a pulse on GPIO line 3 arrives as a rising and a falling edge" check_gpio_edge
check "the journal has no warnings in normal operation" check_journal_quiet "$tmp/mark0"
check "systemctl reload with a bad INI fails and the old configuration stays" check_reload_bad
check "SIGHUP with a bad INI keeps the old configuration; a good one reloads" check_hup_bad
check "systemctl stop publishes a retained offline" check_stop_offline
check "kill -9: systemd restarts it and the queue delivers what was stored" check_crash_queue
check "the watchdog restarts a stopped main loop (SIGSTOP)" check_watchdog
check "systemd-analyze security agrees with the offline score" check_security
check "upgrade to a newer version keeps the INI, the password file and the queue" check_upgrade
check "the journal's warnings are all the faults' own" check_journal_expected "$tmp/mark0"
check "apt purge removes the configuration, the queue and the unit" check_purge
finish
