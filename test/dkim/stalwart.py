#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""stalwart.py - the Stalwart mail-auth DKIM messages through mxauth-check.

usage: stalwart.py MXAUTH-CHECK DATA-DIR TMP-DIR

DATA-DIR is test/data/dkim-stalwart (copied with SOURCE.txt and the
licence): six real messages, each preceded by its key records as
"<selector>._domainkey.<domain> <TXT value>" lines and a blank line.
The suite's assertion (SOURCE.txt): with the verifier's clock at
1667843664, the last DKIM-Signature of every message passes; dkimpy
passes every signature of them too, and so must mxauth.  These are
real-world signatures: PKCS#1 and SubjectPublicKeyInfo RSA keys, i= in a
subdomain, simple/simple, a 1024-bit key, list mail.

mxauth's own assertion on top: 005 carries x=1667930064, so judged at
today's time its signature must fail as expired (RFC 6376 3.5 x=), never
pass.  Prints "dkim-stalwart: N passed, M failed".
"""
import json
import os
import subprocess
import sys

check, data, tmp = sys.argv[1:4]
CLOCK = "1667843664"        # the suite's verification time (SOURCE.txt)


def txt(value):
    raw = value.encode("ascii")
    return " ".join('"%s"' % raw[i:i + 255].decode() for i in range(0, len(raw), 255))


def dkim_results(eml, zone, at):
    cmd = [check, "-c", conf, "--zone", zone, "--ip", "192.0.2.10", "--json"]
    if at:
        cmd += ["--at", at]
    out = subprocess.run(cmd + [eml], capture_output=True, check=True).stdout
    return json.loads(out)["dkim"]


conf = os.path.join(tmp, "stalwart.conf")
with open(conf, "w") as f:
    f.write("authserv_id = mx.example\n")
passed = failed = 0
for n in range(1, 7):
    name = "%03d" % n
    raw = open(os.path.join(data, name + ".txt"), "rb").read()
    keys, _, msg = raw.partition(b"\n\n")
    zone = os.path.join(tmp, "stalwart-%s.zone" % name)
    with open(zone, "w") as f:
        f.write("$TTL 300\n")
        for line in keys.decode().splitlines():
            owner, _, value = line.partition(" ")
            f.write("%s. IN TXT %s\n" % (owner, txt(value.strip())))
    eml = os.path.join(tmp, "stalwart-%s.eml" % name)
    with open(eml, "wb") as f:
        f.write(msg.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    got = dkim_results(eml, zone, CLOCK)
    if got and all(d["result"] == "pass" for d in got):
        passed += 1
    else:
        failed += 1
        print("  FAIL %s: %s" % (name, json.dumps(got)))
    if name == "005":
        now = dkim_results(eml, zone, None)
        if now and now[-1]["result"] == "fail" and "expired" in (now[-1].get("reason") or ""):
            passed += 1
        else:
            failed += 1
            print("  FAIL 005 at today's time: %s (want fail, expired)" % json.dumps(now))
print("dkim-stalwart: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
