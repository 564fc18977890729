#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# dmarc.sh - DMARC and the site's policy through the real Postfix and
# unbound (test/data/zones-e2e/example.zone; DKIM keys and messages from
# test/dkim/gen_fixtures.py, an independent signer, with a p=reject record
# added for signer.example).  Every sender presents an RFC 5737 address
# through XCLIENT.
#
#   pass         legit.example from its own server: delivered, dmarc=pass
#   reject       bank.example (p=reject) forged from 203.0.113.66: swaks
#                sees 550 5.7.1 at the end of DATA; nothing delivered
#   quarantine   quarantine.example (p=quarantine) forged: held in
#                Postfix's hold queue (postqueue -j says "hold"); with
#                quarantine_method = header: delivered, X-Mxauth-Quarantine
#   none         none.example (p=none) forged: delivered, dmarc=fail
#   forwarded    a signer.example message with intact DKIM relayed by a
#                forwarder whose SPF fails: DKIM aligns, dmarc=pass
#   relaxed      MAIL FROM bounce.relaxed.example, From relaxed.example:
#                aligned; the same under strict.example (aspf=s): fail
#   tree walk    sub.bank.example has no record: bank.example's applies
#   forger's DNS bank.example forged with MAIL FROM, or a DKIM d=, in a
#                domain whose lookups SERVFAIL (forger.example.net, outside
#                the sandbox's zones): spf/dkim=temperror, but the domain
#                cannot align, so dmarc=fail and 550, not temperror
#   two records  two.bank.example publishes two DMARC records: they count
#                as none, bank.example's p=reject applies: 550
#   np=          np.example (p=none; np=reject): a forged name below it
#                that does not exist (NXDOMAIN) is refused with 550; one
#                whose existence lookup SERVFAILs is temperror (451 with
#                dmarc_temperror_action = tempfail), never p=none
#   bad From     two From fields: 550 (dmarc_bad_from_action = reject)
#   override     policy_overrides: bank.example quarantined, not rejected
#   dry run      dry_run = yes: the bank.example forgery is accepted and
#                the log says what would have been done
#   DNS down     unbound stopped: spf=temperror, dmarc=temperror, never
#                pass; with dmarc_temperror_action = tempfail, 451 4.4.3
. "$top_srcdir/test/e2e/lib.sh"
need_tools
fx=$(mktemp -d /tmp/mxauth-dmarc-e2e.XXXXXX)
/usr/bin/python3 "$top_srcdir/test/dkim/gen_fixtures.py" "$fx" >/dev/null || exit 1
echo '_dmarc.signer.example. IN TXT "v=DMARC1; p=reject"' >>"$fx/keys.zone"
# ghost.np.example: an A query gets SERVFAIL (unbound serves a zone
# without an SOA as SERVFAIL), while _dmarc.ghost.np.example, a zone of
# its own, answers NODATA: the tree walk works, the existence test fails.
printf '$ORIGIN ghost.np.example.\n$TTL 300\n@ IN TXT "no SOA: SERVFAIL"\n' \
    >"$fx/ghost.zone"
printf '$ORIGIN _dmarc.ghost.np.example.\n$TTL 300\n%s\n' \
    '@ IN SOA ns.example. hostmaster.example. 1 3600 600 86400 60' \
    >"$fx/ghost-dmarc.zone"
EXTRA_ZONES="$fx/keys.zone $fx/ghost.zone $fx/ghost-dmarc.zone"
sandbox_start
trap 'rc=$?; sandbox_stop; rm -rf "$fx"; exit $rc' EXIT

# forge NAME DOMAIN [SWAKS-ARGS] - from the forger's address, as DOMAIN
forge() {
	_name=$1 _dom=$2; shift 2
	send_mail "$_name" --xclient-addr 203.0.113.66 --helo spoofer.example \
	    --from "alerts@$_dom" "$@"
}
delivered=0
delivered_one() { delivered=$((delivered + 1)); wait_delivered $delivered; }

# --- pass ---------------------------------------------------------------
send_mail d-pass
delivered_one
expect "pass: A-R dmarc=pass (p=reject sp=reject dis=none) header.from=legit.example" \
    sh -c "echo '$(header d-pass Authentication-Results)' | grep -q 'dmarc=pass (p=reject sp=reject dis=none) header.from=legit.example policy.dmarc=reject'"
expect "pass: verdict dmarc=pass policy=reject action=accept" \
    sh -c "grep 'mailfrom=sender@legit.example ' '$SB/mxauth.log' | tail -n 1 | grep -q 'from=legit.example spf=pass dkim=none dmarc=pass policy=reject action=accept reason=\"DMARC pass for legit.example\"'"

# --- reject ---------------------------------------------------------------
forge d-reject bank.example
expect "reject: swaks sees 550 5.7.1 rejected by DMARC policy for bank.example" \
    grep -q '^<\*\* *550 5\.7\.1 rejected by DMARC policy for bank\.example' "$SB/swaks.d-reject"
expect "reject: refused after DATA, not at MAIL FROM" \
    grep -q '^ -> DATA' "$SB/swaks.d-reject"
expect "reject: verdict dmarc=fail policy=reject action=reject with the rule" \
    sh -c "grep 'mailfrom=alerts@bank.example ' '$SB/mxauth.log' | tail -n 1 | grep -q 'spf=fail dkim=none dmarc=fail policy=reject action=reject reason=\"DMARC fail for bank.example, policy reject (dmarc_reject_action=reject)\"'"

# --- quarantine: Postfix's hold queue --------------------------------------
forge d-quar quarantine.example
expect "quarantine: accepted (250)" grep -q 'queued as' "$SB/swaks.d-quar"
qid=$(swaks_queue_id d-quar)
held() {
	timeout 10 postqueue -c "$PFCONF" -j 2>/dev/null |
	    python3 -c 'import json,sys
q=[json.loads(l) for l in sys.stdin if l.strip()]
print(" ".join(m["queue_name"] for m in q if m["queue_id"] == sys.argv[1]))' "$1"
}
wait_for "the message in the hold queue" 10 sh -c "[ \"\$(timeout 10 postqueue -c '$PFCONF' -j | grep -c '\"queue_name\": *\"hold\"')\" -ge 1 ]"
expect "quarantine: postqueue -j shows $qid in the hold queue" [ "$(held "$qid")" = hold ]
expect "quarantine: verdict action=quarantine" \
    sh -c "grep 'mailfrom=alerts@quarantine.example ' '$SB/mxauth.log' | tail -n 1 | grep -q 'dmarc=fail policy=quarantine action=quarantine'"
timeout 10 postsuper -c "$PFCONF" -d ALL hold >/dev/null 2>&1

# --- none: accepted, A-R says fail ----------------------------------------
forge d-none none.example
delivered_one
expect "none: delivered with dmarc=fail (p=none sp=none dis=none)" \
    sh -c "echo '$(header d-none Authentication-Results)' | grep -q 'dmarc=fail (p=none sp=none dis=none) header.from=none.example'"

# --- relaxed and strict alignment --------------------------------------------
send_mail d-relaxed --from bounces@bounce.relaxed.example \
    --header "From: <news@relaxed.example>"
delivered_one
expect "relaxed: bounce.relaxed.example aligns with relaxed.example" \
    sh -c "echo '$(header d-relaxed Authentication-Results)' | grep -q 'dmarc=pass .*header.from=relaxed.example'"
send_mail d-strict --from bounces@bounce.strict.example \
    --header "From: <news@strict.example>"
expect "strict: aspf=s, the subdomain does not align: 550" \
    grep -q '^<\*\* *550 5\.7\.1 rejected by DMARC policy for strict\.example' "$SB/swaks.d-strict"

# --- tree walk: sub.bank.example has no record of its own ------------------
forge d-walk sub.bank.example
expect "tree walk: bank.example's p=reject applies to sub.bank.example" \
    grep -q '^<\*\* *550 5\.7\.1 rejected by DMARC policy for sub\.bank\.example' "$SB/swaks.d-walk"

# --- the forger's own DNS fails: still fail, never temperror ---------------
# (forger.example.net is outside the sandbox's zones: every lookup there,
# its SPF record, its DKIM key, its _dmarc names, is SERVFAIL)
send_mail d-fo-spf --xclient-addr 203.0.113.66 --helo spoofer.example \
    --from alerts@forger.example.net --header "From: <ceo@bank.example>"
expect "forger's DNS (SPF): 550 5.7.1 for bank.example, not accepted" \
    grep -q '^<\*\* *550 5\.7\.1 rejected by DMARC policy for bank\.example' "$SB/swaks.d-fo-spf"
expect "forger's DNS (SPF): verdict spf=temperror dmarc=fail action=reject" \
    sh -c "grep 'mailfrom=alerts@forger.example.net ' '$SB/mxauth.log' | tail -n 1 | grep -q 'from=bank.example spf=temperror dkim=none dmarc=fail policy=reject action=reject'"
send_mail d-fo-dkim --xclient-addr 203.0.113.66 --helo spoofer.example \
    --from alerts@nodmarc.example --header "From: <ceo@bank.example>" \
    --add-header "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=forger.example.net; s=sel; h=from; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AAAA"
expect "forger's DNS (DKIM d=): 550 5.7.1 for bank.example, not accepted" \
    grep -q '^<\*\* *550 5\.7\.1 rejected by DMARC policy for bank\.example' "$SB/swaks.d-fo-dkim"
expect "forger's DNS (DKIM d=): verdict dkim=temperror dmarc=fail action=reject" \
    sh -c "grep 'mailfrom=alerts@nodmarc.example ' '$SB/mxauth.log' | tail -n 1 | grep -q 'from=bank.example spf=fail dkim=temperror dmarc=fail policy=reject action=reject'"

# --- two DMARC records at the From domain: the parent's policy applies -------
forge d-two two.bank.example
expect "two records: bank.example's p=reject applies to two.bank.example (550)" \
    grep -q '^<\*\* *550 5\.7\.1 rejected by DMARC policy for two\.bank\.example' "$SB/swaks.d-two"

# --- forwarded: SPF fails, DKIM intact and aligned ----------------------------
sed 's/\r$//' "$fx/rsa-relaxed.eml" >"$fx/fwd.lf"
SEND_RAW=1 send_mail d-fwd --xclient-addr 203.0.113.66 --helo fwd.example \
    --from forwarder@nodmarc.example --data "$fx/fwd.lf"
delivered_one
expect "forwarded: accepted, dmarc=pass via DKIM although spf=fail" \
    sh -c "grep 'mailfrom=forwarder@nodmarc.example ' '$SB/mxauth.log' | tail -n 1 | grep -q 'from=signer.example spf=fail dkim=pass dmarc=pass policy=reject action=accept'"

# --- two From fields --------------------------------------------------------
send_mail d-twofrom --header "From: <a@legit.example>" \
    --add-header "From: <ceo@bank.example>"
expect "bad From: 550 5.7.1 for two From fields" \
    grep -q '^<\*\* *550 5\.7\.1 message must have one From field' "$SB/swaks.d-twofrom"
expect "bad From: verdict dmarc=permerror with the reason" \
    sh -c "grep 'mailfrom=sender@legit.example ' '$SB/mxauth.log' | tail -n 1 | grep -q 'dmarc=permerror action=reject reason=\"2 From fields (dmarc_bad_from_action=reject)\"'"

# --- quarantine_method = header ------------------------------------------------
reconfigure "quarantine_method = header"
forge d-quarh quarantine.example
delivered_one
expect "quarantine by header: delivered with X-Mxauth-Quarantine" \
    [ "$(header d-quarh X-Mxauth-Quarantine)" = "X-Mxauth-Quarantine: DMARC policy of quarantine.example" ]

# --- policy_overrides ---------------------------------------------------------
printf '# e2e\nbank.example dmarc_reject_action=quarantine\n' >"$SB/overrides"
reconfigure "quarantine_method = header
policy_overrides = file:$SB/overrides"
forge d-override bank.example
delivered_one
expect "override: bank.example quarantined instead of rejected" \
    sh -c "grep 'mailfrom=alerts@bank.example ' '$SB/mxauth.log' | tail -n 1 | grep -q 'action=quarantine reason=\"DMARC fail for bank.example, policy reject (dmarc_reject_action=quarantine) \[override bank.example\]\"'"

# --- dry run ------------------------------------------------------------------
reconfigure "dry_run = yes"
forge d-dry bank.example
delivered_one
expect "dry run: the forgery is accepted" grep -q 'queued as' "$SB/swaks.d-dry"
expect "dry run: the log says it would have been rejected" \
    sh -c "grep 'mailfrom=alerts@bank.example ' '$SB/mxauth.log' | tail -n 1 | grep -q 'dmarc=fail policy=reject action=accept reason=\"DMARC fail for bank.example, policy reject (dmarc_reject_action=reject), dry run: would reject\"'"

# --- the checker agrees -----------------------------------------------------------
got=$(printf 'From: <alerts@bank.example>\n\nbody\n' |
    "$top_builddir/mxauth-check" -c "$SB/mxauth.conf" \
    --zone "$top_srcdir/test/data/zones-e2e/example.zone" --ip 203.0.113.66 \
    --helo spoofer.example --mail-from alerts@bank.example --json |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["dmarc"]["result"], d["dmarc"]["policy"], d["action"])')
expect "mxauth-check: fail reject accept (dry run), as the milter ($got)" \
    [ "$got" = "fail reject accept" ]

# --- DNS down: temperror, never pass ----------------------------------------------
reconfigure "dmarc_temperror_action = tempfail"

# --- np=: a name that does not exist, or whose existence is unknown ---------
send_mail d-np-gone --xclient-addr 203.0.113.66 --helo spoofer.example \
    --from alerts@nodmarc.example --header "From: <ceo@gone.np.example>"
expect "np: gone.np.example does not exist, np=reject: 550" \
    grep -q '^<\*\* *550 5\.7\.1 rejected by DMARC policy for gone\.np\.example' "$SB/swaks.d-np-gone"
send_mail d-np-ghost --xclient-addr 203.0.113.66 --helo spoofer.example \
    --from alerts@nodmarc.example --header "From: <ceo@ghost.np.example>"
expect "np: existence of ghost.np.example SERVFAIL: 451 4.4.3, not p=none" \
    grep -q '^<\*\* *451 4\.4\.3 temporary DNS error checking DMARC for ghost\.np\.example' "$SB/swaks.d-np-ghost"
expect "np: verdict dmarc=temperror action=tempfail" \
    sh -c "grep 'from=ghost.np.example ' '$SB/mxauth.log' | tail -n 1 | grep -q 'dmarc=temperror .*action=tempfail'"

unbound_stop
# (a domain mxauth has not asked about: cached answers stay good)
send_mail d-dnsdown --from sender@unasked.example
expect "DNS down: 451 4.4.3 at the end of DATA (dmarc_temperror_action = tempfail)" \
    grep -q '^<\*\* *451 4\.4\.3 temporary DNS error checking DMARC for unasked\.example' "$SB/swaks.d-dnsdown"
expect "DNS down: verdict spf=temperror dmarc=temperror action=tempfail, no pass" \
    sh -c "grep 'mailfrom=sender@unasked.example ' '$SB/mxauth.log' | tail -n 1 | grep -q 'spf=temperror dkim=none dmarc=temperror action=tempfail'"

finish
