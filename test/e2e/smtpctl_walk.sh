#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# smtpctl_walk.sh - mxauth-check --spf-walk against the reference admins
# use today, OpenSMTPD's `smtpctl spf walk`, both asking the same unbound
# (the sandbox's configuration, lib.sh) for test/data/zones/smtpctl.zone.
#
# OpenSMTPD is not installed (it conflicts with Postfix): `apt-get
# download opensmtpd` is unpacked with dpkg-deb -x into $SMTPD_CACHE,
# kept between runs.  smtpctl insists on being setgid opensmtpq and on
# the users opensmtpd and opensmtpq, and Debian's resolves through
# glibc, which reads /etc/resolv.conf and asks port 53 only; so it all
# runs in private mount and network namespaces (unshare -m -n): /etc/
# group, /etc/passwd and /etc/resolv.conf bind-mounted over with copies
# made here, unbound on 127.0.0.1:53 of the namespace's own loopback,
# nothing of the host's touched.
#
# For records both can flatten (common.cmp.example: ip4, include,
# redirect, a, mx, a:name, an AAAA) the network sets are equal once
# aggregated.  Where they differ, mxauth follows RFC 7208 and smtpctl
# 6.8.0p2 does not:
#   v6       ip6: ranges: smtpctl prints none (it checks them with
#            inet_net_pton(AF_INET6), which glibc does not implement)
#   cidr     mx/28: smtpctl skips an mx with a CIDR length (5.4 allows
#            it); a:host/24 it prints as "198.51.100.3/24", host bits set
#   neutral  ?ip4 and ?include: smtpctl lists them; a neutral match is
#            no permission (4.6.2, 8.2), mxauth lists nothing
#   exists   smtpctl prints the A address of the exists: name; that
#            address says nothing about who may send (5.7)
. "$top_srcdir/test/e2e/lib.sh"
SMTPD_CACHE=${MXAUTH_SMTPD_CACHE:-/var/tmp/mxauth-test-opensmtpd}
zone="$top_srcdir/test/data/zones/smtpctl.zone"
check="$top_builddir/mxauth-check"

if [ -z "${WALK_IN_NS:-}" ]; then
	need_tools
	for t in apt-get dpkg-deb unshare ip; do
		command -v "$t" >/dev/null 2>&1 || skip "$t not installed (Debian only)"
	done
	# Debian's smtpctl in $SMTPD_CACHE, once
	deb_unpacked "$SMTPD_CACHE" opensmtpd usr/sbin/smtpctl ||
	    die "cannot get Debian's opensmtpd package"
	# setgid opensmtpq (gid 64999 in the namespace's /etc/group)
	chgrp 64999 "$SMTPD_CACHE/usr/sbin/smtpctl" &&
	    chmod 2755 "$SMTPD_CACHE/usr/sbin/smtpctl" ||
	    die "cannot make smtpctl setgid"
	WALK_IN_NS=1 exec unshare -m -n bash "$0"
fi

# --- inside the namespaces ---
SB=$(mktemp -d /tmp/mxauth-smtpctl.XXXXXX)
DNS_PORT=53
EXTRA_ZONES=$zone
trap 'unbound_stop; rm -rf "$SB"' EXIT
ip link set lo up || die "no loopback in the namespace"
cp /etc/group "$SB/group" && echo "opensmtpq:x:64999:" >>"$SB/group"
cp /etc/passwd "$SB/passwd" &&
    echo "opensmtpd:x:64998:64999::/nonexistent:/usr/sbin/nologin" >>"$SB/passwd"
echo "nameserver 127.0.0.1" >"$SB/resolv.conf"
for f in group passwd resolv.conf; do
	mount --bind "$SB/$f" "/etc/$f" || die "cannot bind-mount /etc/$f"
done
unbound_start || die "unbound did not start"
printf 'log_target = stderr\ndns_servers = 127.0.0.1:53\n' >"$SB/mxauth.conf"

# walk_both NAME - smtpctl's and mxauth's lists for NAME.cmp.example
walk_both() {
	echo "$1.cmp.example" | timeout 30 "$SMTPD_CACHE/usr/sbin/smtpctl" spf walk \
	    >"$SB/$1.smtpctl" 2>"$SB/$1.smtpctl.err"
	"$check" -c "$SB/mxauth.conf" --spf-walk "$1.cmp.example" >"$SB/$1.mxauth"
}
# same_set A B - the two files' networks are one set once aggregated
same_set() {
	python3 - "$1" "$2" <<'PY'
import ipaddress, sys
def nets(path):
    got = [ipaddress.ip_network(l.strip(), strict=False)
           for l in open(path) if l.strip()]
    return sorted(ipaddress.collapse_addresses([n for n in got if n.version == 4])) + \
        sorted(ipaddress.collapse_addresses([n for n in got if n.version == 6]))
a, b = nets(sys.argv[1]), nets(sys.argv[2])
if a != b:
    print(sys.argv[1], [str(n) for n in a]); print(sys.argv[2], [str(n) for n in b])
sys.exit(a != b)
PY
}
# has FILE LINES - FILE holds exactly these lines (order aside)
has() { [ "$(sort "$1")" = "$(printf '%s\n' "${@:2}" | sort)" ]; }

for d in common v6 cidr neutral exists; do walk_both "$d"; done
expect "smtpctl walked common (it printed something)" [ -s "$SB/common.smtpctl" ]
expect "common: the same networks as smtpctl" \
    same_set "$SB/common.smtpctl" "$SB/common.mxauth"
expect "common: mxauth aggregated them" has "$SB/common.mxauth" \
    192.0.2.0/24 198.51.100.1 198.51.100.2/31 198.51.100.7 203.0.113.0/24 2001:db8::3
expect "v6: smtpctl drops ip6 ranges" [ ! -s "$SB/v6.smtpctl" ]
expect "v6: mxauth lists it" has "$SB/v6.mxauth" 2001:db8:1::/48
expect "cidr: smtpctl skips mx/28" has "$SB/cidr.smtpctl" 198.51.100.3/24 2001:db8::3
expect "cidr: mxauth applies both lengths" has "$SB/cidr.mxauth" \
    198.51.100.0/24 203.0.113.192/28 2001:db8::3
expect "neutral: smtpctl lists ? terms" has "$SB/neutral.smtpctl" \
    192.0.2.1 192.0.2.128/25 198.51.100.7 203.0.113.0/24
expect "neutral: mxauth lists no neutral network" [ ! -s "$SB/neutral.mxauth" ]
expect "exists: smtpctl prints the name's address" has "$SB/exists.smtpctl" 198.51.100.3
expect "exists: mxauth leaves it out" [ ! -s "$SB/exists.mxauth" ]
finish
