#!/bin/bash
# forged_ar.sh - a message from outside carrying Authentication-Results
# that claim our authserv-id (one exact, one in other case, one folded)
# plus one from another server.  Through the real Postfix: the delivered
# message has exactly one A-R with our id, ours, on top; the other
# server's A-R stays; the verdict line carries Postfix's queue id.  Run
# once over an inet milter socket and once over a unix socket.
. "$top_srcdir/test/e2e/lib.sh"

# run_case LABEL - send the forged message and check what arrived
run_case() {
	label=$1
	before=$(delivered_count)
	send_mail "forged-$label" \
	    --from bob@bank.example \
	    --add-header "Authentication-Results: $AUTHSERV_ID; spf=pass smtp.mailfrom=bank.example" \
	    --add-header "Authentication-Results: other.example; spf=fail smtp.mailfrom=bank.example" \
	    --add-header "Authentication-Results: (forged)
 MX.Example; dkim=pass header.d=bank.example" \
	    --header "From: Bank <alerts@bank.example>" \
	    --header "Subject: forged results ($label)"
	expect "$label: Postfix accepted the message" \
	    grep -q '^<- *250 .*queued as' "$SB/swaks.forged-$label"
	wait_delivered $((before + 1)) || { bad "$label: not delivered"; return; }
	f=$(find_delivered "forged-$label@test.example")
	[ -n "$f" ] || { bad "$label: delivered file not found"; return; }
	message_headers "$f" >"$SB/hdr.$label"

	n_ours=$(grep -ci "^Authentication-Results: *\(([^)]*)\)\? *$AUTHSERV_ID *;" "$SB/hdr.$label")
	n_folded=$(grep -c '^ MX.Example;' "$SB/hdr.$label")
	expect "$label: exactly one A-R with our authserv-id" \
	    [ "$n_ours" -eq 1 -a "$n_folded" -eq 0 ]
	expect "$label: the survivor is ours (not the forged spf=pass)" \
	    sh -c "! grep -q 'spf=pass smtp.mailfrom=bank.example' '$SB/hdr.$label'"
	first_ar=$(grep -n -i '^Authentication-Results:' "$SB/hdr.$label" | head -n 1)
	expect "$label: ours is the first A-R" \
	    sh -c "echo '$first_ar' | grep -q '$AUTHSERV_ID;'"
	expect "$label: ours is above the message's own headers" \
	    [ "$(grep -n -i '^Authentication-Results: *'$AUTHSERV_ID "$SB/hdr.$label" | cut -d: -f1)" -lt \
	      "$(grep -n '^Message-ID:\|^Message-Id:' "$SB/hdr.$label" | head -n 1 | cut -d: -f1)" ]
	expect "$label: the other server's A-R is kept" \
	    grep -q '^Authentication-Results: other.example; spf=fail' "$SB/hdr.$label"

	qid=$(queue_id_of "forged-$label@test.example")
	expect "$label: Postfix logged a queue id" [ -n "$qid" ]
	expect "$label: verdict line starts with that queue id" \
	    grep -q "mxauth\[[0-9]*\]: $qid: ingress=external ip=192.0.2.10 .*mailfrom=bob@bank.example from=bank.example .*forged_ar=2 action=accept" "$SB/mxauth.log"
	expect "$label: exactly one verdict line for it" \
	    [ "$(grep -c "]: $qid: " "$SB/mxauth.log")" -eq 1 ]
}

sandbox_start
run_case inet

# Same again over a unix socket; Postfix (user postfix) connects to it,
# so the daemon hands the socket to its run user's group: run as postfix.
postfix_stop
mxauth_stop
expect "mxauth exits 0 on SIGTERM" [ $? -eq 0 ]
MXAUTH_SOCKET="unix:$SB/mxauth.sock" MXAUTH_USER=postfix mxauth_config
mxauth_start
postfix_start "unix:$SB/mxauth.sock"
run_case unix

finish
