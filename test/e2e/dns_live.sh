#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# dns_live.sh - mxauth's network resolver against a real DNS server
# (unbound on loopback serving test/data/zones-e2e): for every question
# it gives the same status and records as the zone layer reading the
# same master file, NXDOMAIN, NODATA and SERVFAIL stay distinct, a cached
# answer equals the first one, EDNS0 keeps a 1 KB TXT record on UDP while
# a 3 KB one still comes over TCP, and a stopped server is a time-out,
# never an answer.
. "$top_srcdir/test/e2e/lib.sh"
need_tools
fx=$(mktemp -d /tmp/mxauth-dns-e2e.XXXXXX)
python3 "$top_srcdir/test/e2e/big_zone.py" "$fx/big.zone" || exit 1
EXTRA_ZONES="$fx/big.zone"
sandbox_start
trap 'rc=$?; sandbox_stop; rm -rf "$fx"; exit $rc' EXIT
probe="$top_builddir/test/dns_probe"
zone="$top_srcdir/test/data/zones-e2e/example.zone"

# same NAME TYPE WANT-STATUS - network and zone agree, status as wanted
same() {
	net=$("$probe" --server 127.0.0.1:$DNS_PORT "$1" "$2")
	cached=$("$probe" --server 127.0.0.1:$DNS_PORT "$1" "$2" 3)
	off=$("$probe" --zone "$zone" "$1" "$2")
	expect "$1/$2: unbound says $3" [ "$(echo "$net" | head -n 1)" = "$3" ]
	expect "$1/$2: zone layer agrees with unbound" [ "$net" = "$off" ]
	expect "$1/$2: cached answer equals the first" [ "$net" = "$cached" ]
}
same legit.example TXT ok
same _dmarc.bank.example TXT ok
same mail.legit.example A ok
same mail.legit.example TXT nodata
same nosuch.example A nxdomain
same _dmarc.nosuch.legit.example TXT nxdomain

# Names outside the served zones: unbound refuses to recurse (SERVFAIL),
# which must stay a temporary failure.
out=$("$probe" --server 127.0.0.1:$DNS_PORT example.org A | head -n 1)
expect "outside the zones: servfail" [ "$out" = servfail ]

# over_tcp NAME - how many TCP queries unbound saw for one probe of NAME
over_tcp() {
	_t0=$(unbound_stat num.query.tcp)
	_out=$("$probe" --server 127.0.0.1:$DNS_PORT "$1" TXT | head -n 1)
	[ "$_out" = ok ] || { echo "$1: $_out"; return; }
	echo $(($(unbound_stat num.query.tcp) - _t0))
}
expect "unbound counts TCP queries" [ -n "$(unbound_stat num.query.tcp)" ]
n=$(over_tcp k1.big.example)
expect "a 1 KB TXT record comes over UDP (EDNS0): $n TCP" [ "$n" = 0 ]
n=$(over_tcp k3.big.example)
expect "a 3 KB TXT record still comes over TCP: $n TCP" [ "$n" = 1 ]

unbound_stop
out=$("$probe" --server 127.0.0.1:$DNS_PORT legit.example TXT | head -n 1)
expect "server stopped: timeout, not an answer" [ "$out" = timeout ]

finish
