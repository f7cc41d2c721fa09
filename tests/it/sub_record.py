#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Record every message of a topic filter, across broker restarts.

Usage: sub_record.py PORT CLIENT_ID TOPIC OUTFILE

A persistent session (clean_session False, QoS 1) with quick reconnects, so
that nothing published while it was away is missed.  Each message becomes a
line "arrival_time topic payload" in OUTFILE, flushed at once.  Runs until
killed.
"""
import sys
import time

import paho.mqtt.client as mqtt

port, client_id, topic, outfile = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
out = open(outfile, "a", buffering=1)


def on_connect(client, userdata, flags, rc, properties=None):
    # paho-mqtt 1.x passes four arguments, 2.x (callback API 2) five
    client.subscribe([(topic, 1), ("sgwtest/probe", 1)])


def on_message(client, userdata, msg):
    out.write("%.6f %s %s\n" % (time.time(), msg.topic, msg.payload.decode("utf-8", "replace")))


if hasattr(mqtt, "CallbackAPIVersion"):
    # paho-mqtt 2.x (Debian trixie) wants the callback API named
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=False)
else:
    # paho-mqtt 1.x (bookworm)
    c = mqtt.Client(client_id=client_id, clean_session=False)
c.on_connect = on_connect
c.on_message = on_message
c.reconnect_delay_set(min_delay=1, max_delay=1)
while True:
    try:
        c.connect("127.0.0.1", port, keepalive=10)
        break
    except OSError:
        time.sleep(0.1)
c.loop_forever(retry_first_connection=True)
