# SPDX-License-Identifier: BSD-2-Clause
"""bench_messages.py DIR - the benchmarks' key, zone and messages, in DIR.

An RSA-2048 key made with openssl; DIR/bench.zone, the zone example.
itself (the DMARC tree walk asks _dmarc.example): SPF for bench.example
and relay.example, DMARC p=reject, the DKIM key at sel._domainkey;
DIR/msg.eml, a 4 KB message signed by python3-dkim (an independent
signer, rsa-sha256, relaxed/relaxed), CRLF; DIR/msg.txt, the same with LF
(smtp-source); DIR/tampered.txt, its body changed after signing.
"""
import base64, subprocess, sys, dkim
d = sys.argv[1]
pem = subprocess.run(["openssl", "genrsa", "2048"], check=True,
                     capture_output=True).stdout
der = subprocess.run(["openssl", "rsa", "-pubout", "-outform", "DER"],
                     input=pem, check=True, capture_output=True).stdout
p = "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode()
with open(d + "/bench.zone", "w") as f:
    f.write("$ORIGIN example.\n$TTL 3600\n"
            "@ IN SOA ns.example. h.example. 1 3600 600 86400 3600\n"
            "@ IN NS ns\nns IN A 127.0.0.1\n"
            "bench IN TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n"
            "relay IN TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n"
            "_dmarc.bench IN TXT \"v=DMARC1; p=reject\"\n"
            "sel._domainkey.bench IN TXT " +
            " ".join('"%s"' % p[i:i + 200] for i in range(0, len(p), 200)) + "\n")
body = b"".join(b"Line %04d of a four kilobyte benchmark message body.....\r\n" % i
                for i in range(68))
msg = (b"From: Bench <bench@bench.example>\r\nTo: x@dest.example\r\n"
       b"Subject: benchmark\r\nDate: Sun, 22 Nov 2026 10:00:00 +0000\r\n"
       b"Message-ID: <bench@bench.example>\r\n\r\n" + body)
sig = dkim.sign(msg, b"sel", b"bench.example", pem,
                canonicalize=(b"relaxed", b"relaxed"))
open(d + "/msg.eml", "wb").write(sig + msg)
open(d + "/msg.txt", "wb").write((sig + msg).replace(b"\r\n", b"\n"))
bad = (sig + msg).replace(b"Line 0042 of", b"Line 4200 of")
open(d + "/tampered.txt", "wb").write(bad.replace(b"\r\n", b"\n"))
