#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# session.sh - the milter contexts under real Postfix: an aborted message
# (RSET), two messages in one connection, and a client that vanishes in
# the middle of a message.  Each completed message gets exactly one
# verdict line and our header; the aborted and cut-off ones get none;
# mxauth keeps running and serves the next connection.
. "$top_srcdir/test/e2e/lib.sh"
sandbox_start

python3 "$top_srcdir/test/e2e/smtp_client.py" session $PF_PORT 192.0.2.10 sess \
    >"$SB/session.out" 2>&1
expect "RSET accepted" grep -q '^rset 250' "$SB/session.out"
expect "first message of the session accepted" grep -q '^msg1 250' "$SB/session.out"
expect "second message of the session accepted" grep -q '^msg2 250' "$SB/session.out"
wait_delivered 2
for n in 1 2; do
	f=$(find_delivered "sess-$n@test.example")
	expect "message $n delivered with exactly one A-R of ours" \
	    [ "$(message_headers "${f:-/dev/null}" | grep -c "^Authentication-Results: $AUTHSERV_ID;")" -eq 1 ]
	qid=$(queue_id_of "sess-$n@test.example")
	expect "message $n has one verdict line under its own queue id" \
	    [ -n "$qid" -a "$(grep -c "]: $qid: ingress=external" "$SB/mxauth.log")" -eq 1 ]
done
expect "the aborted message left no verdict line" \
    sh -c "! grep -q 'mailfrom=aborted@legit.example' '$SB/mxauth.log'"
wait_for "Postfix to notice the lost client" 10 \
    grep -q 'lost connection after DATA' "$SB/maillog"
expect "exactly two verdict lines for the session" \
    [ "$(grep -c ': ingress=external ip=192.0.2.10' "$SB/mxauth.log")" -eq 2 ]
expect "mxauth survived the vanished client" mxauth_running
send_mail after-session
wait_delivered 3
expect "and serves the next connection" \
    [ -n "$(find_delivered after-session@test.example)" ]

finish
