#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# spf_walk.sh - mxauth-check --spf-walk as an admin uses it: a record
# shaped like a large provider's (test/data/zones/provider.zone: dozens
# of ranges over three levels of includes) flattens into the list
# computed by hand below, read from the zone file and from the sandbox's
# unbound alike; domains on stdin; --explain, --json and --ip; exit
# status 0, 1 (a broken record, still printed) and 2 (usage); a hostile
# domain's silent name servers cost bounded time (walk_hostile.py).
. "$top_srcdir/test/e2e/lib.sh"
check="$top_builddir/mxauth-check"
zones="$top_srcdir/test/data/zones"
tmp=$(mktemp -d /tmp/mxauth-walk.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# By hand from provider.zone: 192.0.2.0/27 + .32/27 + .64/26 + .128/25
# fold into /24 (.200 and .201 inside); 198.18/16 + 198.19/16 into /15
# (198.18.5.0/24 inside); 198.51.100.0/25 + .128/26 + .192/26 into /24;
# four /28 into 203.0.113.0/26; .96/30 + a/30 of .101 into .96/29; mx/29
# of .130 and .140 into .128/28; 100.64/12 + 100.80/12 + 100.96/11 into
# 100.64.0.0/10; 2001:db8:10::/48 + :11::/48 into /47; :100:5::/64 and
# :1000::/48 inside their /40 and /36; relay//64 and the bare mx AAAA.
# -ip4:10.0.0.0/8 is not a pass network.
cat >"$tmp/want" <<'EOF'
100.64.0.0/10
192.0.2.0/24
198.18.0.0/15
198.51.100.0/24
203.0.113.0/26
203.0.113.64/27
203.0.113.96/29
203.0.113.128/28
2001:db8:10::/47
2001:db8:12::/48
2001:db8:100::/40
2001:db8:200::/40
2001:db8:300::/64
2001:db8:400::25
2001:db8:1000::/36
2001:db8:ff00::/40
EOF
cat >"$tmp/none.conf" <<'EOF'
log_target = stderr
EOF
walk() { "$check" -c "$tmp/none.conf" --zone "$zones/provider.zone" --spf-walk "$@"; }

# --- the allowlist, from the zone file ---
walk provider.example >"$tmp/nets" 2>"$tmp/err"
expect "zone: exit 0" [ $? -eq 0 ]
expect "zone: the hand-computed list" cmp -s "$tmp/want" "$tmp/nets"
expect "zone: nothing on stderr" [ ! -s "$tmp/err" ]
printf 'provider.example\n\n  spf3.provider.example  \n' | walk >"$tmp/stdin"
expect "stdin: exit 0" [ $? -eq 0 ]
expect "stdin: two domains, one list" cmp -s "$tmp/want" "$tmp/stdin"
printf 'provider.example  spf3.provider.example\n' | walk >"$tmp/stdin2"
expect "stdin: two domains on one line, both walked" cmp -s "$tmp/want" "$tmp/stdin2"

# --- what an allowlist leaves out is said on stderr, exit 0 ---
"$check" -c "$tmp/none.conf" --zone "$zones/walk.zone" --spf-walk \
    flag.example plus.example >"$tmp/flag" 2>"$tmp/flag.err"
expect "partial: exit 0" [ $? -eq 0 ]
expect "partial: the networks listed" \
    [ "$(cat "$tmp/flag")" = "$(printf '192.0.2.1\n192.0.2.9')" ]
expect "partial: ptr, exists, the macro and +all warned about on stderr" python3 - "$tmp/flag.err" <<'PY'
import sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 5, lines
assert lines[0].startswith("mxauth-check: flag.example: warning: ptr: "), lines
assert lines[1].startswith("mxauth-check: flag.example: warning: exists:"), lines
assert "macro %{l}" in lines[2] and "left out" in lines[2], lines
assert lines[4] == "mxauth-check: plus.example: warning: +all: every address passes", lines
PY

# --- --explain: the tree, the lookups ---
walk --explain provider.example >"$tmp/explain"
expect "explain: 8 of 10 lookups" \
    grep -q '^provider.example: walked, 8 of 10 DNS lookups, 0 of 2 void' "$tmp/explain"
expect "explain: third level indented under the second" \
    grep -q '^      include:spf2a.provider.example: "v=spf1 a:relay' "$tmp/explain"
expect "explain: 16 networks" grep -q '^  networks: 16$' "$tmp/explain"

# --- --json: one object per domain ---
walk --json provider.example spf3.provider.example >"$tmp/json"
expect "json: exit 0" [ $? -eq 0 ]
expect "json: two objects, the networks, the records" python3 - "$tmp/json" "$tmp/want" <<'PY'
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
want = open(sys.argv[2]).read().split()
assert len(objs) == 2, objs
p = objs[0]
assert p["domain"] == "provider.example" and p["status"] == "ok", p
assert p["networks"] == want, p["networks"]
assert p["lookups"] == 8 and p["void_lookups"] == 0, p
assert len(p["records"]) == 7 and max(r["depth"] for r in p["records"]) == 2
assert p["warnings"] == [] and "ip" not in p
assert objs[1]["networks"] == ["100.64.0.0/10", "2001:db8:ff00::/40"], objs[1]
PY

"$check" -c "$tmp/none.conf" --zone "$zones/walk.zone" --spf-walk --json \
    why.example >"$tmp/why.json"
expect "json: each warning's effect, the include's permerror" python3 - "$tmp/why.json" <<'PY'
import json, sys
w = json.loads(open(sys.argv[1]).read())["warnings"]
assert [x["effect"] for x in w] == ["ok", "permerror"], w
assert w[1]["text"].startswith("include:nothing.example"), w
PY

# --- --ip: the matching term down the include path, and the result ---
walk --ip 203.0.113.137 provider.example >"$tmp/ip"
expect "ip: exit 0" [ $? -eq 0 ]
expect "ip: pass, through spf2 and spf2a's mx/29" python3 - "$tmp/ip" <<'PY'
import sys
lines = open(sys.argv[1]).read().splitlines()
assert lines == ["203.0.113.137 at provider.example: pass",
                 "  provider.example: include:spf2.provider.example",
                 "  spf2.provider.example: include:spf2a.provider.example",
                 "  spf2a.provider.example: mx/29"], lines
PY
walk --ip 10.1.2.3 provider.example >"$tmp/ip10"
expect "ip: -ip4 inside an include is no match; -all fails" \
    [ "$(cat "$tmp/ip10")" = "$(printf '10.1.2.3 at provider.example: fail\n  provider.example: -all')" ]

# --- macros the walk can expand: the name they gave, in the tree ---
"$check" -c "$tmp/none.conf" --zone "$zones/walk.zone" --spf-walk \
    --explain dmac.example >"$tmp/dmac"
expect "macro: %{d} expanded, the name shown" \
    grep -qF '  include:_spf.%{d} (_spf.dmac.example): "v=spf1 ip4:192.0.2.64/26' "$tmp/dmac"

# --- exit 1: a broken record, what could be walked still printed ---
"$check" -c "$tmp/none.conf" --zone "$zones/walk.zone" --spf-walk \
    over.example >"$tmp/over" 2>"$tmp/over.err"
expect "over the limit: exit 1" [ $? -eq 1 ]
expect "over the limit: networks still printed" \
    [ "$(cat "$tmp/over")" = "$(printf '192.0.2.77\n192.0.2.200')" ]
expect "over the limit: why, on stderr" \
    grep -q 'over.example: permerror: a:h.example is DNS lookup 11' "$tmp/over.err"
"$check" -c "$tmp/none.conf" --zone "$zones/walk.zone" --spf-walk \
    top.example nothing.example >/dev/null 2>"$tmp/none.err"
expect "no record: exit 1" [ $? -eq 1 ]
expect "no record: said once" \
    grep -qx 'mxauth-check: nothing.example: no SPF record' "$tmp/none.err"
"$check" -c "$tmp/none.conf" --zone "$zones/walk.zone" --spf-walk \
    why.example >/dev/null 2>"$tmp/why.err"
expect "permerror: the reason is the include, not the ptr before it" \
    grep -qx 'mxauth-check: why.example: permerror: include:nothing.example: nothing.example has no SPF record: permerror (RFC 7208 5.2)' "$tmp/why.err"

# --- exit 2: usage ---
for args in "--json --explain provider.example" "--mail-from a@b.example x.example" \
    "--ip 300.1.1.1 provider.example" "--helo h.example provider.example"; do
	# shellcheck disable=SC2086
	walk $args >/dev/null 2>&1
	expect "usage: $args: exit 2" [ $? -eq 2 ]
done

# --- a hostile zone: a 63 KB record of 3000 ip4 terms, seven levels of
# includes each spending four mx (10 names of 300 A and 300 AAAA each)
# and four a (2000 A): the walk stops after its 60 lookups, having
# collected ~200000 networks, in bounded time and memory ---
python3 - "$tmp/hostile.zone" <<'PY'
import random, sys
random.seed(1)
z = ["$ORIGIN h.example.", "$TTL 300",
     "@ IN SOA ns.h.example. h.h.example. 1 3600 600 86400 120"]
txt = "v=spf1 " + " ".join("ip4:%d.%d.%d.%d/%d" % (
    random.randrange(1, 224), random.randrange(256), random.randrange(256),
    random.randrange(256), random.randrange(8, 33)) for _ in range(3000)) + \
    " include:i1.h.example -all"
z.append("@ IN TXT ( " + " ".join('"%s"' % txt[i:i + 250]
                                  for i in range(0, len(txt), 250)) + " )")
for i in range(1, 8):
    z.append('i%d IN TXT "v=spf1 %s include:i%d.h.example -all"' % (
        i, " ".join(["mx:m.h.example a:big.h.example"] * 4), i + 1))
for j in range(10):
    z.append("m IN MX 10 x%d.h.example." % j)
    for k in range(300):
        z.append("x%d IN A 10.%d.%d.%d" % (j, j, k // 256, k % 256))
        z.append("x%d IN AAAA 2001:db8:%x::%x" % (j, j, k))
z += ["big IN A 172.16.%d.%d" % (k // 256, k % 256) for k in range(2000)]
open(sys.argv[1], "w").write("\n".join(z) + "\n")
PY
# kB: the walk's own needs, doubled for ASan's redzones (its quarantine
# of freed memory off: RSS would say nothing about the walk)
BOUND_KB=65536
grep -qa __asan_init "$check" && BOUND_KB=$((2 * BOUND_KB))
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0" \
python3 - "$tmp/hostile.cost" "$check" -c "$tmp/none.conf" \
    --zone "$tmp/hostile.zone" --spf-walk --explain h.example \
    >"$tmp/hostile.out" <<'PY'
import resource, subprocess, sys, time
t0 = time.monotonic()
rc = subprocess.run(sys.argv[2:], timeout=120).returncode
ms = int((time.monotonic() - t0) * 1000)
kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
open(sys.argv[1], "w").write("%d %d %d\n" % (rc, ms, kb))
PY
read -r rc ms kb <"$tmp/hostile.cost"
expect "hostile zone: exit 1 (over the limits)" [ "$rc" -eq 1 ]
expect "hostile zone: walk stopped after 60 lookups" \
    grep -q 'warning: i7.h.example: walk stopped after 60 lookups' "$tmp/hostile.out"
expect "hostile zone: walked in ${ms} ms < 60 s" [ "$ms" -lt 60000 ]
expect "hostile zone: ${kb} kB resident <= $BOUND_KB kB" [ "$kb" -le "$BOUND_KB" ]

# --- a hostile domain: answers its TXT, never its A and AAAA ---
# 54 a: terms down six levels of include: 108 lookups of dns_timeout
# 1 s unbounded (with the defaults, 5 s and 2 retries: 27 minutes); the
# walk waits six times dns_check_timeout in all (6 s), --ip's evaluation
# dns_check_timeout (1 s), then says temperror.
python3 "$top_srcdir/test/e2e/walk_hostile.py" "$tmp/port" &
hostile=$!
trap 'kill $hostile 2>/dev/null; rm -rf "$tmp"' EXIT
wait_for "walk_hostile.py" 10 test -s "$tmp/port" || die "walk_hostile.py did not start"
printf 'log_target = stderr\ndns_servers = 127.0.0.1:%s\ndns_timeout = 1\ndns_retries = 0\ndns_check_timeout = 1\n' \
    "$(cat "$tmp/port")" >"$tmp/hostile.conf"
t0=$(date +%s%N)
timeout 300 "$check" -c "$tmp/hostile.conf" --spf-walk --explain hostile.example \
    >"$tmp/hostile" 2>&1
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
expect "hostile: exit 1 (temperror)" [ $rc -eq 1 ]
expect "hostile: walked in ${ms} ms, within its 6 s budget and a margin" \
    [ "$ms" -lt 15000 ]
expect "hostile: temperror said" \
    grep -q '^hostile.example: temperror, ' "$tmp/hostile"
t0=$(date +%s%N)
timeout 300 "$check" -c "$tmp/hostile.conf" --spf-walk --ip 192.0.2.1 \
    hostile.example >"$tmp/hostile.ip" 2>&1
ms=$((($(date +%s%N) - t0) / 1000000))
expect "hostile --ip: walk and evaluation in ${ms} ms (6 s + 1 s budgets)" \
    [ "$ms" -lt 20000 ]
expect "hostile --ip: the evaluation's temperror" \
    grep -q '^192.0.2.1 at hostile.example: temperror' "$tmp/hostile.ip"
kill $hostile 2>/dev/null
trap 'rm -rf "$tmp"' EXIT

# --- the same walk over the network: the sandbox's unbound ---
need_tools
EXTRA_ZONES="$zones/provider.zone"
exec 9>"$LOCK"
flock -w 600 9 || die "sandbox lock $LOCK still held after 600 s"
trap 'sandbox_exit' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
if [ -d "$SB" ]; then sandbox_stop; else sandbox_reap >&2; fi
port_closed $DNS_PORT || die "127.0.0.1:$DNS_PORT is in use"
mkdir -p "$SB"
unbound_start || die "unbound did not start"
printf 'log_target = stderr\ndns_servers = 127.0.0.1:%s\n' "$DNS_PORT" \
    >"$tmp/net.conf"
"$check" -c "$tmp/net.conf" --spf-walk provider.example >"$tmp/net" 2>"$tmp/net.err"
expect "unbound: exit 0" [ $? -eq 0 ]
expect "unbound: the hand-computed list" cmp -s "$tmp/want" "$tmp/net"
"$check" -c "$tmp/net.conf" --spf-walk --json provider.example >"$tmp/net.json"
expect "unbound: the same JSON as the zone file" \
    cmp -s "$tmp/net.json" <(walk --json provider.example)
"$check" -c "$tmp/net.conf" --spf-walk --explain split.provider.example >"$tmp/split"
expect "unbound: TXT strings that cut a term are said" \
    grep -qF 'strings split a term at byte 25 ("8.51.100.0/2|4 -all")' "$tmp/split"
rm -rf "$tmp"
finish
