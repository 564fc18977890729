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
#   mxauth-report  rua.example (rua= two mailto: addresses): two passes
#                and a forgery recorded, then mxauth-report --dry-run
#                over the period: one report per address, valid against
#                RFC 9990's schema, with exactly those counts, source IPs
#                and dispositions; nothing for the domains without rua;
#                a second run makes nothing
#   store down   mxauth restarted with a store it cannot open and a queue
#                of one row: mail flows with the same verdict, the rows
#                are dropped, counted and logged
#   metrics      /metrics (metrics_listen): mxauth_report_rows_written_total
#                is the rows the store got, mxauth_report_rows_dropped_total
#                those the full queue dropped while the store was down
. "$top_srcdir/test/e2e/lib.sh"
need_tools
command -v sqlite3 >/dev/null || die "sqlite3 is not installed (contrib/setup-debian.sh)"
rd=$(mktemp -d /tmp/mxauth-reports-e2e.XXXXXX)
chown nobody "$rd"		# the sandbox's mxauth runs as nobody
db=$rd/reports.db
METRICS_PORT=$(python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
MXAUTH_EXTRA="reporting = yes
metrics_listen = 127.0.0.1:$METRICS_PORT
report_store = sqlite:$db"
# rua.example: SPF for the sandbox's legitimate client, rua= two addresses
cat >"$rd/rua.zone" <<'ZONE'
$ORIGIN rua.example.
$TTL 300
@	IN SOA	ns.example. hostmaster.example. 1 3600 600 86400 60
@	IN NS	ns.example.
@	IN TXT	"v=spf1 ip4:192.0.2.10 -all"
_dmarc	IN TXT	"v=DMARC1; p=reject; rua=mailto:dmarc@rua.example,mailto:agg@third.example"
ZONE
EXTRA_ZONES="$rd/rua.zone"
sandbox_start
trap 'rc=$?; sandbox_stop; rm -rf "$rd"; exit $rc' EXIT

# forge NAME DOMAIN - from the forger's address, as DOMAIN
forge() {
	send_mail "$1" --xclient-addr 203.0.113.66 --helo spoofer.example \
	    --from "alerts@$2"
}
rows() { sqlite3 "$db" "SELECT count(*) FROM message" 2>/dev/null || echo 0; }
# metric NAME - the counter's value on mxauth's /metrics now
metric() {
	python3 - "$METRICS_PORT" "$1" <<'PY'
import sys, urllib.request
t = urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1],
                           timeout=5).read().decode()
print(([l.split()[1] for l in t.splitlines()
        if l.split(" ")[0] == sys.argv[2]] or ["absent"])[0])
PY
}
metric_is() { [ "$(metric "$1")" = "$2" ]; }
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

# --- mxauth-report over the rows the daemon wrote --------------------------
period_begin=$(($(date +%s) - 3600))
period_end=$(($(date +%s) + 3600))
send_mail r-rua-1 --from sender@rua.example
send_mail r-rua-2 --from sender@rua.example
forge r-rua-forged rua.example
expect "rua.example's forgery refused with 550" \
    grep -q '^<\*\* *550 5\.7\.1' "$SB/swaks.r-rua-forged"
expect "six rows recorded" wait_for "six rows" 10 has_rows 6
expect "metrics: six rows written" \
    wait_for "rows written" 10 metric_is mxauth_report_rows_written_total 6
expect "metrics: no row dropped" metric_is mxauth_report_rows_dropped_total 0
out=$rd/out
mkdir "$out"
chown nobody "$out"
# (third.example agrees to get rua.example's reports: example.zone)
printf 'report_store = sqlite:%s\nreport_org_name = mxauth e2e\nreport_email = dmarc-reports@mx.example\ndns_servers = 127.0.0.1:%s\n' \
    "$db" "$DNS_PORT" >"$rd/report.conf"
# as mxauth's user (the store's owner), as cron would run it
report() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    "$top_builddir/mxauth-report" -c "$rd/report.conf" \
	    --begin "$period_begin" --end "$period_end" --dry-run "$out"
}
report >"$rd/report1.out" 2>&1
expect "mxauth-report: exit 0, two reports, the rows without rua counted" \
    grep -q "rows=6 without_rua=3 written=2 already_made=0" "$rd/report1.out"
cat "$rd/report1.out"
for f in "$out"/*.xml.gz; do
	zcat "$f" >"${f%.gz}"
	expect "$(basename "$f"): valid against RFC 9990's schema" xmllint --noout \
	    --schema "$top_srcdir/test/data/dmarc-report/dmarc-xml-0.2.xsd" "${f%.gz}"
done
# two .xml.gz, two .eml (and the two .xml unpacked above): rua.example's only
if [ "$(ls "$out"/*.xml.gz | wc -l)" -eq 2 ] && [ "$(ls "$out"/*.eml | wc -l)" -eq 2 ] &&
    [ "$(ls "$out" | grep -vc '!rua\.example!')" -eq 0 ]; then
	ok=y; else ok=n; fi
expect "one report per rua address, none for the other domains" [ $ok = y ]
recs=$(for f in "$out"/*.xml; do python3 - "$f" <<'PY'
import sys, xml.etree.ElementTree as ET
ns = {"d": "urn:ietf:params:xml:ns:dmarc-2.0"}
t = ET.parse(sys.argv[1]).getroot()
print(t.findtext("d:policy_published/d:domain", namespaces=ns),
      t.findtext("d:policy_published/d:p", namespaces=ns))
for r in t.findall("d:record", ns):
    print(r.findtext("d:row/d:source_ip", namespaces=ns),
          r.findtext("d:row/d:count", namespaces=ns),
          r.findtext("d:row/d:policy_evaluated/d:disposition", namespaces=ns),
          r.findtext("d:identifiers/d:header_from", namespaces=ns),
          r.findtext("d:auth_results/d:spf/d:result", namespaces=ns))
PY
done)
want="rua.example reject
192.0.2.10 2 pass rua.example pass
203.0.113.66 1 reject rua.example fail
rua.example reject
192.0.2.10 2 pass rua.example pass
203.0.113.66 1 reject rua.example fail"
expect "reports: counts, source IPs and dispositions exactly as sent" [ "$recs" = "$want" ]
[ "$recs" = "$want" ] || printf 'got:\n%s\nwant:\n%s\n' "$recs" "$want"
rm -f "$out"/*
report >"$rd/report2.out" 2>&1
expect "mxauth-report again: nothing made" \
    sh -c "grep -q 'written=0 already_made=2' '$rd/report2.out' && [ -z \"\$(ls '$out')\" ]"

# --- the store down: mail flows, rows dropped, counted, logged -------------
mxauth_stop
MXAUTH_EXTRA="reporting = yes
metrics_listen = 127.0.0.1:$METRICS_PORT
report_queue = 1"
mxauth_config "report_store = sqlite:/nonexistent/mxauth/reports.db"
mxauth_start || die "mxauth did not restart"
forge r-down bank.example
expect "store down: the forgery is still refused with 550" \
    grep -q '^<\*\* *550 5\.7\.1' "$SB/swaks.r-down"
send_mail r-down-pass
wait_delivered 4
expect "store down: the pass still delivered" \
    sh -c "grep 'r-down-pass' '$SB/swaks.r-down-pass' >/dev/null && grep -q '^<- *250 ' '$SB/swaks.r-down-pass'"
expect "store down: the failure to open is logged" \
    grep -q "cannot open the report store: .*/nonexistent/mxauth/reports.db" "$SB/mxauth.log"
# the first row waits in the queue of one for the store; the second is dropped
expect "store down: the dropped row is logged with its count" \
    grep -q "reports: 1 row(s) dropped since the last warning, 1 in all: " "$SB/mxauth.log"
expect "metrics: the dropped row counted" \
    metric_is mxauth_report_rows_dropped_total 1
expect "metrics: no row written since the restart" \
    metric_is mxauth_report_rows_written_total 0
mxauth_stop
expect "store down: nothing was written to the old store" [ "$(rows)" -eq 6 ]
finish
