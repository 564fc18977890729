#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# reports.sh - DMARC report rows recorded through the real Postfix
# (reporting = yes, report_store = sqlite:...), read back with sqlite3:
#
#   pass         legit.example from its own server: one row, dmarc=pass,
#                disposition none, SPF pass for the MAIL FROM domain
#   reject       bank.example forged from 203.0.113.66: refused with 550,
#                still one row (RFC 9990 counts refused messages)
#   quarantine   quarantine.example forged: held, one row
#   store down   mxauth restarted with a store it cannot open: mail flows
#                with the same verdict, the rows are dropped, counted and
#                logged
. "$top_srcdir/test/e2e/lib.sh"
need_tools
command -v sqlite3 >/dev/null || die "sqlite3 is not installed (contrib/setup-debian.sh)"
rd=$(mktemp -d /tmp/mxauth-reports-e2e.XXXXXX)
chown nobody "$rd"		# the sandbox's mxauth runs as nobody
db=$rd/reports.db
MXAUTH_EXTRA="reporting = yes
report_store = sqlite:$db"
sandbox_start
trap 'rc=$?; sandbox_stop; rm -rf "$rd"; exit $rc' EXIT

# forge NAME DOMAIN - from the forger's address, as DOMAIN
forge() {
	send_mail "$1" --xclient-addr 203.0.113.66 --helo spoofer.example \
	    --from "alerts@$2"
}
rows() { sqlite3 "$db" "SELECT count(*) FROM message" 2>/dev/null || echo 0; }
has_rows() { [ "$(rows)" -ge "$1" ]; }

expect "reporting: start-up names the store" \
    grep -q "reporting: DMARC report rows go to sqlite:$db" "$SB/mxauth.log"

send_mail r-pass
wait_delivered 1
forge r-reject bank.example
expect "reject: swaks sees 550 5.7.1" \
    grep -q '^<\*\* *550 5\.7\.1' "$SB/swaks.r-reject"
forge r-quarantine quarantine.example
expect "three rows recorded" wait_for "three rows" 10 has_rows 3

got=$(sqlite3 -separator ' ' "$db" "SELECT source_ip, header_from,
    envelope_from, policy_domain, p, dmarc, spf, spf_domain, spf_scope,
    policy, disposition, action, overrides FROM message ORDER BY time, id")
want="192.0.2.10 legit.example legit.example legit.example reject pass pass legit.example mfrom reject none accept 
203.0.113.66 bank.example bank.example bank.example reject fail fail bank.example mfrom reject reject reject 
203.0.113.66 quarantine.example quarantine.example quarantine.example quarantine fail fail quarantine.example mfrom quarantine quarantine quarantine "
expect "rows: pass, reject, quarantine exactly as sent" [ "$got" = "$want" ]
[ "$got" = "$want" ] || printf 'got:\n%s\nwant:\n%s\n' "$got" "$want"
expect "the store is in WAL mode" \
    [ "$(sqlite3 "$db" 'PRAGMA journal_mode')" = wal ]
expect "schema version 2" \
    [ "$(sqlite3 "$db" 'SELECT version FROM schema_version')" = 2 ]
expect "the store belongs to mxauth's user" \
    [ "$(stat -c %U "$db")" = nobody ]

# --- the store down: mail flows, rows dropped, counted, logged -------------
mxauth_stop
MXAUTH_EXTRA="reporting = yes"
mxauth_config "report_store = sqlite:/nonexistent/mxauth/reports.db"
mxauth_start || die "mxauth did not restart"
forge r-down bank.example
expect "store down: the forgery is still refused with 550" \
    grep -q '^<\*\* *550 5\.7\.1' "$SB/swaks.r-down"
send_mail r-down-pass
wait_delivered 2
expect "store down: the pass still delivered" \
    sh -c "grep 'r-down-pass' '$SB/swaks.r-down-pass' >/dev/null && grep -q '^<- *250 ' '$SB/swaks.r-down-pass'"
expect "store down: the failure to open is logged" \
    grep -q "cannot open the report store: .*/nonexistent/mxauth/reports.db" "$SB/mxauth.log"
mxauth_stop
expect "store down: the two rows are counted as dropped at the stop" \
    grep -q "reports: 2 row(s) dropped since the last warning, 2 in all: the report store is down" "$SB/mxauth.log"
expect "store down: nothing was written to the old store" [ "$(rows)" -eq 3 ]
finish
