#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A broker that misbehaves, for tests/it/rogue_broker.sh.

Usage: rogue_broker.py PORT MODE_FILE LOG

Listens on 127.0.0.1:PORT.  Each connection is read up to the client's
CONNECT, then treated as MODE_FILE says (read at each accept; when it
changes, the connections of the old mode are reset):

  close          closed at once, before the CONNECT is read
  stall          half a CONNACK (2 of its 4 bytes), then nothing
  bad-length     a CONNACK, then a packet whose remaining length runs
                 past the 4 bytes MQTT allows
  short-puback   a CONNACK, then for the first PUBLISH a PUBACK of
                 remaining length 1 (too short to name a message)
  unknown-type   a CONNACK, then a packet of the reserved type 0 (which
                 MQTT clients may ignore), then the end of what it sends
  huge           a CONNACK, then a PUBLISH announcing 256 MB (remaining
                 length 268435455) of which 1 KiB follows, then silence
  no-puback      a CONNACK and PINGRESPs, never a PUBACK

After its misbehaviour a connection is read (and what arrives dropped) until
the client closes it.  LOG gets one line per event, flushed at once:
"<unix time> listen", "<unix time> accept <mode> <client id>" (client id "-"
when it was not read), "<unix time> publish <mode> <client id> <topic>".
Runs until killed.
"""
import socket
import socketserver
import struct
import sys
import threading
import time

port, mode_file, logpath = int(sys.argv[1]), sys.argv[2], sys.argv[3]
MODES = ("close", "stall", "bad-length", "short-puback", "unknown-type", "huge", "no-puback")
log_lock = threading.Lock()
log = open(logpath, "a", buffering=1)
conns_lock = threading.Lock()
conns = {}      # socket -> the mode it is served in


def current_mode():
    m = open(mode_file).read().strip()
    if m not in MODES:
        sys.exit("rogue_broker.py: unknown mode %s (%s)" % (m, ", ".join(MODES)))
    return m


def watch_mode():
    """Reset the connections of a mode once the file names another.

    A reset, not a FIN: a client in the middle of reading a packet (the
    256 MB one) may wait for the rest of it rather than for the end of the
    stream, until its keepalive runs out.  The shutdown wakes the handler's
    recv(); its close() then sends the reset.
    """
    while True:
        time.sleep(0.05)
        m = current_mode()
        with conns_lock:
            for c, cm in list(conns.items()):
                if cm != m:
                    try:
                        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                     struct.pack("ii", 1, 0))
                        c.shutdown(socket.SHUT_RD)
                    except OSError:
                        pass
                    del conns[c]


def note(*words):
    with log_lock:
        log.write("%.3f %s\n" % (time.time(), " ".join(words)))


class Closed(Exception):
    pass


def read_exact(sock, n):
    buf = b""
    while len(buf) < n:
        b = sock.recv(n - len(buf))
        if not b:
            raise Closed()
        buf += b
    return buf


def read_packet(sock):
    """One MQTT packet: (first byte, body)."""
    first = read_exact(sock, 1)[0]
    length, shift = 0, 0
    while True:
        b = read_exact(sock, 1)[0]
        length |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            break
        if shift > 21:
            raise Closed()
    return first, read_exact(sock, length)


def utf8_string(body, off):
    n = body[off] << 8 | body[off + 1]
    return body[off + 2:off + 2 + n].decode("utf-8", "replace"), off + 2 + n


def client_id(body):
    """The client identifier of a CONNECT body (MQTT 3.1.1 or 5)."""
    _, off = utf8_string(body, 0)       # protocol name
    level = body[off]
    off += 4                            # level, flags, keepalive
    if level == 5:                      # properties: a variable byte integer, then them
        n, shift = 0, 0
        while True:
            b = body[off]
            off += 1
            n |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                break
        off += n
    return utf8_string(body, off)[0], level


def connack(level):
    return bytes([0x20, 3, 0, 0, 0]) if level == 5 else bytes([0x20, 2, 0, 0])


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        s = self.request
        mode = current_mode()
        if mode == "close":
            note("accept", mode, "-")
            return
        with conns_lock:
            conns[s] = mode
        try:
            self.serve(s, mode)
        finally:
            with conns_lock:
                conns.pop(s, None)

    def serve(self, s, mode):
        try:
            first, body = read_packet(s)
            if first >> 4 != 1:
                return
            cid, level = client_id(body)
            note("accept", mode, cid)
            if mode == "stall":
                s.sendall(connack(level)[:2])
            else:
                s.sendall(connack(level))
            if mode == "bad-length":
                s.sendall(bytes([0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]))
            elif mode == "unknown-type":
                # A FIN, not a close(): with the client's status PUBLISH
                # unread, close() would reset the connection, and the
                # client might never read the packet.
                s.sendall(bytes([0x00, 0x00]))
                s.shutdown(socket.SHUT_WR)
            elif mode == "huge":
                s.sendall(bytes([0x30, 0xFF, 0xFF, 0xFF, 0x7F]) + bytes([0, 3]) + b"a/b" +
                          bytes(1019))
            acked = False
            while True:
                first, body = read_packet(s)
                kind = first >> 4
                if kind == 3:           # PUBLISH
                    topic, _ = utf8_string(body, 0)
                    note("publish", mode, cid, topic)
                    if mode == "short-puback" and not acked:
                        s.sendall(bytes([0x40, 0x01, 0x00]))
                        acked = True
                elif kind == 12 and mode == "no-puback":     # PINGREQ
                    s.sendall(bytes([0xD0, 0x00]))
                elif kind == 14:        # DISCONNECT
                    return
        except (Closed, OSError, IndexError):
            return


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True

    def shutdown_request(self, request):
        # A connection to be reset gets no FIN first.
        if request.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 8) == struct.pack("ii", 1, 0):
            self.close_request(request)
        else:
            super().shutdown_request(request)


current_mode()
srv = Server(("127.0.0.1", port), Handler)
threading.Thread(target=watch_mode, daemon=True).start()
note("listen")
srv.serve_forever()
