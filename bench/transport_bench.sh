#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# transport_bench.sh - messages per second and latency per message through
# the real Postfix, with no milter, with mxauth on its TCP socket and on a
# unix socket.  A milter that lets Nagle's algorithm meet delayed ACKs
# shows it here as ~40 ms per message on TCP only (OpenDKIM did, measured
# on these machines); mxauth should cost the same on both transports.
#
# Uses the e2e sandbox (test/e2e/lib.sh: Postfix on 127.0.0.1:2525,
# smtp-sink, unbound, mxauth), so it needs root like the e2e tests.
#   top_srcdir=SRC top_builddir=BUILD bash bench/transport_bench.sh [COUNT]
count=${1:-300}
. "$top_srcdir/test/e2e/lib.sh"
burst() { /usr/bin/python3 "$top_srcdir/bench/smtp_burst.py" $PF_PORT "$count" "$1"; }
[ "$(id -u)" = 0 ] || { echo "transport_bench: needs root (Postfix)"; exit 1; }
sandbox_start none
burst "postfix, no milter"
postfix_stop
postfix_start || die "Postfix did not start"
burst "mxauth inet:127.0.0.1"
postfix_stop
mxauth_stop
MXAUTH_SOCKET="unix:$SB/mxauth.sock" MXAUTH_USER=postfix mxauth_config
mxauth_start || die "mxauth did not start on unix:$SB/mxauth.sock"
postfix_start "unix:$SB/mxauth.sock" || die "Postfix did not start"
burst "mxauth unix socket"
verdicts=$(grep -c ' ingress=external ' "$SB/mxauth.log")
echo "mxauth verdict lines logged: $verdicts (of $((2 * count)) messages)"
