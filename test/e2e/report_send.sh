#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# report_send.sh - DMARC aggregate reports sent through the real Postfix:
# a mix of messages through the sandbox (mxauth with reporting = yes,
# report_store = sqlite:...), then mxauth-report without --dry-run, its
# report_transport the sandbox Postfix's own sendmail (-C its config
# directory), and the reports read back at the sink.
#
#   the mix      send.example (p=reject, rua= its own address and three
#                at other organizations, test/data/zones-e2e/example.zone):
#                a pass from 192.0.2.10, a pass through a trusted relay
#                (192.0.2.77, trusted_relays) whose origin is 192.0.2.20,
#                a forgery from 203.0.113.66 refused with 550;
#                sendq.example (p=quarantine): a forgery held;
#                senddry.example (p=reject, dry_run=yes in
#                policy_overrides): a forgery accepted
#   reports      one message per (domain, verified address) arrives at
#                the sink through Postfix, From report_email, with an
#                application/gzip part whose XML validates against RFC
#                9990's schema and whose counts, source IPs (the relay's
#                origin, not the relay), dispositions and reasons are
#                exactly those of the mix
#   destinations agg@consent.example (its _report._dmarc record) and
#                agg@wild.example (a wildcard record) get
#                send.example's report; agg@noconsent.example (no
#                record) gets none and is logged report=unverified
#   again        a second run sends nothing; --force with
#                report_transport = smtp:127.0.0.1:2525 sends them all
#                again, by SMTP, with the same report ids
. "$top_srcdir/test/e2e/lib.sh"
need_tools
command -v sqlite3 >/dev/null || die "sqlite3 is not installed (contrib/setup-debian.sh)"
command -v xmllint >/dev/null || die "xmllint is not installed (contrib/setup-debian.sh)"
rd=$(mktemp -d /tmp/mxauth-report-send-e2e.XXXXXX)
chmod 755 "$rd"
chown nobody "$rd"		# the sandbox's mxauth runs as nobody
db=$rd/reports.db
printf 'senddry.example dry_run=yes\n' >"$rd/overrides"
chmod 644 "$rd/overrides"
MXAUTH_EXTRA="reporting = yes
report_store = sqlite:$db
trusted_relays = 192.0.2.77/32
policy_overrides = file:$rd/overrides"
sandbox_start
trap 'rc=$?; sandbox_stop; rm -rf "$rd"; exit $rc' EXIT

rows() { sqlite3 "$db" "SELECT count(*) FROM message" 2>/dev/null || echo 0; }
has_rows() { [ "$(rows)" -ge "$1" ]; }
# forge NAME DOMAIN - from the forger's address, as DOMAIN
forge() {
	send_mail "$1" --xclient-addr 203.0.113.66 --helo spoofer.example \
	    --from "alerts@$2"
}
# reports_at_sink - the sink's files that carry a report
reports_at_sink() { grep -l "^Subject: Report Domain: " "$SB"/sink/* 2>/dev/null; }
reports_arrived() { [ "$(reports_at_sink | wc -l)" -ge "$1" ]; }

period_begin=$(($(date +%s) - 3600))
period_end=$(($(date +%s) + 3600))
send_mail s-pass --from sender@send.example
send_mail s-relay --from sender@send.example \
    --xclient-addr 192.0.2.77 --xclient-name relay.example --helo relay.example \
    --add-header "Received: from origin.send.example (origin.send.example [192.0.2.20]) by relay.example (Postfix) with ESMTP id 4Q1AbC2dEf; Mon, 30 Nov 2026 10:00:00 +0000"
forge s-spoof send.example
expect "the forgery of send.example is refused with 550" \
    grep -q '^<\*\* *550 5\.7\.1' "$SB/swaks.s-spoof"
forge s-quar sendq.example
forge s-dry senddry.example
expect "the dry-run forgery is accepted" \
    grep -q '^<- *250 .*queued' "$SB/swaks.s-dry"
expect "five rows recorded" wait_for "five rows" 10 has_rows 5
got=$(sqlite3 -separator ' ' "$db" "SELECT source_ip, header_from, dmarc,
    disposition, overrides FROM message ORDER BY time, id")
want="192.0.2.10 send.example pass none 
192.0.2.20 send.example pass none 
203.0.113.66 send.example fail reject 
203.0.113.66 sendq.example fail quarantine 
203.0.113.66 senddry.example fail none policy_overrides,dry_run"
expect "rows: the relay's origin judged, dispositions as applied" [ "$got" = "$want" ]
[ "$got" = "$want" ] || printf 'got:\n%s\nwant:\n%s\n' "$got" "$want"

# --- mxauth-report sends through the sandbox Postfix -----------------------
# Postfix's sendmail for the sandbox instance (root may name its config)
cat >"$rd/sendmail" <<SH
#!/bin/sh
exec /usr/sbin/sendmail -C "$PFCONF" "\$@"
SH
chmod 755 "$rd/sendmail"
conf() {
	printf 'report_store = sqlite:%s\nreport_org_name = mxauth e2e\nreport_email = dmarc-reports@mx.example\ndns_servers = 127.0.0.1:%s\ndns_timeout = 1\ndns_retries = 0\nreport_transport = %s\n' \
	    "$db" "$DNS_PORT" "$1" >"$rd/report.conf"
}
report() {
	"$top_builddir/mxauth-report" -c "$rd/report.conf" \
	    --begin "$period_begin" --end "$period_end" "$@"
}
conf "sendmail:$rd/sendmail"
report >"$rd/run1.out" 2>"$rd/run1.err"
rc=$?
cat "$rd/run1.out" "$rd/run1.err"
expect "mxauth-report: exit 0, five reports sent, one destination unverified" \
    sh -c "[ $rc -eq 0 ] && grep -q 'rows=5 without_rua=0 sent=5 already_made=0 unverified=1 dest_temperror=0 failed=0' '$rd/run1.out'"
expect "noconsent.example: report=unverified, no _report._dmarc record" \
    grep -q '^report=unverified domain=send.example rua=agg@noconsent.example why="send.example._report._dmarc.noconsent.example: no such name"' "$rd/run1.out"
expect "the five reports arrive at the sink through Postfix" \
    wait_for "five reports at the sink" 30 reports_arrived 5
expect "Postfix delivered them to the sink" \
    sh -c "[ \$(grep -c 'to=<.*>, relay=127.0.0.1\[127.0.0.1\]:$SINK_PORT.*status=sent' '$SB/maillog') -ge 5 ]"

# read_reports - per message at the sink: To, the Subject's domain, then
# its report's policy and records (source_ip count disposition dkim spf
# reasons); each report's XML saved as $rd/xml.N
read_reports() {
	python3 - "$rd" $(reports_at_sink) <<'PY'
import email, gzip, sys, xml.etree.ElementTree as ET
ns = {"d": "urn:ietf:params:xml:ns:dmarc-2.0"}
out = []
for i, f in enumerate(sys.argv[2:]):
    raw = open(f, "rb").read().replace(b"\r\n", b"\n")
    m = email.message_from_bytes(raw)
    parts = [p for p in m.walk() if p.get_content_type() == "application/gzip"]
    assert len(parts) == 1, f
    assert parts[0].get_filename().endswith(".xml.gz"), f
    data = gzip.decompress(parts[0].get_payload(decode=True))
    open("%s/xml.%d" % (sys.argv[1], i), "wb").write(data)
    t = ET.fromstring(data)
    lines = ["%s from=%s %s" % (m["To"], m["From"],
             " ".join(m["Subject"].split()[:3]))]
    lines.append("policy " + t.findtext("d:policy_published/d:domain", namespaces=ns)
                 + " " + t.findtext("d:policy_published/d:p", namespaces=ns))
    for r in t.findall("d:record", ns):
        row = r.find("d:row", ns)
        pe = row.find("d:policy_evaluated", ns)
        reasons = ",".join(x.findtext("d:type", namespaces=ns) + ":" +
                           (x.findtext("d:comment", namespaces=ns) or "")
                           for x in pe.findall("d:reason", ns))
        lines.append("  %s %s %s %s %s %s" % (
            row.findtext("d:source_ip", namespaces=ns),
            row.findtext("d:count", namespaces=ns),
            pe.findtext("d:disposition", namespaces=ns),
            pe.findtext("d:dkim", namespaces=ns),
            pe.findtext("d:spf", namespaces=ns), reasons or "-"))
    out.append("\n".join(lines))
print("\n".join(sorted(out)))
PY
}
want_send="  192.0.2.10 1 pass fail pass -
  192.0.2.20 1 pass fail pass -
  203.0.113.66 1 reject fail fail -"
want="agg@consent.example from=dmarc-reports@mx.example Report Domain: send.example
policy send.example reject
$want_send
agg@wild.example from=dmarc-reports@mx.example Report Domain: send.example
policy send.example reject
$want_send
dmarc@send.example from=dmarc-reports@mx.example Report Domain: send.example
policy send.example reject
$want_send
dmarc@senddry.example from=dmarc-reports@mx.example Report Domain: senddry.example
policy senddry.example reject
  203.0.113.66 1 none fail fail local_policy:policy_overrides senddry.example,local_policy:dry_run
dmarc@sendq.example from=dmarc-reports@mx.example Report Domain: sendq.example
policy sendq.example quarantine
  203.0.113.66 1 quarantine fail fail -"
got=$(read_reports)
expect "reports: one per verified address, counts, source IPs, dispositions exactly as sent" \
    [ "$got" = "$want" ]
[ "$got" = "$want" ] || printf 'got:\n%s\nwant:\n%s\n' "$got" "$want"
n=0
for x in "$rd"/xml.*; do
	xmllint --noout --schema "$top_srcdir/test/data/dmarc-report/dmarc-xml-0.2.xsd" \
	    "$x" 2>>"$rd/xmllint.err" && n=$((n + 1))
done
expect "all five reports valid against RFC 9990's schema" [ "$n" -eq 5 ]
[ "$n" -eq 5 ] || cat "$rd/xmllint.err"
expect "nothing was sent to noconsent.example" \
    sh -c "! grep -l 'agg@noconsent.example' '$SB'/sink/* >/dev/null 2>&1"

# --- again: nothing; --force by SMTP: everything, the same ids -------------
report >"$rd/run2.out" 2>&1
expect "a second run: exit 0, nothing sent" \
    grep -q 'sent=0 already_made=5 unverified=1' "$rd/run2.out"
# (the quarantined message stays on hold: the queue is never empty)
flush_queue
sleep 3
expect "a second run: no new report at the sink" [ "$(reports_at_sink | wc -l)" -eq 5 ]
ids1=$(grep -o 'id=[^ ]*' "$rd/run1.out" | sort)
conf "smtp:127.0.0.1:$PF_PORT"
report --force >"$rd/run3.out" 2>&1
cat "$rd/run3.out"
expect "--force by SMTP: exit 0, five sent again" \
    grep -q 'sent=5 already_made=0 unverified=1' "$rd/run3.out"
expect "--force: the same report ids" \
    [ "$(grep -o 'id=[^ ]*' "$rd/run3.out" | sort)" = "$ids1" ]
expect "--force by SMTP: ten reports at the sink" \
    wait_for "ten reports at the sink" 30 reports_arrived 10
finish
