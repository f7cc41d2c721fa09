#!/bin/bash
# SPDX-License-Identifier: MIT
# --once samples each sensor once, publishes, waits for the acks, exits 0;
# without a broker it gives up at --once-timeout and exits 1, its readings
# kept in the disk queue for the next run.
. "${top_srcdir:?}/tests/it/lib.sh" || exit 99

port=$(free_port)
{ ini_gateway "$port"; cat <<EOT

[sensor a]
driver = sim
quantities = temperature, pressure
interval = 1h

[sensor b]
driver = sim
quantities = humidity
interval = 1h
EOT
} >"$T/gw.ini"

# No broker yet: exit 1 after the timeout, with a message.
$TEST_EMULATOR "$SENSORGW" --once --once-timeout 2s -c "$T/gw.ini" 2>"$T/err1"
st=$?
[ $st = 1 ] || { cat "$T/err1" >&2; fail "--once without broker exited $st, expected 1"; }
grep -q 'gave up' "$T/err1" || fail "--once without broker did not say why"

broker_start "$port"
sub_start "$port" "$T/sub" 't/#'
$TEST_EMULATOR "$SENSORGW" --once -c "$T/gw.ini" 2>"$T/err2"
st=$?
[ $st = 0 ] || { cat "$T/err2" >&2; fail "--once exited $st"; }
# Acked means the broker has them.  The readings of the first run waited in
# the disk queue and go out first: each topic sees two, once each.
wait_until 10 has_at_least "$T/sub" t/b/humidity 2 || fail "humidity missing"
for t in t/a/temperature t/a/pressure t/b/humidity; do
	[ "$(count "$T/sub" $t)" = 2 ] || fail "$t: expected 2 messages (first run's, then this run's), got $(count "$T/sub" $t)"
done

# A failing sensor makes --once exit 1 too.
{ ini_gateway "$port"; printf '\n[sensor bad]\ndriver = sim\nfail = eio\ninterval = 1h\n'; } >"$T/bad.ini"
$TEST_EMULATOR "$SENSORGW" --once -c "$T/bad.ini" 2>"$T/err3"
st=$?
[ $st = 1 ] || fail "--once with a failing sensor exited $st"
grep -q 'Input/output error' "$T/err3" || fail "the sensor error was not logged"
echo ok
