#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# dkim_bench.sh - DKIM verifications per second and bytes allocated per
# message, for a 4 KB message with one RSA-2048 signature (rsa-sha256,
# relaxed/relaxed), key in the resolver's warm cache; then the same
# message judged whole (SPF + DKIM + DMARC, bench/message_bench).
#
# Makes the key, zone and signed message with openssl and python3-dkim
# (an independent signer), serves the zone from a private unbound on
# 127.0.0.1:5397 (authoritative only), runs dkim_bench on one core
# against it and against the zone layer, then counts allocations with
# valgrind (difference between 200 and 100 verifications).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=${DKIM_BENCH:-./bench/dkim_bench}
dir=$(mktemp -d /tmp/mxauth-dkim-bench.XXXXXX)
trap 'kill "$(cat "$dir/pid" 2>/dev/null)" 2>/dev/null; rm -rf "$dir"' EXIT
/usr/bin/python3 "$here/bench_messages.py" "$dir"
. "$here/unbound.sh"
bench_unbound "$dir" 5397 "$dir/bench.zone" example.
taskset -c 0 "$bin" --server 127.0.0.1:5397 "$dir/msg.eml" 3
taskset -c 0 "$bin" --zone "$dir/bench.zone" "$dir/msg.eml" 3
# The whole message through the core API: SPF + DKIM + DMARC.
mbin=${MESSAGE_BENCH:-./bench/message_bench}
taskset -c 0 "$mbin" --server 127.0.0.1:5397 "$dir/msg.eml" 3
if command -v valgrind >/dev/null 2>&1; then
	bytes() {
		valgrind "$bin" --zone "$dir/bench.zone" "$dir/msg.eml" -n "$1" 2>&1 |
		    sed -n 's/.*frees, \([0-9,]*\) bytes allocated.*/\1/p' | tr -d ,
	}
	a=$(bytes 100)
	b=$(bytes 200)
	echo "dkim: $(( (b - a) / 100 )) bytes allocated per message (valgrind, heap total)"
fi
