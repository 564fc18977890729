#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# sendmail.sh - mxauth behind Debian's Sendmail, configured with
# contrib/sendmail.mc.snippet, and the same messages through the sandbox
# Postfix: the verdict lines must be the same apart from the queue ids.
#
# Sendmail is never installed (Debian's sendmail-bin conflicts with
# Postfix): sendmail-bin and sendmail-cf are fetched with `apt-get
# download' into $SM_DEBS (kept for the next run) and unpacked into the
# sandbox; sendmail.cf is built there with m4 from the unpacked cf/ tree,
# the snippet included as it ships.  Every path it uses is in $SB/sendmail
# (MAIL_SETTINGS_DIR, QueueDirectory, PidFile) and it runs as root with -C.
#
# Sendmail has no XCLIENT, so the test runs in a network and mount
# namespace of its own (unshare), where the clients' RFC 5737 addresses
# 192.0.2.10 and 203.0.113.66 are on lo: swaks connects from them to
# Sendmail on 127.0.0.1:$SM_PORT, and mxauth sees the same client as
# Postfix does through XCLIENT.  /etc/hosts (192.0.2.10 is
# mail.legit.example, as Postfix's XCLIENT NAME says) and /etc/resolv.conf
# (nothing answers) are bind-mounted in that namespace only; Sendmail's
# service.switch looks host names up in files only.  Everything else is
# the sandbox of lib.sh (unbound, smtp-sink, mxauth on inet 8891, Postfix
# on 2525), started inside the namespace.
#
#   pass        legit.example from its own server: delivered, dmarc=pass
#   dkim        a signer.example message with intact DKIM relayed by a
#               forwarder whose SPF fails: delivered, dkim=pass dmarc=pass
#   forged A-R  forged_ar.sh's sixteen A-R fields on a passing message:
#               the fourteen claiming mx.example are removed, ours added
#   reject      bank.example (p=reject) forged: 550 5.7.1 after DATA
#   quarantine  quarantine.example (p=quarantine) forged: 250, then held in
#               Sendmail's own quarantine (mailq -qQ lists it with
#               mxauth's reason), not delivered until released
#               (sendmail -qQ -Q -qIID, then a queue run);
#               with quarantine_method = header: delivered, marked
#   down        mxauth stopped: 451 4.3.2 (F=T), nothing accepted
. "$top_srcdir/test/e2e/lib.sh"
SM_PORT=2528	# Sendmail's SMTP port (127.0.0.1, in the namespace)
SM_DEBS=${MXAUTH_SENDMAIL_DEBS:-$top_builddir/test/e2e/sendmail-debs}
SMD=$SB/sendmail
CLIENT=192.0.2.10 FORGER=203.0.113.66

# --- outside the namespace: the packages, then re-exec inside --------------

if [ -z "${MXAUTH_SENDMAIL_NS:-}" ]; then
	need_tools
	for t in unshare ip m4 dpkg-deb apt-get; do
		command -v "$t" >/dev/null 2>&1 ||
		    die "$t not found (run contrib/setup-debian.sh)"
	done
	# The network is only reachable from here.  Fetched once, into a
	# fresh directory that replaces the cache only when complete.
	if ! ls "$SM_DEBS"/sendmail-bin_*.deb "$SM_DEBS"/sendmail-cf_*.deb \
	    >/dev/null 2>&1; then
		mkdir -p "$(dirname "$SM_DEBS")" || exit 1
		_t=$(mktemp -d "${SM_DEBS%/}.XXXXXX") || exit 1
		(cd "$_t" && timeout 300 apt-get download -q \
		    -o APT::Sandbox::User=root sendmail-bin sendmail-cf) ||
		    { rm -rf "$_t"; die "apt-get download sendmail-bin sendmail-cf failed"; }
		rm -rf "$SM_DEBS" && mv "$_t" "$SM_DEBS" || exit 1
	fi
	MXAUTH_SENDMAIL_NS=1 exec unshare --net --mount --propagation private \
	    bash "${BASH_SOURCE[0]}" "$@"
	die "unshare failed"
fi

# --- inside: the namespace's network and files --------------------------------

ip link set lo up || die "cannot bring lo up in the namespace"
ip addr add $CLIENT/32 dev lo && ip addr add $FORGER/32 dev lo ||
    die "cannot add the client addresses"
fx=$(mktemp -d /tmp/mxauth-sendmail-e2e.XXXXXX) || exit 1
trap 'rm -rf "$fx"' EXIT	# until sandbox_start's, then sm_cleanup
printf '127.0.0.1 localhost\n%s mail.legit.example\n' $CLIENT >"$fx/hosts"
printf 'nameserver 127.0.0.1\n' >"$fx/resolv.conf"
mount --bind "$fx/hosts" /etc/hosts &&
    mount --bind "$fx/resolv.conf" /etc/resolv.conf ||
    die "cannot bind-mount /etc/hosts and /etc/resolv.conf"
/usr/bin/python3 "$top_srcdir/test/dkim/gen_fixtures.py" "$fx" >/dev/null ||
    die "gen_fixtures.py failed"
echo '_dmarc.signer.example. IN TXT "v=DMARC1; p=reject"' >>"$fx/keys.zone"
EXTRA_ZONES="$fx/keys.zone"

# --- Sendmail ---------------------------------------------------------------

SM_BIN=$SMD/root/usr/libexec/sendmail/sendmail

# sm_build - unpack the packages into $SMD/root, write sendmail.mc and
# build sendmail.cf from it
sm_build() {
	mkdir -p "$SMD/root" "$SMD/mqueue"
	chmod 700 "$SMD/mqueue"
	for _d in "$SM_DEBS"/sendmail-bin_*.deb "$SM_DEBS"/sendmail-cf_*.deb; do
		dpkg-deb -x "$_d" "$SMD/root" || return 1
	done
	printf 'hosts\tfiles\naliases\tfiles\n' >"$SMD/service.switch"
	: >"$SMD/aliases"
	: >"$SMD/helpfile"
	# MAIL_SETTINGS_DIR: where aliases, helpfile and service.switch are
	# looked for.  No MSA on 587, no canonification (no DNS), mail to
	# dest.example relayed to the sink, nothing delivered locally.
	sed -e "s|@SMD@|$SMD|g" -e "s|@SM_PORT@|$SM_PORT|g" \
	    -e "s|@SINK_PORT@|$SINK_PORT|g" \
	    -e "s|@SNIPPET@|$top_srcdir/contrib/sendmail.mc.snippet|g" \
	    >"$SMD/sendmail.mc" <<'MC'
divert(-1)
# generated by test/e2e/sendmail.sh
divert(0)dnl
VERSIONID(`mxauth e2e sandbox')dnl
OSTYPE(`linux')dnl
define(`MAIL_SETTINGS_DIR', `@SMD@/')dnl
define(`QUEUE_DIR', `@SMD@/mqueue')dnl
define(`confPID_FILE', `@SMD@/sendmail.pid')dnl
define(`confDOMAIN_NAME', `mx.example')dnl
define(`confDEF_USER_ID', `65534:65534')dnl
define(`confDONT_PROBE_INTERFACES', `true')dnl
define(`confTO_IDENT', `0')dnl
define(`confDELIVERY_MODE', `background')dnl
define(`SMART_HOST', `relay:[127.0.0.1]')dnl
define(`RELAY_MAILER_ARGS', `TCP $h @SINK_PORT@')dnl
FEATURE(`no_default_msa')dnl
FEATURE(`nocanonify')dnl
FEATURE(`accept_unresolvable_domains')dnl
RELAY_DOMAIN(`dest.example')dnl
DAEMON_OPTIONS(`Family=inet, Addr=127.0.0.1, Port=@SM_PORT@, Name=MTA')dnl
include(`@SNIPPET@')dnl
MAILER(`local')dnl
MAILER(`smtp')dnl
MC
	_cf=$SMD/root/usr/share/sendmail/cf
	m4 -D_CF_DIR_="$_cf/" "$_cf/m4/cf.m4" "$SMD/sendmail.mc" \
	    >"$SMD/sendmail.cf" 2>"$SMD/m4.err" && [ ! -s "$SMD/m4.err" ] ||
	    { cat "$SMD/m4.err"; return 1; }
}

sm_start() {
	"$SM_BIN" -C "$SMD/sendmail.cf" -bd -q30m >>"$SMD/stderr" 2>&1 9>&-
	wait_for "Sendmail on $SM_PORT" 15 port_open $SM_PORT ||
	    { cat "$SMD/stderr"; return 1; }
}

# sm_pids - Sendmail's processes: the daemon and its children run the
# binary unpacked in $SMD
sm_pids() {
	for _p in /proc/[0-9]*; do
		case "$(readlink "$_p/exe" 2>/dev/null)" in
		"$SM_BIN" | "$SM_BIN (deleted)") echo "${_p#/proc/}" ;;
		esac
	done
}
sm_stop() {
	_ps=$(sm_pids)
	[ -n "$_ps" ] || return 0
	kill -TERM $_ps 2>/dev/null
	wait_for "Sendmail to exit" 10 sh -c "[ -z \"\$(for p in $_ps; do [ -d /proc/\$p ] && echo \$p; done)\" ]" ||
	    kill -KILL $_ps 2>/dev/null
}

# sm_mailq [-qQ] - what Sendmail's queue (or its quarantine) holds
sm_mailq() { timeout 20 "$SM_BIN" -C "$SMD/sendmail.cf" -bp "$@" 2>&1; }
# not_listed ID [-qQ] - mailq [-qQ] does not list ID
not_listed() { _id=$1; shift; ! sm_mailq "$@" | grep -q "^$_id"; }

# sm_send NAME ADDR [SWAKS-ARGS...] - send_mail's message, to Sendmail,
# from ADDR (instead of XCLIENT); transcript in $SB/swaks.NAME
sm_send() {
	_name=$1 _addr=$2; shift 2
	[ "${SEND_RAW:-}" = 1 ] ||
	    set -- --header "Message-Id: <$_name@test.example>" "$@"
	timeout 120 swaks --server 127.0.0.1 --port $SM_PORT --timeout 30 \
	    --local-interface "$_addr" --helo mail.legit.example \
	    --from sender@legit.example --to user@dest.example \
	    "$@" >"$SB/swaks.$_name" 2>&1 9>&-
}
# pf_send NAME ADDR [SWAKS-ARGS...] - the same through Postfix (XCLIENT)
pf_send() {
	_name=$1 _addr=$2; shift 2
	send_mail "$_name" --xclient-addr "$_addr" "$@"
}
# sm_queue_id NAME - the queue id in Sendmail's "250 2.0.0 ID Message
# accepted for delivery"
sm_queue_id() {
	sed -n 's/^<- *250 2\.0\.0 \([0-9A-Za-z]*\) Message accepted.*/\1/p' \
	    "$SB/swaks.$1" | tail -n 1
}

# matches TEXT REGEX - TEXT has a line that REGEX (grep) matches
matches() { printf '%s\n' "$1" | grep -q -- "$2"; }

# ours TEXT - the topmost header field, unfolded, of the delivered
# message containing TEXT
ours() {
	_f=$(grep -l -F -- "$1" "$SB"/sink/* 2>/dev/null | head -n 1)
	header_fields "${_f:-/dev/null}" | head -n 1
}

# --- verdict lines ---------------------------------------------------------------

nverdicts() { grep -c -E 'mxauth\[[0-9]+\]: [^ ]+: ingress=' "$SB/mxauth.log"; }
# new_verdict N - the verdict line after the first N, once it is logged;
# exactly one more must have come
new_verdict() {
	wait_for "a verdict line" 10 sh -c "[ \$(grep -c -E 'mxauth\[[0-9]+\]: [^ ]+: ingress=' '$SB/mxauth.log') -gt $1 ]" ||
	    return 1
	[ "$(nverdicts)" -eq $(($1 + 1)) ] || return 1
	grep -E 'mxauth\[[0-9]+\]: [^ ]+: ingress=' "$SB/mxauth.log" | tail -n 1 |
	    sed 's/.*mxauth\[[0-9]*\]: //'
}
# blank_qid LINE - the line with its queue id replaced by QID
blank_qid() { echo "$1" | sed 's/^[^ :]*:/QID:/'; }

# both LABEL PF-NAME SM-NAME ADDR [SWAKS-ARGS...] - send the message
# through Postfix, then through Sendmail; sets pf_v and sm_v (the verdict
# lines) and checks that they are the same apart from the queue id
both() {
	_label=$1 _pn=$2 _sn=$3 _a=$4; shift 4
	_n=$(nverdicts)
	pf_send "$_pn" "$_a" "$@"
	pf_v=$(new_verdict "$_n") || bad "$_label: one verdict line for the Postfix message"
	_n=$(nverdicts)
	sm_send "$_sn" "$_a" "$@"
	sm_v=$(new_verdict "$_n") || bad "$_label: one verdict line for the Sendmail message"
	echo "$_label: Postfix:  $pf_v"
	echo "$_label: Sendmail: $sm_v"
	expect "$_label: the verdict lines are equal apart from the queue ids" \
	    [ -n "$pf_v" -a "$(blank_qid "$pf_v")" = "$(blank_qid "$sm_v")" ]
}

sm_cleanup() {
	_rc=$?
	if [ $_rc -ne 0 ] && [ -x "$SM_BIN" ]; then
		echo "--- Sendmail's queue and quarantine, its stderr"
		sm_mailq
		sm_mailq -qQ
		cat "$SMD/stderr" 2>/dev/null
	fi
	sm_stop
	rm -rf "$fx"
	(exit $_rc)
	sandbox_exit
}

sandbox_start
trap sm_cleanup EXIT
sm_build || die "sendmail.cf could not be built"
sm_start || die "Sendmail did not start"
expect "Sendmail listens on 127.0.0.1:$SM_PORT and nowhere else" \
    [ "$(ss -Hltnp 2>/dev/null | grep -F "pid=$(head -n 1 "$SMD/sendmail.pid")," |
        awk '{print $4}')" = "127.0.0.1:$SM_PORT" ]

# delivered_two - the message of both() is in the sink twice (lib.sh's
# wait_delivered reads Postfix's log, which knows nothing of Sendmail's
# deliveries; smtp-sink's files are complete once Sendmail's
# "Message accepted" to its last message came, which the queue then shows)
delivered=0
delivered_two() {
	delivered=$((delivered + 2))
	wait_for "$delivered delivered message(s)" 20 sm_delivered_at_least $delivered
}
sm_delivered_at_least() {
	[ "$(delivered_count)" -ge "$1" ] &&
	    [ "$(grep -c ' status=sent ' "$SB/maillog" 2>/dev/null)" -ge $(($1 / 2)) ] &&
	    sm_mailq | grep -q 'queue is empty'
}

# --- pass ------------------------------------------------------------------
both pass p-pass s-pass $CLIENT
delivered_two
sqid=$(sm_queue_id s-pass)
expect "pass: Sendmail accepted it (250 2.0.0 $sqid)" [ -n "$sqid" ]
expect "pass: the verdict line carries Sendmail's queue id (macro i)" \
    [ "${sm_v%%:*}" = "$sqid" ]
expect "pass: verdict ingress=external ip=$CLIENT ... dmarc=pass action=accept" \
    matches "$sm_v" "^$sqid: ingress=external ip=$CLIENT helo=mail.legit.example mailfrom=sender@legit.example from=legit.example spf=pass dkim=none dmarc=pass policy=reject action=accept"
expect "pass: delivered by Sendmail, our A-R on top says dmarc=pass" \
    matches "$(ours '<s-pass@test.example>')" \
    '^Authentication-Results: mx\.example;[[:space:]]*spf=pass .*dmarc=pass (p=reject sp=reject dis=none) header\.from=legit\.example'

# --- dkim: a forwarded, signed message -------------------------------------------
sed 's/\r$//' "$fx/rsa-relaxed.eml" >"$fx/fwd.lf"
SEND_RAW=1 both dkim p-dkim s-dkim $FORGER --helo fwd.example \
    --from forwarder@nodmarc.example --data "$fx/fwd.lf"
delivered_two
expect "dkim: verdict spf=fail dkim=pass dmarc=pass action=accept" \
    matches "$sm_v" "from=signer.example spf=fail dkim=pass dmarc=pass policy=reject action=accept"
expect "dkim: delivered by Sendmail, our A-R on top says dkim=pass" \
    matches "$(ours "with ESMTP id $(sm_queue_id s-dkim)")" \
    '^Authentication-Results: mx\.example;.*dkim=pass .*header\.d=signer\.example'

# --- forged Authentication-Results ------------------------------------------------
both "forged A-R" p-forged s-forged $CLIENT \
    --header "Subject: forged results" "${FORGED_AR[@]}"
delivered_two
expect "forged A-R: verdict forged_ar=14 action=accept" \
    matches "$sm_v" " forged_ar=14 action=accept"
f=$(find_delivered "<s-forged@test.example>")
header_fields "${f:-/dev/null}" >"$SB/fields.sendmail"
ar_list "${f:-/dev/null}" >"$SB/ar.sendmail"
expect "forged A-R: exactly one A-R for mx.example left" \
    [ "$(awk '$2 == "mx.example"' "$SB/ar.sendmail" | wc -l)" -eq 1 ]
expect "forged A-R: none of the fourteen forged claims survived" \
    sh -c "! grep -q '(forged [0-9]' '$SB/fields.sendmail'"
expect "forged A-R: other.example's and mx.examplex's fields are kept, verbatim, in order" \
    [ "$(grep '(kept [0-9])' "$SB/fields.sendmail" | tr '\n' '|')" = \
      "Authentication-Results: other.example; spf=fail (kept 1) smtp.mailfrom=bank.example|Authentication-Results: mx.examplex; dkim=pass (kept 2) header.d=bank.example|" ]
expect "forged A-R: ours is the topmost field, then Received-SPF, then Sendmail's Received" \
    matches "$(sed -n 1,3p "$SB/fields.sendmail" | cut -c 1-60 | tr '\n' '|')" \
    '^Authentication-Results: mx\.example;[[:space:]]*spf=pass [^|]*|Received-SPF: pass [^|]*|Received: from mail\.legit\.example (mail[^|]*|$'

# --- reject ----------------------------------------------------------------------
both reject p-reject s-reject $FORGER --helo spoofer.example \
    --from alerts@bank.example
expect "reject: Sendmail answers 550 5.7.1 rejected by DMARC policy for bank.example" \
    grep -q '^<\*\* *550 5\.7\.1 rejected by DMARC policy for bank\.example' "$SB/swaks.s-reject"
expect "reject: refused after DATA, not at MAIL FROM" \
    grep -q '^ -> DATA' "$SB/swaks.s-reject"
expect "reject: verdict dmarc=fail policy=reject action=reject" \
    matches "$sm_v" "^[0-9A-Za-z]*: ingress=external ip=$FORGER .*dmarc=fail policy=reject action=reject"

# --- quarantine: Sendmail's own ------------------------------------------------------
both quarantine p-quar s-quar $FORGER --helo spoofer.example \
    --from alerts@quarantine.example
sqid=$(sm_queue_id s-quar)
expect "quarantine: Sendmail accepted it (250 2.0.0 $sqid)" [ -n "$sqid" ]
expect "quarantine: verdict action=quarantine with Sendmail's queue id" \
    matches "$sm_v" "^$sqid: .*dmarc=fail policy=quarantine action=quarantine"
sm_mailq -qQ >"$SB/mailq-qQ"
sed 's/^/quarantine: mailq -qQ: /' "$SB/mailq-qQ"
expect "quarantine: mailq -qQ lists $sqid with mxauth's reason" \
    sh -c "grep -q '^$sqid ' '$SB/mailq-qQ' && grep -A3 '^$sqid ' '$SB/mailq-qQ' | grep -q 'QUARANTINE: .*quarantine.example'"
sm_mailq >"$SB/mailq"
expect "quarantine: the normal queue does not list it (mailq without -qQ)" \
    sh -c "! grep -q '^$sqid' '$SB/mailq'"
sleep 2
expect "quarantine: not delivered" \
    [ -z "$(grep -l -F '<s-quar@test.example>' "$SB"/sink/* 2>/dev/null)" ]
# The admin releases it: sendmail -qQ -Q -qIID, then a queue run
timeout 20 "$SM_BIN" -C "$SMD/sendmail.cf" -qQ -Q -qI"$sqid" >"$SB/release" 2>&1
expect "quarantine: released (sendmail -qQ -Q -qI$sqid), mailq -qQ no longer lists it" \
    not_listed "$sqid" -qQ
timeout 60 "$SM_BIN" -C "$SMD/sendmail.cf" -q -qI"$sqid" >>"$SB/release" 2>&1
# (wait_for outside expect: both use _d)
wait_for "the released message" 20 sh -c "grep -q -l -F '<s-quar@test.example>' '$SB'/sink/*"
expect "quarantine: delivered after the queue run (sendmail -q -qI$sqid)" [ $? -eq 0 ]

# quarantine_method = header: delivered, marked
reconfigure "quarantine_method = header" || bad "quarantine by header: reload"
sm_send s-quarh $FORGER --helo spoofer.example --from alerts@quarantine.example
wait_for "the marked message" 20 sh -c "grep -q -l -F '<s-quarh@test.example>' '$SB'/sink/*"
expect "quarantine by header: delivered by Sendmail with X-Mxauth-Quarantine" \
    [ "$(header s-quarh X-Mxauth-Quarantine)" = "X-Mxauth-Quarantine: DMARC policy of quarantine.example" ]

# --- mxauth down: 4xx, nothing accepted unchecked ----------------------------------------
mxauth_stop >/dev/null
pf_send p-down $CLIENT
sm_send s-down $CLIENT
grep -h '^<\*\* *4' "$SB/swaks.p-down" | sed 's/^/down: Postfix: /'
grep -h -B1 '^<\*\* *4' "$SB/swaks.s-down" | sed 's/^/down: Sendmail: /'
expect "down: Postfix answers 4xx" grep -q '^<\*\* *4[0-9][0-9] ' "$SB/swaks.p-down"
expect "down: Sendmail answers 451 4.3.2 to MAIL FROM (F=T)" \
    matches "$(grep -A1 '^ -> MAIL FROM' "$SB/swaks.s-down" | tr '\n' '|')" \
    '^ -> MAIL FROM:<sender@legit.example>|<\*\* *451 4\.3\.2 '
expect "down: Sendmail accepted nothing" \
    sh -c "! grep -q 'Message accepted' '$SB/swaks.s-down'"
sleep 1
expect "down: nothing from either delivered" \
    [ -z "$(grep -l -F -e '<s-down@test.example>' -e '<p-down@test.example>' "$SB"/sink/* 2>/dev/null)" ]

finish
