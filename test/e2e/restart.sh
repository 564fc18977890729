#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# restart.sh - mxauth dies and comes back; no mail is lost or doubled.
#
# 1. A stream of 20 numbered messages; mxauth is killed (SIGKILL) before
#    the 9th and started again before the 15th.  While it is down Postfix
#    answers 4xx (milter_default_action = tempfail) and accepts nothing
#    unchecked.  Every refused message is sent again, as a real client
#    retries; then each of the 20 is in the sink exactly once, with our
#    Authentication-Results on top, and has exactly one verdict line.
# 2. A message in flight when mxauth is killed gets 4xx and never arrives.
# 3. SIGTERM with a message in flight: a message that starts meanwhile
#    gets 4xx; the one in flight is finished (250, delivered with our
#    header, its verdict logged) and only then mxauth exits, status 0.
. "$top_srcdir/test/e2e/lib.sh"
sandbox_start

# our_ar_on_top NAME - the delivered <NAME@test.example> has exactly one
# A-R for mx.example, and it is the topmost field
our_ar_on_top() {
	_f=$(find_delivered "<$1@test.example>")
	[ -n "$_f" ] && [ "$(ar_list "$_f" | awk '$2 == "mx.example" {print $1}' |
	    tr '\n' ' ')" = "1 " ]
}
# copies NAME - how many delivered messages have Message-Id <NAME@test.example>
copies() {
	grep -l -i -F "Message-Id: <$1@test.example>" "$SB"/sink/* 2>/dev/null |
	    wc -l
}
# refused_4xx NAME - swaks saw a 4xx and no "queued as" for send_mail NAME
refused_4xx() {
	grep -q '^<\*\* *4[0-9][0-9] ' "$SB/swaks.$1" &&
	    ! grep -q 'queued as' "$SB/swaks.$1"
}

# --- 1. the stream -----------------------------------------------------------
N=20
for i in $(seq 1 $N); do
	[ "$i" -eq 9 ] && mxauth_kill
	[ "$i" -eq 15 ] && { mxauth_start || die "mxauth did not restart"; }
	send_mail "r$i" --header "Subject: stream $i"
	echo "$i $?" >>"$SB/status"
done
refused=$(awk '$2 != 0 {print $1}' "$SB/status" | tr '\n' ' ' | sed 's/ $//')
expect "messages 9-14, sent while mxauth was down, were refused (refused: ${refused:-none})" \
    [ "$refused" = "9 10 11 12 13 14" ]
expect "the restarted daemon wrote its pid to pid_file" \
    [ "$(cat "$SB/mxauth.pid" 2>/dev/null)" = "$(mxauth_pid)" ]
all4xx=yes
for i in $refused; do refused_4xx "r$i" || all4xx=no; done
expect "each refusal was temporary (4xx) and nothing was queued" [ $all4xx = yes ]
expect "Postfix logged that it could not reach the milter" \
    grep -q "connect to Milter service inet:127.0.0.1:$MILTER_PORT: Connection refused" "$SB/maillog"
for i in $refused; do
	send_mail "r$i" --header "Subject: stream $i (retry)" ||
	    bad "retry of message $i was refused again"
done
wait_delivered $N 30
wait_queue_empty 20 || bad "Postfix's queue did not drain"
lost= dup= noar= nov=
for i in $(seq 1 $N); do
	n=$(copies "r$i")
	[ "$n" -eq 0 ] && lost="$lost $i"
	[ "$n" -gt 1 ] && dup="$dup $i"
	our_ar_on_top "r$i" || noar="$noar $i"
	q=$(swaks_queue_id "r$i")
	[ -n "$q" ] && [ "$(verdicts_for "$q" | wc -l)" -eq 1 ] || nov="$nov $i"
done
expect "all $N messages delivered (lost:${lost:- none})" [ -z "$lost" ]
expect "none delivered twice (doubled:${dup:- none})" [ -z "$dup" ]
expect "each carries exactly one A-R of ours, on top (not:${noar:- none})" [ -z "$noar" ]
expect "each has exactly one verdict line under its queue id (not:${nov:- none})" [ -z "$nov" ]

# --- 2. killed with a message in flight ------------------------------------
before=$(delivered_count)
python3 "$top_srcdir/test/e2e/smtp_client.py" slow $PF_PORT 192.0.2.10 \
    inflight-kill "$SB/go.kill" >"$SB/slow.kill" 2>&1 9>&- &
slow=$!
wait_for "message in flight" 10 grep -q PAUSED "$SB/slow.kill" ||
    bad "the slow client did not get to DATA"
mxauth_kill
touch "$SB/go.kill"
wait_pid $slow 70 >/dev/null
expect "in-flight message answered 4xx when mxauth died ($(tail -n 1 "$SB/slow.kill"))" \
    grep -q '^4[0-9][0-9] ' "$SB/slow.kill"
mxauth_start || die "mxauth did not restart after SIGKILL"
wait_queue_empty 10
expect "and it never reached the sink" [ "$(copies inflight-kill)" -eq 0 ]

# --- 3. SIGTERM with a message in flight -----------------------------------
before=$(delivered_count)
python3 "$top_srcdir/test/e2e/smtp_client.py" slow $PF_PORT 192.0.2.10 \
    inflight-term "$SB/go.term" >"$SB/slow.term" 2>&1 9>&- &
slow=$!
wait_for "message in flight" 10 grep -q PAUSED "$SB/slow.term" ||
    bad "the slow client did not get to DATA"
pid=$(mxauth_pid)
nstop=$(grep -c ': stopping' "$SB/mxauth.log")
kill -TERM "$pid"
wait_for "mxauth to log that it is stopping" 10 \
    sh -c "[ \$(grep -c ': stopping' '$SB/mxauth.log') -gt $nstop ]"
expect "mxauth reports 1 message in flight" \
    grep -q ': stopping: 1 message(s) in flight' "$SB/mxauth.log"
send_mail during-drain --header "Subject: sent while mxauth drains"
expect "a message started while mxauth drains gets 4xx ($(grep '^<\*\*' "$SB/swaks.during-drain" | head -n 1))" \
    refused_4xx during-drain
expect "mxauth still running while the message is in flight" kill -0 "$pid"
touch "$SB/go.term"
wait_pid $slow 70 >/dev/null
expect "in-flight message accepted (250) after SIGTERM ($(tail -n 1 "$SB/slow.term"))" \
    grep -q '^250 ' "$SB/slow.term"
wait_pid "$pid" 75
rc=$?
expect "then mxauth exited, status 0 (got $rc)" [ $rc -eq 0 ]
[ $rc -eq 124 ] && kill -KILL "$pid" 2>/dev/null
rm -f "$SB/mxauth.bgpid"
wait_delivered $((before + 1))
expect "that message was delivered with our A-R on top" our_ar_on_top inflight-term
qid=$(queue_id_of "<inflight-term@test.example>")
expect "its verdict line was logged before mxauth stopped" \
    sh -c "[ -n '$qid' ] && sed -n '/: stopping:/,/: stopped\$/p' '$SB/mxauth.log' | grep -q ': $qid: ingress='"

# The client of the refused message retries; mxauth is back.
mxauth_start || die "mxauth did not start again"
send_mail during-drain --header "Subject: sent while mxauth drains (retry)"
wait_delivered $((before + 2))
expect "its retry after the restart is delivered, once" \
    [ "$(copies during-drain)" -eq 1 ]

finish
