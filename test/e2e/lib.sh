# SPDX-License-Identifier: BSD-2-Clause
# lib.sh - the end-to-end sandbox: the real Postfix, unbound and smtp-sink
# on loopback, with mxauth as Postfix's milter.  Sourced by test/e2e/*.sh
# (bash), which automake runs with top_srcdir and top_builddir exported.
#
#   Postfix    127.0.0.1:2525 and nowhere else; its config_directory is
#              $SB/etc ("postfix -c", "postqueue -c": root, which the
#              tests run as, may name any directory, so the system's
#              /etc/postfix is neither read nor needed, and need not
#              exist); queue $SB/queue, data $SB/data, log $SB/maillog
#              (postlogd, no syslog).
#              XCLIENT is allowed from loopback, so tests present RFC 5737
#              client addresses; nothing is delivered locally: every
#              message is relayed to the sink.
#   smtp-sink  127.0.0.1:2526, one file per delivered message in $SB/sink
#              (smtp-sink's X-* lines and Received on top)
#   unbound    127.0.0.1:5353, authoritative for test/data/zones-e2e/*.zone;
#              it never sends a query anywhere (do-not-query-address 0/0,
#              outgoing-interface 127.0.0.1), so other names are SERVFAIL
#   mxauth     inet:127.0.0.1:8891 (or unix:$SB/mxauth.sock), config
#              $SB/mxauth.conf, log $SB/mxauth.log
#
# Only loopback addresses are ever contacted: client addresses exist only
# as XCLIENT strings, the relay is [127.0.0.1], smtpd looks up no names.
#
# sandbox_start takes a lock (tests may run in parallel under make -j),
# installs a trap that stops everything and removes $SB on exit, failure
# or interrupt, and starts the four daemons.  Without root or the
# programs a test exits 77 (automake SKIP), never 0.  Every wait here is
# bounded.  MXAUTH_KEEP_SANDBOX=1 keeps $SB (daemons stopped) for a look.

: "${top_srcdir:?}" "${top_builddir:?}"
SB=/tmp/mxauth-sandbox
PFCONF=$SB/etc
LOCK=/tmp/mxauth-sandbox.lock
# The daemon under test: the build's, or (test/package/run.sh) the
# installed package's /usr/sbin/mxauth.
MXAUTH="${MXAUTH:-$top_builddir/mxauth}"
PF_PORT=2525
SINK_PORT=2526
DNS_PORT=5353
MILTER_PORT=8891
PF_INNER_PORT=2527	# the inner hop (two-hop tests, PF_INNER set)
INNER_MILTER_PORT=8892
AUTHSERV_ID=mx.example
fails=0

# --- assertions ------------------------------------------------------------

ok() { echo "PASS: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
# expect DESC CMD... - assert that CMD succeeds
expect() { local _what=$1; shift; if "$@"; then ok "$_what"; else bad "$_what"; fi; }
skip() { echo "SKIP: $*"; exit 77; }
# die MSG - the sandbox itself failed: no point going on
die() { echo "FAIL: $*"; exit 1; }
finish() {
	[ "$fails" -eq 0 ] || { echo "$fails assertion(s) failed"; exit 1; }
	exit 0
}

# need_tools - skip (77) unless we can run the real thing
need_tools() {
	[ "$(id -u)" -eq 0 ] || skip "end-to-end tests need root (Postfix)"
	for t in postfix postconf postqueue smtp-sink unbound unbound-checkconf \
	    swaks flock timeout python3; do
		command -v "$t" >/dev/null 2>&1 ||
		    skip "$t not installed (run contrib/setup-debian.sh test)"
	done
	[ -f /usr/share/postfix/master.cf.dist ] || [ -f /etc/postfix/master.cf ] ||
	    skip "no Postfix master.cf to start from (run contrib/setup-debian.sh test)"
}

# deb_unpacked CACHE PACKAGE FILE... - Debian's PACKAGE, downloaded (never
# installed: apt-get download) and unpacked with dpkg-deb -x into CACHE
# once, kept between runs, under a lock (two builds may race); the
# package lists are refreshed once if the download fails (a newer point
# release replaced the version they name).  The cache is whole when
# every FILE (relative to CACHE) exists.  0, or 1 with apt's output.
deb_unpacked() {
	_cache=$1 _pkg=$2
	shift 2
	_whole() { for _f in "$@"; do [ -e "$_cache/$_f" ] || return 1; done; }
	_whole "$@" && return 0
	(
		flock -w 300 8 || exit 1
		_whole "$@" && exit 0
		_dl=$(mktemp -d "$_cache.dl.XXXXXX") || exit 1
		trap 'rm -rf "$_dl"' EXIT
		cd "$_dl" || exit 1
		_get() { timeout 300 apt-get -q -o APT::Sandbox::User=root \
		    download "$_pkg" >apt.log 2>&1; }
		_get || { timeout 300 apt-get -q update >>apt.log 2>&1 && _get; } ||
		    { cat apt.log; exit 1; }
		dpkg-deb -x "$_pkg"_*.deb root || exit 1
		rm -rf "$_cache"
		mv root "$_cache"
	) 8>"$_cache.lock"
}

# --- waiting ---------------------------------------------------------------

# wait_for DESC SECONDS CMD... - poll CMD every 0.1 s; 1 on time-out
wait_for() {
	local _d=$1 _n=$(($2 * 10)); shift 2
	while [ "$_n" -gt 0 ]; do
		"$@" 2>/dev/null && return 0
		sleep 0.1
		_n=$((_n - 1))
	done
	echo "timed out waiting for $_d" >&2
	return 1
}

# wait_pid PID SECONDS - wait for our child PID to exit; its status, or
# 124 (and PID left running) on time-out
wait_pid() {
	wait_for "process $1 to exit" "$2" pid_gone "$1" || return 124
	wait "$1" 2>/dev/null
}
pid_gone() { ! kill -0 "$1" 2>/dev/null; }
quiet() { "$@" >/dev/null; }

# port_open PORT - something accepts TCP on 127.0.0.1:PORT (bounded: a
# listener that no longer accepts must not hang the connect)
port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }
port_closed() { ! port_open "$1"; }

# pidfile_kill FILE [SIGNAL] - signal the process FILE names, if it is
# still one of ours (its command line or working directory is in $SB:
# a recycled pid must not be hit)
pidfile_kill() {
	[ -f "$1" ] || return 0
	_p=$(cat "$1" 2>/dev/null)
	case "$_p" in '' | *[!0-9]*) return 0 ;; esac
	is_ours "$_p" && kill "-${2:-TERM}" "$_p" 2>/dev/null
	return 0
}
is_ours() {
	tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline" | grep -q -F "$SB/" && return 0
	case "$(readlink "/proc/$1/cwd" 2>/dev/null)/" in "$SB"/*) return 0 ;; esac
	return 1
}

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
  verbosity: 1
  num-threads: 1
  access-control: 127.0.0.0/8 allow
  do-ip6: no
  # Authoritative only: never send a query anywhere.  Names outside the
  # zones below get SERVFAIL, fast.
  outgoing-interface: 127.0.0.1
  do-not-query-localhost: yes
  do-not-query-address: 0.0.0.0/0
  module-config: "iterator"
  cache-max-ttl: 0
  cache-max-negative-ttl: 0
  # num.query.tcp for unbound_stat (who came over TCP)
  extended-statistics: yes
${UNBOUND_LOG_QUERIES:+  log-queries: yes}
remote-control:
  control-enable: yes
  control-interface: "$SB/unbound/control.sock"
  control-use-cert: no
CONF
		# EXTRA_ZONES: zone files a test generated (each with SOA).
		for z in "$top_srcdir"/test/data/zones-e2e/*.zone ${EXTRA_ZONES:-}; do
			name=$(sed -n 's/^\$ORIGIN[ 	]*//p' "$z" | head -n 1)
			[ -n "$name" ] || die "$z: no \$ORIGIN line"
			cp "$z" "$SB/unbound/"
			printf 'auth-zone:\n  name: "%s"\n  zonefile: "%s"\n' \
			    "$name" "$SB/unbound/$(basename "$z")"
			printf '  for-downstream: yes\n  for-upstream: no\n'
			printf '  fallback-enabled: no\n'
		done
	} >"$SB/unbound/unbound.conf"
	timeout 30 unbound-checkconf "$SB/unbound/unbound.conf" >>"$SB/unbound/stderr" 2>&1 ||
	    { cat "$SB/unbound/stderr"; return 1; }
	unbound -c "$SB/unbound/unbound.conf" >>"$SB/unbound/stderr" 2>&1 9>&- &
	echo $! >"$SB/unbound/pid"
	wait_for "unbound on $DNS_PORT" 10 dns_ready ||
	    { cat "$SB/unbound/stderr" "$SB/unbound/unbound.log"; return 1; }
}

# dns_ready - unbound answers the SOA question for the apex authoritatively
dns_ready() {
	python3 - "$DNS_PORT" <<'PY'
import socket, struct, sys
q = struct.pack('>HHHHHH', 7, 0x0100, 1, 0, 0, 0) + b'\7example\0' + \
    struct.pack('>HH', 6, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.5)
s.sendto(q, ('127.0.0.1', int(sys.argv[1])))
r, _ = s.recvfrom(512)
flags = struct.unpack('>H', r[2:4])[0]
sys.exit(0 if flags & 15 == 0 and flags & 0x0400 else 1)
PY
}

# dns_txt NAME - NAME's TXT records as the sandbox's unbound serves them,
# one per line (strings joined), or "(NXDOMAIN)" / "(no TXT record)"
dns_txt() {
	python3 - "$DNS_PORT" "$1" <<'PY'
import socket, struct, sys
port, name = int(sys.argv[1]), sys.argv[2].rstrip(".")
q = struct.pack(">HHHHHH", 9, 0x0100, 1, 0, 0, 0)
for label in name.split("."):
    q += bytes([len(label)]) + label.encode()
q += b"\0" + struct.pack(">HH", 16, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
s.sendto(q, ("127.0.0.1", port))
r, _ = s.recvfrom(4096)
rcode = struct.unpack(">H", r[2:4])[0] & 15
ancount = struct.unpack(">H", r[6:8])[0]
if rcode == 3:
    sys.exit(print("(NXDOMAIN)"))
if rcode != 0:
    sys.exit(print("(rcode %d)" % rcode))
def skip_name(i):
    while r[i] != 0:
        if r[i] & 0xC0 == 0xC0:
            return i + 2
        i += r[i] + 1
    return i + 1
i = skip_name(12) + 4
found = False
for _ in range(ancount):
    i = skip_name(i)
    rtype, _, _, rdlen = struct.unpack(">HHIH", r[i:i + 10])
    i += 10
    if rtype == 16:
        j, parts = i, []
        while j < i + rdlen:
            parts.append(r[j + 1:j + 1 + r[j]].decode("ascii", "replace"))
            j += 1 + r[j]
        print('"%s"' % "".join(parts))
        found = True
    i += rdlen
if not found:
    print("(no TXT record)")
PY
}

# unbound_stat NAME - one of unbound's counters (unbound-control
# stats_noreset), e.g. num.query.tcp; empty if it cannot be read
unbound_stat() {
	timeout 10 unbound-control -c "$SB/unbound/unbound.conf" stats_noreset \
	    2>/dev/null | sed -n "s/^total\.$1=//p; s/^$1=//p" | head -n 1
}

unbound_stop() {
	[ -f "$SB/unbound/pid" ] || return 0
	_p=$(cat "$SB/unbound/pid")
	pidfile_kill "$SB/unbound/pid"
	wait_pid "$_p" 10 >/dev/null
	rm -f "$SB/unbound/pid"
}

# --- the sink --------------------------------------------------------------

sink_start() {
	mkdir -p "$SB/sink"
	chown postfix "$SB/sink"
	smtp-sink -4 -u postfix -h sink.example -d "$SB/sink/%Y%m%d%H%M%S." \
	    127.0.0.1:$SINK_PORT 64 >>"$SB/sink.log" 2>&1 9>&- &
	echo $! >"$SB/sink.pid"
	wait_for "smtp-sink on $SINK_PORT" 10 port_open $SINK_PORT
}

sink_stop() {
	[ -f "$SB/sink.pid" ] || return 0
	_p=$(cat "$SB/sink.pid")
	pidfile_kill "$SB/sink.pid"
	wait_pid "$_p" 10 >/dev/null
	rm -f "$SB/sink.pid"
}

# delivered_files - the files of delivered messages, oldest first.
# smtp-sink creates a file at MAIL FROM and closes it before it answers
# the final dot, so only count on files after wait_delivered.
delivered_files() { ls -1tr "$SB"/sink/* 2>/dev/null; }
delivered_count() { delivered_files | wc -l; }

# wait_delivered N [SECONDS] - until N messages are completely in the
# sink: N files there and N "status=sent" deliveries in Postfix's log
# (Postfix logs it after the sink's 250 to the final dot)
wait_delivered() {
	wait_for "$1 delivered message(s)" "${2:-20}" delivered_at_least "$1"
}
delivered_at_least() {
	[ "$(delivered_count)" -ge "$1" ] &&
	    [ "$(grep -c ' status=sent ' "$SB/maillog" 2>/dev/null)" -ge "$1" ]
}

# wait_queue_empty [SECONDS] - until Postfix holds no message at all
# (nothing deferred that could still arrive late or twice)
wait_queue_empty() {
	wait_for "Postfix's queue to drain" "${1:-20}" queue_empty
}
queue_empty() {
	timeout 10 postqueue -c "$PFCONF" -p 2>/dev/null | grep -q '^Mail queue is empty'
}

# message_headers FILE - the header block of a delivered message as
# Postfix sent it, folded lines as they are: smtp-sink's X-* lines and
# its three-line Received field on top are dropped
message_headers() {
	sed -e 's/\r$//' "$1" | awk -v sink=1 '
	    /^$/ { exit }
	    sink && /^X-(Client-Addr|Client-Proto|Helo-Args|Mail-Args|Rcpt-Args): / { next }
	    sink && /^Received: / && !rcvd { rcvd = 1; next }
	    sink && rcvd && /^[ \t]/ { next }
	    { sink = 0; print }'
}

# header_fields FILE - the same fields unfolded, one per line
header_fields() {
	message_headers "$1" | awk '
	    /^[ \t]/ { line = line $0; next }
	    { if (NR > 1) print line; line = $0 }
	    END { if (NR > 0) print line }'
}

# ar_list FILE - the message's Authentication-Results fields, one line
# each: "POSITION AUTHSERV-ID FIELD", POSITION counting all header fields
# from 1 (the topmost), AUTHSERV-ID lower-cased and unquoted after any
# leading CFWS (RFC 8601 2.2), FIELD unfolded
ar_list() {
	header_fields "$1" | python3 -c '
import re, sys
def authserv_id(v):
    i, n = 0, len(v)
    while i < n:                        # CFWS: blanks and (nested) comments
        if v[i] in " \t":
            i += 1
        elif v[i] == "(":
            depth = 0
            while i < n:
                if v[i] == "\\": i += 1
                elif v[i] == "(": depth += 1
                elif v[i] == ")":
                    depth -= 1
                    if depth == 0: break
                i += 1
            i += 1
        else:
            break
    if i < n and v[i] == "\"":
        m = re.match(r"\"((?:[^\"\\]|\\.)*)\"", v[i:])
        return re.sub(r"\\(.)", r"\1", m.group(1)) if m else ""
    m = re.match(r"[^\s;()]*", v[i:])
    return m.group(0)
for pos, line in enumerate(sys.stdin, 1):
    line = line.rstrip("\n")
    name, _, value = line.partition(":")
    if name.strip().lower() == "authentication-results":
        print(pos, authserv_id(value).lower() or "-", line)
'
}

# find_delivered TEXT - the delivered file containing TEXT
find_delivered() { grep -l -F -- "$1" "$SB"/sink/* 2>/dev/null | head -n 1; }

# --- Postfix ---------------------------------------------------------------

# postfix_start [MILTER] - instance on 127.0.0.1:2525 with smtpd_milters =
# MILTER (default the inet socket; "none" for no milter)
postfix_start() {
	_milter=${1:-inet:127.0.0.1:$MILTER_PORT}
	[ "$_milter" = none ] && _milter=
	mkdir -p "$PFCONF" "$SB/queue" "$SB/data"
	chown postfix "$SB/data"
	if [ -f /usr/share/postfix/master.cf.dist ]; then
		cp /usr/share/postfix/master.cf.dist "$PFCONF/master.cf"
	else
		cp /etc/postfix/master.cf "$PFCONF/master.cf"
	fi
	cat >"$PFCONF/main.cf" <<CONF
# generated by test/e2e/lib.sh
compatibility_level = 3.6
queue_directory = $SB/queue
data_directory = $SB/data
maillog_file = $SB/maillog
maillog_file_prefixes = $SB
myhostname = mx.example
mydomain = example
myorigin = \$myhostname
append_dot_mydomain = no

# Loopback only, IPv4, port 2525 (master.cf).
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
smtp_bind_address = 127.0.0.1
# The real client is always 127.0.0.1; tests present another through
# XCLIENT, whose NAME they set.  Never look a name up.
smtpd_peername_lookup = no
smtpd_authorized_xclient_hosts = 127.0.0.0/8
mynetworks = 127.0.0.0/8

# Nothing is delivered here: no local domains, no aliases, no local
# transport; everything goes to the sink by IP address (no DNS).
mydestination =
alias_maps =
alias_database =
local_recipient_maps =
local_transport = error:5.1.1 no local delivery in the sandbox
relay_domains = dest.example
relayhost = [127.0.0.1]:$SINK_PORT
smtp_host_lookup = native
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination

# mxauth, configured as contrib/postfix-main.cf.snippet says.
smtpd_milters = $_milter
non_smtpd_milters =
milter_default_action = tempfail
milter_protocol = 6
milter_mail_macros = i {auth_type} {auth_authen} {auth_author} {mail_addr} {mail_host} {mail_mailer}
milter_end_of_data_macros = i
milter_connect_timeout = 5s
milter_command_timeout = 10s
milter_content_timeout = 20s

# Quick retries, no TLS, no surprises.
smtp_tls_security_level = none
smtpd_tls_security_level = none
smtputf8_enable = no
biff = no
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
smtp_connect_timeout = 5s
CONF
	# smtpd on 127.0.0.1:2525 only; nothing chrooted (the paths are ours).
	postconf -c "$PFCONF" -M# smtp/inet
	if [ -n "${PF_INNER:-}" ]; then
		# Two hops in one instance: what 2525 accepts is queued and
		# sent on (content_filter) to 2527, whose own milter is
		# PF_INNER ("none": no milter), and from there to the sink.
		postconf -c "$PFCONF" -M "127.0.0.1:$PF_PORT/inet = 127.0.0.1:$PF_PORT inet n - n - - smtpd -o content_filter=smtp:[127.0.0.1]:$PF_INNER_PORT"
		_inner=$PF_INNER
		[ "$_inner" = none ] && _inner=
		postconf -c "$PFCONF" -M "127.0.0.1:$PF_INNER_PORT/inet = 127.0.0.1:$PF_INNER_PORT inet n - n - - smtpd -o content_filter= -o myhostname=inner.example -o smtpd_milters=$_inner"
	else
		postconf -c "$PFCONF" -M "127.0.0.1:$PF_PORT/inet = 127.0.0.1:$PF_PORT inet n - n - - smtpd"
	fi
	postconf -c "$PFCONF" -F '*/*/chroot = n'
	postconf -c "$PFCONF" -M postlog/unix-dgram >/dev/null 2>&1 ||
	    postconf -c "$PFCONF" -M "postlog/unix-dgram = postlog unix-dgram n - n - 1 postlogd"
	timeout 60 postfix -c "$PFCONF" start >>"$SB/postfix.out" 2>&1 9>&- ||
	    { cat "$SB/postfix.out"; return 1; }
	wait_for "Postfix on $PF_PORT" 15 port_open $PF_PORT || return 1
	only_loopback_listeners
}

# only_loopback_listeners - every socket the sandbox's daemons listen on
# is a loopback one, and Postfix's is 127.0.0.1:2525 alone
only_loopback_listeners() {
	command -v ss >/dev/null 2>&1 || return 0
	_m=$(postfix_master_pid)
	ss -Hltunp 2>/dev/null >"$SB/listeners"
	_bad=$(grep -v '127\.0\.0\.[0-9]*:' "$SB/listeners" |
	    grep -E "pid=(${_m:-x}|$(mxauth_pid || echo x)|$(cat "$SB/sink.pid" 2>/dev/null || echo x)|$(cat "$SB/unbound/pid" 2>/dev/null || echo x)),")
	[ -z "$_bad" ] || { echo "non-loopback listeners: $_bad"; return 1; }
	_pf=$(grep "pid=${_m:-x}," "$SB/listeners" | awk '{print $1, $5}' | sort -u)
	_want="tcp 127.0.0.1:$PF_PORT"
	[ -n "${PF_INNER:-}" ] && _want=$(printf 'tcp 127.0.0.1:%s\ntcp 127.0.0.1:%s' \
	    $PF_PORT $PF_INNER_PORT | sort -u)
	[ "$_pf" = "$_want" ] ||
	    { echo "Postfix listens on: $_pf"; return 1; }
}

postfix_master_pid() { cat "$SB/queue/pid/master.pid" 2>/dev/null | tr -d ' '; }

postfix_stop() {
	[ -f "$PFCONF/main.cf" ] || return 0
	_m=$(postfix_master_pid)
	[ -n "$_m" ] || return 0
	timeout 30 postfix -c "$PFCONF" stop >>"$SB/postfix.out" 2>&1
	# The master exits once its children have; never wait forever.
	wait_for "Postfix to stop" 15 pid_gone "$_m" || {
		timeout 30 postfix -c "$PFCONF" abort >>"$SB/postfix.out" 2>&1
		wait_for "Postfix to abort" 5 pid_gone "$_m" ||
		    { is_ours "$_m" && kill -KILL "$_m" 2>/dev/null; }
	}
	wait_for "Postfix to close port $PF_PORT" 10 port_closed $PF_PORT
}

# postfix_log - Postfix's log
postfix_log() { cat "$SB/maillog" 2>/dev/null; }
# queue_id_of TEXT - the Postfix queue id of the message whose Message-ID
# contains TEXT, from cleanup's log line (waits a little for postlogd)
queue_id_of() {
	wait_for "cleanup's log line for $1" 5 quiet cleanup_logged "$1" ||
	    return 0
	cleanup_logged "$1"
}
cleanup_logged() {
	_q=$(grep -F -- "$1" "$SB/maillog" 2>/dev/null |
	    sed -n 's/.*postfix\/cleanup\[[0-9]*\]: \([0-9A-F]*\): message-id=.*/\1/p' |
	    head -n 1)
	[ -n "$_q" ] && echo "$_q"
}
# swaks_queue_id NAME - the queue id in Postfix's "250 ... queued as ID"
# reply in swaks' transcript for send_mail NAME
swaks_queue_id() {
	sed -n 's/^<- *250 .*queued as \([0-9A-F]*\).*/\1/p' "$SB/swaks.$1" |
	    tail -n 1
}
# flush_queue - ask Postfix to retry deferred mail now
flush_queue() { timeout 10 postqueue -c "$PFCONF" -f >/dev/null 2>&1; }

# --- mxauth ----------------------------------------------------------------

# mxauth_config [EXTRA-LINES] - write $SB/mxauth.conf; MXAUTH_SOCKET and
# MXAUTH_USER override the socket and the run user, MXAUTH_EXTRA adds
# lines to every config a test writes
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
${MXAUTH_EXTRA:-}
${1:-}
CONF
}

# second_start NAME AUTHSERV-ID [EXTRA-LINES] - a second mxauth on the
# inner milter port ($INNER_MILTER_PORT: the inner hop of a two-hop
# sandbox, or a second MX host), configured in $SB/NAME.conf, logging to
# $SB/NAME.log; fails when it does not start.  second_stop NAME ends it.
second_start() {
	cat >"$SB/$1.conf" <<CONF
socket = inet:$INNER_MILTER_PORT@127.0.0.1
user = nobody
pid_file = $SB/$1.pid
log_target = file:$SB/$1.log
authserv_id = $2
dns_servers = 127.0.0.1:$DNS_PORT
dns_timeout = 1
dns_retries = 0
${3:-}
CONF
	touch "$SB/$1.log"
	chmod 666 "$SB/$1.log"
	"$MXAUTH" -f -c "$SB/$1.conf" >>"$SB/$1.stderr" 2>&1 9>&- &
	echo $! >"$SB/$1.bgpid"
	wait_for "the $1 mxauth" 10 grep -q ": starting mxauth" "$SB/$1.log"
}
second_stop() {
	_p=$(cat "$SB/$1.bgpid" 2>/dev/null) || return 0
	kill "$_p" 2>/dev/null && wait_pid "$_p" 20 2>/dev/null
	rm -f "$SB/$1.bgpid"
}

# header NAME FIELD - the FIELD lines of the delivered message send_mail
# NAME sent, each unfolded onto one line
header() {
	_f=$(find_delivered "$1@test.example")
	message_headers "${_f:-/dev/null}" | awk -v f="$2" '
	    /^[ \t]/ { if (keep) printf " %s", $0; next }
	    { if (keep) print ""; keep = index($0, f ":") == 1; if (keep) printf "%s", $0 }
	    END { if (keep) print "" }'
}

# reconfigure EXTRA - rewrite mxauth.conf with EXTRA lines, SIGHUP, and
# wait for the daemon to log the reload
reconfigure() {
	_n=$(grep -c "configuration reloaded" "$SB/mxauth.log")
	mxauth_config "$1"
	kill -HUP "$(mxauth_pid)"
	wait_for "reload" 10 sh -c "[ \$(grep -c 'configuration reloaded' '$SB/mxauth.log') -gt $_n ]"
}

# mxauth_start - run the daemon in the foreground, in the background, and
# wait until it logs that it is listening (its socket is bound then)
mxauth_start() {
	[ -f "$SB/mxauth.conf" ] || mxauth_config
	touch "$SB/mxauth.log"
	_n=$(grep -c ": starting mxauth" "$SB/mxauth.log")
	"$MXAUTH" -f -c "$SB/mxauth.conf" >>"$SB/mxauth.stderr" 2>&1 9>&- &
	_p=$!
	echo $_p >"$SB/mxauth.bgpid"
	wait_for "mxauth to start" 10 mxauth_started "$_n" "$_p" &&
	    kill -0 "$_p" 2>/dev/null && return 0
	echo "mxauth did not start; stderr and log:"
	tail -n 5 "$SB/mxauth.stderr" "$SB/mxauth.log"
	return 1
}
# mxauth_started N PID - a start line more than N, or PID gone (give up)
mxauth_started() {
	[ "$(grep -c ": starting mxauth" "$SB/mxauth.log")" -gt "$1" ] ||
	    ! kill -0 "$2" 2>/dev/null
}

mxauth_pid() { cat "$SB/mxauth.bgpid" 2>/dev/null; }
mxauth_running() { kill -0 "$(mxauth_pid)" 2>/dev/null; }

# mxauth_stop [SECONDS] - SIGTERM, then wait (default 75 s: the daemon
# drains for up to 60 s) for it to exit; returns its status, 124 if it
# did not exit in time (it is SIGKILLed then)
mxauth_stop() {
	_p=$(mxauth_pid)
	[ -n "$_p" ] || return 0
	kill -TERM "$_p" 2>/dev/null
	wait_pid "$_p" "${1:-75}"
	_rc=$?
	if [ $_rc -eq 124 ]; then
		echo "mxauth ignored SIGTERM for ${1:-75} s; killing it" >&2
		kill -KILL "$_p" 2>/dev/null
		wait_pid "$_p" 5 >/dev/null 2>&1
	fi
	rm -f "$SB/mxauth.bgpid"
	return $_rc
}

# mxauth_kill - SIGKILL, the way a crash looks to Postfix
mxauth_kill() {
	_p=$(mxauth_pid)
	[ -n "$_p" ] || return 0
	is_ours "$_p" && kill -KILL "$_p" 2>/dev/null
	# (2>&1: no "Killed" notice from bash when it reaps the job)
	wait_pid "$_p" 10 >/dev/null 2>&1
	rm -f "$SB/mxauth.bgpid"
	return 0
}

mxauth_log() { cat "$SB/mxauth.log" 2>/dev/null; }
# verdicts_for QUEUEID - mxauth's verdict lines for that queue id
verdicts_for() { grep -E "mxauth\[[0-9]+\]: $1: ingress=" "$SB/mxauth.log"; }

# --- swaks -----------------------------------------------------------------

# send_mail NAME [SWAKS-ARGS...] - one message through Postfix via
# XCLIENT from 192.0.2.10 (name and HELO mail.legit.example), MAIL FROM
# sender@legit.example, to user@dest.example, Message-Id
# <NAME@test.example>, unless the args say otherwise (a later option
# wins); transcript in $SB/swaks.NAME; returns swaks' status.  A message
# given with --data keeps its own Message-ID (SEND_RAW=1).
send_mail() {
	_name=$1; shift
	[ "${SEND_RAW:-}" = 1 ] ||
	    set -- --header "Message-Id: <$_name@test.example>" "$@"
	timeout 120 swaks --server 127.0.0.1 --port $PF_PORT --timeout 30 \
	    --helo mail.legit.example \
	    --xclient-addr 192.0.2.10 --xclient-name mail.legit.example \
	    --from sender@legit.example --to user@dest.example \
	    "$@" >"$SB/swaks.$_name" 2>&1 9>&-
}

# FORGED_AR - swaks arguments adding sixteen Authentication-Results fields
# among a message's own headers (forged_ar.sh, sendmail.sh): fourteen
# claim mx.example, marked "(forged N)", in the spellings RFC 8601 allows
# and in ones that do not parse; two are someone else's, "(kept N)".
NL='
'
FORGED_AR=(
	--add-header "Authentication-Results: mx.example; spf=pass (forged 1) smtp.mailfrom=bank.example"
	--add-header "Authentication-Results: other.example; spf=fail (kept 1) smtp.mailfrom=bank.example"
	--add-header "Comments: between the A-R fields"
	--add-header "Authentication-Results: (forged 2)${NL} MX.Example; dkim=pass header.d=bank.example"
	--add-header "Authentication-Results: \"mx.example\"; dmarc=pass (forged 3) header.from=bank.example"
	--add-header "Authentication-Results: mx.example 1; spf=pass (forged 4) smtp.mailfrom=bank.example"
	--add-header "Authentication-Results: mx.example spf=pass (forged 5) smtp.mailfrom=bank.example"
	--add-header "Authentication-Results: mx.example, dkim=pass (forged 6) header.d=bank.example"
	--add-header "Authentication-Results: mx.example: dmarc=pass (forged 7) header.from=bank.example"
	--add-header "Authentication-Results: mx.example/1; spf=pass (forged 8) smtp.mailfrom=bank.example"
	--add-header "Authentication-Results: mx.example.; spf=pass (forged 9) smtp.mailfrom=bank.example"
	--add-header "Authentication-Results: (forged 10 mx.example; dmarc=pass header.from=bank.example"
	--add-header "Authentication-Results: =?utf-8?q?mx=2Eexample?=; dmarc=pass (forged 11) header.from=bank.example"
	--add-header "Authentication-Results: MX.EXAMPLE dkim=pass (forged 12) header.d=bank.example"
	--add-header "Authentication-Results: \"mx.example; spf=pass (forged 13) smtp.mailfrom=bank.example"
	--add-header "Authentication-Results: (x\\) mx.example) other.example; dmarc=pass (forged 14) header.from=bank.example"
	--add-header "Authentication-Results: mx.examplex; dkim=pass (kept 2) header.d=bank.example"
)

# --- whole sandbox ---------------------------------------------------------

# sandbox_reap - kill what a run killed hard may have left behind: the
# Postfix, unbound, smtp-sink and mxauth processes whose command line or
# working directory is in $SB; prints what it killed
sandbox_reap() {
	python3 - "$SB" <<'PY'
import os, signal, sys, time
sb = sys.argv[1]
names = {"master", "smtpd", "qmgr", "pickup", "cleanup", "trivial-rewrite",
         "smtp", "postlogd", "anvil", "bounce", "showq", "scache", "tlsmgr",
         "proxymap", "verify", "flush", "error", "unbound", "smtp-sink",
         "mxauth", "sendmail", "prometheus"}
def ours(pid):
    try:
        exe = os.path.basename(os.readlink("/proc/%s/exe" % pid))
        exe = exe.removesuffix(" (deleted)")    # unpacked in $SB, gone
        cmd = open("/proc/%s/cmdline" % pid, "rb").read().replace(b"\0", b" ")
        cwd = os.readlink("/proc/%s/cwd" % pid)
    except OSError:
        return False
    return exe in names and (sb.encode() + b"/" in cmd or
                             (cwd + "/").startswith(sb + "/"))
pids = [int(p) for p in os.listdir("/proc") if p.isdigit() and ours(p)]
for p in pids:
    try:
        os.kill(p, signal.SIGKILL)
        print("reaped leftover process %d" % p)
    except OSError:
        pass
for _ in range(50):
    if not any(os.path.exists("/proc/%d" % p) and ours(p) for p in pids):
        break
    time.sleep(0.1)
PY
}

sandbox_stop() {
	postfix_stop
	mxauth_kill
	sink_stop
	unbound_stop
	sandbox_reap >&2
	if [ -z "${MXAUTH_KEEP_SANDBOX:-}" ]; then
		rm -rf "$SB"
	else
		echo "sandbox kept in $SB" >&2
	fi
}

# sandbox_exit - the EXIT trap: on failure show the logs' tails, then
# stop everything
sandbox_exit() {
	_rc=$?
	trap - EXIT
	trap '' INT TERM HUP
	if [ $_rc -ne 0 ] && [ $_rc -ne 77 ]; then
		for _f in mxauth.log mxauth.stderr maillog unbound/unbound.log; do
			[ -s "$SB/$_f" ] || continue
			echo "--- last lines of $SB/$_f"
			tail -n 25 "$SB/$_f"
		done
	fi
	sandbox_stop
	exit $_rc
}

# sandbox_start [MILTER] - everything up, trap installed; MILTER as for
# postfix_start
sandbox_start() {
	need_tools
	[ -x "$MXAUTH" ] || die "$MXAUTH is not built"
	exec 9>"$LOCK"
	if ! flock -n 9; then
		echo "waiting for $LOCK: another test is using the sandbox" >&2
		flock -w 600 9 || die "sandbox lock $LOCK still held after 600 s"
	fi
	trap sandbox_exit EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
	# A previous run killed hard may have left things behind (its
	# daemons even when $SB is gone: they would hold our ports).
	if [ -d "$SB" ]; then sandbox_stop; else sandbox_reap >&2; fi
	for _port in $PF_PORT $SINK_PORT $DNS_PORT $MILTER_PORT \
	    $PF_INNER_PORT $INNER_MILTER_PORT; do
		port_closed $_port || die "127.0.0.1:$_port is in use:" \
		    "$(ss -Hltnp "sport = :$_port" 2>/dev/null)"
	done
	mkdir -p "$SB"
	unbound_start || die "unbound did not start"
	sink_start || die "smtp-sink did not start"
	mxauth_config
	mxauth_start || die "mxauth did not start"
	postfix_start "${1:-}" || die "Postfix did not start"
}
