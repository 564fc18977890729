# SPDX-License-Identifier: BSD-2-Clause
# report_pg.sh - the report store, the report queue and mxauth-report
# against a real PostgreSQL server: a private cluster (test/pg_lib.sh:
# Debian's postgresql package's initdb and pg_ctl) in a temporary
# directory, listening on a unix socket there only (no TCP), stopped and
# removed at the end even on failure.  test_report_queue stops and
# restarts it under the writer.  Then exactly-once across hosts: two
# mxauth-report runs started at the same moment on one store of 300
# domains with two rua addresses each make every report exactly once
# between them.  Fails -- never skips -- when PostgreSQL is not
# installed.
set -eu

top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
test_bin=$top_builddir/test/unit/test_report_store
[ -x "$top_builddir/test/unit/test_report_queue" ] || exit 1
[ -x "$top_builddir/mxauth-report" ] || exit 1
. "$top_srcdir/test/pg_lib.sh"
trap pg_teardown EXIT
pg_setup

MXAUTH_TEST_PG=$PG_URI
export MXAUTH_TEST_PG
"$test_bin"
# the queue's writer with the server stopped mid-stream and started again
MXAUTH_TEST_PG_STOP=$PG_STOP MXAUTH_TEST_PG_START=$PG_START \
    "$top_builddir/test/unit/test_report_queue"

# --- two mxauth-report runs at once: each report made exactly once ---------
set +e
. "${top_srcdir:-.}/test/assert.sh"
bin=$top_builddir/mxauth-report
work=$PG_DIR/race
mkdir -p "$work/out1" "$work/out2"
cat >"$work/c.conf" <<CONF
report_store = $PG_URI
report_org_name = mxauth race
report_email = dmarc-reports@mx.example
report_retention = 0
CONF
# what the unit tests left: gone, so that --init-db starts from nothing
pg_psql "DROP TABLE IF EXISTS message_dkim, message, schema_version, report"
"$bin" -c "$work/c.conf" --init-db >"$work/init" 2>&1
expect "--init-db on an empty PostgreSQL database: schema=created version=2" \
    [ "$(cat "$work/init")" = "schema=created version=2" ]
"$bin" -c "$work/c.conf" --init-db >"$work/init2" 2>&1
expect "--init-db again: schema=current version=2" \
    [ "$(cat "$work/init2")" = "schema=current version=2" ]
# 300 domains, two rows each, two mailto: destinations each: 600 reports
B=1764460800	# 2025-11-30 00:00:00 UTC
pg_psql "INSERT INTO message (time, source_ip, header_from, policy_domain,
    discovery, p, sp, np, adkim, aspf, testing, psd, rua, dmarc,
    dkim_aligned, spf_aligned, policy, disposition, action, overrides)
    SELECT $B + i, '192.0.2.' || (i % 200 + 1), d, d, 'treewalk', 'reject',
    'reject', 'reject', 'r', 'r', 0, 'u',
    'mailto:a@' || d || ',mailto:b@' || d, 'pass', 1, 1, 'reject', 'none',
    'accept', '' FROM (SELECT i, 'd' || (i % 300) || '.example' AS d
    FROM generate_series(1, 600) AS i) AS s" >/dev/null
expect "600 rows in the store" [ "$(pg_psql 'SELECT count(*) FROM message')" = 600 ]
# both wait for one file, then start together
run() {
	while [ ! -e "$work/go" ]; do sleep 0.01; done
	exec "$bin" -c "$work/c.conf" --begin 2025-11-30 --dry-run "$work/out$1"
}
run 1 >"$work/run1" 2>&1 &
p1=$!
run 2 >"$work/run2" 2>&1 &
p2=$!
sleep 0.2
touch "$work/go"
wait $p1; rc1=$?
wait $p2; rc2=$?
tail -n 2 "$work/run1" "$work/run2"
expect "both runs: exit 0" [ $rc1 -eq 0 -a $rc2 -eq 0 ]
made() { ls "$work/out1" "$work/out2" | grep '\.xml\.gz$'; }
expect "600 reports made between the two runs" [ "$(made | wc -l)" -eq 600 ]
expect "no report made twice (every file name, every report id, once)" \
    [ -z "$(made | sort | uniq -d)" ]
if [ "$(made | cut -d'!' -f2 | sort | uniq -c | awk '$1 != 2' | wc -l)" -eq 0 ] &&
    [ "$(made | cut -d'!' -f2 | sort -u | wc -l)" -eq 300 ]; then
	ok=y; else ok=n; fi
expect "each of the 300 domains got one report per destination" [ $ok = y ]
w1=$(sed -n 's/.* written=\([0-9]*\) already_made=\([0-9]*\) .*$/\1/p' "$work/run1")
a1=$(sed -n 's/.* written=\([0-9]*\) already_made=\([0-9]*\) .*$/\2/p' "$work/run1")
w2=$(sed -n 's/.* written=\([0-9]*\) already_made=\([0-9]*\) .*$/\1/p' "$work/run2")
a2=$(sed -n 's/.* written=\([0-9]*\) already_made=\([0-9]*\) .*$/\2/p' "$work/run2")
echo "run 1 wrote ${w1:-?} and found ${a1:-?} made; run 2 wrote ${w2:-?} and found ${a2:-?} made"
expect "each run saw all 600: written + already made" \
    [ "$((${w1:-0} + ${a1:-0}))" -eq 600 -a "$((${w2:-0} + ${a2:-0}))" -eq 600 ]
expect "the store keeps 600 report ids" \
    [ "$(pg_psql 'SELECT count(*) FROM report')" = 600 ]
[ $fails -eq 0 ] || { echo "report_pg.sh: $fails failed"; exit 1; }
echo "report_pg.sh: all passed"
