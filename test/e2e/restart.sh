#!/bin/bash
# restart.sh - mxauth dies and comes back; no mail is lost.
#
# 1. A stream of 20 numbered messages; mxauth is killed (SIGKILL) after
#    the 8th and restarted after the 14th.  While it is down Postfix must
#    answer 4xx (milter_default_action = tempfail), never accept mail
#    unchecked.  Every refused message is sent again, as a real client
#    retries; then all 20 are in the sink exactly once, each with our
#    Authentication-Results.
# 2. A message in flight when mxauth is killed gets 4xx, not 250.
# 3. SIGTERM while a message is in flight: mxauth finishes that message
#    (it is delivered, with our header) and only then exits, status 0.
. "$top_srcdir/test/e2e/lib.sh"
sandbox_start

N=20
for i in $(seq 1 $N); do
	[ "$i" -eq 9 ] && mxauth_kill
	[ "$i" -eq 15 ] && { mxauth_start || bad "restart"; }
	send_mail "r$i" --header "Subject: stream $i"
	echo "$i $?" >>"$SB/status"
done
refused=$(awk '$2 != 0 {print $1}' "$SB/status")
expect "messages sent while mxauth was down were refused" \
    [ "$(echo $refused)" = "9 10 11 12 13 14" ]
expect "the refusals were temporary (4xx)" \
    sh -c "for i in $(echo $refused); do grep -q '^<\*\* *4[0-9][0-9] ' '$SB'/swaks.r\$i || exit 1; done"
expect "no message was accepted unchecked" \
    sh -c "! grep -l 'queued as' $(for i in $refused; do printf '%s ' "$SB/swaks.r$i"; done) >/dev/null 2>&1"
for i in $refused; do
	send_mail "r$i" --header "Subject: stream $i (retry)" ||
	    bad "retry of message $i was refused again"
done
wait_delivered $N 30
missing=0 dup=0
for i in $(seq 1 $N); do
	n=$(grep -l -F "Message-Id: <r$i@test.example>" "$SB"/sink/* 2>/dev/null | wc -l)
	[ "$n" -eq 0 ] && missing=$((missing + 1))
	[ "$n" -gt 1 ] && dup=$((dup + 1))
done
expect "all $N messages delivered (none lost)" [ "$missing" -eq 0 ]
expect "none delivered twice" [ "$dup" -eq 0 ]
expect "every delivered message carries our Authentication-Results" \
    [ "$(grep -l "^Authentication-Results: $AUTHSERV_ID;" "$SB"/sink/* | wc -l)" -eq $N ]

# --- killed with a message in flight ---
rm -f "$SB/go"
python3 "$top_srcdir/test/e2e/smtp_client.py" slow $PF_PORT 192.0.2.10 inflight-kill \
    "$SB/go" >"$SB/slow.kill" 2>&1 &
slow=$!
wait_for "message in flight" 10 grep -q PAUSED "$SB/slow.kill"
mxauth_kill
touch "$SB/go"
wait $slow
expect "in-flight message answered 4xx when mxauth died" \
    grep -q '^4[0-9][0-9] ' "$SB/slow.kill"
mxauth_start || bad "restart after kill"

# --- SIGTERM with a message in flight ---
rm -f "$SB/go"
before=$(delivered_count)
python3 "$top_srcdir/test/e2e/smtp_client.py" slow $PF_PORT 192.0.2.10 inflight-term \
    "$SB/go" >"$SB/slow.term" 2>&1 &
slow=$!
wait_for "message in flight" 10 grep -q PAUSED "$SB/slow.term"
pid=$(mxauth_pid)
kill -TERM "$pid"
wait_for "mxauth to notice SIGTERM" 10 grep -q "stopping" "$SB/mxauth.log"
expect "mxauth still running while the message is in flight" \
    kill -0 "$pid"
touch "$SB/go"
wait $slow
expect "in-flight message accepted (250) after SIGTERM" \
    grep -q '^250 ' "$SB/slow.term"
wait "$pid"
expect "mxauth exited 0 after finishing it" [ $? -eq 0 ]
rm -f "$SB/mxauth.bgpid"
wait_delivered $((before + 1))
f=$(find_delivered "inflight-term@test.example")
expect "that message was delivered with our header" \
    grep -q "^Authentication-Results: $AUTHSERV_ID;" "${f:-/dev/null}"
qid=$(queue_id_of "inflight-term@test.example")
expect "its verdict line was logged before exit" \
    sh -c "[ -n '$qid' ] && sed -n '/stopping:/,/: stopped/p' '$SB/mxauth.log' | grep -q '$qid: ingress='"

finish
