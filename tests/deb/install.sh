#!/bin/bash
# SPDX-License-Identifier: MIT
#
# tests/deb/install.sh ROOTFS DEB: the package as a new user meets it, in a
# fresh copy of a Debian root file system (debootstrap --variant=minbase
# RELEASE ROOTFS http://deb.debian.org/debian): install DEB with apt (its
# dependencies come from the archive), check what it set up and that the
# shipped configuration passes "sensorgw -n"; then a mosquitto with
# password authentication, a password file root:sensorgw 0640, and
# "sensorgw --once" run as the user sensorgw delivers a reading; reinstall
# (an upgrade keeps the edited configuration and the queue); purge and check
# what is gone.  No systemd runs in a chroot: the service is not started.
#
# Run as root, with the archive reachable.  One line per check, the time of
# each phase; exit 1 if a check failed.  KEEP=1 keeps the copy.
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 ROOTFS DEB" >&2; exit 2; }
rootfs=$(cd "$1" && pwd)
deb=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
[ -f "$rootfs/etc/debian_version" ] || { echo "$0: $rootfs: not a Debian root" >&2; exit 2; }
[ -f "$deb" ] || { echo "$0: $deb: no such file" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "$0: needs root (chroot, mount)" >&2; exit 2; }

# shellcheck source=tests/deb/root.sh
. "$(dirname "$0")/root.sh"

fails=0
checks=0
mosq_pid=
sub_pid=

# check DESCRIPTION COMMAND...: one line, ok or FAIL.
check() {
	local what=$1
	shift
	checks=$((checks + 1))
	if "$@" >"$work/check.out" 2>&1; then
		printf 'ok   %s\n' "$what"
	else
		printf 'FAIL %s\n' "$what"
		tail -n 20 "$work/check.out" | sed 's/^/       /'
		fails=$((fails + 1))
	fi
}

# stat FORMAT of PATH in the root equals WANT.
stat_is() { [ "$(in_root stat -c "$1" "$2")" = "$3" ] || { in_root stat -c "$1" "$2"; return 1; }; }
absent() { [ ! -e "$root$1" ] && [ ! -L "$root$1" ]; }
user_in_group() { in_root id -nG "$1" | tr ' ' '\n' | grep -qx "$2"; }
not() { ! "$@"; }
present() {
	local f
	for f in "$@"; do [ -e "$root$f" ] || { echo "missing: $f"; return 1; }; done
}
# shellcheck disable=SC2016 # ${Status} is dpkg-query's
installed() { in_root dpkg-query -W -f='${Status}' sensorgw 2>/dev/null | grep -q 'install ok installed'; }
system_user() {
	local ent
	ent=$(in_root getent passwd sensorgw) || return 1
	echo "$ent"
	[ "$(echo "$ent" | cut -d: -f6,7)" = /var/lib/sensorgw:/usr/sbin/nologin ] &&
		[ "$(echo "$ent" | cut -d: -f3)" -lt 1000 ]
}
no_hw_groups() { ! in_root getent group gpio && ! in_root getent group i2c; }
# overrides N: N stat overrides under /etc/sensorgw.
overrides() {
	local n
	n=$(in_root dpkg-statoverride --list | grep -c ' /etc/sensorgw' || true)
	in_root dpkg-statoverride --list
	[ "$n" = "$1" ]
}
# shellcheck disable=SC2016 # ${Conffiles} is dpkg-query's
conffile() { in_root dpkg-query -W -f='${Conffiles}\n' sensorgw | grep -q '^ /etc/sensorgw/sensorgw.ini '; }
unit_enabled() {
	{ present /lib/systemd/system/sensorgw.service || present /usr/lib/systemd/system/sensorgw.service; } &&
		[ -L "$root/etc/systemd/system/multi-user.target.wants/sensorgw.service" ]
}
docs_shipped() {
	(cd "$root/usr/share/doc/sensorgw" &&
		ls README.md* docs/architecture.md* docs/drivers-i2c.md* docs/drivers-gpio.md*)
}
# systemd-analyze's exposure score of the installed unit.
exposure() {
	local unit
	unit=$(chroot "$root" /bin/sh -c 'ls /lib/systemd/system/sensorgw.service /usr/lib/systemd/system/sensorgw.service 2>/dev/null | head -1')
	in_root systemd-analyze security --offline=true "$unit" 2>&1 |
		sed -n 's/.*Overall exposure level for .*: \([0-9.]*\) .*/\1/p'
}
# at_most X MAX: numbers.
at_most() { awk -v x="$1" -v max="$2" 'BEGIN { exit !(x != "" && x + 0 <= max + 0) }'; }
says_ok() { [ "$(in_root "$@")" = "configuration OK" ]; }
# The command prints "configuration OK" and nothing else, not even a warning.
says_only_ok() {
	local out
	out=$(in_root "$@" 2>&1)
	echo "$out"
	[ "$out" = "configuration OK" ]
}
says_nothing() {
	local out
	out=$(in_root "$@" 2>&1) || { echo "$out"; return 1; }
	echo "$out"
	[ -z "$out" ]
}
shipped_ini_real() {
	[ "$(grep -c '^\[' "$1")" = 3 ] &&	# [gateway], [mqtt], [sensor cpu]
		grep -qx 'uri = mqtt://localhost:1883' "$1" &&
		grep -qx '\[sensor cpu\]' "$1" && grep -qx 'driver = cpu_temp' "$1" &&
		! grep -q '^name *=' "$1" && ! grep -q '^driver *= *sim' "$1"
}
# arrives LINE FILE: LINE shows up in FILE within 10 s.
arrives() {
	local i
	for i in $(seq 100); do
		grep -qxF "$1" "$2" && return 0
		sleep 0.1
	done
	cat "$2"
	return 1
}

stop_servers() {
	local p
	for p in $sub_pid $mosq_pid; do kill "$p" 2>/dev/null || true; done
	for p in $sub_pid $mosq_pid; do wait "$p" 2>/dev/null || true; done
}
root_hooks+=(stop_servers)

root_make "$rootfs" sensorgw-debtest
mkdir -p "$root/tmp/t"
cp "$deb" "$root/tmp/t/"
release=$(root_release)
echo "release: $release, package: $(basename "$deb")"

phase "apt-get update"
in_root apt-get update -qq

phase "apt install ./$(basename "$deb")"
check "apt installs the package and its dependencies" \
	in_root apt-get install -y -q --no-install-recommends "/tmp/t/$(basename "$deb")"
if ! installed; then
	echo "sensorgw is not installed: nothing more to check"
	exit 1
fi

phase "what the package set up"
check "the system user sensorgw exists, no login, home /var/lib/sensorgw" system_user
check "sensorgw is in dialout (a group Debian has)" user_in_group sensorgw dialout
check "no gpio or i2c group here, and none was made" no_hw_groups
check "/etc/sensorgw is root:sensorgw 0750" stat_is '%U:%G %a' /etc/sensorgw 'root:sensorgw 750'
check "/etc/sensorgw/sensorgw.ini is root:sensorgw 0640" \
	stat_is '%U:%G %a' /etc/sensorgw/sensorgw.ini 'root:sensorgw 640'
check "both modes are dpkg stat overrides" overrides 2
check "the INI is a conffile" conffile
check "/var/lib/sensorgw is sensorgw:sensorgw 0750" \
	stat_is '%U:%G %a' /var/lib/sensorgw 'sensorgw:sensorgw 750'
check "the unit is installed and enabled" unit_enabled
check "the sysusers.d file is installed" present /usr/lib/sysusers.d/sensorgw.conf
check "man pages sensorgw(8) and sensorgw.ini(5)" \
	present /usr/share/man/man8/sensorgw.8.gz /usr/share/man/man5/sensorgw.ini.5.gz
check "the docs README and INI point to" docs_shipped
if in_root systemd-analyze --version >/dev/null 2>&1; then
	score=$(exposure)
	check "systemd-analyze security (${release}'s systemd): exposure ${score:-unknown}, at most 2.0" \
		at_most "$score" 2.0
	check "systemd-analyze verify --man=no finds nothing to say about the unit" \
		says_nothing systemd-analyze verify --man=no sensorgw.service
fi

phase "the shipped configuration"
check "sensorgw -n accepts the shipped INI (as root)" says_ok sensorgw -n
check "sensorgw -n accepts it as the user sensorgw" \
	says_ok runuser -u sensorgw -- sensorgw -n -c /etc/sensorgw/sensorgw.ini
check "other users cannot read it" \
	not in_root runuser -u nobody -- cat /etc/sensorgw/sensorgw.ini
check "it publishes the CPU temperature only, to localhost, under the host name" \
	shipped_ini_real "$root/etc/sensorgw/sensorgw.ini"

phase "apt install mosquitto mosquitto-clients (the test's broker)"
check "apt installs mosquitto and mosquitto-clients" \
	in_root apt-get install -y -q --no-install-recommends mosquitto mosquitto-clients

phase "a reading through a broker that wants a password"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
host=$(in_root cat /proc/sys/kernel/hostname)
in_root mosquitto_passwd -c -b /tmp/t/passwd gw "gw-secret" >/dev/null
in_root mosquitto_passwd -b /tmp/t/passwd checker "checker-secret" >/dev/null
in_root chown mosquitto: /tmp/t/passwd
chmod 0600 "$root/tmp/t/passwd"
cat >"$root/tmp/t/mosquitto.conf" <<EOF
listener $port 127.0.0.1
allow_anonymous false
password_file /tmp/t/passwd
persistence false
log_dest file /tmp/t/mosquitto.log
log_type all
EOF
in_root install -o mosquitto -m 0644 /dev/null /tmp/t/mosquitto.log
"${in_root_cmd[@]}" mosquitto -c /tmp/t/mosquitto.conf &
mosq_pid=$!
for i in $(seq 100); do
	(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
	[ "$i" = 100 ] && { echo "mosquitto did not start"; cat "$root/tmp/t/mosquitto.log"; exit 1; }
	sleep 0.1
done
# The secret: readable by the service's group and nobody else.
in_root install -m 0640 -o root -g sensorgw /dev/null /etc/sensorgw/mqtt-password
printf 'gw-secret\n' >"$root/etc/sensorgw/mqtt-password"
# The shipped file, pointed at this broker with a user name and the password.
sed "s|^uri = .*|uri = mqtt://127.0.0.1:$port\nusername = gw\npassword_file = /etc/sensorgw/mqtt-password|" \
	"$root/etc/sensorgw/sensorgw.ini" >"$root/tmp/t/test.ini"
in_root install -m 0640 -o root -g sensorgw /tmp/t/test.ini /etc/sensorgw/test.ini
# A thermal zone at 48.312 °C: the build machine may have none.
mkdir -p "$root/tmp/t/sys/sys/class/thermal/thermal_zone0"
echo 48312 >"$root/tmp/t/sys/sys/class/thermal/thermal_zone0/temp"
check "the password file is root:sensorgw 0640" \
	stat_is '%U:%G %a' /etc/sensorgw/mqtt-password 'root:sensorgw 640'
check "sensorgw -n as sensorgw: no warning about the password file" \
	says_only_ok runuser -u sensorgw -- sensorgw -n -c /etc/sensorgw/test.ini
"${in_root_cmd[@]}" mosquitto_sub -h 127.0.0.1 -p "$port" -u checker -P checker-secret -i checker \
	-t 'sensorgw/#' -v -W 60 >"$work/sub.out" 2>&1 &
sub_pid=$!
for i in $(seq 100); do
	grep -q 'Received SUBSCRIBE from checker' "$root/tmp/t/mosquitto.log" && break
	[ "$i" = 100 ] && { echo "mosquitto_sub did not subscribe"; cat "$work/sub.out"; }
	sleep 0.1
done
check "sensorgw --once as the user sensorgw exits 0" \
	in_root runuser -u sensorgw -- env SENSORGW_SYSROOT=/tmp/t/sys \
	sensorgw --once --once-timeout 30s -c /etc/sensorgw/test.ini
check "the reading arrived: sensorgw/$host/cpu/temperature 48.3" \
	arrives "sensorgw/$host/cpu/temperature 48.3" "$work/sub.out"
check "the broker saw the user gw log in" grep -q "u'gw'" "$root/tmp/t/mosquitto.log"
check "the state directory is the service's: /var/lib/sensorgw/seq by sensorgw" \
	stat_is '%U' /var/lib/sensorgw/seq sensorgw
kill "$sub_pid" 2>/dev/null || true
wait "$sub_pid" 2>/dev/null || true
sub_pid=

phase "dpkg-reconfigure after the distribution made a hardware group"
in_root groupadd --system i2c
check "dpkg-reconfigure sensorgw succeeds" in_root dpkg-reconfigure sensorgw
check "sensorgw is now in i2c" user_in_group sensorgw i2c

phase "upgrade (reinstall) keeps the edited INI, the modes and the queue"
echo '; edited by the administrator' >>"$root/etc/sensorgw/sensorgw.ini"
mkdir -p "$root/var/lib/sensorgw/queue"
echo kept >"$root/var/lib/sensorgw/queue/marker"
check "apt reinstalls the package" \
	in_root apt-get install -y -q --reinstall "/tmp/t/$(basename "$deb")"
check "the edited INI is kept" grep -qx '; edited by the administrator' "$root/etc/sensorgw/sensorgw.ini"
check "its mode is still root:sensorgw 0640" \
	stat_is '%U:%G %a' /etc/sensorgw/sensorgw.ini 'root:sensorgw 640'
check "the queue is kept" grep -qx kept "$root/var/lib/sensorgw/queue/marker"

phase "apt purge sensorgw"
check "apt purges the package" in_root apt-get purge -y -q sensorgw
check "the program is gone" absent /usr/bin/sensorgw
check "the state directory (queue, seq) is gone" absent /var/lib/sensorgw
check "the shipped INI is gone" absent /etc/sensorgw/sensorgw.ini
check "the administrator's files in /etc/sensorgw stay" \
	present /etc/sensorgw/mqtt-password /etc/sensorgw/test.ini
check "no stat override is left" overrides 0
check "the unit's enablement is gone" absent /etc/systemd/system/multi-user.target.wants/sensorgw.service
check "the system user stays (Debian leaves system users)" in_root getent passwd sensorgw
check "dpkg no longer knows the package" not installed

phase "done"
printf '%d checks, %d failed\n' "$checks" "$fails"
[ "$fails" = 0 ]
