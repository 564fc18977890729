#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# authserv_id.sh - the default authserv_id is this host's fully qualified
# name (RFC 8601 2.5), and `mxauth -n` warns when the effective
# authserv_id has no dot.  Each case runs mxauth -n in private UTS and
# mount namespaces (unshare -u -m) with a host name and an /etc/hosts of
# its own ("hosts: files" in a private /etc/nsswitch.conf, so no name is
# ever looked up in DNS); the host's own name and files are untouched.
# No sandbox daemons: no lock needed.
: "${top_srcdir:?}" "${top_builddir:?}"
MXAUTH="$top_builddir/mxauth"
fails=0
ok() { echo "PASS: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root (unshare)"; exit 77; }
command -v unshare >/dev/null 2>&1 || { echo "SKIP: no unshare"; exit 77; }
[ -x "$MXAUTH" ] || { echo "FAIL: $MXAUTH is not built"; exit 1; }

tmp=$(mktemp -d /tmp/mxauth-authserv.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
printf 'hosts: files\n' >"$tmp/nsswitch.conf"
printf 'socket = inet:8891@127.0.0.1\n' >"$tmp/noid.conf"

# as_host NAME HOSTS-LINE CONF - mxauth -n -a -c CONF on a host called
# NAME whose /etc/hosts is localhost plus HOSTS-LINE; stdout in
# $tmp/out, stderr in $tmp/err; mxauth's status
as_host() {
	printf '127.0.0.1 localhost\n%s\n' "$2" >"$tmp/hosts"
	unshare -u -m /bin/sh -c '
	    hostname "$1" && mount --bind "$2/hosts" /etc/hosts &&
	    mount --bind "$2/nsswitch.conf" /etc/nsswitch.conf || exit 99
	    exec "$3" -n -a -c "$4"' sh "$1" "$tmp" "$MXAUTH" "$3" \
	    >"$tmp/out" 2>"$tmp/err"
}
authserv_id() { sed -n 's/^authserv_id = //p' "$tmp/out"; }
warned() { grep -q "warning: authserv_id \"$1\" has no dot" "$tmp/err"; }

as_host mxhost "127.0.1.1 mxhost.test.example mxhost" "$tmp/noid.conf"
rc=$?
[ $rc -ne 99 ] || { echo "FAIL: cannot set up the namespaces"; exit 1; }
[ $rc -eq 0 ] && [ "$(authserv_id)" = mxhost.test.example ] &&
    ok "host mxhost, /etc/hosts names mxhost.test.example: authserv_id is the FQDN" ||
    bad "FQDN default: status $rc, authserv_id \"$(authserv_id)\", $(cat "$tmp/err")"
[ ! -s "$tmp/err" ] && ok "no warning for a dotted authserv_id" ||
    bad "unexpected stderr: $(cat "$tmp/err")"

as_host mxhost "127.0.1.1 other.test.example" "$tmp/noid.conf"
rc=$?
[ $rc -eq 0 ] && [ "$(authserv_id)" = mxhost ] &&
    ok "a host name with no canonical name falls back to the short name" ||
    bad "short-name fallback: status $rc, authserv_id \"$(authserv_id)\""
warned mxhost && ok "mxauth -n warns that authserv_id mxhost has no dot" ||
    bad "no warning for authserv_id mxhost: $(cat "$tmp/err")"

as_host mx2.test.example "" "$tmp/noid.conf"
[ "$(authserv_id)" = mx2.test.example ] && [ ! -s "$tmp/err" ] &&
    ok "a dotted host name is the authserv_id as it is, no warning" ||
    bad "dotted host name: authserv_id \"$(authserv_id)\", $(cat "$tmp/err")"

printf 'authserv_id = mx.example\n' >"$tmp/id.conf"
as_host mxhost "" "$tmp/id.conf"
[ "$(authserv_id)" = mx.example ] && [ ! -s "$tmp/err" ] &&
    ok "a configured dotted authserv_id wins over a short host name, no warning" ||
    bad "configured id: authserv_id \"$(authserv_id)\", $(cat "$tmp/err")"

printf 'authserv_id = gateway\n' >"$tmp/short.conf"
as_host mxhost.test.example "" "$tmp/short.conf"
rc=$?
[ $rc -eq 0 ] && warned gateway &&
    ok "a configured authserv_id with no dot is warned about (status 0)" ||
    bad "configured short id: status $rc, $(cat "$tmp/err")"

[ "$fails" -eq 0 ] || { echo "$fails assertion(s) failed"; exit 1; }
exit 0
