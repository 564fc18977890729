#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# demo.sh - `make demo`: mxauth at work behind a real Postfix.
#
# Starts the e2e sandbox (test/e2e/lib.sh: Postfix on 127.0.0.1:2525 with
# mxauth as its milter, unbound on 127.0.0.1:5353 serving
# test/data/zones-e2e, smtp-sink on 127.0.0.1:2526 standing in for the
# next hop), sends three messages with swaks and shows, for each, what
# the client claimed, the DNS records that matter, Postfix's answer, the
# Authentication-Results the delivered message carries and mxauth's
# verdict line:
#   1. legitimate: sender@legit.example from 192.0.2.10, an address
#      legit.example's SPF record lists;
#   2. spoofed: From and MAIL FROM bank.example, sent from 203.0.113.66,
#      which bank.example's SPF record does not list; bank.example
#      publishes DMARC p=reject, so Postfix refuses it (550 5.7.1);
#   3. forged: the same spoofer as none.example (DMARC p=none: watched,
#      never refused), carrying "Authentication-Results: mx.example;
#      spf=pass; dkim=pass; dmarc=pass" to look checked.
# Then it stops everything it started.  The client addresses are RFC 5737
# documentation addresses presented through XCLIENT: nothing but
# loopback is ever contacted.
. "$top_srcdir/test/e2e/lib.sh"

if [ -t 1 ]; then B=$(printf '\033[1m') N=$(printf '\033[0m'); else B= N=; fi
title() { printf '\n%s%s%s\n' "$B" "$*" "$N"; }
indent() { sed 's/^/    /'; }

# show NAME IP MAILFROM DOMAIN - what became of send_mail NAME; 0 if it
# was delivered
show() {
	name=$1 ip=$2 mailfrom=$3 domain=$4
	echo "  SPF record of $domain:   $(dns_txt "$domain" | head -n 1)"
	echo "  DMARC record of $domain: $(dns_txt "_dmarc.$domain" | head -n 1)"
	qid=$(swaks_queue_id "$name")
	if [ -n "$qid" ]; then
		reply=$(grep 'queued as' "$SB/swaks.$name" | tail -n 1)
	else
		reply=$(grep '^<\*\*' "$SB/swaks.$name" | head -n 1)
	fi
	echo "  Postfix answered: $(echo "$reply" | sed 's/^<[-*]* *//')"
	if [ -n "$qid" ] && wait_delivered "$((++delivered))" 20 2>/dev/null; then
		f=$(find_delivered "<$name@test.example>")
		echo "  delivered; its Authentication-Results (top of the message):"
		message_headers "$f" | awk '
		    /^[ \t]/ { if (keep) print; next }
		    { keep = /^Authentication-Results:/; if (keep) print }' |
		    indent
		echo "  mxauth's verdict line:"
		verdicts_for "$qid" | sed 's/^[^ ]* mxauth\[[0-9]*\]: //' | indent
		return 0
	else
		[ -n "$qid" ] && delivered=$((delivered - 1))
		echo "  not delivered; mxauth's verdict line:"
		grep -F "ip=$ip " "$SB/mxauth.log" | grep -F "mailfrom=$mailfrom " |
		    tail -n 1 | sed 's/^[^ ]* mxauth\[[0-9]*\]: //' | indent
		return 1
	fi
}

echo "Starting the sandbox in $SB (Postfix 127.0.0.1:$PF_PORT," \
    "mxauth 127.0.0.1:$MILTER_PORT, unbound 127.0.0.1:$DNS_PORT," \
    "sink 127.0.0.1:$SINK_PORT)..."
sandbox_start
delivered=0

title "1. A legitimate message"
echo "  client 192.0.2.10 (HELO mail.legit.example)," \
    "MAIL FROM:<sender@legit.example>, From: sender@legit.example"
send_mail demo-legit --header "Subject: quarterly report" \
    --header "From: Sender <sender@legit.example>"
show demo-legit 192.0.2.10 sender@legit.example legit.example

title "2. A spoofed message"
echo "  client 203.0.113.66 (HELO spoofer.example)," \
    "MAIL FROM:<alerts@bank.example>, From: alerts@bank.example"
send_mail demo-spoof --xclient-addr 203.0.113.66 \
    --xclient-name spoofer.example --helo spoofer.example \
    --from alerts@bank.example --header "From: Bank <alerts@bank.example>" \
    --header "Subject: verify your account"
show demo-spoof 203.0.113.66 alerts@bank.example bank.example

title "3. A spoofed message that claims to have been checked already"
forged="Authentication-Results: $AUTHSERV_ID; spf=pass smtp.mailfrom=none.example; dkim=pass header.d=none.example; dmarc=pass header.from=none.example"
echo "  the same spoofer as none.example (DMARC p=none: delivered, never"
echo "  refused); the message carries"
echo "$forged" | indent
send_mail demo-forged --xclient-addr 203.0.113.66 \
    --xclient-name spoofer.example --helo spoofer.example \
    --from alerts@none.example --header "From: News <alerts@none.example>" \
    --add-header "$forged" --header "Subject: already verified"
show demo-forged 203.0.113.66 alerts@none.example none.example &&
    echo "  (the forged field is gone: forged_ar=1 counts what mxauth removed)"

title "Stopping everything."
exit 0
