#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# check_cli.sh - the command-line surface an admin uses without an MTA:
# mxauth-check (plain and JSON output, forged A-R selection, ingress
# classes, exit codes) and `mxauth -n` (effective settings, FILE:LINE
# errors).  No network: DNS answers come from a zone file.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
check="$top_builddir/mxauth-check"
mxauth="$top_builddir/mxauth"
data="$top_srcdir/test/data"
tmp=$(mktemp -d /tmp/mxauth-cli.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0

ok() { echo "PASS: $1"; }
bad() { echo "FAIL: $1"; fails=$((fails + 1)); }
# expect DESC CMD... - CMD must succeed
expect() { d=$1; shift; if "$@"; then ok "$d"; else bad "$d"; fi; }

cat >"$tmp/mxauth.conf" <<CONF
# test config: fixed authserv-id, no trusted network but loopback
authserv_id = mx.example
log_target = stderr
CONF
printf '; empty zone: every name is NXDOMAIN\n' >"$tmp/empty.zone"

# --- plain output: deletions first, then our header, then the action ---
"$check" -c "$tmp/mxauth.conf" --zone "$tmp/empty.zone" --ip 192.0.2.10 \
    --helo client.example --mail-from '<bob@bank.example>' \
    "$data/msg/forged-ar.eml" >"$tmp/plain.out" 2>"$tmp/plain.err"
expect "plain: exit 0" [ $? -eq 0 ]
expect "plain: two forged fields deleted" \
    [ "$(grep -c '^-Authentication-Results:' "$tmp/plain.out")" -eq 2 ]
expect "plain: last forged field listed first" \
    sh -c "grep '^-Authentication-Results' '$tmp/plain.out' | head -n 1 | grep -q 'forged'"
expect "plain: other.example kept" \
    sh -c "! grep -q '^-Authentication-Results: other.example' '$tmp/plain.out'"
expect "plain: our header added" \
    grep -q '^Authentication-Results: mx.example;' "$tmp/plain.out"
expect "plain: action line last" \
    sh -c "tail -n 1 '$tmp/plain.out' | grep -q '^action: accept ('"

# --- JSON contract ---
"$check" -c "$tmp/mxauth.conf" --zone "$tmp/empty.zone" --ip 192.0.2.10 \
    --mail-from bob@bank.example --json <"$data/msg/forged-ar.eml" \
    >"$tmp/out.json"
expect "json: exit 0, message from stdin" [ $? -eq 0 ]
expect "json: members and values" python3 - "$tmp/out.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
assert set(j) >= {"ingress", "spf", "dkim", "dmarc", "action", "reason",
                  "add_headers", "remove_headers"}, j.keys()
assert j["ingress"] == "external", j
assert j["dkim"] == [] and j["action"] == "accept", j
# The empty zone has no SPF record: SPF was judged, result none.
assert j["spf"]["result"] == "none" and j["spf"]["domain"] == "bank.example", j
assert j["spf"]["client_ip"] == "192.0.2.10" and j["spf"]["identity"] == "mailfrom"
assert len(j["add_headers"]) == 2, j
assert j["add_headers"][0].startswith("Authentication-Results: mx.example;")
assert j["add_headers"][1].startswith("Received-SPF: none (mx.example: ")
assert "header.from=bank.example" in j["add_headers"][0]
r = j["remove_headers"]
assert len(r) == 2 and all(h.startswith("Authentication-Results: ") for h in r)
assert "MX.EXAMPLE" in r[0] and "spf=pass" in r[1], r
PY

# --- ingress classes ---
printf 'From: a@b.example\n\nx\n' >"$tmp/min.eml"
ingress() {
	"$check" -c "$tmp/mxauth.conf" --zone "$tmp/empty.zone" --json "$@" \
	    "$tmp/min.eml" | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["ingress"], "spf" if j["spf"] else None, j["dmarc"]["result"] if j["dmarc"] else None, j["add_headers"][0].split(";",1)[1].strip())'
}
expect "ingress: loopback is trusted, nothing claimed" \
    [ "$(ingress --ip 127.0.0.1)" = "trusted None None none" ]
expect "ingress: SMTP AUTH is authenticated" \
    [ "$(ingress --ip 198.51.100.7 --auth alice)" = "authenticated None None auth=pass smtp.auth=alice" ]
expect "ingress: IPv6 outsider is external" \
    [ "$(ingress --ip 2001:db8::25 | head -n 1 | cut -d' ' -f1-3)" = "external spf none" ]

# --- errors an admin sees ---
"$check" --ip not-an-ip "$tmp/min.eml" >/dev/null 2>"$tmp/err"
expect "usage: bad --ip exits 2" [ $? -eq 2 ]
expect "usage: bad --ip is named" grep -q 'not an IP address' "$tmp/err"
"$check" -c "$tmp/mxauth.conf" --zone "$tmp/empty.zone" --ip 192.0.2.1 \
    "$tmp/absent.eml" >/dev/null 2>"$tmp/err"
expect "missing message exits 1" [ $? -eq 1 ]
expect "missing message is named" grep -q 'absent.eml' "$tmp/err"
"$check" --zone "$tmp/absent.zone" --ip 192.0.2.1 "$tmp/min.eml" \
    >/dev/null 2>"$tmp/err"
expect "missing zone exits 1" [ $? -eq 1 ]

# --- mxauth -n ---
"$mxauth" -n -c "$tmp/mxauth.conf" >"$tmp/n.out"
expect "-n: exit 0" [ $? -eq 0 ]
expect "-n: prints the changed setting" \
    grep -qx 'authserv_id = mx.example' "$tmp/n.out"
expect "-n: omits defaults" sh -c "! grep -q '^dns_timeout' '$tmp/n.out'"
"$mxauth" -n -a -c "$tmp/mxauth.conf" >"$tmp/na.out"
expect "-n -a: prints defaults too" grep -qx 'dns_timeout = 5' "$tmp/na.out"
printf 'authserv_id = mx.example\n\ndns_timeout = soon\n' >"$tmp/bad.conf"
"$mxauth" -n -c "$tmp/bad.conf" >/dev/null 2>"$tmp/err"
expect "-n bad file: exit 1" [ $? -eq 1 ]
expect "-n bad file: FILE:LINE: message" \
    grep -q "^$tmp/bad.conf:3: " "$tmp/err"
# (Standard error may say only that the default authserv_id, this
# host's name, has no dot: test/e2e/authserv_id.sh checks that warning.)
no_dot_warning_only() {
	! grep -v '^mxauth: warning: authserv_id ".*" has no dot' "$1" | grep -q .
}
"$mxauth" -n -c "$top_srcdir/conf/mxauth.conf" >"$tmp/ex.out" 2>"$tmp/ex.err"
expect "shipped conf/mxauth.conf is valid and all at defaults" \
    [ $? -eq 0 -a ! -s "$tmp/ex.out" ]
expect "shipped conf/mxauth.conf: no error or warning but a short host name" \
    no_dot_warning_only "$tmp/ex.err"
sed 's/^#\([a-z_]* = \)/\1/; /^authserv_id/d' "$top_srcdir/conf/mxauth.conf" \
    >"$tmp/uncommented.conf"
"$mxauth" -n -c "$tmp/uncommented.conf" >"$tmp/unc.out" 2>"$tmp/unc.err"
expect "every example setting, uncommented, is valid and a default" \
    [ $? -eq 0 -a ! -s "$tmp/unc.out" ]
expect "every example setting, uncommented: no error or warning but a short host name" \
    no_dot_warning_only "$tmp/unc.err"
# documented - each key of `mxauth -n -a` matches PATTERN (%s = key) in FILE
documented() {
	for k in $(cut -d' ' -f1 "$tmp/na.out"); do
		grep -q "$(printf "$1" "$k")" "$2" || { echo "missing: $k"; return 1; }
	done
}
expect "every setting is documented in conf/mxauth.conf" \
    documented '^#%s =' "$top_srcdir/conf/mxauth.conf"
expect "every setting is in mxauth.conf(5)" \
    documented '^\.BI %s ' "$top_srcdir/man/mxauth.conf.5"
"$mxauth" -V >"$tmp/v.out"
expect "-V prints the version" grep -q '^mxauth [0-9]' "$tmp/v.out"

[ "$fails" -eq 0 ] || { echo "check_cli: $fails failed"; exit 1; }
exit 0
