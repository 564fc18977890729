#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# spf.sh - SPF at the edge through the real Postfix and unbound.
#
#   pass          legit.example from 192.0.2.10: delivered, A-R spf=pass,
#                 Received-SPF pass
#   fail          bank.example from 203.0.113.66 with spf_fail_action =
#                 reject: swaks sees 550 5.7.23 at MAIL FROM
#   softfail      soft.example from 203.0.113.66: accepted, header says so
#   trusted       a client in trusted_networks: no SPF, no SPF claims
#   authenticated XCLIENT LOGIN (SMTP AUTH): no SPF, auth=pass
#   DNS down      unbound stopped: temperror, never pass; with
#                 spf_temperror_action = tempfail, 451 4.4.3
# and for each, mxauth-check --zone over the same zone data gives the
# SPF result the milter logged.
. "$top_srcdir/test/e2e/lib.sh"
zone="$top_srcdir/test/data/zones-e2e/example.zone"
sandbox_start

# verdict_field MAILFROM KEY - KEY's value in the last verdict line for MAILFROM
verdict_field() {
	grep "mailfrom=$1 " "$SB/mxauth.log" | tail -n 1 |
	    sed -n "s/.* $2=\([^ ]*\).*/\1/p"
}
# offline IP HELO MAILFROM [ZONE] - mxauth-check's SPF result
offline() {
	printf 'From: x@%s\n\nbody\n' "${3#*@}" |
	    "$top_builddir/mxauth-check" -c "$SB/mxauth.conf" \
	    --zone "${4:-$zone}" --ip "$1" --helo "$2" --mail-from "$3" --json |
	    python3 -c 'import json,sys; s=json.load(sys.stdin)["spf"]; print(s["result"] if s else "skip")'
}
# same_offline NAME IP HELO MAILFROM [ZONE] - milter and checker agree
same_offline() {
	want=$(verdict_field "$4" spf)
	got=$(offline "$2" "$3" "$4" "${5:-}")
	expect "$1: mxauth-check agrees with the milter (spf=$want)" \
	    [ -n "$want" -a "$want" = "$got" ]
}

reconfigure "spf_fail_action = reject
trusted_networks = 127.0.0.0/8 198.51.100.0/24"

# --- pass (the message carries an incoming Received-SPF: a trace field) ---
send_mail spf-pass --add-header "Received-SPF: none (upstream.example: earlier hop) client-ip=10.9.8.7;"
wait_delivered 1
expect "pass: the incoming Received-SPF trace field is left in place" \
    sh -c "echo '$(header spf-pass Received-SPF)' | grep -q 'client-ip=10.9.8.7;'" 
ar=$(header spf-pass Authentication-Results)
rs=$(header spf-pass Received-SPF)
expect "pass: A-R spf=pass smtp.mailfrom=legit.example naming 192.0.2.10" \
    sh -c "echo '$ar' | grep -q 'spf=pass (client-ip=192.0.2.10) smtp.mailfrom=legit.example'"
expect "pass: Received-SPF pass with client-ip and identity" \
    sh -c "echo '$rs' | grep -q '^Received-SPF: pass (mx.example: .*client-ip=192.0.2.10;.*identity=mailfrom;'"
same_offline pass 192.0.2.10 mail.legit.example sender@legit.example

# --- fail, rejected at MAIL FROM ---
send_mail spf-fail --xclient-addr 203.0.113.66 --helo spoofer.example \
    --from alerts@bank.example
expect "fail: swaks sees 550 5.7.23 at MAIL FROM" \
    grep -q '^<\*\* *550 5\.7\.23 ' "$SB/swaks.spf-fail"
expect "fail: refused before DATA" \
    sh -c "! grep -q '^ -> DATA' '$SB/swaks.spf-fail'"
expect "fail: verdict line says spf=fail action=reject" \
    grep -q 'ip=203.0.113.66 .*mailfrom=alerts@bank.example .*spf=fail .*action=reject reason="SPF fail for bank.example (spf_fail_action=reject)"' "$SB/mxauth.log"
same_offline fail 203.0.113.66 spoofer.example alerts@bank.example

# --- softfail, accepted ---
send_mail spf-soft --xclient-addr 203.0.113.66 --helo spoofer.example \
    --from news@soft.example
wait_delivered 2
expect "softfail: accepted with spf=softfail in A-R" \
    sh -c "echo '$(header spf-soft Authentication-Results)' | grep -q 'spf=softfail (client-ip=203.0.113.66) smtp.mailfrom=soft.example'"
expect "softfail: Received-SPF softfail" \
    sh -c "echo '$(header spf-soft Received-SPF)' | grep -q '^Received-SPF: softfail '"
same_offline softfail 203.0.113.66 spoofer.example news@soft.example

# --- trusted network: no SPF at all ---
send_mail spf-trusted --xclient-addr 198.51.100.20 --from alerts@bank.example
wait_delivered 3
expect "trusted: A-R makes no claim (none)" \
    [ "$(header spf-trusted Authentication-Results)" = "Authentication-Results: mx.example; none" ]
expect "trusted: no Received-SPF" [ -z "$(header spf-trusted Received-SPF)" ]
expect "trusted: verdict ingress=trusted spf=skip" \
    grep -q 'ingress=trusted ip=198.51.100.20 .*spf=skip' "$SB/mxauth.log"
same_offline trusted 198.51.100.20 mail.legit.example alerts@bank.example

# --- authenticated submission: no SPF, even for a failing domain ---
send_mail spf-auth --xclient-addr 203.0.113.66 --xclient-login alice \
    --from alerts@bank.example
wait_delivered 4
expect "authenticated: accepted although bank.example would fail" \
    grep -q 'queued as' "$SB/swaks.spf-auth"
expect "authenticated: A-R auth=pass smtp.auth=alice, no spf" \
    sh -c "h='$(header spf-auth Authentication-Results)'; echo \"\$h\" | grep -q 'auth=pass smtp.auth=alice' && ! echo \"\$h\" | grep -q 'spf='"
expect "authenticated: verdict ingress=authenticated spf=skip" \
    grep -q 'ingress=authenticated ip=203.0.113.66 .*spf=skip' "$SB/mxauth.log"

# --- DNS down: temperror, never pass ---
unbound_stop
send_mail spf-dnsdown --from sender@never-asked.example
wait_delivered 5
expect "DNS down: accepted with spf=temperror (default accept)" \
    sh -c "echo '$(header spf-dnsdown Authentication-Results)' | grep -q 'spf=temperror'"
expect "DNS down: verdict says temperror, not pass" \
    [ "$(verdict_field sender@never-asked.example spf)" = temperror ]
{ cat "$zone"; echo ";! timeout never-asked.example"; } >"$SB/down.zone"
same_offline "DNS down" 192.0.2.10 mail.legit.example sender@never-asked.example "$SB/down.zone"
reconfigure "spf_temperror_action = tempfail"
send_mail spf-dnsdown2 --from sender@also-never-asked.example
expect "DNS down + spf_temperror_action=tempfail: 451 4.4.3" \
    grep -q '^<\*\* *451 4\.4\.3 ' "$SB/swaks.spf-dnsdown2"

finish
