#!/bin/bash
# SPDX-License-Identifier: MIT
# The clock in a real process.  With [gateway] clock = ntp (the default) the
# gateway takes the kernel's word (adjtimex(2)) on whether a time daemon has
# synchronised the clock: not yet (as on many a test VM), it says so at the
# start, and a reading sent at once says "sync":false; synchronised,
# neither.  With clock = rtc, never.
. "${top_srcdir:?}/tests/it/lib.sh" || exit 99

# 1 when the kernel's clock is synchronised by util/clock.h's rule, else 0.
kernel_synced() {
	/usr/bin/python3 -c '
import ctypes, struct, sys
buf = ctypes.create_string_buffer(512)     # a 64-bit struct timex, modes = 0: read only
if ctypes.CDLL(None, use_errno=True).adjtimex(buf) < 0:
    sys.exit(1)
maxerror, = struct.unpack_from("l", buf, 24)
status, = struct.unpack_from("i", buf, 40)
print(1 if not status & 0x40 or maxerror < 16000000 else 0)
'
}

# keys PAYLOAD KEY...: the JSON object PAYLOAD has exactly these keys, in
# this order, and "sync", if among them, is false.
keys() {
	/usr/bin/python3 -c '
import json, sys
r = json.loads(sys.argv[1])
assert list(r) == sys.argv[2:] and r.get("sync", False) is False, r
' "$@"
}

port=$(free_port)
broker_start "$port"
sub_start "$port" "$T/sub" 't/#'
sensor=$(printf '\n[sensor a]\ndriver = sim\nquantities = temperature\nformat = json\ninterval = 1h\n')
{ ini_gateway "$port" | sed '/^clock = /d'; echo "$sensor"; } >"$T/ntp.ini"
{ ini_gateway "$port"; echo "$sensor"; } >"$T/rtc.ini"

before=$(kernel_synced) || skip "adjtimex(2) cannot be read here"
$TEST_EMULATOR "$SENSORGW" --once -c "$T/ntp.ini" 2>"$T/ntp.log" ||
	{ cat "$T/ntp.log" >&2; fail "--once failed"; }
after=$(kernel_synced)
[ "$before" = "$after" ] || skip "the clock was synchronised during the test"
wait_until 10 has_at_least "$T/sub" t/a/temperature 1 || fail "no reading"
payload=$(last_payload "$T/sub" t/a/temperature)
note "kernel clock synchronised: $after; payload $payload"
if [ "$after" = 0 ]; then
	grep -q '<6>clock not synchronised yet' "$T/ntp.log" ||
		fail "no word of the unsynchronised clock"
	keys "$payload" value unit ts seq sync || fail "reading not marked \"sync\":false: $payload"
else
	! grep -q 'clock not synchronised' "$T/ntp.log" || fail "said the clock is not synchronised"
	keys "$payload" value unit ts seq || fail "reading marked: $payload"
fi

$TEST_EMULATOR "$SENSORGW" --once -c "$T/rtc.ini" 2>"$T/rtc.log" ||
	{ cat "$T/rtc.log" >&2; fail "--once failed with clock = rtc"; }
wait_until 10 has_at_least "$T/sub" t/a/temperature 2 || fail "no reading with clock = rtc"
payload=$(last_payload "$T/sub" t/a/temperature)
! grep -q 'clock.*synchronised' "$T/rtc.log" || fail "clock = rtc: the log speaks of the clock"
keys "$payload" value unit ts seq || fail "clock = rtc: reading marked: $payload"
echo ok
