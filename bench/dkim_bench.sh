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
/usr/bin/python3 - "$dir" <<'PY'
import base64, subprocess, sys, dkim
d = sys.argv[1]
pem = subprocess.run(["openssl", "genrsa", "2048"], check=True,
                     capture_output=True).stdout
der = subprocess.run(["openssl", "rsa", "-pubout", "-outform", "DER"],
                     input=pem, check=True, capture_output=True).stdout
p = "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode()
with open(d + "/bench.zone", "w") as f:
    # The zone is example. itself: the DMARC tree walk asks _dmarc.example
    f.write("$ORIGIN example.\n$TTL 3600\n"
            "@ IN SOA ns.example. h.example. 1 3600 600 86400 3600\n"
            "@ IN NS ns\nns IN A 127.0.0.1\n"
            "bench IN TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n"
            "_dmarc.bench IN TXT \"v=DMARC1; p=reject\"\n"
            "sel._domainkey.bench IN TXT " +
            " ".join('"%s"' % p[i:i + 200] for i in range(0, len(p), 200)) + "\n")
body = b"".join(b"Line %04d of a four kilobyte benchmark message body.....\r\n" % i
                for i in range(68))
msg = (b"From: Bench <bench@bench.example>\r\nTo: x@dest.example\r\n"
       b"Subject: benchmark\r\nDate: Sun, 22 Nov 2026 10:00:00 +0000\r\n"
       b"Message-ID: <bench@bench.example>\r\n\r\n" + body)
sig = dkim.sign(msg, b"sel", b"bench.example", pem,
                canonicalize=(b"relaxed", b"relaxed"))
open(d + "/msg.eml", "wb").write(sig + msg)
PY
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
