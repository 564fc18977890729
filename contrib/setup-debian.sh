#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# setup-debian.sh - install every Debian package mxauth needs to build, test
# and run its demo.  Idempotent; run as root on Debian 12.
#
# Postfix is preseeded with "No configuration" so that no system mail
# instance is set up: the tests and the demo run their own sandbox instance.
set -eu

if [ "$(id -u)" -ne 0 ]; then
	echo "setup-debian.sh: must run as root" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive

echo "postfix postfix/main_mailer_type select No configuration" |
	debconf-set-selections

apt-get update -q
# m4 and libwrap0: test/e2e/sendmail.sh runs Debian's Sendmail from its
# packages unpacked (apt-get download), never installed: it conflicts with
# Postfix.
apt-get install -y -q --no-install-recommends \
	build-essential autoconf automake libtool pkg-config \
	libldns-dev libssl-dev \
	libpsl-dev publicsuffix libidn2-dev libcmocka-dev \
	libsqlite3-dev libpq-dev sqlite3 postgresql \
	postfix unbound swaks python3 python3-yaml python3-dkim python3-authres \
	procps iproute2 ca-certificates \
	m4 libwrap0 util-linux

# Debian's unbound package starts a system resolver on port 53; the sandbox
# runs its own instance, so keep the packaged one from getting in the way.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
	systemctl disable --now unbound >/dev/null 2>&1 || true
fi

# "No configuration" leaves /etc/postfix/main.cf absent: create it.  The
# e2e sandbox's Postfix reads its main.cf from /tmp/mxauth-sandbox/etc
# ("postfix -c"; test/e2e/lib.sh).  root may name any directory there,
# but the set-gid postqueue(1) and sendmail(1) refuse an unlisted one to
# other users, so list it in alternate_config_directories -- exactly:
# Postfix does not accept a subdirectory of a listed directory.
if [ ! -f /etc/postfix/main.cf ]; then
	cp /usr/share/postfix/main.cf.debian /etc/postfix/main.cf
fi
if ! grep -q '^alternate_config_directories' /etc/postfix/main.cf; then
	echo 'alternate_config_directories = /tmp/mxauth-sandbox/etc' >>/etc/postfix/main.cf
else
	# Earlier versions of this script listed /tmp/mxauth-sandbox.
	sed -i 's|^\(alternate_config_directories *=.*/tmp/mxauth-sandbox\)$|\1/etc|' \
	    /etc/postfix/main.cf
fi
