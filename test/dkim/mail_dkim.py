#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""mail_dkim.py - the Mail::DKIM verifier corpus (test/data/dkim-mail-dkim,
with its SOURCE.txt) through mxauth-check: no false passes.

Usage: mail_dkim.py MXAUTH-CHECK DATADIR TMPDIR

The corpus predates RFC 6376/8301 (see SOURCE.txt), so its "pass"
expectations are not ours.  What must hold, for every DKIM (not
DomainKeys) message:
  - a message the corpus expects to fail or be invalid never gets a
    DKIM pass from mxauth;
  - a signature using rsa-sha1 or an RSA key under 1024 bits never
    passes (RFC 8301);
  - a DNS time-out or SERVFAIL on the key gives temperror;
  - the one clean modern signature (goodkey_ed25519) passes.
Prints "dkim-mail-dkim: N passed, M failed" (one check per message).
"""
import json
import os
import subprocess
import sys

import yaml

check, data, tmp = sys.argv[1:4]


def txt(value):
    raw = value.encode("latin-1", "replace")
    parts = []
    for i in range(0, max(len(raw), 1), 255):
        chunk = raw[i:i + 255]
        parts.append('"' + "".join("\\%03d" % b if b < 32 or b > 126 or b in (34, 92)
                                   else chr(b) for b in chunk) + '"')
    return " ".join(parts)


zone = ["; from FAKE_DNS.dat (test/dkim/mail_dkim.py)", "$TTL 300"]
with open(os.path.join(data, "FAKE_DNS.dat"), encoding="latin-1") as f:
    for line in f:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, value = line.partition(" ")
        value = value.strip()
        if value == "NXDOMAIN":
            continue
        if value == "~~Query timed out~~":
            zone.append(";! timeout %s" % name)
        elif value == "~~SERVFAIL~~":
            zone.append(";! servfail %s" % name)
        else:
            if value == '""':
                value = ""
            zone.append("%s. IN TXT %s" % (name, txt(value)))
zpath = os.path.join(tmp, "mail-dkim.zone")
with open(zpath, "w") as f:
    f.write("\n".join(zone) + "\n")
conf = os.path.join(tmp, "mail-dkim.conf")
with open(conf, "w") as f:
    f.write("authserv_id = mx.example\n")

manifest = yaml.safe_load(open(os.path.join(data, "manifest.yml")))
passed = failed = 0
for t in manifest["tests"]:
    if t.get("protocol") != "dkim":
        continue
    name = os.path.basename(t["file"])[:-4]
    out = subprocess.run([check, "-c", conf, "--zone", zpath, "--ip",
                          "192.0.2.10", "--json", os.path.join(data, t["file"])],
                         capture_output=True, text=True)
    try:
        results = json.loads(out.stdout)["dkim"]
    except (ValueError, KeyError):
        print("  FAIL %s: mxauth-check said %r" % (name, out.stderr[:200]))
        failed += 1
        continue
    got = [r["result"] for r in results]
    problems = []
    if t["expect"] in ("fail", "invalid") and "pass" in got:
        problems.append("false pass")
    for r, sig in zip(results, t.get("signatures", [])):
        weak = sig.get("a") == "rsa-sha1" or (
            str(sig.get("key", "")).startswith("rsa ") and
            int(str(sig["key"]).split()[1]) < 1024)
        if weak and r["result"] == "pass":
            problems.append("RFC 8301 pass (%s, %s)" % (sig.get("a"), sig.get("key")))
    if name in ("badkey_14", "badkey_15") and "temperror" not in got:
        problems.append("DNS failure is not temperror")
    if name == "goodkey_ed25519" and got != ["pass"]:
        problems.append("modern Ed25519 signature did not pass")
    if problems:
        failed += 1
        print("  FAIL %s: %s (got %s, corpus %s)" % (name, "; ".join(problems),
                                                  got, t["expect"]))
    else:
        passed += 1
print("dkim-mail-dkim: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
