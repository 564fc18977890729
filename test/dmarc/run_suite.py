#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""run_suite.py - the DMARC conformance cases through test/dmarc_suite.

usage: run_suite.py DMARC_SUITE DATA_DIR TMP_DIR

DATA_DIR is test/data; the suites (each copied with its SOURCE.txt):
  dmarc-stalwart/dmarc-cases.yml  Stalwart mail-auth, RFC 9989 tree walk
  dmarc-mailauth/dmarc-cases.yml  postalsys/mailauth; its rfc9989-compliance
                                  cases run in tree-walk mode, the others
                                  (which the suite says follow the Public
                                  Suffix List, RFC 7489 style) in psl mode
                                  with psl/public_suffix_list.dat
Each case's DNS becomes a zone file for mxauth's zone layer (names it
does not list are NXDOMAIN; timeouts and SERVFAIL become the zone layer's
fault lines); identifiers arrive evaluated, as the suites give them.  Each
supported assertion is compared with dmarc_suite's JSON.  Assertions on
things mxauth does not expose (the raw record, report tags, pct in
tree-walk mode, JavaScript types, query order) are counted as "not
applicable" and listed with -v; they neither pass nor fail.  Cases where
mxauth deliberately answers otherwise are in KNOWN_DIFFERENCES with
their RFC reason: they must still disagree (a listed case that agrees
fails, so the list cannot go stale).

Prints "dmarc-stalwart: N passed, M failed" and "dmarc-mailauth: ...";
exits 1 if any assertion failed.
"""
import json
import os
import re
import subprocess
import sys

import yaml

suite_bin, data, tmp = sys.argv[1:4]
verbose = "-v" in sys.argv
PSL = os.path.join(data, "psl", "public_suffix_list.dat")

# suite case id -> why mxauth's answer differs on purpose
KNOWN_DIFFERENCES = {
    "rfc9989-compliance#63":
        "RFC 9989 4.10 step 2: several DMARC records at the author domain "
        "are all discarded and the walk goes on, so example.com's policy "
        "applies; ending discovery with none (RFC 7489 6.6.3 step 5) lets "
        "a sender escape its organizational domain's p=reject",
}


def quote(s):
    raw = s.encode()
    return " ".join('"%s"' % "".join("\\%03d" % b if b < 32 or b > 126 or b in (34, 92)
                                     else chr(b) for b in raw[i:i + 255])
                    for i in range(0, max(len(raw), 1), 255))


def run(zone_lines, frm, spf, dkim, psl):
    path = os.path.join(tmp, "dmarc.zone")
    with open(path, "w") as f:
        f.write("$TTL 300\n" + "\n".join(zone_lines) + "\n")
    cmd = [suite_bin, "--zone", path]
    for f in frm if isinstance(frm, list) else [frm]:
        cmd += ["--from", f]
    if psl:
        cmd += ["--psl", PSL]
    if spf:
        cmd += ["--spf", spf]
    for d in dkim:
        cmd += ["--dkim", d]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        return {"error": out.stderr.strip()}
    return json.loads(out.stdout)


# --- Stalwart -----------------------------------------------------------------

def stalwart():
    doc = yaml.safe_load(open(os.path.join(data, "dmarc-stalwart", "dmarc-cases.yml")))
    ok = bad = na = 0
    for t in doc["tests"]:
        if "from" not in t:     # external rua authorisation: reporting
            na += 1
            continue
        dns = t.get("dns") or {}
        zone = ["%s. IN TXT %s" % (n, quote(v)) for n, v in (dns.get("txt") or {}).items()]
        for n, ips in (dns.get("a") or {}).items():
            zone += ["%s. IN A %s" % (n, ip) for ip in ips]
        spf = None
        if t.get("mail_from_domain") and t.get("spf"):
            spf = "%s:%s" % (t["mail_from_domain"], t["spf"])
        dkim = ["%s:%s" % (d["d"], d["result"]) for d in t.get("dkim") or []]
        got = run(zone, t["from"], spf, dkim, False)
        exp = t["expect"]
        problems = []
        if "policy" in exp and (got.get("policy") or "none") != exp["policy"]:
            problems.append("policy %s, want %s" % (got.get("policy"), exp["policy"]))
        if "dmarc_record" in exp and exp["dmarc_record"] is None and got.get("policy_domain"):
            problems.append("found a record at %s, want none" % got["policy_domain"])
        for what, passed in (("dkim", any(d["result"] == "pass" for d in t.get("dkim") or [])),
                             ("spf", t.get("spf") == "pass" and bool(t.get("mail_from_domain")))):
            key = what + "_aligned"
            if key not in exp:
                continue
            mine = "pass" if got.get(key) else "fail-not-aligned" if passed else "none"
            if mine != exp[key]:
                problems.append("%s %s, want %s" % (key, mine, exp[key]))
        if problems or "error" in got:
            bad += 1
            print("  FAIL stalwart %s: %s %s" % (t["name"], "; ".join(problems), got.get("error", "")))
        else:
            ok += 1
    print("dmarc-stalwart: %d passed, %d failed, %d not applicable" % (ok, bad, na))
    return bad


# --- mailauth -----------------------------------------------------------------

def suffixes(domain):
    labels = domain.split(".")
    return [".".join(labels[i:]) for i in range(len(labels))]


def answer_lines(name, rtype, ans):
    """zone lines for one probed answer"""
    if ans is None or "returned" in ans:
        return []
    if "error" in ans:
        e = ans["error"]
        if e == "ENOTFOUND":
            return None                     # NXDOMAIN: leave the name out
        if e == "ENODATA":
            return ["%s. IN %s 127.0.0.9" % (name, "AAAA" if rtype == "A" else "A")
                    if rtype != "A" else "%s. IN TXT \"nodata-for-A\"" % name]
        if e == "ETIMEOUT":
            return [";! timeout %s %s" % (name, rtype)]
        return [";! servfail %s" % name]
    if rtype == "TXT":
        return ["%s. IN TXT %s" % (name, " ".join(quote(s) for s in r)) for r in ans["records"]] \
            or ["%s. IN A 127.0.0.9" % name]
    return []


def from_value(inp):
    """the From field value a case means: mailauth's headerFrom is an
    address, a bare domain, or a list of addresses (several From)"""
    h = inp.get("headerFrom")
    if h is None:
        return "x@" + inp["domain"]
    if isinstance(h, list):     # one From field each
        return [from_value({"headerFrom": x}) for x in h]
    return h if "@" in h else "x@" + h


def dom(d):
    return d if isinstance(d, str) else d["domain"]


def zone_of(call):
    if call.get("dns_zone") is not None:
        lines = []
        for name, types in call["dns_zone"].items():
            for rtype, recs in types.items():
                for r in recs:
                    if rtype == "TXT":
                        lines.append("%s. IN TXT %s" % (name, " ".join(quote(s) for s in r)))
                    elif rtype in ("A", "AAAA"):
                        lines.append("%s. IN %s %s" % (name, rtype, r))
                    elif rtype == "MX":
                        lines.append("%s. IN MX 10 %s." % (name, r if isinstance(r, str) else "mx.invalid"))
        return lines
    inp = call["input"]
    doms = set()
    f = from_value(inp)
    for a in f if isinstance(f, list) else [f]:
        doms.add(a.rsplit("@", 1)[-1].lower())
    for d in (inp.get("dkimDomains") or []) + (inp.get("spfDomains") or []):
        doms.add(dom(d).lower())
    default, dns = call.get("dns_default"), call.get("dns") or {}
    lines = []
    for dn in doms:
        for s in suffixes(dn):
            for name, rtype in (("_dmarc." + s, "TXT"), (s, "A")):
                key = "%s %s" % (name, rtype)
                ans = dns.get(key, default if rtype == "TXT" else dns.get(key))
                got = answer_lines(name, rtype, ans)
                if got:
                    lines += got
    return sorted(set(lines))


EXPECT = re.compile(r'^(?:call#(\d+)\.?)?(result)?\.?([\w.]*) (to\.[\w.]+?)(?:\((.*)\))?$')


def check(assertion, results, dmarc_result):
    """True/False, or None when not applicable"""
    got = results[-1]
    if assertion.startswith("[source] the call throws (temporary DNS error)"):
        return got["result"] == "temperror"
    m = re.match(r"\[source\] the _dmarc TXT query names issued, in order, "
                 r"to\.deep\.equal\((.*)\)$", assertion)
    if m:
        asked = re.findall(r"asked (\S+) TXT:", got.get("trace", ""))
        return asked == json.loads(m.group(1))
    if assertion.startswith("[source]"):
        return None
    m = EXPECT.match(assertion)
    if not m:
        return None
    idx, _, path, verb, arg = m.groups()
    got = results[int(idx)] if idx is not None else results[-1]
    want = json.loads(arg) if arg not in (None, "") else None
    positive = not verb.startswith("to.not")
    falsy = verb in ("to.be.false", "to.not.be.ok", "to.be.undefined")
    if path in ("", None) and verb == "to.be.false":
        return got.get("policy_domain") is None      # getDmarcRecord: no record
    if path == "status.result":
        return (got["result"] == want) == positive
    if path in ("policy", "p", "sp"):
        mine = got.get(path)
        if mine is None and got["result"] == "none" and path == "policy":
            mine = "none"
        return (mine == want) == positive
    if path == "domain":
        return (got.get("org_domain") == want) == positive
    am = re.match(r"alignment\.(dkim|spf)\.result$", path)
    if am:
        aligned = got.get(am.group(1) + "_aligned")
        if falsy:
            return not aligned
        if verb.startswith("to.equal"):
            return bool(aligned) == bool(want)
    return None


def mailauth():
    doc = yaml.safe_load(open(os.path.join(data, "dmarc-mailauth", "dmarc-cases.yml")))
    ok = bad = na = known = 0
    for t in doc["tests"]:
        psl = not t["id"].startswith("rfc9989")
        results = []
        for call in t["calls"]:
            inp = call["input"]
            frm = from_value(inp)
            spf = None
            if inp.get("spfDomains"):
                spf = "%s:pass" % dom(inp["spfDomains"][0])
            dkim = ["%s:pass" % dom(d) for d in inp.get("dkimDomains") or []]
            results.append(run(zone_of(call), frm, spf, dkim, psl))
        if t["id"] in KNOWN_DIFFERENCES:
            if all(check(a, results, None) is not False for a in t["expect"]):
                bad += 1
                print("  FAIL mailauth %s: listed as a known difference but "
                      "agrees now; remove it from KNOWN_DIFFERENCES" % t["id"])
            else:
                known += 1
                print("  known difference mailauth %s: %s" % (t["id"], KNOWN_DIFFERENCES[t["id"]]))
            continue
        for a in t["expect"]:
            r = check(a, results, None)
            if r is None:
                na += 1
                if verbose:
                    print("  n/a  mailauth %s: %s" % (t["id"], a))
            elif r:
                ok += 1
            else:
                bad += 1
                print("  FAIL mailauth %s (%s): %s; got %s" % (t["id"], t["name"], a,
                                                             json.dumps(results[-1])))
    print("dmarc-mailauth: %d passed, %d failed, %d not applicable, %d known "
          "differences" % (ok, bad, na, known))
    return bad


failed = stalwart() + mailauth()
sys.exit(1 if failed else 0)
