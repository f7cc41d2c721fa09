#!/bin/bash
# SPDX-License-Identifier: MIT
# `alpn =` reaches the server in the TLS handshake.  openssl s_server stands
# in for a broker that picks its protocol by ALPN (AWS IoT Core takes MQTT
# on port 443 as "x-amzn-mqtt-ca") and prints the protocol it selected.
. "${top_srcdir:?}/tests/it/lib.sh" || exit 99

command -v openssl >/dev/null || skip "openssl not installed"
sh "$top_srcdir/tests/fixtures/pki.sh" "$T" || fail "openssl could not make the certificates"

port=$(free_port)
release_port "$port"
# s_server sends what it reads to the client and stops at the end of its
# input: a pipe that stays open and silent (fd 3 holds it).
mkfifo "$T/s_server.in"
exec 3<>"$T/s_server.in"
openssl s_server -accept "$port" -cert "$T/srv.crt" -key "$T/srv.key" -alpn x-sgw-test \
	<"$T/s_server.in" >"$T/s_server.out" 2>&1 &
track $!
wait_until 20 port_open "$port" || fail "s_server did not start"

cat >"$T/gw.ini" <<EOT
[gateway]
name = testgw
topic_prefix = t
state_dir = $T/state

[mqtt]
uri = mqtts://127.0.0.1:$port
client_id = sgwtest-$$-$RANDOM
ca_file = $T/ca.crt
alpn = x-sgw-test

[sensor s]
driver = sim
interval = 1s
EOT
gateway_start "$T/gw.ini"
wait_until 30 grep -a -q 'ALPN protocols selected: x-sgw-test' "$T/s_server.out" || {
	cat "$T/s_server.out" >&2
	fail "s_server did not select the protocol the uplink offered"
}
grep -a -q 'ALPN protocols advertised by the client: x-sgw-test$' "$T/s_server.out" ||
	fail "the uplink offered more than its alpn"
gateway_stop
[ "$GW_STATUS" = 0 ] || fail "exit status $GW_STATUS"
echo ok
