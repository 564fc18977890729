#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# milter_load.sh - mxauth at the milter-protocol level, no Postfix:
# bench/milter_load sends a 4 KB message with one RSA-2048 signature
# (SPF, DKIM and DMARC all pass) at 1, 10 and 100 concurrent connections,
# one connection per message, over mxauth's unix socket and over TCP,
# and prints messages a second, latency, and the CPU per 1,000 messages
# of the generator and of mxauth (from /proc), mxauth's RSS and fds.
#
# With PEERS=1 (or the argument "peers") it measures Debian's opendkim
# (Mode v) and opendmarc (its own SPF check, rejecting DMARC failures)
# the same way, if they are installed (apt-get install opendkim
# opendmarc); they run from a temporary config, never as services.
#
# Every configuration is first checked to accept the message with an
# Authentication-Results field carrying the passes it can give (mxauth:
# spf, dkim and dmarc; opendkim: dkim; opendmarc: spf and dmarc): no
# figures from a broken set-up.
#
# Runs as root in a private network and mount namespace (unshare; the
# set-up is bench/peers_lib.sh, shared with bench/peers.sh): its own loopback, so no port is shared with the e2e sandbox or another
# benchmark, and an /etc/resolv.conf of its own pointing at the private
# authoritative unbound on 127.0.0.1:53 (the peers' resolvers cannot be
# given a port).  From a build directory:
#   MILTER_LOAD=./bench/milter_load bash ../bench/milter_load.sh [./mxauth] [COUNT] [peers]
# MLOAD_HOOK=COMMAND runs COMMAND (sh -c) instead of the measurements, with
# SOCK, MILTER_PID, GEN and MSG exported: to profile the daemon under load,
# e.g. MLOAD_HOOK='perf record -g -p $MILTER_PID -o /tmp/perf.data -- sleep 5 &
# $GEN -f $MSG -i 192.0.2.1 -F a@bench.example -c 10 -n 5000 $SOCK; wait'
set -eu
here=$(cd "$(dirname "$0")" && pwd)
gen=$(realpath "${MILTER_LOAD:-./bench/milter_load}")
mxauth=$(realpath "${1:-./mxauth}")
count=${2:-3000}
[ "${3:-}" = peers ] && PEERS=1
export PEERS=${PEERS:-0}

. "$here/peers_lib.sh"
bench_ns_enter "$0" "$mxauth" "$count"
bench_setup

# selftest - the generator against a fake milter that asks for no-reply
# steps (nr), skips the body after the first chunk (skip), rejects at MAIL
# (reject), or wants no headers nor body and answers 550 at the end (y),
# and sends progress and modification replies at end of message: what it
# sent (the fake's log) and what it counted must be what an MTA does.  A
# wait for a reply that never comes is an error after 3 s (-t 3).
selftest() {
	cat >"$dir/fake.py" <<'PY'
import os, socket, struct, sys
path, mode, logf = sys.argv[1:4]
steps = {"nr": 0x1000 | 0x2000 | 0x8000 | 0x10000 | 0x80 | 0x40000 |
         0x80000 | 0x400 | 0x100000, "skip": 0x400, "reject": 0x8,
         "y": 0x20 | 0x10}[mode]
no_reply = b"CHRTLNB" if mode == "nr" else b""
def pkt(cmd, data=b""):
    return struct.pack(">I", len(data) + 1) + cmd + data
def read(c, n):
    b = b""
    while len(b) < n:
        x = c.recv(n - len(b))
        if not x:
            raise EOFError
        b += x
    return b
s = socket.socket(socket.AF_UNIX)
s.bind(path)
s.listen(8)
log = open(logf, "w")
while True:
    c, _ = s.accept()
    try:
        while True:
            d = read(c, struct.unpack(">I", read(c, 4))[0])
            cmd = d[:1]
            log.write(("D" + d[1:2].decode()) if cmd == b"D" else cmd.decode())
            log.write(" ")
            if cmd in b"DA" or cmd in no_reply:
                continue
            if cmd == b"Q":
                break
            if cmd == b"O":
                c.sendall(pkt(b"O", struct.pack(">III", 6, 0x1ff, steps) +
                                  struct.pack(">I", 2) + b"{i}\0"))
            elif cmd == b"M" and mode == "reject":
                c.sendall(pkt(b"r"))
            elif cmd == b"B" and mode == "skip":
                c.sendall(pkt(b"s"))
            elif cmd == b"E":
                c.sendall(pkt(b"p") + pkt(b"h", b"X-A\0 1\0") +
                          pkt(b"q", b"why\0") + pkt(b"i", b"\0\0\0\0X-B\0 2\0") +
                          (pkt(b"y", b"550 5.7.1 no\0") if mode == "y" else pkt(b"c")))
            else:
                c.sendall(pkt(b"c"))
    except EOFError:
        pass
    log.write("| ")
    log.flush()
    c.close()
PY
	/usr/bin/python3 -c 'import sys
body = "".join("line %06d of a body of more than one chunk..........\n" % i
               for i in range(2600))
open(sys.argv[1], "w").write("From: a@b.example\nSubject: x\n folded\n"
                             "To: c@d.example\n\n" + body)' "$dir/big.eml"
	for mode in nr skip reject y; do
		start fake "unix:$dir/fake.sock" /usr/bin/python3 "$dir/fake.py" \
		    "$dir/fake.sock" $mode "$dir/fake.$mode"
		out=$("$gen" -t 3 -f "$dir/big.eml" -n 3 -m 2 "unix:$dir/fake.sock" 2>&1) || true
		stop
		sent=$(cat "$dir/fake.$mode")
		case $mode in
		nr)	want="accept=3 .* error=0 refused_early=0 "
			[ "$(printf '%s' "$sent" | grep -o ' B ' | wc -l)" = 9 ] || want=BAD
			printf '%s' "$out" | grep -q 'conn=0.00 helo=0.00 mail=1.00 rcpt=0.00 data=0.00 hdr=0.00 eoh=0.00 body=0.00 eom=5.00 mods=3.00' || want=BAD ;;
		skip)	want="accept=3 .* error=0 "
			[ "$(printf '%s' "$sent" | grep -o ' B ' | wc -l)" = 3 ] || want=BAD ;;
		reject)	want="reject=3 .* error=0 refused_early=3"
			# refused at MAIL: no transaction, so no ABORT either
			[ "$sent" = "O DC C H DM M DM M Q | O DC C H DM M Q | " ] ||
			    want=BAD ;;
		y)	want="reject=3 .* error=0 refused_early=0"
			case $sent in *L*|*B*) want=BAD ;; esac ;;
		esac
		case $mode:$sent in
		reject:*|*:"O DC C H DM M "*"A Q | O DC C H DM M "*"A Q | ") ;;
		*) want=BAD ;;
		esac
		printf '%s\n' "$out" | grep -q "^milter_load .*$want" || {
			echo "milter_load.sh: selftest $mode failed; the fake got: $sent"
			printf '%s\n' "$out"
			exit 1
		}
	done
	echo "selftest: no-reply steps, SMFIR_SKIP, reject at MAIL, skipped steps, end-of-message replies: ok"
}
selftest

for t in unix inet; do
	if [ $t = unix ]; then sock="unix:$dir/mxauth.sock"; else sock="inet:8891@127.0.0.1"; fi
	mxauth_conf "$dir/mxauth.conf" "$sock"
	start mxauth "${sock%@*}" "$mxauth" -f -c "$dir/mxauth.conf"
	check "mxauth/$t" "$sock" spf=pass dkim=pass dmarc=pass
	if [ -n "${MLOAD_HOOK:-}" ]; then
		SOCK=$sock MILTER_PID=$started GEN=$gen MSG=$dir/msg.eml \
		    sh -c "$MLOAD_HOOK"
		stop
		continue
	fi
	measure "mxauth/$t" "$sock" "$started"
	if [ $t = unix ]; then
		# an MTA that offers no no-reply steps (protocol 4)
		load -o -c 10 -n "$count" -p "$started" -l "mxauth/$t" "$sock" |
		    grep '^milter_load '
	fi
	stop
done

[ "$PEERS" = 1 ] || exit 0
if ! command -v opendkim >/dev/null || ! command -v opendmarc >/dev/null; then
	echo "milter_load.sh: peers: opendkim or opendmarc not installed"
	exit 0
fi
for t in unix inet; do
	if [ $t = unix ]; then
		dks="unix:$dir/opendkim.sock" dms="unix:$dir/opendmarc.sock"
	else
		dks="inet:8893@127.0.0.1" dms="inet:8894@127.0.0.1"
	fi
	opendkim_conf "$dir/opendkim.conf" "$dks"
	opendmarc_conf "$dir/opendmarc.conf" "$dms"
	start opendkim "${dks%@*}" opendkim -f -x "$dir/opendkim.conf"
	check "opendkim/$t" "$dks" dkim=pass
	measure "opendkim/$t" "$dks" "$started"
	stop
	start opendmarc "${dms%@*}" opendmarc -f -c "$dir/opendmarc.conf"
	check "opendmarc/$t" "$dms" spf=pass dmarc=pass
	measure "opendmarc/$t" "$dms" "$started"
	stop
done
