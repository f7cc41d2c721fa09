#!/bin/bash
# SPDX-License-Identifier: MIT
# A password or TLS key file that every user can read: `sensorgw -n` and the
# start both warn, naming the file, its mode and the fix (the start as a
# <4> warning in the log), and the gateway runs all the same.  A FIFO given
# as either file is refused at once, never waited on.
. "${top_srcdir:?}/tests/it/lib.sh" || exit 99

port=$(free_port)
printf 'secret\n' >"$T/password"
printf -- '-----BEGIN PRIVATE KEY-----\n' >"$T/client.key"
printf -- '-----BEGIN CERTIFICATE-----\n' >"$T/client.crt"
chmod 0644 "$T/password" "$T/client.crt"
chmod 0600 "$T/client.key"
# secrets_ini PASSWORD KEY: password_file on line 14, key_file on line 21.
secrets_ini() {
	ini_gateway "$port"
	printf 'username = u\npassword_file = %s\n' "$1"
	printf '\n[mqtt tls]\nuri = mqtts://127.0.0.1:%s\nclient_id = sgwtest-tls-%s\n' "$(free_port)" "$$"
	printf 'reconnect_min = 100ms\ncert_file = %s\nkey_file = %s\n' "$T/client.crt" "$2"
	printf '\n[sensor one]\ndriver = sim\ninterval = 1s\n'
}
secrets_ini "$T/password" "$T/client.key" >"$T/gw.ini"
grep -n "password_file" "$T/gw.ini" | grep -q "^14:" || fail "password_file is not on line 14"
grep -n "key_file" "$T/gw.ini" | grep -q '^21:' || fail "key_file is not on line 21"

# -n: the warning on stderr, the count on stdout, exit 0.
out=$($TEST_EMULATOR "$SENSORGW" -n -c "$T/gw.ini" 2>"$T/err") || { cat "$T/err" >&2; fail "-n refused it"; }
[ "$out" = "configuration OK, 1 warning" ] || fail "-n printed '$out'"
grep -qF "$T/gw.ini:14: warning: [mqtt] password_file: \"$T/password\" is readable by every user (mode 0644)" "$T/err" ||
	{ cat "$T/err" >&2; fail "-n: no warning naming the password file and its mode"; }
grep -q 'chmod 0640 and chown root:sensorgw' "$T/err" || fail "-n: the warning does not say what to do"
grep -q 'key_file' "$T/err" && fail "-n: a private key file was warned about"

# The key readable by all as well: two warnings.
chmod 0644 "$T/client.key"
out=$($TEST_EMULATOR "$SENSORGW" -n -c "$T/gw.ini" 2>"$T/err") || fail "-n refused it"
[ "$out" = "configuration OK, 2 warnings" ] || fail "-n printed '$out'"
grep -qF "$T/gw.ini:21: warning: [mqtt tls] key_file: \"$T/client.key\" is readable by every user (mode 0644)" "$T/err" ||
	{ cat "$T/err" >&2; fail "-n: no warning naming the key file"; }

# The start: the same warnings, at the log's warning level, and it runs.
gateway_start "$T/gw.ini"
wait_until 30 grep -q '<6>started:' "$T/gw.log" || fail "did not start"
grep -qF "<4>$T/gw.ini:14: warning: [mqtt] password_file" "$T/gw.log" || fail "start: no <4> warning for the password file"
grep -qF "<4>$T/gw.ini:21: warning: [mqtt tls] key_file" "$T/gw.log" || fail "start: no <4> warning for the key file"
gateway_stop
[ "$GW_STATUS" = 0 ] || fail "exit status $GW_STATUS"

# A FIFO (nobody writes to it) as either file: refused at once, exit 78.
mkfifo "$T/fifo"
for which in password key; do
	if [ $which = password ]; then secrets_ini "$T/fifo" "$T/client.key"; line=14
	else secrets_ini "$T/password" "$T/fifo"; line=21; fi >"$T/fifo.ini"
	timeout $((20 * SLOW)) $TEST_EMULATOR "$SENSORGW" -n -c "$T/fifo.ini" >"$T/out" 2>"$T/err"
	st=$?
	[ $st = 124 ] && fail "$which file: -n hung on a FIFO"
	[ $st = 78 ] || { cat "$T/err" >&2; fail "$which file: exit $st, expected 78"; }
	grep -qF "$T/fifo.ini:$line: " "$T/err" && grep -qF "\"$T/fifo\": it is a FIFO, not a regular file" "$T/err" ||
		{ cat "$T/err" >&2; fail "$which file: no FILE:LINE error saying it is a FIFO"; }
done
echo ok
