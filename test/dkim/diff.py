#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""diff.py - differential DKIM test: mxauth-check against dkimpy.

Usage: /usr/bin/python3 diff.py MXAUTH-CHECK TMPDIR [SEED]  (test/dkim/diff.sh)

Generates a few hundred messages from a fixed seed (odd header spacing
and folding, "Name :" field names, tag order, over-signed h=, simple and
relaxed, l=, several signatures, CRLF and LF line ends, 8-bit bodies),
signs them with dkimpy (Debian's python3-dkim, an independent signer),
sometimes tampers with them afterwards, and asks both mxauth-check and
dkimpy's verifier about every signature.  Each side's answer is reduced
to pass / not pass (the bit a DMARC verdict rests on).  Any disagreement
not listed in KNOWN below, with its RFC reason, fails the test; so does
a listed one where mxauth's result is not the one the table names.
Prints "dkim-diff: N passed, M failed".
"""
import base64
import json
import os
import random
import re
import subprocess
import sys
import time

import dkim
import nacl.signing

check, tmp = sys.argv[1], sys.argv[2]
rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 6376)
os.makedirs(tmp, exist_ok=True)
DOM = b"diff.example"

# --- keys: fresh each run (the cases, not the keys, come from the seed) ---


def rsa_key(bits):
    pem = subprocess.run(["openssl", "genrsa", str(bits)], check=True,
                         capture_output=True).stdout
    der = subprocess.run(["openssl", "rsa", "-pubout", "-outform", "DER"],
                         input=pem, check=True, capture_output=True).stdout
    return pem, "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode()


def ed_key():
    sk = nacl.signing.SigningKey.generate()
    return (base64.b64encode(bytes(sk)),
            "v=DKIM1; k=ed25519; p=" + base64.b64encode(bytes(sk.verify_key)).decode())


KEYS = {"rsa": rsa_key(2048), "k1024": rsa_key(1024), "ed": ed_key()}
KEYS["k768"] = rsa_key(768)
ALG = {"rsa": b"rsa-sha256", "k1024": b"rsa-sha256", "ed": b"ed25519-sha256",
       "k768": b"rsa-sha256"}

# d= values that are not RFC 6376 3.5 domain-names but are DNS names a
# key can be published under (dkimpy takes them); and ones DNS has not.
BAD_D_DNS = [b"com", b"example", b"-a.example", b"a-.example",
             b"a_b.example", b"192.0.2.1"]
BAD_D_NODNS = [b"a..example", b"example.", b"a.example.", b"a*b.example",
               b"x" * 64 + b".example"]

txt = {}            # name -> TXT value (str), what both verifiers see


def publish(sel, dom):
    txt["%s._domainkey.%s" % (sel, dom.decode())] = KEYS[sel][1]


for sel in KEYS:
    publish(sel, DOM)
for d in BAD_D_DNS:
    publish("rsa", d)
txt["_dmarc.diff.example"] = "v=DMARC1; p=none"

with open(os.path.join(tmp, "diff.zone"), "w") as f:
    f.write("$TTL 300\n")
    for name, value in txt.items():
        f.write("%s. IN TXT %s\n" % (name, " ".join(
            '"%s"' % value[i:i + 250] for i in range(0, len(value), 250))))
conf = os.path.join(tmp, "diff.conf")
with open(conf, "w") as f:
    f.write("authserv_id = mx.example\n")


def dnsfunc(name, timeout=5):
    v = txt.get(name.decode().rstrip("."))
    return v.encode() if v is not None else None


# --- message generation -------------------------------------------------------

SPELL = [  # how a field is written: (template, obs name?)
    (b"%s: %s", 0), (b"%s:%s", 0), (b"%s:  %s", 0), (b"%s:\t%s", 0),
    (b"%s: %s  ", 0), (b"%s:\r\n %s", 0), (b"%s: %s\r\n\t  more", 0),
    (b"%s :%s", 1), (b"%s\t: %s", 1), (b"%s  : %s", 1),
]
NAMES_CASE = [lambda n: n, lambda n: n.upper(), lambda n: n.lower()]


def field(name, value):
    """one field, spelled one way or another; "Name :" now and then"""
    obs = rng.random() < 0.06
    tmpl = rng.choice([t for t, o in SPELL if o == obs])
    return tmpl % (rng.choice(NAMES_CASE)(name), value), obs


def body():
    kind = rng.randrange(6)
    lines = [b"Hello,", b"", b"line with  two  spaces ", b"tab\there\t",
             b"caf\xc3\xa9 8-bit", b"x" * rng.randrange(1, 300)]
    rng.shuffle(lines)
    b = b"\r\n".join(lines[:rng.randrange(1, len(lines) + 1)]) + b"\r\n"
    if kind == 0:
        return b""
    if kind == 1:
        return b + b"\r\n\r\n"             # trailing empty lines
    if kind == 2:
        return b + b"   \r\n"              # a line of blanks at the end
    return b


def make_message():
    """header fields (raw bytes, with obs flags) and the body"""
    fields = []
    for name, value in [(b"From", b"Alice <alice@diff.example>"),
                        (b"To", b"bob@dest.example"),
                        (b"Subject", b"case %d" % rng.randrange(10 ** 6)),
                        (b"Date", b"Mon, 30 Nov 2026 10:00:00 +0000"),
                        (b"Message-ID", b"<%d@diff.example>" % rng.randrange(10 ** 9))]:
        fields.append(field(name, value))
    if rng.random() < 0.3:
        fields.append(field(b"Cc", b"carol@dest.example"))
    rest = fields[1:]
    rng.shuffle(rest)
    return [fields[0]] + rest, body()


def join(fields, body):
    return b"".join(f + b"\r\n" for f, _ in fields) + b"\r\n" + body


def postfix_form(msg):
    """blanks before a field name's colon removed, as Postfix stores it"""
    head, sep, rest = msg.partition(b"\r\n\r\n")
    head = re.sub(rb"(?m)^([!-9;-~]+)[ \t]+:", rb"\1:", head)
    return head + sep + rest


class Signer(dkim.DKIM):
    """dkimpy with the tag order shuffled (RFC 6376 3.2: order is free)"""
    shuffle = False

    def gen_header(self, fields, *args, **kw):
        if self.shuffle:
            rng.shuffle(fields)
        return super().gen_header(fields, *args, **kw)


def sign(msg, sel, canon, hdrs, length=False, d=DOM, identity=None,
         alg=None, shuffle=False):
    """a DKIM-Signature field by dkimpy; dkimpy cannot read "Name :", so
    it signs the Postfix form (relaxed: the same hash; simple: not)"""
    s = Signer(postfix_form(msg))
    s.shuffle = shuffle
    return s.sign(sel.encode(), d, KEYS[sel][0], canonicalize=canon,
                  include_headers=hdrs, length=length, identity=identity,
                  signature_algorithm=alg or ALG[sel])


CANONS = [(b"simple", b"simple"), (b"simple", b"relaxed"),
          (b"relaxed", b"simple"), (b"relaxed", b"relaxed")]
BASE_H = [b"from", b"to", b"subject", b"date", b"message-id"]


def choose_h():
    h = [b"from"] + rng.sample(BASE_H[1:], rng.randrange(0, 5))
    if rng.random() < 0.4:                 # over-signed: absent or repeated
        h += rng.sample([b"from", b"subject", b"reply-to", b"cc", b"to"],
                        rng.randrange(1, 4))
    rng.shuffle(h)
    if b"from" not in h:
        h.append(b"from")
    return h


TAMPER = ["none"] * 6 + ["body", "body-ws", "body-blank-lines", "subject",
                         "header-ws", "refold", "name-case", "add-unsigned",
                         "second-from", "second-from-obs", "obs-blank",
                         "sig-ws", "sig-dup-tag"]


def tamper(kind, msg, sig, tags):
    """the message and signature fields after the change KIND"""
    head, _, body = msg.partition(b"\r\n\r\n")
    if kind == "body" and ("l=" in tags or not body):
        body += b"appended after signing\r\n"
        tags.add("l=-appended" if "l=" in tags else "body")
    elif kind == "body":
        body = b"X" + body
    elif kind == "body-ws":
        body = body.replace(b"\r\n", b" \r\n", 1) if body else body
    elif kind == "body-blank-lines":
        body = body + b"\r\n\r\n"
    elif kind == "subject":
        head = re.sub(rb"(?im)^(subject[ \t]*:.*)$", rb"\1!", head, count=1)
    elif kind == "header-ws":
        head = re.sub(rb"(?im)^(to[ \t]*:[ \t]*)", rb"\1 ", head, count=1)
    elif kind == "refold":
        head = re.sub(rb"(?im)^(date[ \t]*:.*?) (\d\d:)", rb"\1\r\n \2", head,
                      count=1)
    elif kind == "name-case":
        head = re.sub(rb"(?im)^to([ \t]*:)", rb"tO\1", head, count=1)
    elif kind == "add-unsigned":
        head += b"\r\nX-Added: after signing"
    elif kind == "second-from":
        head += b"\r\nFrom: Mallory <ceo@diff.example>"
    elif kind == "second-from-obs":
        head = b"Reply-To: x@diff.example\r\nFrom : Mallory <ceo@diff.example>\r\n" + head
    elif kind == "obs-blank":
        head = re.sub(rb"(?m)^(From)[ \t]*:", rb"\1 :", head, count=1)
    elif kind == "sig-ws":
        sig = sig.replace(b"; ", b";  ")
    elif kind == "sig-dup-tag":
        sig = sig.replace(b"v=1;", b"v=1; v=1;", 1)
    return head + b"\r\n\r\n" + body, sig


def gen_case(n):
    fields, body = make_message()
    msg = join(fields, body)
    tags = set()
    if any(obs for _, obs in fields):
        tags.add("obs")
    sigs = []
    nsig = 1 if rng.random() < 0.75 else rng.randrange(2, 4)
    for _ in range(nsig):
        sel = rng.choice(["rsa"] * 5 + ["ed"] * 3 + ["k1024", "k768"])
        canon = rng.choice(CANONS)
        hdrs = choose_h()
        kw = {}
        r = rng.random()
        if r < 0.12:
            kw["length"] = True
            tags.add("l=")
        elif r < 0.17 and sel != "ed":
            kw["alg"] = b"rsa-sha1"
            tags.add("sha1")
        elif r < 0.24:
            d = rng.choice(BAD_D_DNS + BAD_D_NODNS)
            kw["d"] = d
            sel = "rsa"
            tags.add("bad-d")
        elif r < 0.30:
            kw["identity"] = rng.choice([b"u@sub.diff.example", b"@diff.example",
                                         b"u@-x.diff.example", b"u@x_y.diff.example"])
            if b"-x" in kw["identity"] or b"_" in kw["identity"]:
                tags.add("bad-i")
        s = sign(msg, sel, canon, hdrs, shuffle=rng.random() < 0.5, **kw)
        sigs.append(s)
        if rng.random() < 0.3:             # a relay changes something later
            msg = msg.replace(b"\r\n\r\n", b"\r\nX-Relay: %d\r\n\r\n" % n, 1)
    # the newest signature on top
    sig_block = b"".join(reversed(sigs))
    kind = rng.choice(TAMPER)
    if kind == "obs-blank":
        tags.add("obs")
    msg, sig_block = tamper(kind, msg, sig_block, tags)
    full = sig_block + msg
    if rng.random() < 0.4:
        full = full.replace(b"\r\n", b"\n")
        tags.add("LF")
    return full, kind, tags


# --- the two verifiers ----------------------------------------------------------


def dkimpy_results(msg, nsig):
    """pass/not per signature; a message with a "Name :" field, which
    dkimpy cannot read (it refuses one, and skips one that starts with
    "From " as an mbox line), is judged as Postfix stores it"""
    m = postfix_form(msg.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    out = []
    for i in range(nsig):
        try:
            ok = dkim.DKIM(m, minkey=1024).verify(idx=i, dnsfunc=dnsfunc)
        except Exception:           # any DKIMException: not a pass
            ok = False
        out.append("pass" if ok else "no")
    return out


def mxauth_results(path):
    """mxauth-check's result per signature, or None if it failed"""
    r = subprocess.run([check, "-c", conf, "--zone", os.path.join(tmp, "diff.zone"),
                        "--ip", "192.0.2.10", "--mail-from", "a@diff.example",
                        "--json", path], capture_output=True)
    if r.returncode != 0:
        return None
    return [d["result"] for d in json.loads(r.stdout)["dkim"]]


# --- known differences: (name, RFC reason, applies(tags, kind), mxauth's result)
KNOWN = [
    ("sha1", "RFC 8301 3.1: rsa-sha1 MUST NOT be accepted; mxauth reports "
     "dkim=policy, dkimpy verifies it", lambda t, k: "sha1" in t, "policy"),
    ("l=-appended", "RFC 6376 8.2: l= covering part of the body is refused "
     "(dkim_allow_partial_body = no); dkimpy verifies the covered part",
     lambda t, k: "l=-appended" in t, "policy"),
    ("bad-d", "RFC 6376 3.5: d= must be a domain-name (two labels or more, "
     "LDH, no trailing dot, not an address); dkimpy only refuses a few "
     "characters", lambda t, k: "bad-d" in t, "permerror"),
    ("bad-i", "RFC 6376 3.5: the i= domain must be a domain-name; dkimpy "
     "only checks that it ends in d=", lambda t, k: "bad-i" in t, "permerror"),
]
# Not a difference, an adaptation: dkimpy refuses "Name :" field names
# (RFC 5322 4.5 obs syntax), or skips "From :" as an mbox "From " line
# (a From it never sees); such a message is judged by both on
# the form Postfix stores (blanks before the colon removed, before any
# milter sees it; mxauth-check reads it the same way).  So a c=simple
# signature made over "From:" still passes after a relay writes "From :".


def main():
    t0 = time.time()
    passed = failed = known = 0
    counts = {}
    for n in range(int(os.environ.get("DKIM_DIFF_CASES", "320"))):
        msg, kind, tags = gen_case(n)
        path = os.path.join(tmp, "diff-%03d.eml" % n)
        with open(path, "wb") as f:
            f.write(msg)
        nsig = len(re.findall(rb"(?im)^dkim-signature[ \t]*:", msg))
        mx = mxauth_results(path)
        py = dkimpy_results(msg, nsig)
        if mx is None or len(mx) != nsig:
            failed += 1
            print("FAIL case %d (%s %s): mxauth-check gave %r" %
                  (n, kind, sorted(tags), mx))
            continue
        bad = []
        for i, (a, b) in enumerate(zip(mx, py)):
            counts[a] = counts.get(a, 0) + 1
            if (a == "pass") == (b == "pass"):
                continue
            k = [e for e in KNOWN if e[2](tags, kind)]
            if k and any(a == e[3] for e in k):
                known += 1
                continue
            bad.append("sig %d: mxauth %s, dkimpy %s%s" % (
                i, a, b, " (known: %s, but mxauth should say %s)" %
                (k[0][0], k[0][3]) if k else ""))
        if bad:
            failed += 1
            print("FAIL case %d (%s %s; %s): %s" % (n, kind, sorted(tags),
                                                 path, "; ".join(bad)))
        else:
            passed += 1
            os.unlink(path)
    print("dkim-diff: results %s; %d known differences (table); %.0f s" %
          (", ".join("%s=%d" % kv for kv in sorted(counts.items())), known,
           time.time() - t0))
    print("dkim-diff: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


sys.exit(main())
