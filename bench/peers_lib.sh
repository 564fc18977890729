# SPDX-License-Identifier: BSD-2-Clause
# peers_lib.sh - sourced (bash) by bench/milter_load.sh and bench/peers.sh:
# the private namespace they run in, its DNS, the key, zone and messages,
# the milters' configurations (mxauth, Debian's opendkim and opendmarc),
# starting and stopping them, and the milter-protocol generator calls.
#
#   bench_ns_enter SCRIPT ARGS...   re-exec SCRIPT as root in a private
#                                   network and mount namespace (once)
#   bench_setup                     $dir, the trap, loopback with the
#                                   client 192.0.2.1 and the server
#                                   192.0.2.25, resolv.conf, key, zone,
#                                   messages, unbound on 127.0.0.1:53
#
# The zone (example.): bench.example signs (sel._domainkey, RSA-2048),
# publishes "v=spf1 ip4:192.0.2.0/24 -all" and DMARC p=reject;
# relay.example has the same SPF record and no DMARC.  Messages in $dir:
#   msg.eml       the signed 4 KB message, CRLF (the generator's input)
#   msg.txt       the same, LF line ends (smtp-source -F adds the CR)
#   tampered.txt  msg.txt with one body line changed: DKIM fails
# The peers treat 127.0.0.1 as internal and their resolver has a built-in
# test. zone: hence .example names and a client outside loopback.

# bench_ns_enter SCRIPT ARGS... - unless already inside (BENCH_NS set),
# exec SCRIPT with ARGS in a new network and mount namespace
bench_ns_enter() {
	[ -z "${BENCH_NS:-}" ] || return 0
	_me=$(basename "$1")
	[ "$(id -u)" = 0 ] || { echo "$_me: needs root (unshare)"; exit 1; }
	command -v unshare >/dev/null || { echo "$_me: no unshare"; exit 1; }
	BENCH_NS=1 exec unshare --net --mount --propagation private bash "$@"
}

pids=""
# stop - end the daemons started with start (not unbound)
stop() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	for p in $pids; do wait "$p" 2>/dev/null || true; done
	pids=""
}

bench_setup() {
	dir=$(mktemp -d /tmp/mxauth-bench.XXXXXX)
	chmod 755 "$dir"
	trap 'bench_cleanup' EXIT
	ip link set lo up
	# The client's address and the server's, both on lo; the local route
	# to the server names the client's as the source, so anything that
	# connects to 192.0.2.25 comes from 192.0.2.1, not from loopback.
	ip addr add 192.0.2.1/32 dev lo
	ip addr add 192.0.2.25/32 dev lo
	ip route change local 192.0.2.25 dev lo table local proto kernel \
	    scope host src 192.0.2.1
	echo "nameserver 127.0.0.1" >"$dir/resolv.conf"
	mount --bind "$dir/resolv.conf" /etc/resolv.conf
	bench_messages
	. "$here/unbound.sh"
	bench_unbound "$dir" 53 "$dir/bench.zone" example. >/dev/null 2>&1
}

# bench_cleanup_hook - callers may redefine it (run first at exit)
bench_cleanup_hook() { :; }
bench_cleanup() {
	bench_cleanup_hook
	stop
	kill "$(cat "$dir/pid" 2>/dev/null)" 2>/dev/null
	rm -rf "$dir"
}

# bench_messages - the key, the zone and the messages, in $dir
bench_messages() {
	/usr/bin/python3 "$here/bench_messages.py" "$dir"
}

# The milters' configurations.  Peers: opendkim verifies only (Mode v);
# opendmarc does its own SPF check, trusts opendkim's results (same
# authserv-id) and rejects DMARC failures; neither signs, neither syslogs.
# UMask 0: Postfix's smtpd (user postfix) connects to their unix sockets.

# mxauth_conf FILE SOCKET [USER]
mxauth_conf() {
	cat >"$1" <<CONF
socket = $2
user = ${3:-}
pid_file =
log_target = file:${1%.conf}.log
authserv_id = mx.example
dns_servers = 127.0.0.1:53
CONF
}

# opendkim_conf FILE SOCKET
opendkim_conf() {
	cat >"$1" <<CONF
Mode			v
Socket			$2
PidFile			${1%.conf}.pid
UMask			0000
AuthservID		mx.example
Nameservers		127.0.0.1
Syslog			no
Background		no
CONF
}

# opendmarc_conf FILE SOCKET
opendmarc_conf() {
	cat >"$1" <<CONF
Socket			$2
PidFile			${1%.conf}.pid
UMask			0000
AuthservID		mx.example
TrustedAuthservIDs	mx.example
SPFSelfValidate		true
SPFIgnoreResults	true
RejectFailures		true
Syslog			false
Background		false
CONF
}

# start NAME SOCKET CMD... - a daemon in the foreground, pid in $started,
# once it listens on SOCKET (unix:PATH or inet:PORT...)
start() {
	name=$1 spec=$2
	shift 2
	case $spec in unix:*) rm -f "${spec#unix:}" ;; esac
	"$@" >>"$dir/$name.out" 2>&1 &
	started=$!
	pids="$pids $started"
	for _ in $(seq 50); do
		case $spec in
		unix:*) [ -S "${spec#unix:}" ] && return 0 ;;
		inet:*) _p=${spec#inet:}
			ss -Hltn "sport = :${_p%%@*}" 2>/dev/null | grep -q . &&
			    return 0 ;;
		esac
		kill -0 "$started" 2>/dev/null || break
		sleep 0.1
	done
	echo "$name did not start:"
	cat "$dir/$name.out"
	exit 1
}

# The milter-protocol generator ($gen): client 192.0.2.1 (matches the SPF
# record), HELO and MAIL FROM in the signer's domain.
load() {
	"$gen" -f "$dir/msg.eml" -i 192.0.2.1 -H mail.bench.example \
	    -F sender@bench.example -R user@dest.example "$@"
}

# check LABEL SOCKET WANT... - one message through the generator:
# accepted, and an Authentication-Results field with every WANT (e.g.
# spf=pass); print it
check() {
	label=$1 sock=$2
	shift 2
	out=$(load -n 1 -v -l "$label" "$sock" 2>&1) || true
	# every Authentication-Results field the milter added, one line
	ar=$(printf '%s\n' "$out" | grep 'Authentication-Results' |
	    sed 's/.*data="//; s/"$//; s/\\0/ /g; s/\\n\\x09/ /g' | tr '\n' ' ')
	ok=1
	printf '%s\n' "$out" | grep -q 'milter_load_final .* outcome=accept' || ok=0
	for w in "$@"; do
		printf '%s\n' "$ar" | grep -q -- "$w" || ok=0
	done
	if [ $ok = 0 ]; then
		echo "$label did not accept with $*:"
		printf '%s\n' "$out"
		exit 1
	fi
	echo "check $label: accept, $ar"
}

# measure LABEL SOCKET PID [CONNS...] - warm up, then $count messages at
# each of CONNS (default 1, 10 and 100) connections
measure() {
	_l=$1 _s=$2 _p=$3
	shift 3
	load -c 10 -n 200 -l "$_l" "$_s" >/dev/null
	for c in ${@:-1 10 100}; do
		load -c "$c" -n "$count" -p "$_p" -l "$_l" "$_s" | grep '^milter_load '
	done
}
