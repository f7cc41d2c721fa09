#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Azure IoT Hub's side of a device's MQTT connection, for tests/it/azure.sh.

Usage: azure_broker.py PORT CERT KEY DEVICE_KEY LOG

Listens on 127.0.0.1:PORT with TLS (CERT, KEY) and speaks enough MQTT
3.1.1 for one device at a time: CONNACK, PUBACK, PINGRESP.  It checks
the password as IoT Hub would: a SAS token "SharedAccessSignature
sr=URI&sig=SIG&se=EXPIRY" whose SIG is the Base64 of HMAC-SHA256 of
"URI\\nEXPIRY" signed with DEVICE_KEY (Base64), and whose EXPIRY is
in the future.  LOG gets one line per event, flushed at once:
  connect CLIENT_ID USERNAME token=ok|bad se=EXPIRY sr=URI will=TOPIC will_retain=0|1
  publish TOPIC retain=0|1 PAYLOAD
  disconnect
Runs until killed.
"""
import base64
import hashlib
import hmac
import socket
import ssl
import struct
import sys
import time
import urllib.parse

port, cert, key, device_key, logpath = sys.argv[1:6]
device_key = base64.b64decode(device_key)
log = open(logpath, "a", buffering=1)


def read_exact(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise EOFError
        b += c
    return b


def read_packet(s):
    h = read_exact(s, 1)[0]
    n, mult = 0, 1
    while True:
        d = read_exact(s, 1)[0]
        n += (d & 127) * mult
        mult *= 128
        if not d & 128:
            break
    return h, read_exact(s, n) if n else b""


def string(b, i):
    n = struct.unpack(">H", b[i:i + 2])[0]
    return b[i + 2:i + 2 + n].decode(), i + 2 + n


def check_token(token):
    """(ok, se, sr) of a SAS token."""
    if not token.startswith("SharedAccessSignature "):
        return False, "-", "-"
    fields = dict(f.split("=", 1) for f in token[len("SharedAccessSignature "):].split("&"))
    sr, se = fields.get("sr", "-"), fields.get("se", "-")
    want = base64.b64encode(hmac.new(device_key, ("%s\n%s" % (sr, se)).encode(),
                                     hashlib.sha256).digest()).decode()
    sig = urllib.parse.unquote(fields.get("sig", ""))
    ok = hmac.compare_digest(sig, want) and se.isdigit() and int(se) > time.time()
    return ok, se, urllib.parse.unquote(sr)


def connect(body):
    proto, i = string(body, 0)
    flags = body[i + 1]
    i += 4
    client_id, i = string(body, i)
    will, will_retain, user, password = "-", 0, "-", ""
    if flags & 0x04:
        will, i = string(body, i)
        _, i = string(body, i)
        will_retain = 1 if flags & 0x20 else 0
    if flags & 0x80:
        user, i = string(body, i)
    if flags & 0x40:
        password, i = string(body, i)
    ok, se, sr = check_token(password)
    log.write("connect %s %s token=%s se=%s sr=%s will=%s will_retain=%d\n" % (
        client_id, user, "ok" if ok else "bad", se, sr, will, will_retain))
    return ok


def serve(s):
    h, body = read_packet(s)
    if h >> 4 != 1:
        return
    s.sendall(bytes([0x20, 2, 0, 0 if connect(body) else 5]))
    while True:
        h, body = read_packet(s)
        kind = h >> 4
        if kind == 3:
            qos = (h >> 1) & 3
            topic, i = string(body, 0)
            if qos:
                pid = body[i:i + 2]
                i += 2
                s.sendall(bytes([0x40, 2]) + pid)
            log.write("publish %s retain=%d %s\n" % (topic, h & 1, body[i:].decode(errors="replace")))
        elif kind == 12:
            s.sendall(bytes([0xD0, 0]))
        elif kind == 14:
            log.write("disconnect\n")
            return


ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", int(port)))
ls.listen(8)
while True:
    c, _ = ls.accept()
    try:
        with ctx.wrap_socket(c, server_side=True) as t:
            serve(t)
    except (EOFError, OSError, ssl.SSLError):
        pass
    finally:
        c.close()
