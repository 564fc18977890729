#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""smtp_latency.py - per-message latency, one message at a time.

usage: smtp_latency.py HOST PORT COUNT FILE FROM TO HELO

COUNT times, one after the other: connect to HOST:PORT, HELO, MAIL, RCPT,
DATA, the message in FILE (LF or CRLF line ends; sent with CRLF and
dot-stuffed) and QUIT, as smtp-source does, timed from connect to the
250 after the final dot.  Prints the median in milliseconds.  Timing
in one process leaves process start-up (tens of ms for smtp-source on a
busy machine) out of the figure.
"""
import socket
import sys
import time

host, port, count, path, mfrom, rcpt, helo = sys.argv[1:8]
port, count = int(port), int(count)
with open(path, "rb") as f:
    lines = f.read().replace(b"\r\n", b"\n").split(b"\n")
if lines and lines[-1] == b"":
    lines.pop()
data = b"".join((b"." + l if l.startswith(b".") else l) + b"\r\n"
                for l in lines) + b".\r\n"


def session():
    s = socket.create_connection((host, port), timeout=60)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    f = s.makefile("rb")

    def reply(want):
        while True:
            line = f.readline()
            if not line:
                sys.exit("smtp_latency: connection closed")
            if line[3:4] != b"-":
                break
        if not line.startswith(want):
            sys.exit("smtp_latency: answered %r" % line)

    reply(b"220")
    for cmd, want in ((b"HELO " + helo.encode(), b"250"),
                      (b"MAIL FROM:<" + mfrom.encode() + b">", b"250"),
                      (b"RCPT TO:<" + rcpt.encode() + b">", b"250"),
                      (b"DATA", b"354")):
        s.sendall(cmd + b"\r\n")
        reply(want)
    s.sendall(data)
    reply(b"250")
    t = time.monotonic()
    s.sendall(b"QUIT\r\n")
    reply(b"221")
    s.close()
    return t


times = []
for _ in range(count):
    t0 = time.monotonic()
    times.append(session() - t0)
times.sort()
print("%.3f" % (1000 * times[(len(times) - 1) // 2]))
