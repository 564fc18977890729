#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# files.sh - what mxauth writes as root never follows a link.
#
# The log file, the pid file and the unix socket are created by root in
# directories the service user may be able to write to.  A symbolic or
# hard link put there in advance to a victim file makes mxauth refuse to
# start with a clear error, and the victim is left untouched.  A stale
# pid file of ours is reused; one owned by another user is refused.
# No sandbox: mxauth alone, on a unix socket in a temporary directory.
. "$top_srcdir/test/e2e/lib.sh"
[ "$(id -u)" -eq 0 ] || skip "needs root (mxauth opens its files as root)"
[ -x "$MXAUTH" ] || die "$MXAUTH is not built"

D=$(mktemp -d /tmp/mxauth-files.XXXXXX)
chmod 755 "$D"
trap '[ -n "${mpid:-}" ] && kill -KILL $mpid 2>/dev/null; rm -rf "$D"' EXIT
echo "precious" >"$D/victim"
chmod 600 "$D/victim"
victim_sum=$(stat -c '%s %Y %a %U' "$D/victim"; cat "$D/victim")

# conf [LOG] [PID] [SOCKET] - write $D/mxauth.conf
conf() {
	cat >"$D/mxauth.conf" <<CONF
socket = unix:${3:-$D/sock}
user =
pid_file = ${2:-$D/pid}
log_target = file:${1:-$D/log}
dns_servers = 127.0.0.1:9
CONF
}
# refused DESC ERROR - mxauth refuses to start (non-zero within 10 s) and
# ERROR is in its stderr or its log; the victim is untouched
refused() {
	rm -f "$D/stderr"
	timeout 10 "$MXAUTH" -f -c "$D/mxauth.conf" >"$D/stderr" 2>&1
	_rc=$?
	expect "$1: mxauth refuses to start (status $_rc)" \
	    [ $_rc -ne 0 -a $_rc -ne 124 ]
	expect "$1: the error says why: '$2'" \
	    sh -c "for f in '$D/stderr' '$D/log'; do [ -f \$f ] && cat \$f; done | grep -q -F '$2'"
	expect "$1: the victim is untouched" \
	    [ "$(stat -c '%s %Y %a %U' "$D/victim"; cat "$D/victim")" = "$victim_sum" ]
}

# --- the log file ------------------------------------------------------------
ln -s "$D/victim" "$D/log"
conf
refused "log file is a symbolic link" \
    "cannot open log file $D/log: it is a symbolic link"
rm -f "$D/log"
ln "$D/victim" "$D/log"
refused "log file is a hard link" \
    "cannot open log file $D/log: it has other hard links"
rm -f "$D/log"
mkfifo "$D/log"
refused "log file is a FIFO" "cannot open log file $D/log"
rm -f "$D/log"

# --- the pid file ------------------------------------------------------------
ln -s "$D/victim" "$D/pid"
refused "pid file is a symbolic link" \
    "cannot write pid file $D/pid: it is a symbolic link"
rm -f "$D/pid"
ln "$D/victim" "$D/pid"
refused "pid file is a hard link" \
    "cannot write pid file $D/pid: it has other hard links"
rm -f "$D/pid"
echo 1 >"$D/pid"
chown nobody "$D/pid"
refused "pid file owned by another user" \
    "cannot write pid file $D/pid: owned by another user"
rm -f "$D/pid"

# --- the socket --------------------------------------------------------------
rm -f "$D/sock"
ln -s "$D/victim" "$D/sock"
refused "socket path is a symbolic link to a file" "cannot listen on"
rm -f "$D/sock"

# --- a stale pid file of ours is reused --------------------------------------
echo 99999999 >"$D/pid"
"$MXAUTH" -f -c "$D/mxauth.conf" >"$D/stderr" 2>&1 &
mpid=$!
wait_for "mxauth to start" 10 grep -q ': starting mxauth' "$D/log"
expect "a stale pid file of ours is rewritten with the new pid" \
    [ "$(cat "$D/pid")" = "$mpid" ]
expect "the socket is created mode 0660" \
    [ "$(stat -c %a "$D/sock" 2>/dev/null)" = 660 ]
kill -TERM $mpid
wait_pid $mpid 10
rc=$?
mpid=
expect "SIGTERM stops it, status 0 (got $rc)" [ $rc -eq 0 ]

finish
