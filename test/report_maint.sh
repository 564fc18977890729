# SPDX-License-Identifier: BSD-2-Clause
# report_maint.sh - mxauth-report's upkeep of a real SQLite store:
# --init-db creates the schema, says so, then finds it current, migrates
# a version 1 store and says so, and fails (exit 1) on a store it cannot
# open; report_retention: a run deletes the rows older than that many
# days and the report ids of periods that ended by then, keeps the rest,
# and says how many (purged=N); report_retention = 0 keeps everything.
set -u

top_builddir=${top_builddir:-.}
bin=$top_builddir/mxauth-report
[ -x "$bin" ] || { echo "report_maint.sh: $bin not built" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "report_maint.sh: sqlite3 missing" >&2; exit 1; }

dir=$(mktemp -d /tmp/mxauth-report-maint.XXXXXX)
trap 'rm -rf "$dir"' EXIT
. "${top_srcdir:-.}/test/assert.sh"

db=$dir/r.db
conf() {	# conf FILE [more lines]
	f=$1; shift
	{
		printf 'report_store = sqlite:%s\n' "$db"
		printf 'report_org_name = Maint\nreport_email = dmarc@mx.example\n'
		for l in "$@"; do printf '%s\n' "$l"; done
	} >"$dir/$f"
}
conf c.conf
has() { sqlite3 "$db" "$1" >/dev/null 2>&1; }	# has SQL: it runs

# --- --init-db ---------------------------------------------------------------
"$bin" -c "$dir/c.conf" --init-db >"$dir/i1" 2>&1
expect "--init-db on no store: exit 0, schema=created version=2" \
    [ $? -eq 0 -a "$(cat "$dir/i1")" = "schema=created version=2" ]
if [ "$(sqlite3 "$db" 'SELECT version FROM schema_version')" = 2 ] &&
    has 'SELECT count(*) FROM message, message_dkim, report'; then
	ok=y; else ok=n; fi
expect "the store has the schema, version 2" [ $ok = y ]
"$bin" -c "$dir/c.conf" --init-db >"$dir/i2" 2>&1
expect "--init-db again: schema=current version=2" \
    [ $? -eq 0 -a "$(cat "$dir/i2")" = "schema=current version=2" ]
# a version 1 store: the report table is what version 2 added
sqlite3 "$db" "DROP TABLE report; UPDATE schema_version SET version = 1"
"$bin" -c "$dir/c.conf" --init-db >"$dir/i3" 2>&1
expect "--init-db on a version 1 store: schema=migrated 1->2" \
    [ $? -eq 0 -a "$(cat "$dir/i3")" = "schema=migrated 1->2" ]
expect "the migrated store has the report table" \
    has 'SELECT count(*) FROM report'
sqlite3 "$db" "UPDATE schema_version SET version = 3"
"$bin" -c "$dir/c.conf" --init-db >"$dir/i4" 2>&1
if [ $? -eq 1 ] && grep -q "schema version 3 is newer" "$dir/i4" &&
    [ "$(sqlite3 "$db" 'SELECT version FROM schema_version')" = 3 ]; then
	ok=y; else ok=n; fi
expect "--init-db on a newer schema: exit 1, said, nothing changed" [ $ok = y ]
sqlite3 "$db" "UPDATE schema_version SET version = 2"
printf 'report_store = sqlite:/nonexistent/mxauth/r.db\n' >"$dir/bad.conf"
"$bin" -c "$dir/bad.conf" --init-db >"$dir/i5" 2>&1
if [ $? -eq 1 ] && grep -q "report_store: .*/nonexistent/mxauth/r.db" "$dir/i5"; then
	ok=y; else ok=n; fi
expect "--init-db on a store it cannot open: exit 1, said" [ $ok = y ]
"$bin" -c "$dir/c.conf" --init-db --dry-run "$dir" >/dev/null 2>&1
expect "--init-db with --dry-run: usage, exit 2" [ $? -eq 2 ]
"$bin" --help >/dev/null 2>"$dir/help"
if [ $? -eq 2 ] && grep -q -- "--init-db" "$dir/help"; then
	ok=y; else ok=n; fi
expect "--help: exit 2, the usage names --init-db" [ $ok = y ]

# --- report_retention ----------------------------------------------------------
now=$(date +%s)
DAY=86400
n=0
row() {	# row TIME
	n=$((n + 1))
	sqlite3 "$db" "INSERT INTO message (id, time, source_ip, header_from,
	    policy_domain, discovery, p, sp, np, adkim, aspf, testing, psd, rua,
	    dmarc, dkim_aligned, spf_aligned, policy, disposition, action,
	    overrides) VALUES ($n, $1, '192.0.2.1', 'x.example', 'x.example',
	    'treewalk', 'reject', 'reject', 'reject', 'r', 'r', 0, 'u',
	    'mailto:d@x.example', 'pass', 1, 1, 'reject', 'none', 'accept', '');
	    INSERT INTO message_dkim VALUES ($n, 0, 'x.example', 's', 'pass')"
}
claim() {	# claim ID PERIOD_END
	sqlite3 "$db" "INSERT INTO report VALUES ('$1', 'x.example',
	    'd@x.example', $(($2 - DAY)), $2, $2)"
}
row $((now - 40 * DAY)); row $((now - 31 * DAY)); row $((now - 29 * DAY))
row $((now - 2 * DAY)); row $((now - 3600))
claim old $((now - 35 * DAY)); claim recent $((now - 10 * DAY))
out=$dir/out
mkdir "$out"
# the period asked for is far back: the purge is the run's only effect
"$bin" -c "$dir/c.conf" --begin 2000-01-01 --dry-run "$out" >"$dir/p1" 2>&1
rc=$?
cat "$dir/p1"
if [ $rc -eq 0 ] && grep -q "^purged=2 purged_report_ids=1 report_retention=30$" "$dir/p1"; then
	ok=y; else ok=n; fi
expect "default retention (30 days): exit 0, purged=2 purged_report_ids=1" [ $ok = y ]
if [ "$(sqlite3 "$db" 'SELECT count(*) FROM message')" = 3 ] &&
    [ "$(sqlite3 "$db" 'SELECT count(*) FROM message_dkim')" = 3 ] &&
    [ "$(sqlite3 "$db" "SELECT count(*) FROM message WHERE time < $now - 30 * $DAY")" = 0 ]; then
	ok=y; else ok=n; fi
expect "the three newer rows are kept, with their DKIM results" [ $ok = y ]
expect "the recent report id is kept" \
    [ "$(sqlite3 "$db" 'SELECT group_concat(report_id) FROM report')" = recent ]
conf short.conf "report_retention = 1"
"$bin" -c "$dir/short.conf" --begin 2000-01-01 --dry-run "$out" >"$dir/p2" 2>&1
if grep -q "^purged=2 purged_report_ids=1 report_retention=1$" "$dir/p2" &&
    [ "$(sqlite3 "$db" 'SELECT count(*) FROM message')" = 1 ]; then
	ok=y; else ok=n; fi
expect "report_retention = 1: the rows older than a day go, purged=2" [ $ok = y ]
row $((now - 400 * DAY))
conf keep.conf "report_retention = 0"
"$bin" -c "$dir/keep.conf" --begin 2000-01-01 --dry-run "$out" >"$dir/p3" 2>&1
if grep -q "^purged=0 report_retention=0" "$dir/p3" &&
    [ "$(sqlite3 "$db" 'SELECT count(*) FROM message')" = 2 ]; then
	ok=y; else ok=n; fi
expect "report_retention = 0: nothing purged" [ $ok = y ]
conf bad2.conf "report_retention = 3651"
"$bin" -c "$dir/bad2.conf" --dry-run "$out" >/dev/null 2>"$dir/p4"
if [ $? -eq 1 ] && grep -q "bad2.conf:4: report_retention = \"3651\": must be an integer from 0 to 3650" "$dir/p4"; then
	ok=y; else ok=n; fi
expect "report_retention = 3651: exit 1, FILE:LINE" [ $ok = y ]

[ $fails -eq 0 ] || { echo "report_maint.sh: $fails failed"; exit 1; }
echo "report_maint.sh: all passed"
