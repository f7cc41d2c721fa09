#!/bin/bash
# SPDX-License-Identifier: MIT
# profile = azure-iot-hub against tests/it/azure_broker.py, which checks
# the SAS token as Azure IoT Hub does: the CONNECT carries the device ID
# as client ID, the username with the API version and a valid token;
# readings, the status and the Last Will go to the device's events topic
# with their topic as a property, never retained; and before the token
# expires (sas_ttl = 1m, the least: renewed after 48 s) the uplink
# reconnects with a new token and goes on publishing, losing no reading.
. "${top_srcdir:?}/tests/it/lib.sh" || exit 99

command -v openssl >/dev/null || skip "openssl not installed"
(cd "$T" && exec 2>/dev/null &&
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout ca.key -out ca.crt -days 2 -subj /CN=sgw-test-ca &&
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout srv.key -out srv.csr -subj /CN=127.0.0.1 &&
	printf 'subjectAltName=IP:127.0.0.1\n' >srv.ext &&
	openssl x509 -req -in srv.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
		-out srv.crt -extfile srv.ext) || fail "openssl could not make the certificates"

key=$(head -c 32 /dev/urandom | base64)
(umask 077 && printf '%s\n' "$key" >"$T/device.key")
port=$(free_port)
release_port "$port"
/usr/bin/python3 "$top_srcdir/tests/it/azure_broker.py" "$port" "$T/srv.crt" "$T/srv.key" \
	"$key" "$T/hub.log" 2>>"$T/hub.err" &
track $!
wait_until 20 port_open "$port" || fail "azure_broker.py did not start"

cat >"$T/gw.ini" <<EOT
[gateway]
name = testgw
topic_prefix = t
state_dir = $T/state
clock = rtc
format = json

[mqtt hub]
profile = azure-iot-hub
uri = mqtts://127.0.0.1:$port
ca_file = $T/ca.crt
device_id = sgw-dev.1
sas_key_file = $T/device.key
sas_ttl = 1m
reconnect_min = 100ms
reconnect_max = 1s

[sensor s]
driver = sim
interval = 1s
EOT
events=devices/sgw-dev.1/messages/events/
start=$(date +%s)
gateway_start "$T/gw.ini"

connects() { grep -c '^connect ' "$T/hub.log"; }
connected_twice() { [ "$(connects)" -ge 2 ]; }
# readings_since N: at least two readings after line N of the hub's log.
readings_since() {
	[ "$(tail -n +$(($1 + 1)) "$T/hub.log" | grep -c "^publish ${events}topic=t%2Fs%2Ftemperature ")" -ge 2 ]
}
wait_until 30 grep -q "^publish ${events}topic=t%2Fs%2Ftemperature " "$T/hub.log" ||
	fail "no reading on the events topic: $(cat "$T/hub.log" "$T/hub.err" 2>/dev/null)"
first=$(grep -m1 '^connect ' "$T/hub.log")
want="connect sgw-dev.1 127.0.0.1/sgw-dev.1/?api-version=2021-04-12 token=ok"
case "$first" in
"$want se="*" sr=127.0.0.1/devices/sgw-dev.1 will=${events}topic=t%2Ftestgw%2Fstatus will_retain=0") ;;
*) fail "CONNECT: $first" ;;
esac
se1=$(echo "$first" | sed 's/.* se=\([0-9]*\) .*/\1/')
[ "$se1" -ge $((start + 60)) ] && [ "$se1" -le $(($(date +%s) + 60)) ] ||
	fail "the token expires at $se1, not 60 s after it was made (started at $start)"
grep -q "^publish ${events}topic=t%2Ftestgw%2Fstatus retain=0 online$" "$T/hub.log" ||
	fail "no \"online\" on the events topic"
grep -q '^publish .* retain=1 ' "$T/hub.log" && fail "a retained message"
grep -v '^publish devices/sgw-dev.1/messages/events/topic=' "$T/hub.log" | grep -q '^publish ' &&
	fail "a topic outside the events topic: $(grep '^publish ' "$T/hub.log" | grep -v "$events")"

# The renewal: 48 s after the connect, a DISCONNECT and a new token.
wait_until 90 connected_twice || fail "no reconnect to renew the token"
grep -q '^disconnect$' "$T/hub.log" || fail "the renewal did not DISCONNECT"
now=$(date +%s)
[ $((now - start)) -ge 45 ] || fail "renewed after $((now - start)) s, before 80% of sas_ttl"
second=$(grep '^connect ' "$T/hub.log" | sed -n 2p)
case "$second" in "$want se="*) ;; *) fail "CONNECT after the renewal: $second" ;; esac
se2=$(echo "$second" | sed 's/.* se=\([0-9]*\) .*/\1/')
[ "$se2" -ge $((se1 + 45)) ] || fail "the new token expires at $se2, the old one at $se1"
n=$(wc -l <"$T/hub.log")
wait_until 20 readings_since "$n" ||
	fail "no readings after the renewal"
grep -q 'disconnected from .*: the SAS token is renewed' "$T/gw.log" ||
	fail "the log does not say why the connection ended"
[ "$(connects)" -eq 2 ] || fail "$(connects) connects"
# No reading lost on the way: their sequence numbers have no gap.
gap=$(/usr/bin/python3 -c '
import json, sys
seqs = {json.loads(l.split(" ", 3)[3])["seq"] for l in open(sys.argv[1])
        if l.startswith("publish " + sys.argv[2])}
assert len(seqs) > 40
print(" ".join(str(n) for n in range(min(seqs), max(seqs) + 1) if n not in seqs))
' "$T/hub.log" "${events}topic=t%2Fs%2Ftemperature ") || fail "no sequence numbers"
[ -z "$gap" ] || fail "readings lost across the renewal: seq $gap"

gateway_stop
[ "$GW_STATUS" = 0 ] || fail "exit status $GW_STATUS"
echo ok
