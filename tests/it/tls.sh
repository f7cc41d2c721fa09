#!/bin/bash
# SPDX-License-Identifier: MIT
# TLS end to end, against a mosquitto TLS listener that wants a client
# certificate and a password, with certificates made by openssl here
# (tests/fixtures/pki.sh).  The right CA, client certificate and password
# connect and deliver.  A wrong CA, an expired server certificate, a server
# certificate for another host, a missing client certificate and a wrong
# password are each refused, and the gateway says why in one warning at the
# default log level.  (tests/mqtt/check_connect_fail.c proves the reasons
# for both MQTT versions at the uplink; this proves what a user reads.)
. "${top_srcdir:?}/tests/it/lib.sh" || exit 99

command -v openssl >/dev/null || skip "openssl not installed"
command -v mosquitto_passwd >/dev/null || skip "mosquitto_passwd not installed"
P=$T/pki
mkdir "$P" && sh "$top_srcdir/tests/fixtures/pki.sh" "$P" || fail "openssl could not make the certificates"
mosquitto_passwd -c -b "$T/passwd" gw right || fail "mosquitto_passwd"
(umask 077 && echo right >"$T/right.password" && echo wrong >"$T/wrong.password")
port=$(free_port)

# tls_broker CERT: the broker with server certificate CERT (pki.sh's names).
# As root mosquitto would become user "mosquitto", who cannot read $T.
tls_broker() {
	BROKER_CONF=$(printf '%s\n' "cafile $P/ca.crt" "certfile $P/$1.crt" "keyfile $P/srv.key" \
		"require_certificate true" "allow_anonymous false" "password_file $T/passwd" \
		"user $(id -un)")
	broker_start "$port"
}

# ini CA CLIENT PASSWORD: the gateway trusting CA (pki.sh's name), with the
# client certificate when CLIENT is "client", logging in with PASSWORD.
ini() {
	cat <<EOT
[gateway]
name = testgw
topic_prefix = t
state_dir = $T/state

[mqtt]
uri = mqtts://127.0.0.1:$port
client_id = sgwtest-$$-$RANDOM
ca_file = $P/$1.crt
username = gw
password_file = $T/$3.password
reconnect_min = 100ms
reconnect_max = 1s
EOT
	[ "$2" = client ] && printf 'cert_file = %s\nkey_file = %s\n' "$P/client.crt" "$P/client.key"
	printf '\n[sensor s]\ndriver = sim\ninterval = 200ms\n'
}

# The right everything: readings arrive, read by a subscriber over TLS too.
tls_broker srv
ini ca client right >"$T/gw.ini"
gateway_start "$T/gw.ini"
timeout $((60 * SLOW)) mosquitto_sub -h 127.0.0.1 -p "$port" --cafile "$P/ca.crt" \
	--cert "$P/client.crt" --key "$P/client.key" -u gw -P right -q 1 -t 't/s/#' \
	-C 3 -v >"$T/good.sub" 2>"$T/good.err" || { cat "$T/good.err" >&2; fail "no readings over TLS"; }
note "$(head -n 1 "$T/good.sub")"
grep -q '\[mqtt default\] cannot connect' "$T/gw.log" && fail "a failure logged with the right certificates"
gateway_stop
[ "$GW_STATUS" = 0 ] || fail "exit status $GW_STATUS"

# refused CASE WORDS...: the gateway with "$T/gw.ini" is refused, and says so
# once at the default level (no debug lines), with each of WORDS in the line.
refused() {
	local case=$1 line w; shift
	: >"$T/gw.log"
	gateway_start "$T/gw.ini"
	# It retries every 100 ms to 1 s: a second of retries makes "once" mean something.
	wait_until 60 grep -q "\[mqtt default\] cannot connect to ssl://127.0.0.1:$port: " "$T/gw.log" ||
		fail "$case: no warning"
	sleep 1
	gateway_stop
	[ "$GW_STATUS" = 0 ] || fail "$case: exit status $GW_STATUS"
	line=$(grep "\[mqtt default\] cannot connect to ssl://127.0.0.1:$port: " "$T/gw.log")
	[ "$(echo "$line" | wc -l)" = 1 ] || fail "$case: the refusal was said more than once: $line"
	case $line in "<4>"*) ;; *) fail "$case: not a warning: $line" ;; esac
	for w in "$@"; do
		case $line in *"$w"*) ;; *) fail "$case: \"$w\" is not in: $line" ;; esac
	done
	! grep -q '^<7>' "$T/gw.log" || fail "$case: debug lines at the default level"
	grep -q '\[mqtt default\] connected' "$T/gw.log" && fail "$case: connected"
	note "$case: ${line#*: }"
}

ini other client right >"$T/gw.ini"
refused "wrong CA" "TLS" "certificate verify failed" "unknown CA"
ini ca none right >"$T/gw.ini"
refused "no client certificate" "TLS" "client certificate"
ini ca client wrong >"$T/gw.ini"
refused "wrong password" "refused by the broker: not authorized (return code 5)"
broker_stop
tls_broker expired
ini ca client right >"$T/gw.ini"
refused "expired server certificate" "TLS" "certificate verify failed" "expired"
broker_stop
tls_broker wrong_host
refused "server certificate for another host" "TLS" "not valid for the host name 127.0.0.1"
broker_stop
echo ok
