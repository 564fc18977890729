#!/usr/bin/env python3
"""slow_smtp.py - an SMTP client that stops half-way through a message.

Usage: slow_smtp.py PORT CLIENT_IP MSGID GO_FILE

Connects to 127.0.0.1:PORT, presents CLIENT_IP through XCLIENT, sends
MAIL, RCPT, DATA and the header block, prints "PAUSED", then waits (at
most 60 s) until GO_FILE exists before sending the body and the final
dot.  Prints the server's final reply ("250 ...", "451 ...") and exits 0
if the conversation completed, whatever the reply.  Used by the e2e tests
to do something to mxauth while a message is in flight.
"""
import os
import socket
import sys
import time


def reply(f):
    """Read one (possibly multi-line) SMTP reply; return its last line."""
    while True:
        line = f.readline().decode("ascii", "replace").rstrip("\r\n")
        if not line:
            raise SystemExit("connection closed")
        if len(line) < 4 or line[3] != "-":
            return line


def main():
    port, client_ip, msgid, go = sys.argv[1:5]
    s = socket.create_connection(("127.0.0.1", int(port)), timeout=60)
    f = s.makefile("rb")

    def cmd(text):
        s.sendall(text.encode() + b"\r\n")
        return reply(f)

    reply(f)
    cmd("EHLO slow.example")
    cmd("XCLIENT ADDR=%s NAME=mail.legit.example" % client_ip)
    cmd("EHLO mail.legit.example")
    r = cmd("MAIL FROM:<sender@legit.example>")
    if not r.startswith("250"):
        print(r)
        return
    cmd("RCPT TO:<user@dest.example>")
    r = cmd("DATA")
    if not r.startswith("354"):
        print(r)
        return
    s.sendall(("From: sender@legit.example\r\nTo: user@dest.example\r\n"
               "Subject: in flight\r\nMessage-Id: <%s@test.example>\r\n"
               % msgid).encode())
    print("PAUSED", flush=True)
    deadline = time.time() + 60
    while not os.path.exists(go) and time.time() < deadline:
        time.sleep(0.05)
    s.sendall(b"\r\nbody of a message that was in flight\r\n.\r\n")
    print(reply(f), flush=True)
    cmd("QUIT")


main()
