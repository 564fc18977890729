#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# run.sh - DKIM verification cases, end to end through mxauth-check.
#
# test/dkim/gen_fixtures.py makes fresh keys, a zone and messages signed
# by an independent implementation (Debian's python3-dkim); each message
# goes through mxauth-check --zone --json, and the DKIM results (one per
# signature, in the order the message carries them) must be these.
# What each case exercises is in its name; the table is mxauth's own
# rules (RFC 6376, RFC 8301, RFC 8463), not any suite's answers.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
tmp=$(mktemp -d /tmp/mxauth-dkim.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
/usr/bin/python3 "$top_srcdir/test/dkim/gen_fixtures.py" "$tmp" || exit 1
printf 'authserv_id = mx.example\n' >"$tmp/mxauth.conf"
pass=0 fail=0

# results CASE - "result:selector[:reason]" per signature, space separated
results() {
	"$top_builddir/mxauth-check" -c "$tmp/mxauth.conf" --zone "$tmp/all.zone" \
	    --ip 192.0.2.10 --mail-from a@signer.example --json "$tmp/$1.eml" |
	    /usr/bin/python3 -c 'import json,sys
print(" ".join("%s:%s" % (d["result"], d["selector"]) for d in json.load(sys.stdin)["dkim"]) or "-")'
}

while read -r case want; do
	case "$case" in ''|'#'*) continue ;; esac
	got=$(results "$case")
	if [ "$got" = "$want" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $case: got '$got', want '$want'"
	fi
done <<'TABLE'
# case              results
rsa-relaxed         pass:rsa
rsa-simple          pass:rsa
ed25519             pass:ed
folded-long-8bit    pass:rsa
simple-folded       pass:rsa
empty-body          pass:rsa
key-1024            pass:k1024
test-key            pass:testing
key-h-sha1          permerror:sha1only
key-s-other         permerror:notemail
body-changed        fail:rsa
header-changed      fail:rsa
from-prepended      fail:rsa
rsa-sha1            policy:rsa
key-768             policy:k768
partial-body        policy:rsa
revoked             permerror:revoked
no-key              permerror:nokey
key-timeout         temperror:slow
key-servfail        temperror:broken
two-one-bad         fail:ed pass:rsa
expired             fail:rsa
bad-domain          permerror:None
d-single-label      permerror:None
hdr-sp-ss           pass:rsa
hdr-nosp-ss         pass:rsa
hdr-twosp-ss        pass:rsa
hdr-tab-ss          pass:rsa
hdr-fold-ss         pass:rsa
hdr-sp-sr           pass:rsa
hdr-nosp-sr         pass:rsa
hdr-twosp-sr        pass:rsa
hdr-tab-sr          pass:rsa
hdr-fold-sr         pass:rsa
from-obs            pass:rsa
from-obs-tab        pass:rsa
from-obs-prepended  fail:rsa
unsigned            -
TABLE

# The A-R comment is the reason's fixed text; the details are in the JSON.
out=$("$top_builddir/mxauth-check" -c "$tmp/mxauth.conf" --zone "$tmp/all.zone" \
    --ip 192.0.2.10 --mail-from a@signer.example "$tmp/partial-body.eml")
if echo "$out" | grep -q 'dkim=policy (l= leaves body unsigned) header.d=signer.example header.i=@signer.example header.s=rsa header.a=rsa-sha256 header.b='; then
	pass=$((pass + 1))
else
	fail=$((fail + 1)); echo "FAIL partial-body A-R: $out"
fi
got=$("$top_builddir/mxauth-check" -c "$tmp/mxauth.conf" --zone "$tmp/all.zone" \
    --ip 192.0.2.10 --mail-from a@signer.example --json "$tmp/partial-body.eml" |
    /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["dkim"][0]["reason"])')
if echo "$got" | grep -q '^l=[0-9]* covers part of a [0-9]*-byte body$'; then
	pass=$((pass + 1))
else
	fail=$((fail + 1)); echo "FAIL partial-body JSON reason: $got"
fi
# dkim_allow_partial_body = yes lets l= pass.
printf 'authserv_id = mx.example\ndkim_allow_partial_body = yes\n' >"$tmp/partial.conf"
got=$("$top_builddir/mxauth-check" -c "$tmp/partial.conf" --zone "$tmp/all.zone" \
    --ip 192.0.2.10 --mail-from a@signer.example --json "$tmp/partial-body.eml" |
    /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["dkim"][0]["result"])')
if [ "$got" = pass ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL allow-partial: $got"; fi
# dkim_max_signatures = 1 evaluates the first and ignores the other.
printf 'authserv_id = mx.example\ndkim_max_signatures = 1\n' >"$tmp/max.conf"
got=$("$top_builddir/mxauth-check" -c "$tmp/max.conf" --zone "$tmp/all.zone" \
    --ip 192.0.2.10 --mail-from a@signer.example --json "$tmp/two-one-bad.eml" |
    /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)["dkim"]))')
if [ "$got" = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL max-signatures: $got"; fi

# RFC 8463 Appendix A vectors (test/data/dkim-rfc8463, with SOURCE and
# LICENSE): every signature of both signed files must pass.
/usr/bin/python3 - "$top_srcdir/test/data/dkim-rfc8463/dns.json" >"$tmp/8463.zone" <<'PY'
import json, sys
print("$TTL 300")
for name, v in json.load(open(sys.argv[1])).items():
    for strings in v.get("TXT", []):
        print("%s. IN TXT %s" % (name.rstrip("."),
              " ".join('"%s"' % s for s in strings)))
PY
for f in rfc8463-example-relaxed rfc8463-message-simple-dkimpy; do
	got=$("$top_builddir/mxauth-check" -c "$tmp/mxauth.conf" --zone "$tmp/8463.zone" \
	    --ip 192.0.2.10 --json "$top_srcdir/test/data/dkim-rfc8463/$f.eml" |
	    /usr/bin/python3 -c 'import json,sys
print(" ".join("%s:%s:%s" % (d["result"], d["selector"], d["algorithm"]) for d in json.load(sys.stdin)["dkim"]))')
	want="pass:brisbane:ed25519-sha256 pass:test:rsa-sha256"
	if [ "$got" = "$want" ]; then pass=$((pass + 1)); else
		fail=$((fail + 1)); echo "FAIL $f: got '$got', want '$want'"; fi
done

echo "dkim: $pass passed, $fail failed"
# Real-world messages (test/dkim/stalwart.py, clock set by --at).
/usr/bin/python3 "$top_srcdir/test/dkim/stalwart.py" "$top_builddir/mxauth-check" \
    "$top_srcdir/test/data/dkim-stalwart" "$tmp" || fail=$((fail + 1))
# The Mail::DKIM corpus: no false passes (see test/dkim/mail_dkim.py).
/usr/bin/python3 "$top_srcdir/test/dkim/mail_dkim.py" "$top_builddir/mxauth-check" \
    "$top_srcdir/test/data/dkim-mail-dkim" "$tmp" || fail=$((fail + 1))
[ "$fail" -eq 0 ]
