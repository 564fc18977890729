#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# check_json.sh - `mxauth-check --json` is valid JSON whatever bytes the
# client and the message hold: an 8-bit HELO or MAIL FROM, raw 8-bit and
# control bytes in header fields (a forged A-R we delete, a From that
# does not parse, a DKIM-Signature), every kind of ill-formed UTF-8
# (overlong, surrogate, truncated, past U+10FFFF), and random NUL-free
# binary.  Every output is decoded as strict UTF-8 and parsed as strict
# JSON; where our input reaches the output verbatim, it must read back
# as Python's decode(errors="replace"): U+FFFD per ill-formed sequence
# (mxauth-check(1)).  No network: DNS answers come from a zone file.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
tmp=$(mktemp -d /tmp/mxauth-json.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM

cat >"$tmp/mxauth.conf" <<CONF
authserv_id = mx.example
log_target = stderr
CONF
printf '; empty zone: every name is NXDOMAIN\n' >"$tmp/empty.zone"

CHECK="$top_builddir/mxauth-check" TMP="$tmp" python3 - <<'PY'
import json, os, random, subprocess, sys

check, tmp = os.environ["CHECK"], os.environ["TMP"]
fails = 0
# ill-formed UTF-8 of every class, and controls (Unicode 3.9, table 3-7)
BAD = [b"\xe9", b"\xff\xfe", b"\xc0\xaf", b"\xe0\x80\xaf",
       b"\xf0\x80\x80\xaf", b"\xed\xa0\x80", b"\xed\xbf\xbf", b"\xe2\x82",
       b"\xf0\x9f\x98", b"\xf4\x90\x80\x80", b"\xf8\x88\x80\x80\x80",
       b"\x80", b"\x01\x1b[31m\x7f", b"\xe2\x80\xa8"]


def run(name, msg, helo=b"client.example", mail_from=b"a@b.example"):
    """mxauth-check --json on MSG; the parsed output, or None (a FAIL)"""
    global fails
    path = os.path.join(tmp, "m.eml")
    with open(path, "wb") as f:
        f.write(msg)
    argv = [check.encode(), b"-c", os.path.join(tmp, "mxauth.conf").encode(),
            b"--zone", os.path.join(tmp, "empty.zone").encode(),
            b"--ip", b"192.0.2.10", b"--helo", helo,
            b"--mail-from", mail_from, b"--json", path.encode()]
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        if p.returncode != 0:
            raise ValueError("exit %d: %r" % (p.returncode, p.stderr[-200:]))
        # strict UTF-8, then strict JSON (no raw control characters)
        j = json.loads(p.stdout.decode("utf-8", "strict"), strict=True)
    except ValueError as e:
        print("FAIL: %s: %s" % (name, str(e)[:300]))
        fails += 1
        return None
    print("PASS: %s: valid JSON" % name)
    return j


def expect(name, cond):
    global fails
    print(("PASS: " if cond else "FAIL: ") + name)
    fails += 0 if cond else 1


def rep(b):
    """what the JSON must say for raw bytes B"""
    return b.decode("utf-8", "replace")


MIN = b"From: a@b.example\n\nx\n"
for i, bad in enumerate(BAD):
    # an 8-bit HELO (no MAIL FROM: SPF judges the HELO and names it)
    helo = b"h" + bad + b"lo.example"
    j = run("8-bit HELO %d" % i, MIN, helo=helo, mail_from=b"")
    if j is not None:
        expect("8-bit HELO %d read back" % i,
               j["spf"]["domain"] == rep(helo))
    # an 8-bit MAIL FROM domain
    j = run("8-bit MAIL FROM %d" % i, MIN, mail_from=b"a@x" + bad + b".example")
    if j is not None:
        expect("8-bit MAIL FROM %d read back" % i,
               j["spf"]["domain"] == rep(b"x" + bad + b".example"))
    # a forged A-R field we delete: its raw value is in remove_headers
    ar = b" mx.example; spf=pass (" + bad + b") smtp.mailfrom=" + bad
    j = run("raw 8-bit header %d" % i,
            b"Authentication-Results:" + ar + b"\n" + MIN)
    if j is not None:
        expect("raw 8-bit header %d read back" % i,
               j["remove_headers"] == ["Authentication-Results: " + rep(ar)])
    # a From that does not parse: its bytes are quoted in the reason
    j = run("8-bit From %d" % i,
            b"From: <a@b.example> " + bad * 3 + b"\n\nx\n")
    if j is not None:
        expect("8-bit From %d: the reason quotes it" % i,
               "From does not parse" in j["dmarc"]["reason"])
    # an 8-bit From domain and DKIM-Signature tag values
    run("8-bit From domain and DKIM tags %d" % i,
        b"DKIM-Signature: v=1" + bad + b"; a=rsa-" + bad + b"; d=x" + bad +
        b".example; s=s; h=from; bh=AAAA; b=AAAA\n"
        b"From: a@b" + bad + b".example\n\nx\n")

# a %.40s cut in the reason may split a sequence: still one U+FFFD
j = run("From reason cut inside a sequence",
        b"From: <a@b.example> x" + b"\xe2\x82\xac" * 20 + b"\n\nx\n")
if j is not None:
    expect("cut sequence is U+FFFD, whole ones are kept",
           "\u20ac" in j["dmarc"]["reason"])
# well-formed UTF-8 is copied, not escaped away
j = run("UTF-8 HELO", MIN, helo="h\u00e9lo.example".encode(), mail_from=b"")
if j is not None:
    expect("UTF-8 HELO kept", j["spf"]["domain"] == "h\u00e9lo.example")

# random NUL-free binary in the fields a sender controls
rnd = random.Random(10)
for i in range(40):
    blob = lambda n: bytes(rnd.randrange(1, 256) for _ in range(n))
    clean = lambda b: b.replace(b"\n", b" ").replace(b"\r", b" ")
    msg = (b"Authentication-Results: mx.example; " + clean(blob(40)) + b"\n"
           b"From: " + clean(blob(30)) + b"\n"
           b"Received: from " + clean(blob(30)) + b"\n"
           b"DKIM-Signature: " + clean(blob(60)) + b"\n"
           b"Subject: " + blob(50) + b"\n\n" + blob(200))
    run("binary blob %d" % i, msg, helo=clean(blob(20)),
        mail_from=b"<" + clean(blob(10)) + b"@" + clean(blob(10)) + b">")

# the plain and --explain output is for a terminal: a sender's control
# bytes (a forged A-R we delete, a HELO) come out as \xHH, never raw
path = os.path.join(tmp, "t.eml")
with open(path, "wb") as f:
    f.write(b"Authentication-Results: mx.example; \x1b]0;pwned\x07 "
            b"\x1b[2J spf=pass\nFrom: <a@b.example>\n\nx\n")
for mode in ([], [b"--explain"]):
    out = subprocess.run([check.encode(), b"-c",
                          os.path.join(tmp, "mxauth.conf").encode(),
                          b"--zone", os.path.join(tmp, "empty.zone").encode(),
                          b"--ip", b"192.0.2.1",
                          b"--helo", b"h\x1b[5mx.example",
                          b"--mail-from", b"a@b.example"] + mode + [path.encode()],
                         capture_output=True).stdout
    ctl = [c for c in out if (c < 0x20 and c not in (9, 10)) or c == 0x7f]
    expect("terminal output %s has no raw control byte" % (mode or "plain"),
           not ctl and b"\\x1B]0;pwned\\x07" in out)

print("check_json: %d failed" % fails)
sys.exit(1 if fails else 0)
PY
