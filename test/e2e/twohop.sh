#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# twohop.sh - check once at the edge, trust it inside, through the real
# Postfix: one sandbox instance with two smtpd listeners, each with its
# own mxauth: 127.0.0.1:2525 (the edge, mxauth "mx.example" on 8891)
# queues what it accepts and sends it on (content_filter) to
# 127.0.0.1:2527 (the inner hop, myhostname inner.example, mxauth
# "inner.example" on 8892, which trusts 127.0.0.0/8 and the authserv-id
# mx.example), which delivers to the sink.  One Postfix instead of two:
# one sandbox directory, one queue, one log to read.
#
#   1. both hops run mxauth: an outside client (XCLIENT 192.0.2.10)
#      sends a message carrying a forged "Authentication-Results:
#      mx.example; spf=pass ..." .  The edge judges SPF once against
#      192.0.2.10 and deletes the forgery; the inner mxauth logs
#      upstream=mx.example, checks nothing (unbound's query log shows
#      one SPF query for legit.example in all), adds no A-R of its own.
#   2. the first hop is a relay without mxauth: the inner mxauth has
#      trusted_relays = 127.0.0.1/32, reads the client from the Received
#      field the edge listener wrote and judges SPF against 192.0.2.10,
#      not against the relay's 127.0.0.1; a forger at 203.0.113.66 is
#      judged as the forger.
#   3. the forger's HELO names an address that legit.example's SPF
#      allows ([192.0.2.10], x (y [192.0.2.10]), ...): the inner hop
#      still judges the forger's 203.0.113.66, never an address from the
#      HELO.
#   4. a monitoring edge (dmarc_reject_action = none) in front of an
#      enforcing inner hop (inner_enforce = yes): the edge accepts the
#      forgery of p=reject bank.example and says policy.dmarc=reject
#      (the domain's policy; dis=none is what the edge did), and the
#      inner hop refuses it under its own rules; so too when the forgery
#      carries a DKIM-Signature whose a= ends in a backslash, which once
#      made the edge's A-R comment swallow the dmarc= result.
. "$top_srcdir/test/e2e/lib.sh"
need_tools
UNBOUND_LOG_QUERIES=1
PF_INNER="inet:127.0.0.1:$INNER_MILTER_PORT"
sandbox_start
trap '_rc=$?; inner_stop; (exit $_rc); sandbox_exit' EXIT

# inner_start EXTRA - the inner hop's mxauth with EXTRA config lines
inner_start() { second_start inner inner.example "$1"; }
inner_stop() { second_stop inner; }
spf_queries() { grep -c ' legit\.example\. TXT IN' "$SB/unbound/unbound.log"; }

# --- 1. mxauth at both hops ---------------------------------------------------
inner_start "trusted_networks = 127.0.0.0/8
trusted_authserv_ids = mx.example"
send_mail hop1 --add-header "Authentication-Results: mx.example; spf=pass (forged by the client) smtp.mailfrom=bank.example"
wait_delivered 1 30
edge=$(grep 'mailfrom=sender@legit.example ' "$SB/mxauth.log" | tail -n 1)
inner=$(grep 'mailfrom=sender@legit.example ' "$SB/inner.log" | tail -n 1)
expect "edge: SPF judged against the outside client 192.0.2.10, forgery removed" \
    sh -c "echo '$edge' | grep -q 'ingress=external ip=192.0.2.10 .* spf=pass dkim=none dmarc=pass .*forged_ar=1 action=accept'"
expect "inner: trusted, upstream=mx.example, the edge's results, nothing checked" \
    sh -c "echo '$inner' | grep -q 'ingress=trusted upstream=mx.example ip=127.0.0.1 .* spf=pass dkim=none dmarc=pass action=accept reason=\"upstream verdict of mx.example\"'"
expect "SPF evaluated exactly once: one TXT query for legit.example ($(spf_queries))" \
    [ "$(spf_queries)" = 1 ]
ars=$(header hop1 Authentication-Results)
expect "delivered: exactly one A-R, the edge's, saying spf=pass for 192.0.2.10" \
    sh -c "[ \$(echo '$ars' | grep -c .) = 1 ] && echo '$ars' | grep -q '^Authentication-Results: mx.example;' && echo '$ars' | grep -q 'spf=pass (client-ip=192.0.2.10) smtp.mailfrom=legit.example'"
expect "delivered: the forged A-R is gone, no A-R of inner.example" \
    sh -c "! grep -q 'forged by the client\\|inner.example;' '$(find_delivered hop1@test.example)'"

# --- 2. a relay without mxauth in front -----------------------------------------
inner_stop
postfix_stop
PF_INNER="inet:127.0.0.1:$INNER_MILTER_PORT" postfix_start none || die "Postfix did not start"
inner_start "trusted_networks =
trusted_relays = 127.0.0.1/32"
before=$(spf_queries)
send_mail hop2
wait_delivered 2 30
inner=$(grep 'mailfrom=sender@legit.example ' "$SB/inner.log" | tail -n 1)
expect "relay: ingress=relay ip=127.0.0.1 origin=192.0.2.10, spf=pass" \
    sh -c "echo '$inner' | grep -q 'ingress=relay ip=127.0.0.1 origin=192.0.2.10 helo=mx.example .* spf=pass dkim=none dmarc=pass'"
expect "relay: SPF asked once more, by the inner hop" [ "$(spf_queries)" = $((before + 1)) ]
expect "relay: the A-R names the original client" \
    sh -c "echo '$(header hop2 Authentication-Results)' | grep -q '^Authentication-Results: inner.example;.*spf=pass (client-ip=192.0.2.10) smtp.mailfrom=legit.example'"
expect "relay: Received-SPF names the client and its HELO" \
    sh -c "echo '$(header hop2 Received-SPF)' | grep -q 'client-ip=192.0.2.10; envelope-from=\"sender@legit.example\"; helo=mail.legit.example; receiver=inner.example'"
send_mail hop3 --xclient-addr 203.0.113.66 --helo spoofer.example \
    --from alerts@bank.example
wait_for "the forger's verdict" 30 grep -q 'mailfrom=alerts@bank.example ' "$SB/inner.log"
inner=$(grep 'mailfrom=alerts@bank.example ' "$SB/inner.log" | tail -n 1)
expect "relay: the forger behind the relay is judged as the forger (spf=fail, DMARC reject)" \
    sh -c "echo '$inner' | grep -q 'ingress=relay ip=127.0.0.1 origin=203.0.113.66 .* spf=fail dkim=none dmarc=fail policy=reject action=reject'"

# --- 3. the client's HELO names an address SPF allows -----------------------------
# The relay (Postfix) copies the client's HELO into its Received field:
# "from [192.0.2.10] (unknown [203.0.113.66]) by ...".  192.0.2.10 is in
# legit.example's SPF, 203.0.113.66 is not: the inner hop must judge
# 203.0.113.66, whatever the HELO says.  (Postfix 3.7 turns white space
# and "<>()\";:@" in a HELO into '?', brackets stay; the HELOs that
# mimic the relay's part verbatim, as Sendmail would copy them, are in
# test_trust.)
n=0
for h in '[192.0.2.10]' 'x([192.0.2.10])' 'x (y [192.0.2.10])' \
    '[IPv6:::ffff:192.0.2.10]' '(c) [192.0.2.10] [198.51.100.1]' \
    'x (unknown [192.0.2.10]) by y' '[192.0.2.10] (helo=z) by y'; do
	n=$((n + 1))
	send_mail "helo$n" --xclient-addr 203.0.113.66 --helo "$h" \
	    --from "helo$n@legit.example"
	wait_for "the verdict on HELO $h" 30 grep -q "mailfrom=helo$n@legit.example " "$SB/inner.log"
	inner=$(grep "mailfrom=helo$n@legit.example " "$SB/inner.log" | tail -n 1)
	expect "relay, HELO '$h': the client is 203.0.113.66 (spf=fail, DMARC reject), not the HELO's 192.0.2.10" \
	    sh -c "echo \"\$1\" | grep -q 'ingress=relay ip=127.0.0.1 origin=203.0.113.66 .* spf=fail dkim=none dmarc=fail policy=reject action=reject'" - "$inner"
done
# --- 4. a monitoring edge, an enforcing inner hop ----------------------------
inner_stop
postfix_stop
PF_INNER="inet:127.0.0.1:$INNER_MILTER_PORT" postfix_start || die "Postfix did not start"
reconfigure "dmarc_reject_action = none"
inner_start "trusted_networks = 127.0.0.0/8
trusted_authserv_ids = mx.example
inner_enforce = yes"
n=$(grep -c 'upstream=mx.example .*mailfrom=alerts@bank.example ' "$SB/inner.log")
send_mail hop4 --xclient-addr 203.0.113.66 --helo spoofer.example \
    --from alerts@bank.example
wait_for "the inner hop's verdict" 30 sh -c "[ \$(grep -c 'upstream=mx.example .*mailfrom=alerts@bank.example ' '$SB/inner.log') -gt $n ]"
edge=$(grep 'mailfrom=alerts@bank.example ' "$SB/mxauth.log" | tail -n 1)
inner=$(grep 'upstream=mx.example .*mailfrom=alerts@bank.example ' "$SB/inner.log" | tail -n 1)
expect "monitoring edge: DMARC fail under p=reject, accepted (dmarc_reject_action=none)" \
    sh -c "echo '$edge' | grep -q 'ingress=external ip=203.0.113.66 .* spf=fail dkim=none dmarc=fail policy=reject action=accept reason=\"DMARC fail for bank.example, policy reject (dmarc_reject_action=none)\"'"
expect "enforcing inner hop: the edge's dmarc=fail and policy.dmarc=reject, refused" \
    sh -c "echo '$inner' | grep -q 'ingress=trusted upstream=mx.example ip=127.0.0.1 .* dmarc=fail action=reject reason=\"DMARC fail for bank.example, policy reject (dmarc_reject_action=reject) (upstream mx.example, inner_enforce=yes)\"'"
qid=$(swaks_queue_id hop4)
wait_for "the edge's bounce of $qid" 30 grep -q "$qid: to=<user@dest.example>, relay=127.0.0.1\[127.0.0.1\]:$PF_INNER_PORT.* status=bounced .*5\.7\.1" "$SB/maillog"
expect "the inner hop answered the edge 550 5.7.1: not delivered, bounced" \
    grep -q "$qid: to=<user@dest.example>, relay=127.0.0.1\[127.0.0.1\]:$PF_INNER_PORT.* status=bounced .*5\.7\.1" "$SB/maillog"

n=$(grep -c 'upstream=mx.example .*mailfrom=alerts@bank.example ' "$SB/inner.log")
send_mail hop5 --xclient-addr 203.0.113.66 --helo spoofer.example \
    --from alerts@bank.example --add-header 'DKIM-Signature: v=1; a=rsa-sha256\(\; b=AAAA; bh=AAAA; d=bank.example; h=from; s=s1'
wait_for "the inner hop's verdict" 30 sh -c "[ \$(grep -c 'upstream=mx.example .*mailfrom=alerts@bank.example ' '$SB/inner.log') -gt $n ]"
edge=$(grep 'mailfrom=alerts@bank.example ' "$SB/mxauth.log" | tail -n 1)
inner=$(grep 'upstream=mx.example .*mailfrom=alerts@bank.example ' "$SB/inner.log" | tail -n 1)
# has LINE TEXT - LINE contains TEXT (no echo: it would read backslashes)
has() { printf '%s\n' "$1" | grep -qF -- "$2"; }
expect "hostile a=: the edge logs the signature's text escaped, accepts" \
    has "$edge" 'dkim=permerror dmarc=fail policy=reject action=accept reason="DMARC fail for bank.example, policy reject (dmarc_reject_action=none)" dkim_reason="unknown algorithm a=rsa-sha256\\(\\"'
expect "hostile a=: the inner hop still reads dmarc=fail and refuses" \
    sh -c "echo '$inner' | grep -q 'ingress=trusted upstream=mx.example .* dkim=permerror dmarc=fail action=reject'"

finish
