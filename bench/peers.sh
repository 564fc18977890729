#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# peers.sh - mxauth against the usual Debian stack (opendkim + opendmarc),
# through a real Postfix and at the milter-protocol level, in one run.
#
#   MILTER_LOAD=./bench/milter_load bash ../bench/peers.sh ./mxauth [COUNT]
# or, from a build directory, `make bench-peers`.  Needs root.
#
# Installs Debian's opendkim, opendmarc and postfix if missing (their
# services are never started: policy-rc.d refuses it during the install;
# here every daemon runs as a process from a temporary configuration).
# Everything runs in a private network and mount namespace
# (bench/peers_lib.sh, shared with bench/milter_load.sh): unbound on
# 127.0.0.1:53 authoritative for example., /etc/resolv.conf and
# /etc/postfix bind-mounted from a temporary directory -- the host's
# Postfix configuration is never read for settings nor edited.
#
# One Postfix, one smtpd service per configuration, all on 192.0.2.25:
#   2525 Postfix alone             2526 + opendkim + opendmarc (unix)
#   2527 + opendkim + opendmarc (TCP)
#   2528 + mxauth (unix)           2529 + mxauth (TCP)
#   2530 + bench/null_milter (unix): the floor, a milter that does nothing
# delivering to smtp-sink on 127.0.0.1:2600.  The client (smtp-source)
# connects from 192.0.2.1, not loopback: both addresses are on lo, and
# the local route to 192.0.2.25 names 192.0.2.1 as its source address
# (smtp-source cannot bind nor send XCLIENT).  The SPF record authorizes
# 192.0.2.0/24.
#
# Each configuration is first checked: the signed message is delivered
# with Authentication-Results (authserv-id mx.example) spf=pass, dkim=pass
# and dmarc=pass, Postfix's Received field names client 192.0.2.1, and
# mxauth's verdict line agrees; the message with its body changed, sent
# with an unaligned MAIL FROM (sender@relay.example, SPF pass) so that
# only DKIM can give DMARC a pass, is refused at end of data (milter-reject
# in Postfix's log; mxauth's verdict line has dkim=fail dmarc=fail).
#
# Then, interleaved (every configuration once per round, 3 rounds, the
# median shown): COUNT messages (default 500) with smtp-source at 10 and
# 50 sessions, one message per connection; latency, one message at a
# time (LATENCY_COUNT messages, default 100, each on its own connection,
# timed in one process by bench/smtp_latency.py: p50 per round); milter CPU per message from /proc/PID/stat of the milter
# processes before and after each run.  At the milter-protocol level
# (bench/milter_load, the same daemons' unix sockets, no Postfix):
# mxauth, opendkim and opendmarc alone at 1, 10 and 100 connections,
# MLOAD_COUNT messages (default 1000), also interleaved, median of 3.
# Prints the tables (Markdown) and every round's msg/s.
# PEERS_HOOK=COMMAND runs COMMAND (sh -c, DIR exported: the configs,
# sockets, logs and maillog) once the checks passed, instead of the
# measurements: to trace or profile one configuration.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 1 ] || { echo "usage: peers.sh MXAUTH [COUNT]"; exit 2; }
mxauth=$(realpath "$1")
count=${2:-500}
export LATENCY_COUNT=${LATENCY_COUNT:-100} MLOAD_COUNT=${MLOAD_COUNT:-1000}
export MILTER_LOAD=$(realpath "${MILTER_LOAD:-./bench/milter_load}")
gen=$MILTER_LOAD
export NULL_MILTER=$(realpath "${NULL_MILTER:-./bench/null_milter}")
[ -x "$mxauth" ] || { echo "peers.sh: $mxauth: not executable"; exit 2; }
[ -x "$gen" ] || { echo "peers.sh: $gen: no milter_load (make bench/milter_load)"; exit 2; }

if [ -z "${BENCH_NS:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "peers.sh: needs root"; exit 1; }
	need=
	for p in opendkim opendmarc postfix:smtp-source; do
		command -v "${p#*:}" >/dev/null || need="$need ${p%%:*}"
	done
	if [ -n "$need" ]; then
		echo "peers.sh: installing$need"
		echo "postfix postfix/main_mailer_type select No configuration" |
		    debconf-set-selections
		policy=
		if [ ! -e /usr/sbin/policy-rc.d ]; then
			printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
			chmod 755 /usr/sbin/policy-rc.d
			policy=1
		fi
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		    --no-install-recommends $need || { [ -z "$policy" ] ||
		    rm -f /usr/sbin/policy-rc.d; exit 1; }
		[ -z "$policy" ] || rm -f /usr/sbin/policy-rc.d
	fi
fi

. "$here/peers_lib.sh"
bench_ns_enter "$0" "$mxauth" "$count"
bench_setup
hz=$(getconf CLK_TCK)
CFGS="alone peers/unix peers/tcp mxauth/unix mxauth/tcp null/unix"
declare -A port milters mpids
port[alone]=2525 port[peers/unix]=2526 port[peers/tcp]=2527
port[mxauth/unix]=2528 port[mxauth/tcp]=2529 port[null/unix]=2530
milters[alone]=
milters[peers/unix]="unix:$dir/opendkim-unix.sock,unix:$dir/opendmarc-unix.sock"
milters[peers/tcp]="inet:127.0.0.1:8893,inet:127.0.0.1:8894"
milters[mxauth/unix]="unix:$dir/mxauth-unix.sock"
milters[mxauth/tcp]="inet:127.0.0.1:8891"
milters[null/unix]="unix:$dir/null.sock"

fail() { echo "peers.sh: $*"; exit 1; }

# --- the milters -----------------------------------------------------------

# mxauth drops to postfix, so its unix socket (0660, user and group) is
# Postfix's to connect to; the peers' sockets are world-writable (UMask).
for t in unix tcp; do
	if [ $t = unix ]; then
		mx="unix:$dir/mxauth-unix.sock" dk="unix:$dir/opendkim-unix.sock"
		dm="unix:$dir/opendmarc-unix.sock"
	else
		mx="inet:8891@127.0.0.1" dk="inet:8893@127.0.0.1" dm="inet:8894@127.0.0.1"
	fi
	mxauth_conf "$dir/mxauth-$t.conf" "$mx" postfix
	start mxauth-$t "$mx" "$mxauth" -f -c "$dir/mxauth-$t.conf"
	mpids[mxauth/$t]=$started
	opendkim_conf "$dir/opendkim-$t.conf" "$dk"
	start opendkim-$t "$dk" opendkim -f -x "$dir/opendkim-$t.conf"
	mpids[peers/$t]=$started
	opendmarc_conf "$dir/opendmarc-$t.conf" "$dm"
	start opendmarc-$t "$dm" opendmarc -f -c "$dir/opendmarc-$t.conf"
	mpids[peers/$t]="${mpids[peers/$t]} $started"
	if [ $t = unix ]; then
		dksock=$dk dmsock=$dm
		dkpid=${mpids[peers/$t]% *} dmpid=$started
		mxsock=$mx mxpid=${mpids[mxauth/$t]}
	fi
done

# The floor: mxauth's milter server with a handler that does nothing
# (bench/null_milter: the same steps negotiated, continue at MAIL,
# accept at end of message).  Its socket is left to the umask: 0.
_um=$(umask)
umask 000
start null "${milters[null/unix]}" "$NULL_MILTER" "${milters[null/unix]}"
umask "$_um"
mpids[null/unix]=$started

# --- the sink and Postfix --------------------------------------------------

sinkpid=
# sink [DUMPDIR] - (re)start smtp-sink, dumping each message when asked
sink() {
	if [ -n "$sinkpid" ]; then
		kill "$sinkpid" 2>/dev/null || true
		wait "$sinkpid" 2>/dev/null || true
	fi
	if [ -n "${1:-}" ]; then
		mkdir -p "$1" && chown postfix "$1"
		set -- -d "$1/%H%M%S."
	fi
	smtp-sink -4 -u postfix -h sink.example "$@" 127.0.0.1:2600 256 \
	    >>"$dir/sink.out" 2>&1 &
	sinkpid=$!
	for _ in $(seq 50); do
		ss -Hltn "sport = :2600" | grep -q . && return 0
		sleep 0.1
	done
	fail "smtp-sink did not start"
}

# A private /etc/postfix: the package's files (postfix-script,
# postfix-files, dynamicmaps.cf) and our main.cf and master.cf, mounted
# over the real one in this mount namespace only.
mkdir -p "$dir/etc-postfix" "$dir/queue" "$dir/data"
cp -a /etc/postfix/. "$dir/etc-postfix/"
if [ -f /usr/share/postfix/master.cf.dist ]; then
	cp /usr/share/postfix/master.cf.dist "$dir/etc-postfix/master.cf"
fi
chown postfix "$dir/data"
mount --bind "$dir/etc-postfix" /etc/postfix
bench_cleanup_hook() {
	timeout 30 postfix stop >/dev/null 2>&1 || true
	sleep 1
	[ -z "$sinkpid" ] || kill "$sinkpid" 2>/dev/null || true
}
cat >/etc/postfix/main.cf <<CONF
# generated by bench/peers.sh
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
maillog_file = $dir/maillog
maillog_file_prefixes = $dir
myhostname = mx.example
mydomain = example
myorigin = \$myhostname
append_dot_mydomain = no
inet_interfaces = 127.0.0.1, 192.0.2.25
inet_protocols = ipv4
smtp_bind_address = 127.0.0.1
smtpd_peername_lookup = no
mynetworks = 127.0.0.0/8
smtpd_client_connection_count_limit = 0
mydestination =
alias_maps =
alias_database =
local_recipient_maps =
local_transport = error:5.1.1 no local delivery here
relay_domains = dest.example
relayhost = [127.0.0.1]:2600
smtpd_relay_restrictions = reject_unauth_destination
max_idle = 3600s
non_smtpd_milters =
milter_default_action = tempfail
milter_protocol = 6
milter_mail_macros = i {auth_type} {auth_authen} {auth_author} {mail_addr} {mail_host} {mail_mailer}
milter_end_of_data_macros = i
smtp_tls_security_level = none
smtpd_tls_security_level = none
smtputf8_enable = no
biff = no
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
CONF
postconf -M# smtp/inet
for c in $CFGS; do
	postconf -M "192.0.2.25:${port[$c]}/inet = 192.0.2.25:${port[$c]} inet n - n - - smtpd -o smtpd_milters=${milters[$c]}"
done
postconf -F '*/*/chroot = n'
postconf -M postlog/unix-dgram >/dev/null 2>&1 ||
    postconf -M "postlog/unix-dgram = postlog unix-dgram n - n - 1 postlogd"
sink "$dir/sink"
timeout 60 postfix start >>"$dir/postfix.out" 2>&1 || { cat "$dir/postfix.out"; fail "Postfix did not start"; }
for _ in $(seq 100); do
	ss -Hltn "sport = :2529" | grep -q . && break
	sleep 0.1
done

# queue_empty - wait (up to 60 s) until Postfix holds no message
queue_empty() {
	for _ in $(seq 600); do
		[ -z "$(find "$dir/queue/incoming" "$dir/queue/active" \
		    "$dir/queue/deferred" "$dir/queue/maildrop" -type f 2>/dev/null |
		    head -n 1)" ] && return 0
		sleep 0.1
	done
	fail "Postfix's queue did not drain"
}

# send CFG FILE FROM [SMTP-SOURCE OPTIONS] - smtp-source to CFG's port
send() {
	_c=$1 _f=$2 _from=$3
	shift 3
	smtp-source -4 "$@" -M mail.bench.example -f "$_from" \
	    -t user@dest.example -F "$_f" "192.0.2.25:${port[$_c]}"
}

# --- the checks --------------------------------------------------------------

mxlog() { cat "$dir/mxauth-${1#*/}.log"; }
for c in $CFGS; do
	rm -f "$dir"/sink/*
	queue_empty
	send "$c" "$dir/msg.txt" sender@bench.example >"$dir/send.out" 2>&1 ||
	    { cat "$dir/send.out"; fail "$c: the signed message was not accepted"; }
	queue_empty
	for _ in $(seq 50); do
		f=$(ls "$dir"/sink/* 2>/dev/null | head -n 1)
		[ -n "$f" ] && grep -q '^Line 0067' "$f" && break
		sleep 0.1
	done
	[ -n "$f" ] || fail "$c: nothing delivered"
	hdr=$(sed -e 's/\r$//' -e '/^$/q' "$f" | awk '/^[ \t]/ { printf " %s", $0; next }
	    { printf "\n%s", $0 } END { print "" }')
	printf '%s\n' "$hdr" | grep -q '^Received: from mail.bench.example (unknown \[192\.0\.2\.1\])' ||
	    { printf '%s\n' "$hdr"; fail "$c: the client was not 192.0.2.1"; }
	ar=$(printf '%s\n' "$hdr" | grep -i '^Authentication-Results: *mx\.example' || true)
	case $c in
	alone|null/*)
		[ -z "$ar" ] || fail "$c: a milter answered: $ar"
		echo "check $c: delivered, no Authentication-Results, client 192.0.2.1" ;;
	*)
		for w in spf=pass dkim=pass dmarc=pass; do
			printf '%s\n' "$ar" | grep -q "$w" ||
			    { printf '%s\n' "$hdr"; fail "$c: no $w"; }
		done
		echo "check $c signed: delivered, client 192.0.2.1, $(printf '%s' "$ar" | grep -o '\(spf\|dkim\|dmarc\)=[a-z]*' | tr '\n' ' ')"
		;;
	esac
	case $c in mxauth/*)
		mxlog "$c" | tail -n 1 | grep 'spf=pass' | grep 'dkim=pass' |
		    grep -q 'dmarc=pass' || { mxlog "$c" | tail -n 3; fail "$c: verdict line"; } ;;
	esac
	case $c in alone|null/*) continue ;; esac
	# the tampered message, MAIL FROM unaligned: refused at end of data
	n0=$(grep -c "milter-reject: END-OF-MESSAGE from unknown\[192.0.2.1\]" "$dir/maillog" || true)
	send "$c" "$dir/tampered.txt" sender@relay.example >"$dir/send.out" 2>&1 &&
	    fail "$c: the tampered message was accepted"
	sleep 0.5
	n1=$(grep -c "milter-reject: END-OF-MESSAGE from unknown\[192.0.2.1\]" "$dir/maillog" || true)
	[ "$n1" -gt "$n0" ] || { tail -n 5 "$dir/maillog"; fail "$c: no milter-reject"; }
	case $c in mxauth/*)
		mxlog "$c" | tail -n 1 | grep 'dkim=fail' |
		    grep -q 'dmarc=fail' || { mxlog "$c" | tail -n 3; fail "$c: verdict line"; } ;;
	esac
	echo "check $c tampered: $(grep 'milter-reject: END-OF-MESSAGE' "$dir/maillog" | tail -n 1 | sed 's/.*END-OF-MESSAGE from unknown\[192.0.2.1\]: //; s/; from=.*//')"
done
queue_empty
# at the milter-protocol level: each milter alone, the same passes
check mxauth "$mxsock" spf=pass dkim=pass dmarc=pass
check opendkim "$dksock" dkim=pass
check opendmarc "$dmsock" spf=pass dmarc=pass
sink
if [ -n "${PEERS_HOOK:-}" ]; then
	# e.g. to profile or trace: the daemons are up, the checks passed
	DIR=$dir sh -c "$PEERS_HOOK"
	exit 0
fi

# --- the measurements --------------------------------------------------------

# cpu PID... - CPU ticks (user + system, all threads) of the processes
cpu() {
	_t=0
	for _p in "$@"; do
		_t=$((_t + $(awk '{ print $14 + $15 }' "/proc/$_p/stat")))
	done
	echo $_t
}
res=$dir/results
: >"$res"
# run CFG SESSIONS MESSAGES - one timed smtp-source run; records msg/s and
# the milters' CPU ms per message
run() {
	_c=$1
	queue_empty
	_c0=$(cpu ${mpids[$_c]:-})
	_t0=$EPOCHREALTIME
	send "$_c" "$dir/msg.txt" sender@bench.example -s "$2" -m "$3" \
	    >"$dir/send.out" 2>&1 || { cat "$dir/send.out"; fail "$_c: smtp-source failed"; }
	_t1=$EPOCHREALTIME
	_c1=$(cpu ${mpids[$_c]:-})
	echo "$_c $2 $(echo "$3 $_t0 $_t1 $_c0 $_c1 $hz" |
	    awk '{ printf "%.0f %.3f", $1 / ($3 - $2), ($5 - $4) * 1000 / $6 / $1 }')" >>"$res"
}
# latency CFG - p50 in ms of LATENCY_COUNT messages sent one at a time,
# each on its own connection (bench/smtp_latency.py: timed in-process)
latency() {
	queue_empty
	_v=$(/usr/bin/python3 "$here/smtp_latency.py" 192.0.2.25 "${port[$1]}" \
	    "$LATENCY_COUNT" "$dir/msg.txt" sender@bench.example user@dest.example \
	    mail.bench.example) || fail "$1: latency run failed"
	echo "lat $1 $_v" >>"$res"
}

loadavg=$(cut -d' ' -f1-3 /proc/loadavg)
echo "warm-up"
for c in $CFGS; do
	run "$c" 50 200
done
: >"$res"
for r in 1 2 3; do
	echo "round $r: through Postfix"
	for s in 10 50; do
		for c in $CFGS; do
			run "$c" "$s" "$count"
		done
	done
	for c in $CFGS; do
		latency "$c"
	done
	echo "round $r: milter protocol"
	for n in 1 10 100; do
		for m in mxauth:$mxsock:$mxpid opendkim:$dksock:$dkpid \
		    opendmarc:$dmsock:$dmpid; do
			IFS=: read -r _l _x _s _p <<<"$m"
			load -c "$n" -n "$MLOAD_COUNT" -p "$_p" -l "$_l" "$_x:$_s" |
			    grep '^milter_load ' | tee -a "$dir/mload.out" |
			    sed 's/.* msgs_per_s=\([0-9.]*\) .*milter_cpu_ms_per_1k=\([0-9.]*\) .*/\1 \2/' |
			    { read -r _v _cpu; echo "ml $_l $n $_v $(awk -v x="$_cpu" 'BEGIN { printf "%.3f", x / 1000 }')"; } >>"$res"
			grep -q 'error=0 ' <(tail -n 1 "$dir/mload.out") ||
			    fail "$_l: errors at the milter-protocol level: $(tail -n 1 "$dir/mload.out")"
		done
	done
done
queue_empty

# --- the table ---------------------------------------------------------------

# med KEY FIELD - the median over the rounds of FIELD (1-based after KEY)
med() {
	grep "^$1 " "$res" | awk -v k="$1" -v f="$2" '{ n = split(k, w, " "); print $(n + f) }' |
	    sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f%%", 100 * a / b }'; }
times() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f×", a / b }'; }
ms() { awk -v a="$1" 'BEGIN { printf "%.2f ms", a }'; }

model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
echo
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores ($model), $("$mxauth" -V 2>&1 | head -n 1), load average before: $loadavg"
echo "smtp-source, one message per connection, $count messages per run, 4 KB message with one RSA-2048 signature, client 192.0.2.1; median of 3 interleaved rounds"
echo
echo "| | Postfix alone | + opendkim + opendmarc (unix) | + opendkim + opendmarc (TCP) | + mxauth (unix) | + mxauth (TCP) |"
echo "|---|---|---|---|---|---|"
for s in 10 50; do
	a=$(med "alone $s" 1)
	line="| msg/s, $s connections | $a"
	for c in peers/unix peers/tcp; do
		v=$(med "$c $s" 1)
		line="$line | $v ($(pct "$v" "$a"))"
	done
	for t in unix tcp; do
		v=$(med "mxauth/$t $s" 1)
		p=$(med "peers/$t $s" 1)
		line="$line | $v ($(pct "$v" "$a") of alone, $(times "$v" "$p") peers)"
	done
	echo "$line |"
done
a=$(med "lat alone" 1)
line="| latency p50, one at a time | $(ms "$a")"
for c in peers/unix peers/tcp mxauth/unix mxauth/tcp; do
	line="$line | +$(ms "$(awk -v x="$(med "lat $c" 1)" -v y="$a" 'BEGIN { print x - y }')")"
done
echo "$line |"
for s in 10 50; do
	line="| milter CPU per message, $s conns | —"
	for c in peers/unix peers/tcp mxauth/unix mxauth/tcp; do
		line="$line | $(ms "$(med "$c $s" 2)")"
	done
	echo "$line |"
done
a10=$(med "alone 10" 1) a50=$(med "alone 50" 1)
n10=$(med "null/unix 10" 1) n50=$(med "null/unix 50" 1)
echo
echo "The floor, Postfix + a milter that does nothing (bench/null_milter: mxauth's milter server, the same steps negotiated, no evaluation; unix): $n10 msg/s at 10 connections ($(pct "$n10" "$a10") of alone), $n50 at 50 ($(pct "$n50" "$a50")); latency +$(ms "$(awk -v x="$(med "lat null/unix" 1)" -v y="$(med "lat alone" 1)" 'BEGIN { print x - y }')"); its CPU $(ms "$(med "null/unix 10" 2)") a message."
# the spread: every round's figure, to judge the noise by
line="Rounds, msg/s at 10 and 50 connections:"
for c in $CFGS; do
	line="$line $c $(grep "^$c 10 " "$res" | cut -d' ' -f3 | paste -sd/) $(grep "^$c 50 " "$res" | cut -d' ' -f3 | paste -sd/);"
done
echo
echo "${line%;}"
echo
echo "Milter-protocol level (bench/milter_load, unix socket, one connection per message, $MLOAD_COUNT messages): msg/s, milter CPU per message"
echo
echo "| | 1 connection | 10 connections | 100 connections |"
echo "|---|---|---|---|"
for l in mxauth opendkim opendmarc; do
	line="| $l"
	for n in 1 10 100; do
		line="$line | $(med "ml $l $n" 1), $(ms "$(med "ml $l $n" 2)")"
	done
	echo "$line |"
done
