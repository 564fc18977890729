#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# run.sh - the Debian package, as an administrator meets it:
#   1. dpkg-buildpackage -us -uc -b on a copy of the tree gives
#      mxauth_VERSION_ARCH.deb, and lintian reports no error or warning;
#   2. apt-get install ./mxauth_*.deb: the programs, manual pages, unit,
#      /etc/mxauth.conf (a conffile, root:mxauth 0640, readable by the
#      service user), the mxauth system user and group (no login shell,
#      no home); `mxauth -n` accepts the installed configuration;
#      /var/lib/mxauth (mxauth, 0750), where mxauth-report --init-db,
#      run as mxauth, creates the default SQLite store; the
#      mxauth-report timer and service installed, not enabled, and
#      accepted by systemd-analyze verify (when it is there);
#   3. the installed /usr/sbin/mxauth, running as the package's user,
#      judges one message through the e2e sandbox's Postfix (lib.sh) on
#      the default TCP socket, then one more on a unix socket in
#      Postfix's queue directory named relatively (unix:mxauth/...), as
#      mxauth(8) tells a chrooted Debian Postfix to do;
#   4. apt-get remove keeps the configuration and the user; apt-get
#      purge leaves nothing: no file of dpkg -L, no /etc/mxauth.conf, no
#      /var/lib/mxauth, no user, group, statoverride or unit link.
# It installs into the system (root; no systemd needed: postinst starts
# nothing without it), so it is `make check-package`, not `make check`.
# A package that was installed before the test is refused, never purged.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
fails=0
ok() { echo "PASS: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
expect() { local _d=$1; shift; if "$@"; then ok "$_d"; else bad "$_d"; fi; }
die() { echo "FAIL: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "the package test installs a package: run it as root"
for t in dpkg-buildpackage apt-get lintian getent dpkg-statoverride; do
	command -v "$t" >/dev/null 2>&1 ||
	    die "$t not installed (sh contrib/setup-debian.sh test)"
done
installed() { dpkg-query -W -f='${db:Status-Abbrev}' mxauth 2>/dev/null | grep -q '^.[ic]'; }
installed && die "a mxauth package is already installed: this test would purge it"
getent passwd mxauth >/dev/null && die "a user mxauth exists already: this test would delete it"

tmp=$(mktemp -d /tmp/mxauth-package.XXXXXX)
mine=0
cleanup() {
	# Whatever happened, leave no package of ours behind.
	[ "$mine" -eq 1 ] && installed &&
	    apt-get purge -y -q mxauth >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT

# --- 1. build and lint -------------------------------------------------

mkdir "$tmp/src"
if git -C "$top_srcdir" rev-parse --git-dir >/dev/null 2>&1; then
	git -C "$top_srcdir" ls-files -z --cached --others --exclude-standard |
	    (cd "$top_srcdir" && tar --null -T - -cf -) | tar -xf - -C "$tmp/src"
else
	(cd "$top_srcdir" && tar --exclude='./build*' -cf - .) | tar -xf - -C "$tmp/src"
fi
(cd "$tmp/src" && DEB_BUILD_OPTIONS="parallel=$(nproc)" \
    dpkg-buildpackage -us -uc -b) >"$tmp/build.log" 2>&1 ||
    { tail -n 30 "$tmp/build.log"; die "dpkg-buildpackage failed"; }
version=$(dpkg-parsechangelog -l "$top_srcdir/debian/changelog" -S Version)
deb="mxauth_${version}_$(dpkg --print-architecture).deb"
[ -f "$tmp/$deb" ] || die "dpkg-buildpackage made no ../$deb: $(ls "$tmp")"
ok "dpkg-buildpackage -us -uc -b made $deb"

lintian --info "$tmp/$deb" >"$tmp/lintian.out" 2>&1
grep -v '^running with root privileges' "$tmp/lintian.out" | sed 's/^/    lintian: /'
expect "lintian: no error, no warning" \
    sh -c "! grep -q '^[EW]: ' '$tmp/lintian.out'"

dpkg-deb -c "$tmp/$deb" | awk '{print $6}' | sed 's|^\.||' >"$tmp/contents"
for f in /usr/sbin/mxauth /usr/bin/mxauth-check /etc/mxauth.conf \
    /lib/systemd/system/mxauth.service /usr/share/man/man8/mxauth.8.gz \
    /usr/sbin/mxauth-report /usr/share/man/man8/mxauth-report.8.gz \
    /lib/systemd/system/mxauth-report.service \
    /lib/systemd/system/mxauth-report.timer \
    /usr/share/man/man5/mxauth.conf.5.gz /usr/share/man/man1/mxauth-check.1.gz \
    /usr/share/doc/mxauth/copyright; do
	expect "the package ships $f" grep -qx -F "$f" "$tmp/contents"
done

# --- 2. install ---------------------------------------------------------

mine=1
(cd "$tmp" && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "./$deb") \
    >"$tmp/install.log" 2>&1 ||
    { tail -n 20 "$tmp/install.log"; die "apt-get install ./$deb failed"; }
ok "apt-get install ./$deb"
dpkg -L mxauth >"$tmp/files"

expect "/usr/sbin/mxauth is the package's" [ -x /usr/sbin/mxauth ]
expect "mxauth -V is version $version" \
    sh -c "/usr/sbin/mxauth -V | grep -qx 'mxauth $version'"
expect "/etc/mxauth.conf is a conffile" \
    sh -c "dpkg-query -W -f='\${Conffiles}' mxauth | grep -q '^ /etc/mxauth.conf '"
expect "/etc/mxauth.conf is root:mxauth 0640" \
    [ "$(stat -c '%U:%G %a' /etc/mxauth.conf)" = "root:mxauth 640" ]
expect "the service user can read /etc/mxauth.conf (reloads run as it)" \
    setpriv --reuid=mxauth --regid=mxauth --init-groups \
    sh -c 'cat /etc/mxauth.conf >/dev/null'
IFS=: read -r _ _ uid _ _ home shell <<EOF
$(getent passwd mxauth)
EOF
expect "user mxauth is a system user (uid $uid below 1000)" [ "${uid:-1000}" -lt 1000 ]
expect "user mxauth has no login shell ($shell)" [ "$shell" = /usr/sbin/nologin ]
expect "user mxauth has no home directory ($home)" [ ! -e "$home" ]
expect "group mxauth exists" sh -c "getent group mxauth >/dev/null"
expect "the unit starts before postfix@-.service (the real Postfix on Debian)" \
    grep -q '^Before=.*postfix@-\.service' /lib/systemd/system/mxauth.service
/usr/sbin/mxauth -n >"$tmp/n.out" 2>"$tmp/n.err"
rc=$?
expect "mxauth -n accepts the installed /etc/mxauth.conf" [ $rc -eq 0 ]
expect "mxauth -n: the installed file changes no default" [ ! -s "$tmp/n.out" ]
/usr/sbin/mxauth -n -a >"$tmp/na.out" 2>/dev/null
expect "the installed default socket is inet:8891@127.0.0.1" \
    grep -qx 'socket = inet:8891@127.0.0.1' "$tmp/na.out"
expect "the installed default user is mxauth" grep -qx 'user = mxauth' "$tmp/na.out"

# mxauth-report and its store's directory
expect "/var/lib/mxauth is mxauth:mxauth 0750" \
    [ "$(stat -c '%U:%G %a' /var/lib/mxauth 2>&1)" = "mxauth:mxauth 750" ]
/usr/sbin/mxauth-report --help >"$tmp/help.out" 2>&1
rc=$?
if [ $rc -eq 2 ] && grep -q "^usage: mxauth-report " "$tmp/help.out"; then
	ok=y; else ok=n; fi
expect "mxauth-report --help: exit 2 with its usage" [ $ok = y ]
as_mxauth() { setpriv --reuid=mxauth --regid=mxauth --init-groups "$@"; }
as_mxauth /usr/sbin/mxauth-report --init-db >"$tmp/init.out" 2>&1
rc=$?
expect "mxauth-report --init-db as mxauth: schema=created version=2" \
    [ $rc -eq 0 -a "$(cat "$tmp/init.out")" = "schema=created version=2" ]
expect "the default store is /var/lib/mxauth/reports.db, mxauth's" \
    [ "$(stat -c %U /var/lib/mxauth/reports.db 2>&1)" = mxauth ]
as_mxauth /usr/sbin/mxauth-report --init-db >"$tmp/init2.out" 2>&1
expect "mxauth-report --init-db again: schema=current version=2" \
    [ "$(cat "$tmp/init2.out")" = "schema=current version=2" ]
expect "the timer runs mxauth-report.service daily with a random delay" \
    sh -c "grep -q '^OnCalendar=\*-\*-\* 00:10:00 UTC' /lib/systemd/system/mxauth-report.timer &&
        grep -q '^RandomizedDelaySec=' /lib/systemd/system/mxauth-report.timer &&
        grep -q '^Persistent=true' /lib/systemd/system/mxauth-report.timer"
expect "the service runs mxauth-report as mxauth" \
    sh -c "grep -qx 'User=mxauth' /lib/systemd/system/mxauth-report.service &&
        grep -q '^ExecStart=/usr/sbin/mxauth-report ' /lib/systemd/system/mxauth-report.service"
expect "the timer is not enabled (reporting = no by default)" \
    sh -c '! ls /etc/systemd/system/*/mxauth-report.timer 2>/dev/null | grep -q .'
if command -v systemd-analyze >/dev/null 2>&1; then
	systemd-analyze verify /lib/systemd/system/mxauth-report.timer \
	    /lib/systemd/system/mxauth-report.service >"$tmp/verify.out" 2>&1
	rc=$?
	sed 's/^/    systemd-analyze: /' "$tmp/verify.out"
	expect "systemd-analyze verify accepts the timer and its service" \
	    [ $rc -eq 0 -a ! -s "$tmp/verify.out" ]
fi

# --- 3. one message through Postfix with the installed daemon ------------

(
	MXAUTH=/usr/sbin/mxauth MXAUTH_USER=mxauth
	. "$top_srcdir/test/e2e/lib.sh"
	# ours_pass NAME - the message NAME was delivered with our A-R, spf=pass
	ours_pass() {
		header "$1" Authentication-Results |
		    grep -q '^Authentication-Results: mx\.example;.*[[:space:]]spf=pass '
	}
	sandbox_start
	expect "the sandbox runs /usr/sbin/mxauth" \
	    [ "$(readlink "/proc/$(mxauth_pid)/exe")" = /usr/sbin/mxauth ]
	expect "as the package's user mxauth after the privilege drop" \
	    [ "$(stat -c %U "/proc/$(mxauth_pid)")" = mxauth ]
	send_mail pkg-tcp
	expect "TCP socket: Postfix accepted the message" \
	    grep -q 'queued as' "$SB/swaks.pkg-tcp"
	if wait_delivered 1; then ok "TCP socket: delivered"; else bad "TCP socket: delivered"; fi
	expect "TCP socket: with mxauth's A-R, spf=pass" ours_pass pkg-tcp
	qid=$(swaks_queue_id pkg-tcp)
	expect "TCP socket: one verdict line for ${qid:-?}" \
	    [ -n "$qid" -a "$(verdicts_for "${qid:-x}" | wc -l)" -eq 1 ]

	# The unix socket in Postfix's queue directory, named relatively.
	postfix_stop
	mxauth_stop 20
	install -d -o root -g postfix -m 0750 "$SB/queue/mxauth"
	MXAUTH_SOCKET="unix:$SB/queue/mxauth/mxauth.sock" MXAUTH_USER=postfix \
	    mxauth_config
	mxauth_start || die "mxauth did not start on the spool socket"
	postfix_start unix:mxauth/mxauth.sock || die "Postfix did not restart"
	send_mail pkg-unix
	expect "unix:mxauth/mxauth.sock (relative to the queue directory): accepted" \
	    grep -q 'queued as' "$SB/swaks.pkg-unix"
	if wait_delivered 2; then ok "unix socket: delivered"; else bad "unix socket: delivered"; fi
	expect "unix socket: with mxauth's A-R, spf=pass" ours_pass pkg-unix
	finish
) || fails=$((fails + 1))

# --- 4. remove, then purge -----------------------------------------------

apt-get remove -y -q mxauth >"$tmp/remove.log" 2>&1 ||
    bad "apt-get remove mxauth: $(tail -n 5 "$tmp/remove.log")"
expect "remove: /usr/sbin/mxauth is gone" [ ! -e /usr/sbin/mxauth ]
expect "remove: /etc/mxauth.conf is kept" [ -f /etc/mxauth.conf ]
expect "remove: user mxauth is kept" sh -c "getent passwd mxauth >/dev/null"
apt-get purge -y -q mxauth >"$tmp/purge.log" 2>&1 ||
    bad "apt-get purge mxauth: $(tail -n 5 "$tmp/purge.log")"
expect "purge: the package is gone" sh -c '! dpkg-query -W mxauth 2>/dev/null | grep -q .'
left=
while IFS= read -r f; do
	[ -d "$f" ] && continue		# shared directories (/usr, /etc ...)
	[ -e "$f" ] || [ -L "$f" ] && left="$left $f"
done <"$tmp/files"
expect "purge: no file of dpkg -L mxauth is left${left:+ (left:$left)}" [ -z "$left" ]
expect "purge: /etc/mxauth.conf is gone" [ ! -e /etc/mxauth.conf ]
expect "purge: user mxauth is gone" sh -c '! getent passwd mxauth'
expect "purge: group mxauth is gone" sh -c '! getent group mxauth'
expect "purge: no statoverride left" sh -c '! dpkg-statoverride --list /etc/mxauth.conf'
expect "purge: no unit link left" \
    sh -c '! ls /etc/systemd/system/*/mxauth.service /etc/systemd/system/*/mxauth-report.timer 2>/dev/null | grep -q .'
expect "purge: /var/lib/mxauth is gone, the report store with it" \
    [ ! -e /var/lib/mxauth ]

[ "$fails" -eq 0 ] || { echo "$fails assertion(s) failed"; exit 1; }
exit 0
