#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""smtp_burst.py - send COUNT messages through one SMTP session, timed.

usage: smtp_burst.py PORT COUNT LABEL

One connection to 127.0.0.1:PORT, EHLO, XCLIENT as 192.0.2.10 (so the
milter judges an outside client, not loopback), then COUNT times MAIL,
RCPT, DATA with a 4 KB message, each timed from MAIL to the final 250.
Prints one line: LABEL, messages per second, median and 99th percentile
milliseconds per message.
"""
import socket
import sys
import time

port, count, label = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
body = b"".join(b"Line %04d of a four kilobyte benchmark message body.....\r\n" % i
                for i in range(68))
s = socket.create_connection(("127.0.0.1", port), timeout=60)
f = s.makefile("rb")


def reply():
    while True:
        line = f.readline()
        if not line:
            sys.exit("%s: connection closed" % label)
        if line[3:4] != b"-":
            return line


def cmd(line, want):
    s.sendall(line + b"\r\n")
    r = reply()
    if not r.startswith(want):
        sys.exit("%s: %r answered %r" % (label, line, r))


reply()
cmd(b"EHLO bench.example", b"250")
cmd(b"XCLIENT ADDR=192.0.2.10 NAME=mail.legit.example", b"220")
cmd(b"EHLO mail.legit.example", b"250")
times = []
start = time.monotonic()
for i in range(count):
    t = time.monotonic()
    cmd(b"MAIL FROM:<sender@legit.example>", b"250")
    cmd(b"RCPT TO:<user@dest.example>", b"250")
    cmd(b"DATA", b"354")
    msg = (b"From: <sender@legit.example>\r\nTo: <user@dest.example>\r\n"
           b"Subject: burst %d\r\nMessage-Id: <burst-%d@legit.example>\r\n\r\n"
           % (i, i)) + body + b".\r\n"
    s.sendall(msg)
    r = reply()
    if not r.startswith(b"250"):
        sys.exit("%s: message %d answered %r" % (label, i, r))
    times.append(time.monotonic() - t)
total = time.monotonic() - start
cmd(b"QUIT", b"221")
times.sort()
print("%-28s %6.0f messages/s, median %.2f ms, p99 %.2f ms per message (%d messages)"
      % (label + ":", count / total, 1000 * times[len(times) // 2],
         1000 * times[min(len(times) - 1, int(len(times) * 0.99))], count))
