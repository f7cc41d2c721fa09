#!/bin/bash
# SPDX-License-Identifier: MIT
# Actuators end to end on the sim chip, whose output changes the daemon
# appends to a trace file ("<ns> <offset> <level>"): commands through MQTT
# applied and their state echoed retained; a pulse that ends by itself; a
# cover's change of direction through the dead time; a refused command
# answered on <topic>/error with the line untouched; commands through an
# uplink without commands = yes and a retained command from before the
# start ignored; commands again after a broker restart and after a
# reload; the safe state on a reload and on SIGTERM; and after kill -9, a
# start that applies the safe state first.
. "${top_srcdir:?}/tests/it/lib.sh" || exit 99

port=$(free_port)
port2=$(free_port)
broker_start "$port2"
broker_start "$port"

# fan: line 2, safe on, initial off.  bell: line 3, a pulse of 1 s.
# blind: up 5, down 6, 700 ms dead time, 2 s travel.
write_ini() {
	ini_gateway "$port"
	cat <<EOT
commands = yes

[mqtt other]
uri = mqtt://127.0.0.1:$port2
client_id = sgwtest-other-$$-$RANDOM
qos = 1
reconnect_min = 100ms
reconnect_max = 1s

[sensor env]
driver = sim
interval = 1s

[actuator fan]
driver = gpio_output
chip = sim
line = 2
safe = on
initial = off

[actuator bell]
driver = gpio_output
chip = sim
line = 3
pulse = 1s

[actuator blind]
driver = cover
chip = sim
line_up = 5
line_down = 6
dead_time = 700ms
travel_time = 2s
EOT
}
write_ini >"$T/gw.ini"
export SENSORGW_GPIO_SIM_TRACE="$T/trace"
: >"$T/trace"

pub() { mosquitto_pub -h 127.0.0.1 -p "${3:-$port}" -q 1 -t "t/testgw/$1/set" -m "$2"; }
# obey NAME PAYLOAD CHECK...: send the command again until CHECK holds.  A
# command sent before the (re)connected uplink's subscription is granted is
# lost; these commands change nothing when repeated.
obey() {
	local name=$1 payload=$2; shift 2
	wait_until 30 eval "pub $name $payload; sleep 0.3; $*"
}
# The levels line OFFSET went through, from the trace's line FROM on (1: all).
levels() { tail -n +"${2:-1}" "$T/trace" | awk -v o="$1" '$2 == o { printf "%s", $3 }'; }
levels_are() { [ "$(levels "$1" "${3:-1}")" = "$2" ]; }
lines() { wc -l <"$T/trace"; }
# What a new subscriber gets on TOPIC: "<retained flag> <payload>".
retained() { mosquitto_sub -h 127.0.0.1 -p "$port" -t "$1" -C 1 -W 3 -F '%r %p' 2>/dev/null; }
retained_is() { [ "$(retained "$1")" = "$2" ]; }
# The stamp (ns) of the Nth change of line OFFSET.
stamp() { awk -v o="$1" -v n="$2" '$2 == o && ++k == n { print $1 }' "$T/trace"; }

# A command the broker kept from before the start is not obeyed.
mosquitto_pub -h 127.0.0.1 -p "$port" -q 1 -r -t t/testgw/fan/set -m ON

sub_start "$port" "$T/sub" 't/testgw/#'
gateway_start "$T/gw.ini"
wait_until 30 grep -q 'started:' "$T/gw.log" || fail "gateway did not start"
# The start: the safe state (fan on), then the initial one (off).
wait_until 20 levels_are 2 10 || fail "fan at start: $(levels 2), want 10"
wait_until 20 retained_is t/testgw/fan "1 OFF" || fail "fan state: $(retained t/testgw/fan)"
wait_until 20 retained_is t/testgw/blind "1 stopped" || fail "blind state: $(retained t/testgw/blind)"
wait_until 20 grep -q 'retained command on t/testgw/fan/set ignored' "$T/gw.log" ||
	fail "retained command not said to be ignored"
levels_are 2 10 || fail "the retained command was obeyed: $(levels 2)"
# Clearing it reaches the daemon as an empty message: no command, no error.
mosquitto_pub -h 127.0.0.1 -p "$port" -q 1 -r -t t/testgw/fan/set -n

# ON and OFF, applied and echoed retained.
obey fan ON levels_are 2 101 || fail "fan ON: $(levels 2)"
wait_until 20 retained_is t/testgw/fan "1 ON" || fail "fan ON state: $(retained t/testgw/fan)"
pub fan OFF
wait_until 20 levels_are 2 1010 || fail "fan OFF: $(levels 2)"
wait_until 20 retained_is t/testgw/fan "1 OFF" || fail "fan OFF state: $(retained t/testgw/fan)"

# A pulse: on, and off by itself about 1 s later.
pub bell ON
wait_until 20 levels_are 3 10 || fail "bell pulse: $(levels 3)"
width=$(( $(stamp 3 2) - $(stamp 3 1) ))
[ "$width" -ge 990000000 ] && [ "$width" -le $(( (1000 + 3000 * SLOW) * 1000000 )) ] ||
	fail "pulse of $width ns, want about 1 s"
wait_until 20 retained_is t/testgw/bell "1 OFF" || fail "bell state after the pulse"

# The cover: up, then down through 700 ms with both lines off.
pub blind OPEN
wait_until 20 levels_are 5 1 || fail "blind OPEN: $(levels 5)"
wait_until 20 retained_is t/testgw/blind "1 opening" || fail "blind opening: $(retained t/testgw/blind)"
pub blind CLOSE
wait_until 20 levels_are 6 1 || fail "blind CLOSE: up $(levels 5), down $(levels 6)"
levels_are 5 10 || fail "up line during CLOSE: $(levels 5)"
# The up line's off is stamped just after the command's time, the dead time counted from it.
gap=$(( $(stamp 6 1) - $(stamp 5 2) ))
[ "$gap" -ge 695000000 ] || fail "dead time of $gap ns, want 700 ms"
wait_until 20 levels_are 6 10 || fail "the run did not end: $(levels 6)"
wait_until 20 retained_is t/testgw/blind "1 closed" || fail "blind closed: $(retained t/testgw/blind)"
wait_until 20 retained_is t/testgw/blind/position "1 0" || fail "blind position: $(retained t/testgw/blind/position)"

# A bad payload: an error message, not retained, and no line changes.
before=$(lines)
pub fan BLAH
wait_until 20 grep -q '^[^ ]* t/testgw/fan/error .*BLAH' "$T/sub" || fail "no error message"
[ "$(count "$T/sub" t/testgw/fan/error)" = 1 ] || fail "more errors than the bad payload's"
grep -q "\[actuator fan\] command from \[mqtt default\] refused" "$T/gw.log" || fail "refusal not logged"
[ -z "$(retained t/testgw/fan/error)" ] || fail "the error message is retained"
[ "$(lines)" = "$before" ] || fail "a bad payload changed a line: $(tail -n +$((before + 1)) "$T/trace")"

# Through the uplink without commands = yes: ignored.
wait_until 20 grep -q '\[mqtt other\] connected' "$T/gw.log" || fail "other uplink not connected"
pub fan ON "$port2"
sleep $(( 2 * SLOW ))
[ "$(lines)" = "$before" ] || fail "a command through [mqtt other] was obeyed"

# A broker restart: subscribed again, commands obeyed, states published again.
sub_stop
broker_stop
broker_start "$port"
wait_until 30 eval '[ "$(grep -c "\[mqtt default\] connected" "$T/gw.log")" -ge 2 ]' ||
	fail "no reconnect"
wait_until 20 retained_is t/testgw/fan "1 OFF" || fail "state not published again on reconnect"
obey fan ON levels_are 2 10101 || fail "no command after the restart: $(levels 2)"
pub fan OFF
wait_until 20 levels_are 2 101010 || fail "fan OFF after the restart: $(levels 2)"

# A reload closes and opens the actuators: safe (fan on), then initial (off).
kill -HUP "$GW_PID"
wait_until 30 grep -q 'configuration reloaded' "$T/gw.log" || fail "no reload"
wait_until 20 levels_are 2 10101010 || fail "fan through the reload: $(levels 2)"

# SIGTERM while the blind runs: everything safe (fan on, blind stopped) before the end.
obey blind OPEN levels_are 5 101 || fail "blind OPEN after the reload: $(levels 5)"
gateway_stop
[ "$GW_STATUS" = 0 ] || fail "exit status $GW_STATUS"
levels_are 2 101010101 || fail "fan not safe on SIGTERM: $(levels 2)"
levels_are 5 1010 || fail "blind not stopped on SIGTERM: $(levels 5)"
levels_are 3 10 || fail "bell changed on SIGTERM: $(levels 3)"

# kill -9 leaves the lines as they were; the next start makes them safe, then initial.
from=$(( $(lines) + 1 ))
gateway_start "$T/gw.ini"
wait_until 30 eval '[ "$(grep -c "started:" "$T/gw.log")" -ge 2 ]' || fail "no second start"
obey fan ON levels_are 2 101 "$from" || fail "fan ON before kill -9: $(levels 2 "$from")"
kill -KILL "$GW_PID"
wait "$GW_PID" 2>/dev/null
untrack "$GW_PID"
from=$(( $(lines) + 1 ))
gateway_start "$T/gw.ini"
wait_until 30 eval '[ "$(grep -c "started:" "$T/gw.log")" -ge 3 ]' || fail "no start after kill -9"
wait_until 20 levels_are 2 10 "$from" || fail "fan after kill -9: $(levels 2 "$from"), want 10"
gateway_stop
exit 0
