# SPDX-License-Identifier: BSD-2-Clause
"""walk_hostile - a hostile domain's name server for spf_walk.sh, on
127.0.0.1 (UDP, a port the kernel picks, written to PORTFILE).

A TXT question for a name under hostile.example is answered with an SPF
record of nine a: terms and an include: one level further down, so a
walk can spend all the lookups it allows itself; every other question
(the a: terms' A and AAAA) is never answered, as by name servers that
go silent on purpose.  Serves until killed.

Usage: walk_hostile.py PORTFILE
"""

import os
import socket
import struct
import sys


def question(msg):
    """(name, qtype, end of the question) of the query MSG"""
    labels, off = [], 12
    while msg[off] != 0:
        n = msg[off]
        labels.append(msg[off + 1:off + 1 + n].decode("ascii", "replace"))
        off += 1 + n
    qtype = struct.unpack("!H", msg[off + 1:off + 3])[0]
    return ".".join(labels).lower(), qtype, off + 5


def record(name):
    """the TXT RDATA for NAME: the text cut into strings of 255"""
    text = ("v=spf1 " + " ".join("a:%d.%s" % (i, name) for i in range(1, 10))
            + " include:n.%s -all" % name).encode("ascii")
    return b"".join(bytes([len(c)]) + c
                    for c in (text[i:i + 255] for i in range(0, len(text), 255)))


def main():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    with open(sys.argv[1] + ".tmp", "w", encoding="ascii") as f:
        f.write("%d\n" % s.getsockname()[1])
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    while True:
        msg, peer = s.recvfrom(4096)
        try:
            qid, flags, qdcount = struct.unpack("!HHH", msg[:6])
            name, qtype, end = question(msg)
        except (IndexError, struct.error):
            continue
        if qdcount != 1 or qtype != 16 or not (
                name == "hostile.example" or name.endswith(".hostile.example")):
            continue                    # silent
        rdata = record(name)
        answer = struct.pack("!HHHIH", 0xc00c, 16, 1, 60, len(rdata)) + rdata
        header = struct.pack("!HHHHHH", qid, 0x8400 | (flags & 0x0100), 1, 1,
                             0, 0)
        s.sendto(header + msg[12:end] + answer, peer)


if __name__ == "__main__":
    main()
