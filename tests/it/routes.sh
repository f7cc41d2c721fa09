#!/bin/bash
# SPDX-License-Identifier: MIT
# Per-uplink routing ([mqtt NAME] sensors): the house broker carries every
# sensor, the cloud broker two of four.  Each gets exactly its sensors'
# readings, in order; while the cloud broker is away the house keeps
# getting live readings without delay; when it is back the cloud gets its
# backlog, the same readings the house saw of those two sensors.
. "${top_srcdir:?}/tests/it/lib.sh" || exit 99

p1=$(free_port)
p2=$(free_port)
BROKER_PERSIST=1
broker_start "$p1"
psub_start "$p1" "sgwtest-house-$$" "$T/house" 't/#'
broker_start "$p2"; B2=$BROKER_PID
psub_start "$p2" "sgwtest-cloud-$$" "$T/cloud" 't/#'
{ ini_gateway "$p1"
  printf '\n[mqtt cloud]\nuri = mqtt://127.0.0.1:%s\nclient_id = sgwtest-cloud-gw-%s\nqos = 1\n' "$p2" "$$"
  printf 'reconnect_min = 100ms\nreconnect_max = 1s\nsensors = s2, s3\n'
  for i in 0 1 2 3; do printf '\n[sensor s%d]\ndriver = sim\ninterval = 100ms\nformat = json\n' "$i"; done
} >"$T/gw.ini"
gateway_start "$T/gw.ini"
wait_until 30 has_at_least "$T/cloud" t/s2/temperature 10 || fail "cloud got nothing"
BROKER_PID=$B2 BROKER_PORT=$p2 broker_stop
away=$(date +%s%3N)
before=$(count "$T/house" t/s0/temperature)
wait_until 30 has_at_least "$T/house" t/s0/temperature $((before + 30)) || fail "house stalled while the cloud was away"
back=$(date +%s%3N)
BROKER_PID=$B2; broker_start "$p2"
sleep 3	# the cloud's backlog, then live traffic to both again
gateway_stop
[ "$GW_STATUS" = 0 ] || fail "exit status $GW_STATUS"

/usr/bin/python3 - "$T/house" "$T/cloud" "$away" "$back" $((3000 * SLOW)) <<'PY' || fail "routing"
import os, sys
sys.path.insert(0, os.environ["top_srcdir"] + "/tests/it")
from two_brokers import readings, check_split, check_live

house, cloud = readings(sys.argv[1]), readings(sys.argv[2])
away, back, limit = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
check_split(house, cloud)
# Live while the cloud was away: sampled then, arrived within 3 s (more
# under an emulator).
check_live(house, away, back, limit, 60)
PY
echo ok
