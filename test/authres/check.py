#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
# check.py - read mxauth's Authentication-Results values (one JSON line
# each, from test/authres_dump on stdin) with an independent RFC 8601
# parser, Debian's python3-authres, and check that each says exactly
# what was judged, whatever bytes the sender put into the fields:
#   - the authserv-id, and the methods and results in order (a comment
#     or value that swallowed what follows shows here);
#   - policy.dmarc, and header.from when it is a domain name;
#   - every property the parser returns equals what mxauth was given,
#     as mxauth's filter is documented to write it (control and 8-bit
#     bytes as '?', cut with "..." past 255 bytes of quoted text).
# Known limitation of python3-authres 1.2.0, not of the header: a
# quoted-string pvalue is kept only when ';' or the end follows it, so a
# quoted value before another property is not returned (and not
# checked); unquoted ones must all be there.
import json
import re
import sys

import authres

def model(raw):
    """What a reader unquotes from the value mxauth writes from RAW."""
    out, n = [], 0
    for b in raw:
        c = "?" if b < 0x20 or b >= 0x7f else chr(b)
        pair = 2 if c in '"\\' else 1
        if n + pair > 255:
            out.append("...")
            break
        out.append(c)
        n += pair
    return "".join(out)


def unquote(v):
    # python3-authres leaves quoted-pairs as they are
    return re.sub(r"\\(.)", r"\1", v)


def check(case):
    errs = []
    text = bytes.fromhex(case["text"])
    frm = bytes.fromhex(case["from"])
    try:
        h = authres.AuthenticationResultsHeader.parse_value(case["ar"])
    except Exception as e:            # noqa: BLE001 - any failure counts
        return ["does not parse: %s" % e]
    if h.authserv_id != "mx.example":
        errs.append("authserv-id %r" % h.authserv_id)
    got = [(r.method, r.result) for r in h.results]
    want = ([("spf", case["spf"])] + [("dkim", d) for d in case["dkim"]] +
            [("dmarc", case["dmarc"])])
    if got != want:
        errs.append("results %r, want %r" % (got, want))
        return errs
    props = {}
    for i, r in enumerate(h.results):
        for p in r.properties:
            props[(i, p.type + "." + p.name)] = unquote(p.value)
    expect = {}
    if text:
        dom = text.rsplit(b"@", 1)[-1]
        if case["identity"] == "helo":
            expect[(0, "smtp.helo")] = model(text)
        elif dom:
            expect[(0, "smtp.mailfrom")] = model(dom)
        for i in (1, 2):
            for name in ("header.d", "header.i", "header.s", "header.a",
                         "header.b"):
                expect[(i, name)] = model(text)
    if frm:
        expect[(3, "header.from")] = model(frm)
    if case["policy"]:
        expect[(3, "policy.dmarc")] = case["policy"]
    for k, v in props.items():
        if k not in expect:
            errs.append("unexpected %s=%r" % (k[1], v))
        elif expect[k] != v:
            errs.append("%s=%r, want %r" % (k[1], v, expect[k]))
    for k, v in expect.items():
        # missing: allowed only for a value written quoted
        if k not in props and re.search(r"[ \t]%s=%s(?:[ \t\n;]|$)" % (
                re.escape(k[1]), re.escape(v)), case["ar"]):
            errs.append("%s=%r missing" % (k[1], v))
    if case["policy"] and (3, "policy.dmarc") not in props:
        errs.append("policy.dmarc missing")
    if frm == b"bank.example" and (3, "header.from") not in props:
        errs.append("header.from missing")
    return errs


def main():
    n = bad = 0
    for line in sys.stdin:
        case = json.loads(line)
        n += 1
        errs = check(case)
        if errs:
            bad += 1
            print("FAIL: %r: %s" % (case["ar"], "; ".join(errs)))
    print("%d header values read back by python3-authres, %d wrong" %
          (n, bad))
    sys.exit(1 if bad or n == 0 else 0)


main()
