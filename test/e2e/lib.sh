# lib.sh - the end-to-end sandbox: real Postfix, unbound and smtp-sink on
# loopback, with mxauth as Postfix's milter.  Sourced by test/e2e/*.sh.
#
#   Postfix    127.0.0.1:2525, config in $SB (the fixed directory that
#              contrib/setup-debian.sh names in alternate_config_directories),
#              XCLIENT allowed from loopback, everything relayed to the sink
#   smtp-sink  127.0.0.1:2526, one file per delivered message in $SB/sink
#   unbound    127.0.0.1:5353, authoritative for test/data/zones-e2e/*.zone,
#              never queries anything else (do-not-query-address 0/0)
#   mxauth     inet:127.0.0.1:8891 (or unix:$SB/mxauth.sock), log in
#              $SB/mxauth.log
#
# sandbox_start installs a trap that stops everything and removes $SB on
# exit, failure or interrupt.  Tests serialise on a lock (fd 9, which
# the daemons started here must not inherit, or they would hold it).  Without root
# or the programs, a test exits 77 (automake SKIP), never 0.

: "${top_srcdir:?}" "${top_builddir:?}"
SB=/tmp/mxauth-sandbox
MXAUTH="$top_builddir/mxauth"
PF_PORT=2525
SINK_PORT=2526
DNS_PORT=5353
MILTER_PORT=8891
AUTHSERV_ID=mx.example
fails=0

ok() { echo "PASS: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
# expect DESC CMD... - assert that CMD succeeds
expect() { _d=$1; shift; if "$@"; then ok "$_d"; else bad "$_d"; fi; }
skip() { echo "SKIP: $*"; exit 77; }
finish() { [ "$fails" -eq 0 ] || { echo "$fails assertion(s) failed"; exit 1; }; exit 0; }

# need_tools - skip (77) unless we can run the real thing
need_tools() {
	[ "$(id -u)" -eq 0 ] || skip "end-to-end tests need root (Postfix)"
	for t in postfix postconf smtp-sink unbound swaks flock; do
		command -v "$t" >/dev/null 2>&1 ||
		    skip "$t not installed (run contrib/setup-debian.sh)"
	done
	grep -q "^alternate_config_directories.*$SB" /etc/postfix/main.cf \
	    2>/dev/null || skip "/etc/postfix/main.cf lacks \
alternate_config_directories = $SB (run contrib/setup-debian.sh)"
}

# wait_for DESC SECONDS CMD... - poll CMD every 0.1 s; 1 on time-out
wait_for() {
	_d=$1 _n=$(($2 * 10)); shift 2
	while [ "$_n" -gt 0 ]; do
		"$@" 2>/dev/null && return 0
		sleep 0.1
		_n=$((_n - 1))
	done
	echo "timed out waiting for $_d" >&2
	return 1
}

# port_open PORT - something accepts TCP on 127.0.0.1:PORT (bounded: a
# listener that no longer accepts must not hang the connect)
port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }
port_closed() { ! port_open "$1"; }

# --- unbound ---------------------------------------------------------------

unbound_start() {
	mkdir -p "$SB/unbound"
	{
		cat <<CONF
server:
  interface: 127.0.0.1
  port: $DNS_PORT
  do-daemonize: no
  username: ""
  chroot: ""
  directory: "$SB/unbound"
  pidfile: "$SB/unbound/unbound.pid"
  logfile: "$SB/unbound/unbound.log"
  use-syslog: no
  access-control: 127.0.0.0/8 allow
  do-ip6: no
  # Authoritative only: never send a query anywhere.
  do-not-query-localhost: yes
  do-not-query-address: 0.0.0.0/0
  do-not-query-address: ::/0
  module-config: "iterator"
  cache-max-ttl: 0
  cache-max-negative-ttl: 0
remote-control:
  control-enable: no
CONF
		# EXTRA_ZONES: zone files a test generated (each with SOA).
		for z in "$top_srcdir"/test/data/zones-e2e/*.zone ${EXTRA_ZONES:-}; do
			name=$(sed -n 's/^\$ORIGIN[ 	]*//p' "$z" | head -n 1)
			cp "$z" "$SB/unbound/"
			printf 'auth-zone:\n  name: "%s"\n  zonefile: "%s"\n' \
			    "$name" "$SB/unbound/$(basename "$z")"
			printf '  for-downstream: yes\n  for-upstream: no\n'
			printf '  fallback-enabled: no\n'
		done
	} >"$SB/unbound/unbound.conf"
	unbound -c "$SB/unbound/unbound.conf" >>"$SB/unbound/stderr" 2>&1 9>&- &
	echo $! >"$SB/unbound/pid"
	wait_for "unbound on $DNS_PORT" 10 dns_ready
}

# dns_ready - unbound answers a query for a zone apex
dns_ready() {
	"$top_builddir/mxauth-check" --help >/dev/null 2>&1
	python3 - "$DNS_PORT" <<'PY'
import socket, struct, sys
q = struct.pack('>HHHHHH', 7, 0x0100, 1, 0, 0, 0) + b'\7example\0' + \
    struct.pack('>HH', 6, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.5)
s.sendto(q, ('127.0.0.1', int(sys.argv[1])))
r, _ = s.recvfrom(512)
sys.exit(0 if struct.unpack('>H', r[2:4])[0] & 15 == 0 else 1)
PY
}

unbound_stop() {
	[ -f "$SB/unbound/pid" ] || return 0
	kill "$(cat "$SB/unbound/pid")" 2>/dev/null
	wait_for "unbound to stop" 10 port_closed_udp
	rm -f "$SB/unbound/pid"
}
port_closed_udp() { ! kill -0 "$(cat "$SB/unbound/pid")" 2>/dev/null; }

# --- the sink --------------------------------------------------------------

sink_start() {
	mkdir -p "$SB/sink"
	chown postfix "$SB/sink"
	smtp-sink -u postfix -d "$SB/sink/%Y%m%d%H%M%S." \
	    127.0.0.1:$SINK_PORT 64 >>"$SB/sink.log" 2>&1 9>&- &
	echo $! >"$SB/sink.pid"
	wait_for "smtp-sink on $SINK_PORT" 10 port_open $SINK_PORT
}

# delivered_files - the files of delivered messages, oldest first
delivered_files() { ls -1tr "$SB"/sink/* 2>/dev/null; }
delivered_count() { delivered_files | wc -l; }
# wait_delivered N [SECONDS] - until N messages reached the sink
wait_delivered() {
	wait_for "$1 delivered message(s)" "${2:-20}" \
	    sh -c "[ \$(ls -1 '$SB'/sink | wc -l) -ge $1 ]"
}
# message_headers FILE - the delivered message's header block, unfolded
# line by line as written (smtp-sink's X-* envelope lines dropped)
message_headers() {
	sed -e 's/\r$//' "$1" | sed -n '/^$/q;p' | grep -v '^X-\(Client\|Helo\|Mail\|Rcpt\)-'
}
# find_delivered TEXT - the delivered file containing TEXT
find_delivered() { grep -l -F -- "$1" "$SB"/sink/* 2>/dev/null | head -n 1; }

# --- Postfix ---------------------------------------------------------------

# postfix_start [MILTER] - instance on 2525 with smtpd_milters = MILTER
postfix_start() {
	milter=${1:-inet:127.0.0.1:$MILTER_PORT}
	mkdir -p "$SB/queue" "$SB/data"
	chown postfix "$SB/data"
	cp /etc/postfix/master.cf "$SB/master.cf" 2>/dev/null ||
	    cp /usr/share/postfix/master.cf.dist "$SB/master.cf"
	cat >"$SB/main.cf" <<CONF
compatibility_level = 3.6
queue_directory = $SB/queue
data_directory = $SB/data
maillog_file = $SB/maillog
maillog_file_prefixes = $SB
myhostname = mx.example
mydomain = example
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
local_recipient_maps =
relayhost = [127.0.0.1]:$SINK_PORT
relay_domains = dest.example
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_authorized_xclient_hosts = 127.0.0.0/8
smtpd_milters = $milter
milter_default_action = tempfail
milter_protocol = 6
milter_connect_timeout = 5s
milter_command_timeout = 10s
milter_content_timeout = 20s
smtp_tls_security_level = none
smtpd_tls_security_level = none
smtputf8_enable = no
biff = no
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
CONF
	# The sandbox's smtpd listens on 2525 only; nothing is chrooted.
	postconf -c "$SB" -M# smtp/inet
	postconf -c "$SB" -M "127.0.0.1:$PF_PORT/inet = 127.0.0.1:$PF_PORT inet n - n - - smtpd"
	postconf -c "$SB" -F '*/*/chroot = n'
	postconf -c "$SB" -M postlog/unix-dgram >/dev/null 2>&1 ||
	    postconf -c "$SB" -M "postlog/unix-dgram = postlog unix-dgram n - n - 1 postlogd"
	postfix -c "$SB" check >>"$SB/postfix.out" 2>&1
	postfix -c "$SB" start >>"$SB/postfix.out" 2>&1 9>&- ||
	    { cat "$SB/postfix.out"; return 1; }
	wait_for "Postfix on $PF_PORT" 15 port_open $PF_PORT
}

postfix_stop() {
	[ -f "$SB/main.cf" ] || return 0
	master=$(cat "$SB/queue/pid/master.pid" 2>/dev/null | tr -d ' ')
	postfix -c "$SB" stop >>"$SB/postfix.out" 2>&1
	# The master exits once its children have; never wait forever.
	if [ -n "$master" ] &&
	    ! wait_for "Postfix master to exit" 15 sh -c "! kill -0 $master"; then
		postfix -c "$SB" abort >>"$SB/postfix.out" 2>&1
		kill -9 "$master" 2>/dev/null
	fi
	wait_for "Postfix to stop" 15 port_closed $PF_PORT
}

# postfix_log - Postfix's log
postfix_log() { cat "$SB/maillog" 2>/dev/null; }
# queue_ids_for TEXT - Postfix queue ids of messages whose Message-ID has TEXT
queue_id_of() {
	sed -n "s/.*postfix\/cleanup\[[0-9]*\]: \([0-9A-F]*\): message-id=.*$1.*/\1/p" \
	    "$SB/maillog" | head -n 1
}
# flush_queue - ask Postfix to retry deferred mail now
flush_queue() { postqueue -c "$SB" -f >/dev/null 2>&1; }

# --- mxauth ----------------------------------------------------------------

# mxauth_config [EXTRA-LINES] - write $SB/mxauth.conf
mxauth_config() {
	cat >"$SB/mxauth.conf" <<CONF
# generated by test/e2e/lib.sh
socket = ${MXAUTH_SOCKET:-inet:$MILTER_PORT@127.0.0.1}
user = ${MXAUTH_USER:-nobody}
pid_file = $SB/mxauth.pid
log_target = file:$SB/mxauth.log
authserv_id = $AUTHSERV_ID
dns_servers = 127.0.0.1:$DNS_PORT
dns_timeout = 1
dns_retries = 0
${1:-}
CONF
}

# mxauth_start - run the daemon in the foreground, in the background
mxauth_start() {
	[ -f "$SB/mxauth.conf" ] || mxauth_config
	touch "$SB/mxauth.log"
	"$MXAUTH" -f -c "$SB/mxauth.conf" >>"$SB/mxauth.stderr" 2>&1 9>&- &
	echo $! >"$SB/mxauth.bgpid"
	wait_for "mxauth to start" 10 grep -q "starting mxauth" "$SB/mxauth.log"
}

mxauth_pid() { cat "$SB/mxauth.bgpid" 2>/dev/null; }
mxauth_running() { kill -0 "$(mxauth_pid)" 2>/dev/null; }

# mxauth_stop - SIGTERM, then wait for it to exit; returns its status
mxauth_stop() {
	pid=$(mxauth_pid)
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rc=$?
	rm -f "$SB/mxauth.bgpid"
	return $rc
}

# mxauth_kill - SIGKILL, the way a crash looks to Postfix
mxauth_kill() {
	pid=$(mxauth_pid)
	[ -n "$pid" ] || return 0
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rm -f "$SB/mxauth.bgpid"
	return 0
}

mxauth_log() { cat "$SB/mxauth.log" 2>/dev/null; }

# --- swaks -----------------------------------------------------------------

# send_mail NAME [SWAKS-ARGS...] - one message through Postfix via
# XCLIENT from 192.0.2.10 (HELO mail.legit.example) unless the args
# say otherwise (a later --xclient-addr or --helo wins); transcript in
# $SB/swaks.NAME; returns swaks' status
send_mail() {
	name=$1; shift
	# A message given with --data keeps its own Message-ID (SEND_RAW=1).
	[ "${SEND_RAW:-}" = 1 ] ||
	    set -- --header "Message-Id: <$name@test.example>" "$@"
	swaks --server 127.0.0.1 --port $PF_PORT --timeout 30 \
	    --helo mail.legit.example \
	    --xclient-addr 192.0.2.10 --xclient-name mail.legit.example \
	    --from sender@legit.example --to user@dest.example \
	    "$@" >"$SB/swaks.$name" 2>&1
}

# --- whole sandbox ---------------------------------------------------------

sandbox_stop() {
	mxauth_kill
	postfix_stop
	[ -f "$SB/sink.pid" ] && kill "$(cat "$SB/sink.pid")" 2>/dev/null
	unbound_stop
	# Whatever a run killed hard may have left behind (its pid files
	# gone): the sandbox's own command lines name $SB.
	pkill -f "^unbound -c $SB/" 2>/dev/null
	pkill -f "^smtp-sink .*$SB/sink/" 2>/dev/null
	pkill -f "mxauth -f -c $SB/" 2>/dev/null
	if [ "${MXAUTH_KEEP_SANDBOX:-}" = "" ]; then
		rm -rf "$SB"
	fi
}

# sandbox_start [MILTER] - everything up, trap installed
sandbox_start() {
	need_tools
	exec 9>/tmp/mxauth-sandbox.lock
	flock -w 600 9 || skip "sandbox lock busy for 10 minutes"
	# A previous run killed hard may have left things behind.
	[ -d "$SB" ] && sandbox_stop
	mkdir -p "$SB"
	trap 'rc=$?; [ $rc -ne 0 ] && { echo "--- mxauth.log"; tail -n 30 "$SB/mxauth.log"; echo "--- maillog"; tail -n 30 "$SB/maillog"; } 2>/dev/null; sandbox_stop; exit $rc' EXIT
	trap 'exit 1' INT TERM HUP
	unbound_start || exit 1
	sink_start || exit 1
	mxauth_config
	mxauth_start || exit 1
	postfix_start "${1:-}" || exit 1
}
