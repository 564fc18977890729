#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# forged_ar.sh - Authentication-Results fields that arrive from outside
# claiming our authserv-id are removed, ours is added on top (RFC 8601 5),
# through the real Postfix.
#
# The message comes from 192.0.2.10 (XCLIENT) with sixteen A-R fields
# among its own headers: four claim mx.example, spelled as RFC 8601
# allows (exact; other case, folded, after a comment; quoted; with a
# version), ten more claim it in spellings that do not parse (no ';', a
# ',' or ':' after the id, a /version, a trailing dot, an unterminated
# comment before it, an encoded word, upper case, a quoted id without
# its closing quote, a comment that closes only for a reader that does
# not nest), and two are someone else's (other.example, the lookalike
# mx.examplex).
# Delivered, it must carry exactly one A-R for mx.example: ours, the
# topmost field, saying what the verdict line says; the other two A-R
# fields untouched and in order.  The verdict line carries the queue id
# Postfix gave the message (swaks' "queued as", cleanup's log line).
# Run once over the inet milter socket and once over a unix socket.
# bank.example publishes p=reject and this message fails DMARC: the site
# here only monitors (dmarc_reject_action = none) so that the delivered
# fields can be inspected; dmarc.sh tests the rejection.
. "$top_srcdir/test/e2e/lib.sh"
MXAUTH_EXTRA="dmarc_reject_action = none"

# run_case LABEL - send the forged message and check what arrived
run_case() {
	label=$1 name=forged-$1
	before=$(delivered_count)
	send_mail "$name" \
	    --from bob@bank.example \
	    --header "From: Bank <alerts@bank.example>" \
	    --header "Subject: forged results ($label)" \
	    "${FORGED_AR[@]}"
	expect "$label: swaks exits 0" [ $? -eq 0 ]
	qid=$(swaks_queue_id "$name")
	expect "$label: Postfix accepted it (250 ... queued as $qid)" [ -n "$qid" ]
	wait_delivered $((before + 1)) || { bad "$label: not delivered"; return; }
	f=$(find_delivered "<$name@test.example>")
	[ -n "$f" ] || { bad "$label: delivered file not found"; return; }
	header_fields "$f" >"$SB/fields.$label"
	ar_list "$f" >"$SB/ar.$label"

	expect "$label: exactly one A-R with authserv-id mx.example" \
	    [ "$(awk '$2 == "mx.example"' "$SB/ar.$label" | wc -l)" -eq 1 ]
	expect "$label: it is the topmost header field (above Postfix's Received and the message's own fields)" \
	    [ "$(awk '$2 == "mx.example" {print $1}' "$SB/ar.$label")" = 1 ]
	expect "$label: none of the fourteen forged claims survived" \
	    sh -c "! grep -q '(forged [0-9]' '$SB/fields.$label'"
	ours=$(sed -n 1p "$SB/fields.$label")
	v=$(verdicts_for "$qid")
	spf=$(echo "$v" | sed -n 's/.* spf=\([^ ]*\) .*/\1/p')
	dkim=$(echo "$v" | sed -n 's/.* dkim=\([^ ]*\) .*/\1/p')
	expect "$label: ours says what the verdict line says (spf=$spf, dkim=$dkim)" \
	    sh -c "[ -n '$spf' ] && echo \"\$1\" | grep -q 'spf=$spf .*smtp.mailfrom=bank.example' &&
	        echo \"\$1\" | grep -q 'dkim=$dkim'" - "$ours"
	expect "$label: ours is written 'Authentication-Results: mx.example;' (one space after the colon, as Postfix writes its own)" \
	    sh -c "echo \"\$1\" | grep -q '^Authentication-Results: mx\.example;'" - "$ours"
	expect "$label: other.example's and mx.examplex's A-R are kept, verbatim, in order" \
	    [ "$(grep '(kept [0-9])' "$SB/fields.$label" | tr '\n' '|')" = \
	      "Authentication-Results: other.example; spf=fail (kept 1) smtp.mailfrom=bank.example|Authentication-Results: mx.examplex; dkim=pass (kept 2) header.d=bank.example|" ]
	expect "$label: the message's own fields are all there" \
	    sh -c "grep -q '^From: Bank <alerts@bank.example>' '$SB/fields.$label' &&
	        grep -q '^Subject: forged results ($label)' '$SB/fields.$label' &&
	        grep -q '^Comments: between the A-R fields' '$SB/fields.$label'"

	expect "$label: cleanup logged the same queue id for <$name@test.example>" \
	    [ "$(queue_id_of "<$name@test.example>")" = "$qid" ]
	expect "$label: Postfix delivered $qid to the sink" \
	    grep -q "postfix/[a-z/]*smtp\[[0-9]*\]: $qid: to=<user@dest.example>.*status=sent" "$SB/maillog"
	expect "$label: exactly one verdict line for $qid" \
	    [ "$(verdicts_for "$qid" | wc -l)" -eq 1 ]
	expect "$label: it names the client, the envelope, From and the 14 forged fields" \
	    sh -c "echo \"\$1\" | grep -q ': $qid: ingress=external ip=192.0.2.10 helo=mail.legit.example mailfrom=bob@bank.example from=bank.example .* forged_ar=14 action=accept'" - "$v"
}

sandbox_start
run_case inet

# Same again over a unix socket.  Postfix (user postfix) connects to it;
# mxauth hands it to its run user's group, mode 0660: run as postfix.
postfix_stop
mxauth_stop
expect "mxauth exits 0 on SIGTERM" [ $? -eq 0 ]
MXAUTH_SOCKET="unix:$SB/mxauth.sock" MXAUTH_USER=postfix mxauth_config
mxauth_start || die "mxauth did not start on unix:$SB/mxauth.sock"
expect "the unix socket is srw-rw---- postfix:postfix" \
    [ "$(stat -c '%A %U:%G' "$SB/mxauth.sock" 2>/dev/null)" = "srw-rw---- postfix:postfix" ]
postfix_start "unix:$SB/mxauth.sock" || die "Postfix did not start"
run_case unix

finish
