#!/bin/bash
# dkim.sh - DKIM through the real Postfix and unbound: messages signed by
# python3-dkim (test/dkim/gen_fixtures.py, fresh keys published in the
# sandbox's DNS) are sent with swaks; the delivered message's A-R shows
# each verdict: RSA pass, the same message with one body byte changed
# fail, Ed25519 pass, and the verdict lines say the same.
. "$top_srcdir/test/e2e/lib.sh"
need_tools
fx=$(mktemp -d /tmp/mxauth-dkim-e2e.XXXXXX)
/usr/bin/python3 "$top_srcdir/test/dkim/gen_fixtures.py" "$fx" >/dev/null || exit 1
EXTRA_ZONES="$fx/keys.zone"
sandbox_start
trap 'rc=$?; sandbox_stop; rm -rf "$fx"; exit $rc' EXIT

# newest_ar - the first A-R of the newest delivered message, unfolded
newest_ar() {
	message_headers "$(delivered_files | tail -n 1)" | awk '
	    /^[ \t]/ { if (keep) printf " %s", $0; next }
	    { if (keep) { print ""; keep = 0; done = 1 }
	      if (!done && /^Authentication-Results:/) { keep = 1; printf "%s", $0 } }
	    END { if (keep) print "" }'
}

n=0
while read -r c want; do
	n=$((n + 1))
	# swaks turns each LF into CRLF itself: give it LF line ends.
	sed 's/\r$//' "$fx/$c.eml" >"$fx/$c.lf"
	SEND_RAW=1 send_mail "$c" --from alice@signer.example --data "$fx/$c.lf"
	wait_delivered $n || { bad "$c: not delivered"; continue; }
	ar=$(newest_ar)
	expect "$c: A-R says $want" \
	    sh -c "echo '$ar' | grep -q '$want'"
	expect "$c: verdict line says dkim=${want#dkim=}" \
	    sh -c "grep 'mailfrom=alice@signer.example' '$SB/mxauth.log' | tail -n 1 | grep -q ' dkim=${want#dkim=} '"
done <<'CASES'
rsa-relaxed dkim=pass
body-changed dkim=fail
ed25519 dkim=pass
CASES
expect "Ed25519 result names its algorithm" \
    sh -c "echo '$(newest_ar)' | grep -q 'dkim=pass header.d=signer.example header.i=@signer.example header.s=ed header.a=ed25519-sha256 header.b='"

finish
