#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# reports_pg.sh - one receiver, two MX hosts, one PostgreSQL store: a
# private cluster (test/pg_lib.sh: initdb into a temporary directory,
# listening on 127.0.0.1 on a free port, stopped and removed at the end)
# and two mxauth daemons recording into it, each judging through the
# sandbox's Postfix in turn (the sandbox's mxauth, then a second one,
# "mx2", on the inner milter port, both running all along):
#
#   host 1      two passes from rua.example, a rua2.example forgery (550)
#   host 2      a pass from rua.example, a rua.example forgery (550), a
#               pass from rua2.example
#   reports     two mxauth-report runs started at the same moment:
#               exactly one report per domain between them, valid
#               against RFC 9990's schema, with the counts of both hosts
#   store down  PostgreSQL stopped under the running daemons: mail keeps
#               flowing with the same verdicts, the row is dropped,
#               counted and logged; started again, the daemon reopens it
#               and what waited is written
. "$top_srcdir/test/e2e/lib.sh"
. "$top_srcdir/test/pg_lib.sh"
need_tools
command -v psql >/dev/null || die "psql is not installed (postgresql, contrib/setup-debian.sh)"
XSD=$top_srcdir/test/data/dmarc-report/dmarc-xml-0.2.xsd

rd=$(mktemp -d /tmp/mxauth-reports-pg.XXXXXX)
chmod 755 "$rd"
PG_PORT=$(python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
pg_setup "$PG_PORT" || { rm -rf "$rd"; die "the private PostgreSQL did not start"; }
MXAUTH_EXTRA="reporting = yes
report_store = $PG_URI"
for d in rua rua2; do
	cat >"$rd/$d.zone" <<ZONE
\$ORIGIN $d.example.
\$TTL 300
@	IN SOA	ns.example. hostmaster.example. 1 3600 600 86400 60
@	IN NS	ns.example.
@	IN TXT	"v=spf1 ip4:192.0.2.10 -all"
_dmarc	IN TXT	"v=DMARC1; p=reject; rua=mailto:dmarc@$d.example"
ZONE
done
EXTRA_ZONES="$rd/rua.zone $rd/rua2.zone"
sandbox_start
trap '_rc=$?; mx2_stop; pg_teardown; rm -rf "$rd"; (exit $_rc); sandbox_exit' EXIT

# mx2_start - the second host's mxauth on the inner milter port, same
# receiver (authserv_id), same store
mx2_start() { second_start mx2 "$AUTHSERV_ID" "$MXAUTH_EXTRA"; }
mx2_stop() { second_stop mx2; }
# forge NAME DOMAIN - from the forger's address, as DOMAIN
forge() {
	send_mail "$1" --xclient-addr 203.0.113.66 --helo spoofer.example \
	    --from "alerts@$2"
}
refused() { grep -q '^<\*\* *550 5\.7\.1' "$SB/swaks.$1"; }
rows() { pg_psql "SELECT count(*) FROM message" 2>/dev/null || echo 0; }
has_rows() { [ "$(rows)" -ge "$1" ]; }
# forgeries - mx2's verdicts on the forger's messages, less time and id
forgeries() { grep ' ip=203\.0\.113\.66 ' "$SB/mx2.log" | sed 's/^.*: ingress=/ingress=/'; }
# same_forgeries - two forgeries judged, the same verdict, a reject
same_forgeries() {
	[ "$(forgeries | wc -l)" -eq 2 ] &&
	    [ "$(forgeries | sort -u | wc -l)" -eq 1 ] &&
	    forgeries | head -n 1 | grep -q 'dmarc=fail .*action=reject'
}
dmarc_pass() { header "$1" Authentication-Results | grep -q 'dmarc=pass'; }

mx2_start || die "the second mxauth did not start"
expect "both hosts record into PostgreSQL" \
    sh -c "grep -q 'reporting: DMARC report rows go to PostgreSQL' '$SB/mxauth.log' &&
        grep -q 'reporting: DMARC report rows go to PostgreSQL' '$SB/mx2.log'"
period_begin=$(($(date +%s) - 3600))
period_end=$(($(date +%s) + 3600))

# --- host 1: the sandbox's mxauth ---------------------------------------------
send_mail h1-pass-1 --from sender@rua.example
send_mail h1-pass-2 --from sender@rua.example
forge h1-forged rua2.example
expect "host 1: the rua2.example forgery refused with 550" refused h1-forged
wait_delivered 2

# --- host 2: the same Postfix now in front of mx2 -------------------------------
postfix_stop
postfix_start "inet:127.0.0.1:$INNER_MILTER_PORT" || die "Postfix did not restart"
send_mail h2-pass-1 --from sender@rua.example
forge h2-forged rua.example
expect "host 2: the rua.example forgery refused with 550" refused h2-forged
send_mail h2-pass-2 --from sender@rua2.example
wait_delivered 4
expect "each host judged its own three messages" \
    [ "$(grep -c ': ingress=' "$SB/mxauth.log")" -eq 3 -a \
      "$(grep -c ': ingress=' "$SB/mx2.log")" -eq 3 ]
expect "six rows in PostgreSQL, from both hosts" wait_for "six rows" 15 has_rows 6
expect "the rows: source IPs, domains and dispositions as sent" \
    [ "$(pg_psql "SELECT source_ip || ' ' || header_from || ' ' || disposition
        FROM message ORDER BY header_from, source_ip" | sort | uniq -c |
        awk '{print $1, $2, $3, $4}' | tr '\n' ';')" = \
      "3 192.0.2.10 rua.example none;1 192.0.2.10 rua2.example none;1 203.0.113.66 rua.example reject;1 203.0.113.66 rua2.example reject;" ]

# --- two mxauth-report runs at the same moment ----------------------------------
mkdir "$rd/out1" "$rd/out2"
chown nobody "$rd/out1" "$rd/out2"
printf 'report_store = %s\nreport_org_name = mxauth e2e\nreport_email = dmarc-reports@mx.example\n' \
    "$PG_URI" >"$rd/report.conf"
report() {	# report N - one run, as cron on host N would start it
	while [ ! -e "$rd/go" ]; do sleep 0.01; done
	exec setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    "$top_builddir/mxauth-report" -c "$rd/report.conf" \
	    --begin "$period_begin" --end "$period_end" --dry-run "$rd/out$1"
}
report 1 >"$rd/run1" 2>&1 &
r1=$!
report 2 >"$rd/run2" 2>&1 &
r2=$!
sleep 0.2
touch "$rd/go"
wait $r1; rc1=$?
wait $r2; rc2=$?
cat "$rd/run1" "$rd/run2"
expect "both runs: exit 0" [ $rc1 -eq 0 -a $rc2 -eq 0 ]
made=$(cd "$rd" && ls out1/*.xml.gz out2/*.xml.gz 2>/dev/null)
expect "exactly one report per domain between the two runs" \
    [ "$(echo "$made" | grep -c '!rua\.example!')" -eq 1 -a \
      "$(echo "$made" | grep -c '!rua2\.example!')" -eq 1 -a \
      "$(echo "$made" | grep -c .)" -eq 2 ]
expect "the runs' summaries: two written, two already made, in all" \
    [ "$(cat "$rd/run1" "$rd/run2" | sed -n 's/.* written=\([0-9]*\) already_made=\([0-9]*\) .*$/\1 \2/p' |
        awk '{w += $1; a += $2} END {print w, a}')" = "2 2" ]
for f in $made; do
	zcat "$rd/$f" >"$rd/${f%.gz}"
	expect "$(basename "$f"): valid against RFC 9990's schema" \
	    xmllint --noout --schema "$XSD" "$rd/${f%.gz}"
done
recs=$(for f in $made; do python3 - "$rd/${f%.gz}" <<'PY'
import sys, xml.etree.ElementTree as ET
ns = {"d": "urn:ietf:params:xml:ns:dmarc-2.0"}
t = ET.parse(sys.argv[1]).getroot()
d = t.findtext("d:policy_published/d:domain", namespaces=ns)
for r in t.findall("d:record", ns):
    print(d, r.findtext("d:row/d:source_ip", namespaces=ns),
          r.findtext("d:row/d:count", namespaces=ns),
          r.findtext("d:row/d:policy_evaluated/d:disposition", namespaces=ns))
PY
done | sort)
want="rua.example 192.0.2.10 3 pass
rua.example 203.0.113.66 1 reject
rua2.example 192.0.2.10 1 pass
rua2.example 203.0.113.66 1 reject"
expect "the reports count both hosts' messages exactly" [ "$recs" = "$want" ]
[ "$recs" = "$want" ] || printf 'got:\n%s\nwant:\n%s\n' "$recs" "$want"

# --- PostgreSQL stopped under the running daemons --------------------------------
eval "$PG_STOP" || die "pg_ctl stop failed"
forge h2-down-forged rua.example
expect "store down: the forgery is still refused with 550" refused h2-down-forged
send_mail h2-down-pass --from sender@rua.example
wait_delivered 5
expect "store down: the pass still delivered, with dmarc=pass" \
    dmarc_pass h2-down-pass
expect "store down: the forgery's verdict is the one before the stop" \
    same_forgeries
expect "store down: the dropped row is logged with its count" \
    wait_for "a drop warning" 15 grep -q "reports: [0-9]* row(s) dropped since the last warning, [0-9]* in all" "$SB/mx2.log"
dropped=$(sed -n 's/.*reports: [0-9]* row(s) dropped since the last warning, \([0-9]*\) in all.*/\1/p' "$SB/mx2.log" | tail -n 1)
expect "store down: nothing was tempfailed" \
    sh -c "! grep -q 'action=tempfail' '$SB/mx2.log'"
eval "$PG_START" || die "pg_ctl start failed"
expect "store back: mx2 opens it again" \
    wait_for "the store reopened" 70 grep -q "reports: the report store is open again" "$SB/mx2.log"
expect "store back: the rows not dropped ($((2 - ${dropped:-0}))) are written" \
    wait_for "the rows that waited" 15 has_rows $((6 + 2 - ${dropped:-0}))
mx2_stop
finish
