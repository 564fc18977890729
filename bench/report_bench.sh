#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# report_bench.sh - the figures of DMARC aggregate reporting (issue 14),
# printed, not asserted:
#
#   recording   mxauth at the milter-protocol level (bench/milter_load,
#               unix socket) with reporting = no and with reporting = yes
#               into SQLite, interleaved over 5 rounds: what recording
#               adds to a message, one connection at a time (latency,
#               CPU) and at 10 connections (msg/s, latency, CPU);
#               then the rows in the store are counted (none dropped)
#   writer      200,000 rows pushed through the queue into SQLite: the
#               cost of a push on the milter thread, rows/s committed
#   mxauth-report  1,000,000 rows of one day, twice: typical (2,000
#               domains, 5,000 sources) and distinct (one domain, every
#               row its own source IP: the worst case); the wall time and
#               the peak memory of `mxauth-report --dry-run` over the day
#
# Runs as root in the private namespace of bench/peers_lib.sh.  From a
# build directory (make bench-reports):
#   MILTER_LOAD=./bench/milter_load REPORT_BENCH=./bench/report_bench \
#     bash ../bench/report_bench.sh ./mxauth ./mxauth-report
set -eu
here=$(cd "$(dirname "$0")" && pwd)
gen=$(realpath "${MILTER_LOAD:-./bench/milter_load}")
rb=$(realpath "${REPORT_BENCH:-./bench/report_bench}")
mxauth=$(realpath "${1:-./mxauth}")
mxreport=$(realpath "${2:-./mxauth-report}")
count=${COUNT:-5000}
rows=${ROWS:-1000000}

. "$here/peers_lib.sh"
bench_ns_enter "$0" "$mxauth" "$mxreport"
bench_setup

med() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
field() { grep -o " $1=[0-9.]*" | cut -d= -f2; }

# --- recording: reporting = no / yes, interleaved --------------------------
sock="unix:$dir/mxauth.sock"
for mode in no yes; do
	mxauth_conf "$dir/$mode.conf" "$sock"
	printf 'reporting = %s\nreport_store = sqlite:%s/rec.db\n' "$mode" \
	    "$dir" >>"$dir/$mode.conf"
done
for round in 1 2 3 4 5; do
	for mode in no yes; do
		start mxauth "$sock" "$mxauth" -f -c "$dir/$mode.conf"
		[ $round = 1 ] && check "reporting=$mode" "$sock" dmarc=pass >/dev/null
		load -c 10 -n 300 "$sock" >/dev/null
		load -c 1 -n 1000 -p "$started" -l "reporting=$mode" "$sock" |
		    grep '^milter_load ' >>"$dir/rec1.$mode"
		load -c 10 -n "$count" -p "$started" -l "reporting=$mode" "$sock" |
		    grep '^milter_load ' >>"$dir/rec.$mode"
		stop
	done
done
for mode in no yes; do
	printf 'recording reporting=%-3s 1 connection: p50_ms=%s p99_ms=%s milter_cpu_ms_per_1k=%s; 10 connections: msgs_per_s=%s p50_ms=%s p99_ms=%s milter_cpu_ms_per_1k=%s (medians of 5 rounds, unix)\n' \
	    "$mode" "$(field p50_ms <"$dir/rec1.$mode" | med)" \
	    "$(field p99_ms <"$dir/rec1.$mode" | med)" \
	    "$(field milter_cpu_ms_per_1k <"$dir/rec1.$mode" | med)" \
	    "$(field msgs_per_s <"$dir/rec.$mode" | med)" \
	    "$(field p50_ms <"$dir/rec.$mode" | med)" \
	    "$(field p99_ms <"$dir/rec.$mode" | med)" \
	    "$(field milter_cpu_ms_per_1k <"$dir/rec.$mode" | med)"
	printf 'recording reporting=%-3s every round, 10 connections, msgs_per_s: %s\n' \
	    "$mode" "$(field msgs_per_s <"$dir/rec.$mode" | tr '\n' ' ')"
done
want=$(( (count + 300 + 1000) * 5 + 1 ))
got=$(sqlite3 "$dir/rec.db" 'SELECT count(*) FROM message')
echo "recording rows_stored=$got of $want messages"

# --- the writer ------------------------------------------------------------
"$rb" write "sqlite:$dir/w.db" 200000

# --- mxauth-report over a day of 1,000,000 rows ----------------------------
day=$(( $(date +%s) / 86400 * 86400 - 86400 ))
cat >"$dir/report.conf" <<CONF
report_org_name = Bench Receiver
report_email = dmarc-reports@mx.example
dns_servers = 127.0.0.1:53
CONF
for shape in typical distinct; do
	"$rb" fill "sqlite:$dir/$shape.db" "$rows" "$shape" "$day"
	sed "s|^report_store.*||" "$dir/report.conf" >"$dir/$shape.conf"
	echo "report_store = sqlite:$dir/$shape.db" >>"$dir/$shape.conf"
	mkdir "$dir/out.$shape"
	# the wall time and the child's peak RSS (kB), from python's rusage
	/usr/bin/python3 -c 'import resource, subprocess, sys, time
t = time.monotonic()
rc = subprocess.call(sys.argv[2:], stdout=open(sys.argv[1], "w"),
                     stderr=subprocess.STDOUT)
print("%.1f %d" % (time.monotonic() - t,
                   resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(rc)' "$dir/report.$shape" "$mxreport" -c "$dir/$shape.conf" \
	    --begin "$day" --dry-run "$dir/out.$shape" >"$dir/time.$shape" ||
	    { cat "$dir/report.$shape"; exit 1; }
	read -r secs kb <"$dir/time.$shape"
	printf 'mxauth-report shape=%s rows=%s seconds=%s peak_rss_mb=%s reports=%s gz_mb=%s\n' \
	    "$shape" "$rows" "$secs" "$((kb / 1024))" \
	    "$(ls "$dir/out.$shape" | grep -c '\.xml\.gz$')" \
	    "$(du -sm "$dir/out.$shape" | cut -f1)"
	grep '^period=' "$dir/report.$shape"
done
