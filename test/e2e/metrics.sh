#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# metrics.sh - mxauth's /metrics (metrics_listen) scraped by a real
# Prometheus, Debian's own, while messages go through the sandbox's
# Postfix; the counters are read back through Prometheus's HTTP API
# (/api/v1/query), as an admin's dashboard would read them.
#
# Prometheus is not installed: `apt-get download prometheus` (Debian's
# archive, as contrib/setup-debian.sh configures it) is unpacked with
# dpkg-deb -x into $PROM_CACHE, kept between runs, and run from there as
# nobody on 127.0.0.1 on a free port, its data in the sandbox, scraping
# mxauth every second.  Messages, each from an RFC 5737 address through
# XCLIENT:
#
#   m-pass      legit.example from its own server: spf=pass dmarc=pass
#   m-reject    bank.example (p=reject) forged: 550, dmarc=fail
#   m-forged    legit.example with two A-R fields claiming mx.example:
#               both deleted
#   m-dkim      signer.example with two signatures, one broken: one
#               DKIM pass and one fail (a result per signature)
#   m-upstream  from 127.0.0.1 (trusted_networks) with mx.example's own
#               A-R on top: the upstream verdict is believed
#
# Then an SMTP session held open (one milter session), a good and a bad
# reload, the build info, promtool's lint of the exposition, and
# contrib/grafana-mxauth.json: valid JSON, every metric it names one
# that mxauth exports, every query one Prometheus accepts.
. "$top_srcdir/test/e2e/lib.sh"
PROM_CACHE=${MXAUTH_PROM_CACHE:-/var/tmp/mxauth-test-prometheus}
PROM_DIR=$SB/prom
PY=/usr/bin/python3	# Debian's: the tests need its modules, not a shim's

need_tools
for t in apt-get dpkg-deb setpriv; do
	command -v "$t" >/dev/null 2>&1 || skip "$t not installed (Debian only)"
done

# free_port - a TCP port nothing listens on at 127.0.0.1 now
free_port() {
	$PY -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# prom_start - Prometheus on 127.0.0.1:$PROM_PORT scraping
# 127.0.0.1:$METRICS_PORT every second, as nobody, data in $PROM_DIR
prom_start() {
	mkdir -p "$PROM_DIR/data"
	cat >"$PROM_DIR/prometheus.yml" <<CONF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: mxauth
    static_configs:
      - targets: ['127.0.0.1:$METRICS_PORT']
CONF
	chown -R nobody "$PROM_DIR"
	(cd "$PROM_DIR" && exec setpriv --reuid=nobody --regid=nogroup \
	    --clear-groups "$PROM_CACHE/usr/bin/prometheus" \
	    --config.file="$PROM_DIR/prometheus.yml" \
	    --storage.tsdb.path="$PROM_DIR/data" \
	    --web.listen-address="127.0.0.1:$PROM_PORT" \
	    --web.console.templates="$PROM_DIR" \
	    --web.console.libraries="$PROM_DIR" \
	    --log.level=warn >>"$PROM_DIR/log" 2>&1 9>&-) &
	echo $! >"$PROM_DIR/pid"
	wait_for "Prometheus on $PROM_PORT" 30 prom_ready
}
prom_ready() { prom_get "/-/ready" >/dev/null; }
prom_stop() {
	[ -f "$PROM_DIR/pid" ] || return 0
	_p=$(cat "$PROM_DIR/pid")
	kill -TERM "$_p" 2>/dev/null
	wait_pid "$_p" 20 >/dev/null 2>&1 || kill -KILL "$_p" 2>/dev/null
	rm -f "$PROM_DIR/pid"
}

# prom_get PATH - GET http://127.0.0.1:$PROM_PORT/PATH; 1 unless 200
prom_get() {
	$PY - "http://127.0.0.1:$PROM_PORT$1" <<'PY'
import sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=5) as r:
    sys.stdout.write(r.read().decode())
PY
}

# prom_wait QUERY WANT SECONDS - poll the instant query QUERY until
# Prometheus says WANT, for up to SECONDS; print what it said last: one
# number (the sum if several series), "none" when it has no series,
# "error: ..." when Prometheus refuses the query.  One Python for the
# whole wait: a python3 start costs more than a scrape interval on a
# loaded machine.
prom_wait() {
	$PY - "$PROM_PORT" "$@" <<'PY'
import json, sys, time, urllib.error, urllib.parse, urllib.request
port, query, want, secs = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
url = "http://127.0.0.1:%s/api/v1/query?%s" % (
    port, urllib.parse.urlencode({"query": query}))
def ask():
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            j = json.load(r)
    except urllib.error.HTTPError as e:
        j = json.load(e)
    except OSError as e:
        return "error: %s" % e
    if j.get("status") != "success":
        return "error: " + j.get("error", "?")
    res = j["data"]["result"]
    if j["data"]["resultType"] == "scalar":
        res = [{"value": res}]
    if not res:
        return "none"
    v = sum(float(s["value"][1]) for s in res)
    return str(int(v)) if v == v and v == int(v) else str(v)
end = time.monotonic() + secs
while True:
    got = ask()
    if got == want or time.monotonic() > end:
        break
    time.sleep(0.2)
print(got)
sys.exit(got != want)
PY
}
# prom QUERY - what Prometheus says for QUERY now
prom() { prom_wait "$1" "" 0; }

# expect_prom QUERY WANT [DESC] - until Prometheus says WANT (a scrape
# a second: 15 s is many), else fail saying what it said
expect_prom() {
	if _got=$(prom_wait "$1" "$2" 15); then
		ok "${3:-$1} = $2"
	else
		bad "${3:-$1} = $2 (Prometheus says $_got)"
	fi
}

# --- set-up --------------------------------------------------------------

deb_unpacked "$PROM_CACHE" prometheus usr/bin/prometheus usr/bin/promtool ||
    die "cannot fetch Debian's prometheus into $PROM_CACHE"
fx=$(mktemp -d /tmp/mxauth-metrics-e2e.XXXXXX)
$PY "$top_srcdir/test/dkim/gen_fixtures.py" "$fx" >/dev/null || exit 1
echo '_dmarc.signer.example. IN TXT "v=DMARC1; p=none"' >>"$fx/keys.zone"
EXTRA_ZONES="$fx/keys.zone"
METRICS_PORT=$(free_port)
PROM_PORT=$(free_port)
[ "$METRICS_PORT" != "$PROM_PORT" ] || PROM_PORT=$(free_port)
MXAUTH_EXTRA="metrics_listen = 127.0.0.1:$METRICS_PORT"
sandbox_start
# Prometheus goes before the sandbox (its data is in $SB); sandbox_exit
# reads the status from $?
trap 'rc=$?; prom_stop; rm -rf "$fx"; (exit $rc); sandbox_exit' EXIT
expect "mxauth logs where it serves the metrics" \
    grep -q "serving metrics on http://127.0.0.1:$METRICS_PORT/metrics" "$SB/mxauth.log"
prom_start || { cat "$PROM_DIR/log"; die "Prometheus did not start"; }
echo "Prometheus $("$PROM_CACHE/usr/bin/prometheus" --version 2>&1 | head -n 1)"
expect_prom 'up{job="mxauth"}' 1 "Prometheus scrapes mxauth"
prom_get /api/v1/targets >"$PROM_DIR/targets.json"
expect "the target is healthy in /api/v1/targets" \
    grep -q '"health":"up"' "$PROM_DIR/targets.json"
expect_prom 'sum(mxauth_messages_total)' 0 "no message yet"

# --- messages ------------------------------------------------------------

delivered=0
delivered_one() { delivered=$((delivered + 1)); wait_delivered $delivered; }

send_mail m-pass
delivered_one || bad "m-pass: not delivered"

send_mail m-reject --xclient-addr 203.0.113.66 --helo spoofer.example \
    --from alerts@bank.example
expect "m-reject: swaks sees 550 5.7.1" grep -q '^<\*\* *550 5\.7\.1' "$SB/swaks.m-reject"

send_mail m-forged \
    --add-header "Authentication-Results: mx.example; spf=pass (forged 1) smtp.mailfrom=bank.example" \
    --add-header "Authentication-Results: MX.example; dmarc=pass (forged 2) header.from=bank.example"
delivered_one || bad "m-forged: not delivered"
expect "m-forged: the two forged fields are gone" \
    sh -c "! grep -q '(forged [12])' \"$(find_delivered '<m-forged@test.example>')\""

sed 's/\r$//' "$fx/two-one-bad.eml" >"$fx/two-one-bad.lf"
SEND_RAW=1 send_mail m-dkim --from alice@signer.example --data "$fx/two-one-bad.lf"
delivered_one || bad "m-dkim: not delivered"

send_mail m-upstream --xclient-addr 127.0.0.1 --xclient-name localhost \
    --add-header "Authentication-Results: mx.example; spf=pass smtp.mailfrom=legit.example; dmarc=pass header.from=legit.example"
delivered_one || bad "m-upstream: not delivered"
expect "m-upstream: the verdict line says upstream=mx.example" \
    grep -q ': ingress=trusted upstream=mx.example ' "$SB/mxauth.log"

# --- what Prometheus read --------------------------------------------------

expect_prom 'mxauth_messages_total{action="accept"}' 4
expect_prom 'mxauth_messages_total{action="reject"}' 1
expect_prom 'mxauth_messages_total{action=~"quarantine|tempfail"}' 0
expect_prom 'mxauth_dmarc_results_total{result="pass"}' 3
expect_prom 'mxauth_dmarc_results_total{result="fail"}' 1
expect_prom 'mxauth_dkim_results_total{result="pass"}' 1
expect_prom 'mxauth_dkim_results_total{result="fail"}' 1
expect_prom 'sum(mxauth_dkim_results_total)' 2 "one DKIM result per signature, none for the unsigned"
expect_prom 'mxauth_spf_results_total{result="fail"}' 1
expect_prom 'sum(mxauth_spf_results_total)' 4 "SPF results (four outside messages; the trusted one unchecked)"
expect_prom 'mxauth_forged_authres_removed_total' 2
expect_prom 'mxauth_upstream_verdicts_believed_total' 1
# The counters say what the verdict lines say.
for a in accept reject; do
	expect_prom "mxauth_messages_total{action=\"$a\"}" \
	    "$(grep -c ": ingress=.* action=$a " "$SB/mxauth.log")" \
	    "verdict lines with action=$a"
done
for r in pass fail softfail none temperror; do
	expect_prom "mxauth_spf_results_total{result=\"$r\"}" \
	    "$(grep ': ingress=' "$SB/mxauth.log" | grep -v ' upstream=' |
	        grep -c " spf=$r ")" "verdict lines with spf=$r"
done

# DNS: every question went to the sandbox's unbound and was answered;
# the second legit.example message found the first one's answers
expect_prom 'sum(mxauth_dns_queries_total{status="ok"}) > bool 0' 1 \
    "answered DNS queries"
expect_prom 'sum(mxauth_dns_queries_total{type="TXT"}) > bool 0' 1 \
    "TXT queries (SPF, DKIM, DMARC records)"
expect_prom 'sum(mxauth_dns_queries_total{status=~"timeout|servfail|error"})' 0
expect_prom 'mxauth_dns_query_duration_seconds_count - scalar(sum(mxauth_dns_queries_total))' 0 \
    "the latency histogram counts every query"
expect_prom 'mxauth_dns_query_duration_seconds_bucket{le="+Inf"} - ignoring(le) mxauth_dns_query_duration_seconds_count' 0 \
    "its +Inf bucket is its count"
expect_prom 'mxauth_dns_query_duration_seconds_bucket{le="1"} - ignoring(le) mxauth_dns_query_duration_seconds_count' 0 \
    "loopback queries all under a second"
expect_prom 'mxauth_dns_cache_hits_total > bool 0' 1 "DNS cache hits"
expect_prom 'mxauth_dns_cache_misses_total - scalar(sum(mxauth_dns_queries_total)) >= bool 0' 1 \
    "every query followed a cache miss"

# --- sessions, reloads, build info ------------------------------------------

expect_prom 'mxauth_milter_sessions' 0 "no MTA connection open at rest"
exec 5<>/dev/tcp/127.0.0.1/$PF_PORT
read -r -t 10 banner <&5
expect "an SMTP session is open ($banner)" sh -c "echo '$banner' | grep -q '^220 '"
expect_prom 'mxauth_milter_sessions' 1 "Postfix's milter connection for it"
printf 'QUIT\r\n' >&5
read -r -t 10 _ <&5
exec 5>&-
expect_prom 'mxauth_milter_sessions' 0 "closed with the SMTP session"

reconfigure "" || bad "reload not logged"
expect_prom 'mxauth_config_reloads_total{result="ok"}' 1
echo 'no_such_setting = 1' >>"$SB/mxauth.conf"
kill -HUP "$(mxauth_pid)"
wait_for "the failed reload" 10 grep -q 'reload failed' "$SB/mxauth.log" ||
    bad "the failed reload is not logged"
expect_prom 'mxauth_config_reloads_total{result="failed"}' 1
expect_prom 'mxauth_config_reloads_total{result="ok"}' 1 "still one good reload"
expect_prom 'mxauth_messages_total{action="accept"}' 4 "a reload keeps the counters"
version=$("$MXAUTH" -V | awk '{print $2}')
expect_prom "mxauth_build_info{version=\"$version\"}" 1

# --- the exposition itself ------------------------------------------------

$PY - "$METRICS_PORT" >"$SB/metrics.txt" <<'PY'
import sys, urllib.request
with urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1],
                            timeout=5) as r:
    assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4"), \
        r.headers["Content-Type"]
    sys.stdout.write(r.read().decode())
PY
expect "GET /metrics: 200, text/plain; version=0.0.4" [ $? -eq 0 ]
expect "promtool check metrics finds nothing to say" \
    sh -c "'$PROM_CACHE/usr/bin/promtool' check metrics <'$SB/metrics.txt' >'$SB/promtool.out' 2>&1"
expect "anything but /metrics is 404" \
    $PY -c "import sys, urllib.request, urllib.error
try:
    urllib.request.urlopen('http://127.0.0.1:$METRICS_PORT/', timeout=5)
except urllib.error.HTTPError as e:
    sys.exit(e.code != 404)
sys.exit(1)"

# --- the Grafana dashboard ---------------------------------------------------

# Each query with Grafana's variables filled in as Grafana would ($job:
# the regex of its "All" value), one per line
$PY - "$top_srcdir/contrib/grafana-mxauth.json" >"$SB/dashboard.queries" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
def walk(o):
    if isinstance(o, dict):
        if isinstance(o.get("expr"), str):
            yield o["expr"]
        for v in o.values():
            yield from walk(v)
    elif isinstance(o, list):
        for v in o:
            yield from walk(v)
for e in walk(d):
    print(e.replace("$__rate_interval", "1m").replace("$job", ".+")
          .replace("\n", " "))
PY
expect "contrib/grafana-mxauth.json is valid JSON with queries" [ -s "$SB/dashboard.queries" ]
# The metric families the dashboard names (a histogram's _bucket, _sum
# and _count are its family) against those mxauth exports: the same set
$PY - "$SB/metrics.txt" "$SB/dashboard.queries" >"$SB/dashboard.check" <<'PY'
import re, sys
types = dict(re.findall(r"^# TYPE (\S+) (\S+)$", open(sys.argv[1]).read(), re.M))
named = set()
for name in re.findall(r"\bmxauth_[a-z_]+", open(sys.argv[2]).read()):
    base = re.sub(r"_(bucket|sum|count)$", "", name)
    named.add(base if types.get(base) == "histogram" else name)
for n in sorted(named - set(types)):
    print("named by the dashboard, not exported:", n)
for n in sorted(set(types) - named):
    print("exported, not on the dashboard:", n)
print("%d families" % len(named))
sys.exit(named != set(types))
PY
rc=$?
expect "the dashboard shows every metric family mxauth exports, and no other ($(tail -n 1 "$SB/dashboard.check"))" [ $rc -eq 0 ]
[ $rc -eq 0 ] || cat "$SB/dashboard.check"
# Each query through Prometheus's parser and engine (a result or none:
# a rate over a minute of test may well be empty or NaN)
n=0
while read -r q; do
	r=$(prom "$q")
	case $r in error:*) bad "dashboard query refused: $q: $r" ;; *) n=$((n + 1)) ;; esac
done <"$SB/dashboard.queries"
expect "Prometheus evaluates all $n of the dashboard's queries" \
    [ "$n" -eq "$(wc -l <"$SB/dashboard.queries")" ]

finish
