# SPDX-License-Identifier: BSD-2-Clause
# report_cli.sh - mxauth-report against a real SQLite store: rows as the
# daemon writes them (inserted here with sqlite3 into the schema
# mxauth-report created) -> one .xml.gz and one message per (policy
# domain, mailto: destination) in --dry-run DIR, each report valid
# against RFC 9990's schema (xmllint), with exactly the counts, source
# IPs and dispositions of the rows; no report without a mailto: rua;
# a second run makes nothing, --force makes them again; configuration
# errors as FILE:LINE.  The destination at another organization
# (third.example) is verified first (--zone): without its
# _report._dmarc record it gets nothing, on SERVFAIL nothing and exit 1.
# Sent (report_transport = sendmail: a fake sendmail that keeps its
# arguments and input): one message per destination, "-oi -f FROM --
# TO"; a sendmail that fails: exit 1, the claims released, the next run
# sends them.
set -u

top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
bin=$top_builddir/mxauth-report
xsd=$top_srcdir/test/data/dmarc-report/dmarc-xml-0.2.xsd
[ -x "$bin" ] || { echo "report_cli.sh: $bin not built" >&2; exit 1; }
for p in sqlite3 xmllint python3; do
	command -v $p >/dev/null || { echo "report_cli.sh: $p missing" >&2; exit 1; }
done

dir=$(mktemp -d /tmp/mxauth-report-cli.XXXXXX)
trap 'rm -rf "$dir"' EXIT
. "${top_srcdir:-.}/test/assert.sh"

db=$dir/r.db
out=$dir/out
mkdir "$out"
cat >"$dir/c.conf" <<CONF
report_store = sqlite:$db
report_org_name = Example Mail & Co <postmaster>
report_email = dmarc-reports@mx.example
report_extra_contact = https://mx.example/dmarc
report_retention = 0
CONF
B=1764460800	# 2025-11-30 00:00:00 UTC
# the DNS: legit.example's organization, third.example's consent
cat >"$dir/z.zone" <<'ZONE'
$TTL 300
_dmarc.legit.example. IN TXT "v=DMARC1; p=reject"
legit.example._report._dmarc.third.example. IN TXT "v=DMARC1"
ZONE
report() { "$bin" -c "$dir/c.conf" --zone "$dir/z.zone" "$@"; }

# the first run creates the store and finds nothing
report --begin 2025-11-30 --dry-run "$out" >"$dir/run0" 2>&1
expect "an empty store: exit 0, nothing written" \
    [ $? -eq 0 -a -z "$(ls "$out")" ]
expect "the store was created at schema 2" \
    [ "$(sqlite3 "$db" 'SELECT version FROM schema_version')" = 2 ]

n=0
row() {	# ip header_from rua dmarc spf_aligned disposition action overrides [t]
	n=$((n + 1))
	sqlite3 "$db" "INSERT INTO message (id, $(echo time queue_id source_ip \
	    header_from envelope_from envelope_to policy_domain discovery p sp \
	    np adkim aspf testing psd rua dmarc dkim_aligned spf_aligned spf \
	    spf_domain spf_scope policy disposition action overrides override |
	    tr ' ' ,)) VALUES ($n, ${9:-$((B + n))}, 'Q$n', '$1', '$2', '$2', NULL,
	    '$2', 'treewalk', 'reject', 'reject', 'reject', 'r', 'r', 0, 'u',
	    $3, '$4', 0, $5, '$([ "$5" = 1 ] && echo pass || echo fail)',
	    '$2', 'mfrom', 'reject', '$6', '$7', '$8', NULL);
	    INSERT INTO message_dkim VALUES ($n, 0, '$2', 'sel<1>', 'pass')"
}
RUA="'mailto:dmarc@legit.example,mailto:agg@third.example!10m'"
row 192.0.2.10 legit.example "$RUA" pass 1 none accept ""
row 192.0.2.10 legit.example "$RUA" pass 1 none accept ""
row 192.0.2.10 legit.example "$RUA" pass 1 none accept ""
row 203.0.113.66 legit.example "$RUA" fail 0 reject reject ""
row 203.0.113.66 legit.example "$RUA" fail 0 reject reject ""
row 203.0.113.67 legit.example "$RUA" fail 0 quarantine quarantine local_policy
row 203.0.113.68 legit.example "$RUA" fail 0 none accept dry_run
row 192.0.2.99 norua.example NULL fail 0 reject reject ""
row 192.0.2.98 https.example "'https://r.example/'" fail 0 reject reject ""
row 192.0.2.11 legit.example "$RUA" pass 1 none accept "" $((B + 86400))
row 192.0.2.12 legit.example "$RUA" pass 1 none accept "" $((B - 1))

report --begin 2025-11-30 --dry-run "$out" >"$dir/run1" 2>&1
rc=$?
cat "$dir/run1"
expect "first run: exit 0" [ $rc -eq 0 ]
if [ "$(ls "$out"/*.xml.gz | wc -l)" = 2 ] && [ "$(ls "$out"/*.eml | wc -l)" = 2 ]; then
	ok=y; else ok=n; fi
expect "two reports: one per mailto: destination of legit.example" [ $ok = y ]
expect "nothing for the domains without a mailto: rua" \
    [ -z "$(ls "$out" | grep -e norua -e https)" ]
expect "the summary counts the period's rows only" \
    grep -q "rows=9 without_rua=2 written=2 already_made=0" "$dir/run1"
expect "file names: receiver!domain!begin!end!unique-id.xml.gz" \
    [ "$(ls "$out" | grep -c "^mx\.example!legit\.example!$B!$((B + 86399))![0-9]*\.[0-9a-f]\{16\}\.xml\.gz$")" = 2 ]

for f in "$out"/*.xml.gz; do
	zcat "$f" >"$f.xml"
	expect "$(basename "$f") validates against RFC 9990's schema" \
	    xmllint --noout --schema "$xsd" "$f.xml"
done
f=$(ls "$out"/*.xml.gz.xml | head -1)
# source_ip count disposition, one line per record
recs=$(python3 - "$f" <<'PY'
import sys, xml.etree.ElementTree as ET
ns = {"d": "urn:ietf:params:xml:ns:dmarc-2.0"}
t = ET.parse(sys.argv[1]).getroot()
for r in t.findall("d:record", ns):
    row = r.find("d:row", ns)
    pe = row.find("d:policy_evaluated", ns)
    reasons = ",".join(x.findtext("d:type", namespaces=ns) + ":" +
                       (x.findtext("d:comment", namespaces=ns) or "")
                       for x in pe.findall("d:reason", ns))
    print(row.findtext("d:source_ip", namespaces=ns),
          row.findtext("d:count", namespaces=ns),
          pe.findtext("d:disposition", namespaces=ns),
          pe.findtext("d:spf", namespaces=ns), reasons,
          r.findtext("d:auth_results/d:dkim/d:selector", namespaces=ns))
md = t.find("d:report_metadata", ns)
print(md.findtext("d:org_name", namespaces=ns), "|",
      md.findtext("d:extra_contact_info", namespaces=ns))
PY
)
want="192.0.2.10 3 pass pass  sel<1>
203.0.113.66 2 reject fail  sel<1>
203.0.113.67 1 quarantine fail local_policy: sel<1>
203.0.113.68 1 none fail local_policy:dry_run sel<1>
Example Mail & Co <postmaster> | https://mx.example/dmarc"
expect "records: counts, source IPs, dispositions, reasons as recorded" \
    [ "$recs" = "$want" ]
[ "$recs" = "$want" ] || printf 'got:\n%s\nwant:\n%s\n' "$recs" "$want"

# the message: Subject as the RFC's ABNF, the gzip part is the file
msg=$(python3 - "$out" <<'PY'
import email, glob, sys
for e in sorted(glob.glob(sys.argv[1] + "/*.eml")):
    m = email.message_from_bytes(open(e, "rb").read())
    subj = " ".join(m["Subject"].split())
    parts = [p for p in m.walk() if p.get_content_type() == "application/gzip"]
    gz = open(e[:-4] + ".xml.gz", "rb").read()
    print(m["To"], subj.startswith("Report Domain: legit.example "
          "Submitter: mx.example Report-ID: <"),
          len(parts) == 1 and parts[0].get_payload(decode=True) == gz,
          parts[0].get_filename() == e.split("/")[-1][:-4] + ".xml.gz")
PY
)
msg=$(echo "$msg" | sort)
expect "messages: To, Subject, the application/gzip part is the report" \
    [ "$msg" = "agg@third.example True True True
dmarc@legit.example True True True" ]
[ "$msg" = "agg@third.example True True True
dmarc@legit.example True True True" ] || echo "$msg"

# again: nothing; --force: again, same ids
rm -f "$out"/*
report --begin 2025-11-30 --dry-run "$out" >"$dir/run2" 2>&1
if [ $? -eq 0 -a -z "$(ls "$out")" ] && grep -q "written=0 already_made=2" "$dir/run2"; then
	ok=y; else ok=n; fi
expect "second run: exit 0, nothing written, both already made" [ $ok = y ]
report --begin 2025-11-30 --force --dry-run "$out" >"$dir/run3" 2>&1
if [ "$(ls "$out"/*.xml.gz | wc -l)" = 2 ] && grep -q "written=2 already_made=0" "$dir/run3"; then
	ok=y; else ok=n; fi
expect "--force: both made again" [ $ok = y ]
expect "the store keeps one row per report id" \
    [ "$(sqlite3 "$db" 'SELECT count(*) FROM report')" = 2 ]
# the next day is another period
report --begin $((B + 86400)) --end $((B + 2 * 86400)) \
    --dry-run "$out" >"$dir/run4" 2>&1
expect "the next day: its one row, two reports" \
    grep -q "rows=1 without_rua=0 written=2" "$dir/run4"

# errors
printf 'report_store = sqlite:%s\nreport_org_name = X\n' "$db" >"$dir/noid.conf"
"$bin" -c "$dir/noid.conf" --dry-run "$out" >/dev/null 2>"$dir/err1"
if [ $? -eq 1 ] && grep -q "report_org_name and report_email must be set" "$dir/err1"; then
	ok=y; else ok=n; fi
expect "no report_email: exit 1, said" [ $ok = y ]
printf 'report_org_name = X\n\nreport_email = nobody\n' >"$dir/bad.conf"
"$bin" -c "$dir/bad.conf" --dry-run "$out" >/dev/null 2>"$dir/err2"
if [ $? -eq 1 ] && grep -q "bad.conf:3: report_email = \"nobody\": must be an address" "$dir/err2"; then
	ok=y; else ok=n; fi
expect "a bad report_email: exit 1, FILE:LINE" [ $ok = y ]
report --dry-run "$dir/missing" >/dev/null 2>"$dir/err3"
if [ $? -eq 1 ] && grep -q "missing: No such file" "$dir/err3"; then
	ok=y; else ok=n; fi
expect "a missing --dry-run directory: exit 1" [ $ok = y ]
report --begin 2025-11-31 --dry-run "$out" >/dev/null 2>&1
expect "a day that does not exist: usage, exit 2" [ $? -eq 2 ]
printf 'report_org_name = X\nreport_email = a@b.example\nreport_transport = smtp:[::1\n' >"$dir/tr.conf"
"$bin" -c "$dir/tr.conf" --dry-run "$out" >/dev/null 2>"$dir/err4"
if [ $? -eq 1 ] && grep -q "tr.conf:3: report_transport = \"smtp:\[::1\": must be sendmail:/PATH or smtp:HOST\[:PORT\]" "$dir/err4"; then
	ok=y; else ok=n; fi
expect "a bad report_transport: exit 1, FILE:LINE" [ $ok = y ]

# --- destinations verified ---------------------------------------------------
D2=$((B + 2 * 86400))	# a day of its own
row 192.0.2.10 legit.example "$RUA" pass 1 none accept "" $((D2 + 1))
rm -f "$out"/*
printf '$TTL 300\n_dmarc.legit.example. IN TXT "v=DMARC1; p=reject"\n' >"$dir/noconsent.zone"
"$bin" -c "$dir/c.conf" --zone "$dir/noconsent.zone" --begin $D2 \
    --dry-run "$out" >"$dir/run5" 2>&1
if [ $? -eq 0 ] && [ "$(ls "$out"/*.eml | wc -l)" = 1 ] &&
    grep -q "written=1 already_made=0 unverified=1" "$dir/run5" &&
    grep -q '^report=unverified domain=legit.example rua=agg@third.example why="legit.example._report._dmarc.third.example: no such name"' "$dir/run5"; then
	ok=y; else ok=n; fi
expect "no _report._dmarc record: exit 0, nothing for third.example" [ $ok = y ]
cat "$dir/run5"
rm -f "$out"/*
printf '$TTL 300\n_dmarc.legit.example. IN TXT "v=DMARC1; p=reject"\n;! servfail legit.example._report._dmarc.third.example\n' >"$dir/servfail.zone"
"$bin" -c "$dir/c.conf" --zone "$dir/servfail.zone" --begin $D2 \
    --dry-run "$out" >"$dir/run6" 2>"$dir/err6"
if [ $? -eq 1 ] && grep -q "already_made=1 unverified=0 dest_temperror=1" "$dir/run6" &&
    grep -q "the next run tries again" "$dir/err6"; then
	ok=y; else ok=n; fi
expect "SERVFAIL on the _report._dmarc record: exit 1, not claimed" [ $ok = y ]
# the unverified and the temperror destinations were never claimed
report --begin $D2 --dry-run "$out" >"$dir/run7" 2>&1
expect "verified later: third.example's report made then" \
    grep -q "written=1 already_made=1 unverified=0 dest_temperror=0" "$dir/run7"

# --- sent through a (fake) sendmail ----------------------------------------
D3=$((B + 3 * 86400))
row 192.0.2.10 legit.example "$RUA" pass 1 none accept "" $((D3 + 1))
row 203.0.113.9 legit.example "$RUA" fail 0 reject reject "" $((D3 + 2))
mkdir "$dir/sent"
cat >"$dir/sendmail" <<SH
#!/bin/sh
n=\$(ls "$dir/sent" | wc -l)
printf '%s\\n' "\$@" >"$dir/sent/\$n.args"
cat >"$dir/sent/\$n.eml"
exit \${FAKE_STATUS:-0}
SH
chmod 755 "$dir/sendmail"
cp "$dir/c.conf" "$dir/send.conf"
echo "report_transport = sendmail:$dir/sendmail" >>"$dir/send.conf"
FAKE_STATUS=75 "$bin" -c "$dir/send.conf" --zone "$dir/z.zone" \
    --begin $D3 >"$dir/run8" 2>"$dir/err8"
if [ $? -eq 1 ] && grep -q "sent=0 already_made=0 unverified=0 dest_temperror=0 failed=2" "$dir/run8" &&
    grep -q "not sent to agg@third.example: sendmail:$dir/sendmail: exit status 75" "$dir/err8"; then
	ok=y; else ok=n; fi
expect "sendmail fails: exit 1, both failed, said on stderr" [ $ok = y ]
rm -f "$dir/sent"/*
"$bin" -c "$dir/send.conf" --zone "$dir/z.zone" --begin $D3 >"$dir/run9" 2>&1
if [ $? -eq 0 ] && grep -q "sent=2 already_made=0" "$dir/run9" &&
    [ "$(grep -c '^report=sent domain=legit.example' "$dir/run9")" = 2 ]; then
	ok=y; else ok=n; fi
expect "the next run sends both (the claims were released)" [ $ok = y ]
cat "$dir/run9"
expect "sendmail ran as -oi -f FROM -- TO" \
    sh -c "cat '$dir/sent'/*.args | tr '\n' ' ' | grep -q -e '-oi -f dmarc-reports@mx.example -- dmarc@legit.example' &&
        cat '$dir/sent'/*.args | tr '\n' ' ' | grep -q -e '-oi -f dmarc-reports@mx.example -- agg@third.example'"
for e in "$dir/sent"/*.eml; do
	python3 - "$e" >"$e.xml" <<'PY'
import email, gzip, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read())
p = [p for p in m.walk() if p.get_content_type() == "application/gzip"][0]
sys.stdout.write(gzip.decompress(p.get_payload(decode=True)).decode())
PY
	expect "sent $(basename "$e"): its report validates" \
	    xmllint --noout --schema "$xsd" "$e.xml"
done
"$bin" -c "$dir/send.conf" --zone "$dir/z.zone" --begin $D3 >"$dir/run10" 2>&1
expect "and a third run sends nothing" grep -q "sent=0 already_made=2" "$dir/run10"

# a consent record whose rua= names two addresses at its own domain: one
# report, compressed once, a message to each (--dry-run: one .eml each)
D4=$((B + 4 * 86400))
printf 'legit.example._report._dmarc.fan.example. IN TXT "v=DMARC1; rua=mailto:a@fan.example,mailto:b@fan.example"\n' >>"$dir/z.zone"
row 192.0.2.10 legit.example "'mailto:agg@fan.example'" pass 1 none accept "" $((D4 + 5))
rm -f "$out"/*
report --begin $D4 --dry-run "$out" >"$dir/run11" 2>&1
if [ $? -eq 0 ] && [ "$(ls "$out"/*.xml.gz | wc -l)" = 1 ] &&
    [ "$(ls "$out"/*.eml | wc -l)" = 2 ] &&
    [ "$(cat "$out"/*.eml | grep -c -e '^To: a@fan.example$' -e '^To: b@fan.example$')" = 2 ]; then
	ok=y; else ok=n; fi
expect "two addresses by consent: one .xml.gz, a message to each" [ $ok = y ]

[ $fails -eq 0 ] || { echo "report_cli.sh: $fails failed"; exit 1; }
echo "report_cli.sh: all passed"
