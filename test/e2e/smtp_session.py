#!/usr/bin/env python3
"""smtp_session.py - one SMTP session with several messages, an RSET and
an abrupt close, the milter-context cases a single swaks run cannot make.

Usage: smtp_session.py PORT CLIENT_IP TAG

Through XCLIENT as CLIENT_IP, in one connection: MAIL+RCPT then RSET
(an aborted message), then two complete messages <TAG-1@test.example>
and <TAG-2@test.example>, then a third that stops in the middle of its
headers when the client drops the connection.  Prints each final reply
code on its own line ("rset 250", "msg1 250", "msg2 250").
"""
import socket
import sys


def reply(f):
    while True:
        line = f.readline().decode("ascii", "replace").rstrip("\r\n")
        if not line:
            raise SystemExit("connection closed")
        if len(line) < 4 or line[3] != "-":
            return line


def main():
    port, client_ip, tag = sys.argv[1:4]
    s = socket.create_connection(("127.0.0.1", int(port)), timeout=30)
    f = s.makefile("rb")

    def cmd(text):
        s.sendall(text.encode() + b"\r\n")
        return reply(f)

    def message(n):
        cmd("MAIL FROM:<sender@legit.example>")
        cmd("RCPT TO:<user@dest.example>")
        cmd("DATA")
        s.sendall(("From: sender@legit.example\r\nTo: user@dest.example\r\n"
                   "Subject: session message %d\r\n"
                   "Message-Id: <%s-%d@test.example>\r\n\r\nbody %d\r\n.\r\n"
                   % (n, tag, n, n)).encode())
        return reply(f)

    reply(f)
    cmd("EHLO session.example")
    cmd("XCLIENT ADDR=%s NAME=mail.legit.example" % client_ip)
    cmd("EHLO mail.legit.example")
    cmd("MAIL FROM:<aborted@legit.example>")
    cmd("RCPT TO:<user@dest.example>")
    print("rset", cmd("RSET")[:3])
    print("msg1", message(1)[:3])
    print("msg2", message(2)[:3])
    cmd("MAIL FROM:<sender@legit.example>")
    cmd("RCPT TO:<user@dest.example>")
    cmd("DATA")
    s.sendall(b"From: sender@legit.example\r\nSubject: cut off\r\n")
    s.close()
    sys.stdout.flush()


main()
