#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""smtp_client.py - SMTP conversations swaks cannot have, for the e2e tests.

  smtp_client.py slow PORT CLIENT_IP MSGID GO_FILE
      Through XCLIENT as CLIENT_IP: MAIL, RCPT, DATA and the header
      block, then print "PAUSED" and wait (at most 60 s) until GO_FILE
      exists before sending the body and the final dot.  Prints the
      server's final reply ("250 ...", "451 ...").  Lets a test act on
      mxauth while a message is in flight.

  smtp_client.py session PORT CLIENT_IP TAG
      In one connection: MAIL+RCPT then RSET (an aborted message), two
      complete messages <TAG-1@test.example> and <TAG-2@test.example>,
      then a third that stops in its headers when the client drops the
      connection.  Prints "rset 250", "msg1 250", "msg2 250".

  smtp_client.py envelopes PORT CLIENT_IP FIRST COUNT DOMAIN...
      COUNT transactions MAIL FROM:<uN@DOMAIN> (N = FIRST, FIRST + 1,
      ..., the domains in turn), RCPT, RSET, fifty to a connection: SPF
      runs at
      MAIL FROM, so each one makes the milter judge a new local part.
      Prints how many MAIL FROMs got a 250.
"""
import os
import socket
import sys
import time


class Client:
    """One SMTP connection to 127.0.0.1:PORT presenting CLIENT_IP."""

    def __init__(self, port, client_ip):
        self.s = socket.create_connection(("127.0.0.1", int(port)),
                                          timeout=60)
        self.f = self.s.makefile("rb")
        self.reply()
        self.cmd("EHLO client.example")
        self.cmd("XCLIENT ADDR=%s NAME=mail.legit.example" % client_ip)
        self.cmd("EHLO mail.legit.example")

    def reply(self):
        """Read one (possibly multi-line) reply; return its last line."""
        while True:
            line = self.f.readline().decode("ascii", "replace")
            line = line.rstrip("\r\n")
            if not line:
                raise SystemExit("connection closed")
            if len(line) < 4 or line[3] != "-":
                return line

    def cmd(self, text):
        self.s.sendall(text.encode() + b"\r\n")
        return self.reply()

    def start(self, sender="sender@legit.example"):
        """MAIL, RCPT, DATA; returns DATA's reply."""
        self.cmd("MAIL FROM:<%s>" % sender)
        self.cmd("RCPT TO:<user@dest.example>")
        return self.cmd("DATA")

    def headers(self, msgid, subject):
        self.s.sendall(("From: sender@legit.example\r\n"
                        "To: user@dest.example\r\nSubject: %s\r\n"
                        "Message-Id: <%s@test.example>\r\n"
                        % (subject, msgid)).encode())

    def finish(self, body):
        self.s.sendall(b"\r\n" + body.encode() + b"\r\n.\r\n")
        return self.reply()


def slow(port, client_ip, msgid, go):
    c = Client(port, client_ip)
    r = c.start()
    if not r.startswith("354"):
        print(r)
        return
    c.headers(msgid, "in flight")
    print("PAUSED", flush=True)
    deadline = time.time() + 60
    while not os.path.exists(go) and time.time() < deadline:
        time.sleep(0.05)
    print(c.finish("body of a message that was in flight"), flush=True)
    c.cmd("QUIT")


def session(port, client_ip, tag):
    c = Client(port, client_ip)
    c.cmd("MAIL FROM:<aborted@legit.example>")
    c.cmd("RCPT TO:<user@dest.example>")
    print("rset", c.cmd("RSET")[:3])
    for n in (1, 2):
        c.start()
        c.headers("%s-%d" % (tag, n), "session message %d" % n)
        print("msg%d" % n, c.finish("body %d" % n)[:3])
    c.start()
    c.s.sendall(b"From: sender@legit.example\r\nSubject: cut off\r\n")
    c.s.close()
    sys.stdout.flush()


def envelopes(port, client_ip, first, count, *domains):
    ok, c = 0, None
    for n in range(int(first), int(first) + int(count)):
        if c is None or n % 50 == 0:
            if c is not None:
                c.cmd("QUIT")
            c = Client(port, client_ip)
        if c.cmd("MAIL FROM:<u%d@%s>" % (n, domains[n % len(domains)])
                 ).startswith("250"):
            ok += 1
        c.cmd("RCPT TO:<user@dest.example>")
        c.cmd("RSET")
    c.cmd("QUIT")
    print(ok)


if __name__ == "__main__":
    {"slow": slow, "session": session,
     "envelopes": envelopes}[sys.argv[1]](*sys.argv[2:])
