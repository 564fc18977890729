#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# dns_limits.sh - what one message may cost in DNS, through the daemon.
#
# Time: with a DNS server that never answers and the default per-lookup
# waits (dns_timeout 5 s, dns_retries 2: 15 s a lookup, 30 s for SPF's
# HELO and MAIL FROM checks, past the sandbox Postfix's 10 s
# milter_command_timeout), dns_check_timeout = 3 makes MAIL FROM get
# its answer (spf=temperror, accepted) after two checks of 3 s, and
# DMARC at the end of the message takes 3 s more.
#
# Memory: an SPF record "include:%{l}.h.big.example" makes every message
# with a new local part fetch a new 60 KB TXT answer (big_zone.py);
# another domain's include brings 10 KB answers, small enough to cache.
# With dns_cache_memory = 4 (MiB), 600 such messages through Postfix
# must leave mxauth's resident memory within the bound plus a fixed
# allowance over what it was after a warm-up, and unbound must have been
# asked for every one of those names (the attack did run).
. "$top_srcdir/test/e2e/lib.sh"
need_tools
fx=$(mktemp -d /tmp/mxauth-dnsmem-e2e.XXXXXX)
python3 "$top_srcdir/test/e2e/big_zone.py" "$fx/big.zone" || exit 1
EXTRA_ZONES="$fx/big.zone"
UNBOUND_LOG_QUERIES=1
MXAUTH_EXTRA="dns_cache_memory = 4"
# An ASan build would keep freed memory in its quarantine: RSS then
# says nothing about what the cache holds.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0"
sandbox_start
trap 'rc=$?; sandbox_stop; rm -rf "$fx"; exit $rc' EXIT

COUNT=600
BOUND_KB=4096		# dns_cache_memory
ALLOW_KB=8192		# threads' transient buffers, allocator slack
# ASan's redzones about double what each small allocation really takes,
# and its allocator keeps a cache per thread that has served a message
# (13-15 MB of growth here against 4 MB without ASan)
grep -qa __asan_init "$MXAUTH" && BOUND_KB=$((2 * BOUND_KB)) &&
    ALLOW_KB=$((2 * ALLOW_KB))

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$(mxauth_pid)/status"; }
client() {
	timeout 300 python3 "$top_srcdir/test/e2e/smtp_client.py" envelopes \
	    $PF_PORT 192.0.2.10 "$@"
}

# Warm-up: threads started, every code path touched once.
client 100000 40 huge.big.example mid.big.example >/dev/null
base=$(rss_kb)
start=$(date +%s)
ok=$(client 1 $COUNT huge.big.example mid.big.example)
secs=$(($(date +%s) - start))
rss=$(rss_kb)
asked=$(grep -o 'u[0-9]*\.h\.big\.example\. TXT IN' "$SB/unbound/unbound.log" |
    sort -u | wc -l)
echo "RSS ${base} kB after warm-up, ${rss} kB after $COUNT messages in ${secs} s;" \
    "unbound asked for $asked names of 60 KB answers"
expect "every MAIL FROM accepted ($ok of $COUNT)" [ "$ok" = $COUNT ]
expect "each 60 KB name was asked for ($asked of $((COUNT / 2 + 20)))" \
    [ "$asked" -eq $((COUNT / 2 + 20)) ]
expect "RSS grew by $((rss - base)) kB <= $((BOUND_KB + ALLOW_KB)) kB" \
    [ $((rss - base)) -le $((BOUND_KB + ALLOW_KB)) ]
expect "mxauth still running" mxauth_running

# --- the time budget ----------------------------------------------------
python3 -c 'import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 5354))
time.sleep(300)' &
silent=$!
trap 'rc=$?; kill $silent 2>/dev/null; sandbox_stop; rm -rf "$fx"; exit $rc' EXIT
mxauth_stop >/dev/null
mxauth_config "dns_check_timeout = 3"
sed -i 's/^dns_servers = .*/dns_servers = 127.0.0.1:5354/;
    s/^dns_timeout = .*/dns_timeout = 5/; s/^dns_retries = .*/dns_retries = 2/' \
    "$SB/mxauth.conf"
mxauth_start || die "mxauth did not restart"
t0=$(date +%s%N)
send_mail budget
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
qid=$(swaks_queue_id budget)
expect "a silent DNS server: message accepted (swaks $rc)" [ "$rc" = 0 ]
expect "... in ${ms} ms: three checks of 3 s and a margin" [ "$ms" -lt 12000 ]
expect "... spf=temperror, dmarc=temperror logged" \
    sh -c "grep -E '$qid: ingress=' '$SB/mxauth.log' | grep 'spf=temperror' |
    grep -q 'dmarc=temperror'"
kill $silent 2>/dev/null
finish
