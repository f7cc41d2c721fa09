#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Stand in for the service manager's notification socket (sd_notify(3)).

Usage: notify_listen.py SOCKET OUTFILE

Binds a datagram socket at SOCKET (a path, or @NAME for the abstract
namespace) and writes a line per datagram to OUTFILE, flushed at once:

    KERNEL_TS MONO PID MESSAGE

KERNEL_TS is when the datagram reached the socket (the kernel's
timestamp, CLOCK_REALTIME, so that a listener slow to be scheduled does
not distort intervals), MONO is CLOCK_MONOTONIC when it was read, PID the
sender as the kernel vouches for it (as systemd learns it), and MESSAGE
the datagram with its newlines written as '|'.  Runs until killed.
"""
import socket
import struct
import sys
import time

SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)
UCRED = struct.Struct("iII")
TIMESPEC = struct.Struct("ll")

path, outfile = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
s.bind("\0" + path[1:] if path.startswith("@") else path)
out = open(outfile, "a", buffering=1)
out.write("0 %.6f 0 LISTENING\n" % time.monotonic())
while True:
    msg, anc, _, _ = s.recvmsg(8192, 256)
    mono = time.monotonic()
    pid, ts = 0, time.time()
    for level, kind, data in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
            pid = UCRED.unpack(data[:UCRED.size])[0]
        elif level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
            sec, nsec = TIMESPEC.unpack(data[:TIMESPEC.size])
            ts = sec + nsec / 1e9
    out.write("%.6f %.6f %d %s\n" % (ts, mono, pid, msg.decode("utf-8", "replace").replace("\n", "|")))
