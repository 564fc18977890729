#!/bin/bash
# demo.sh - `make demo`: the sandbox (unbound, Postfix on 127.0.0.1:2525
# with mxauth as its milter) and three messages sent with swaks:
#   1. legitimate: sender@legit.example from 192.0.2.10, an address its
#      SPF record lists;
#   2. spoofed: From bank.example, sent from 203.0.113.66, which
#      bank.example's SPF record does not list;
#   3. forged: carries "Authentication-Results: mx.example; spf=pass
#      dkim=pass dmarc=pass" to make itself look checked.
# It prints the Authentication-Results each delivered message got and
# mxauth's verdict lines, then stops everything it started.
. "$top_srcdir/test/e2e/lib.sh"
sandbox_start

say() { if [ -t 1 ]; then printf '\n\033[1m%s\033[0m\n' "$*"; else printf '\n%s\n' "$*"; fi; }

say "1. legitimate: legit.example from 192.0.2.10"
send_mail demo-legit --header "Subject: quarterly report" \
    --header "From: Sender <sender@legit.example>"
say "2. spoofed: From bank.example, sent from 203.0.113.66"
send_mail demo-spoof --xclient-addr 203.0.113.66 \
    --xclient-name unknown --helo spoofer.example \
    --from alerts@bank.example --header "From: Bank <alerts@bank.example>" \
    --header "Subject: verify your account"
say "3. forged: claims to have been checked by $AUTHSERV_ID already"
send_mail demo-forged --xclient-addr 203.0.113.66 --helo spoofer.example \
    --from alerts@bank.example --header "From: Bank <alerts@bank.example>" \
    --add-header "Authentication-Results: $AUTHSERV_ID; spf=pass smtp.mailfrom=bank.example; dkim=pass header.d=bank.example; dmarc=pass header.from=bank.example" \
    --header "Subject: already verified"
wait_delivered 3 20

for m in demo-legit demo-spoof demo-forged; do
	f=$(find_delivered "$m@test.example")
	say "delivered message <$m@test.example>:"
	if [ -z "$f" ]; then
		echo "  (not delivered; swaks said:)"
		grep '^<\*\*' "$SB/swaks.$m" | sed 's/^/  /'
		continue
	fi
	# The header block, folded lines joined to their field.
	message_headers "$f" | awk '
	    /^[ \t]/ { if (keep) print; next }
	    { keep = /^Authentication-Results:/; if (keep) print }' |
	    sed 's/^/  /'
done

say "mxauth's verdict lines ($SB/mxauth.log):"
grep -E ': [0-9A-F]+: ingress=' "$SB/mxauth.log" | sed 's/^[^ ]* /  /'
say "Everything stops now."
exit 0
