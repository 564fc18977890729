#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# setup-debian.sh - install the Debian packages mxauth needs, for one
# purpose.  Idempotent; run as root on Debian 12.
#
#   setup-debian.sh build   to build mxauth and its Debian package
#                           (compiler, autotools, the libraries' -dev
#                           packages, debhelper)
#   setup-debian.sh test    build, plus what `make check`, the demo and
#                           the package test need (cmocka, Postfix,
#                           unbound, swaks, python3 modules, lintian)
#   setup-debian.sh run     only the libraries the mxauth binary needs
#                           (the .deb pulls these in by itself)
#
# It installs packages and changes nothing else: no file under /etc is
# edited, no service is stopped or disabled.  The tests and the demo run
# their own Postfix and unbound instances on loopback, from their own
# directories (test/e2e/lib.sh).  `test` is for a build or CI machine:
# Debian's unbound package, installed as a program for the sandbox, also
# sets up its own resolver service where systemd runs; a production MX
# needs only `build` (or nothing but the .deb).
set -eu

usage() { echo "usage: $0 build|test|run" >&2; exit 2; }
[ $# -eq 1 ] || usage
mode=$1

# Each list is for one purpose; `test` adds to `build`.
run_pkgs="libldns3 libssl3 libpsl5 libidn2-0 libmicrohttpd12 libsqlite3-0
	libpq5 libxml2 zlib1g libcurl4 publicsuffix"
build_pkgs="build-essential autoconf automake libtool pkg-config
	libldns-dev libssl-dev libpsl-dev libidn2-dev libmicrohttpd-dev publicsuffix
	libsqlite3-dev libpq-dev libxml2-dev zlib1g-dev libcurl4-openssl-dev
	debhelper dpkg-dev fakeroot"
# m4, libwrap0, util-linux: test/e2e/sendmail.sh runs Debian's Sendmail
# from its packages unpacked (apt-get download), never installed: it
# conflicts with Postfix.  libevent-2.1-7, libdb5.3: the same for
# OpenSMTPD's smtpctl (test/e2e/smtpctl_walk.sh).
test_pkgs="libcmocka-dev postfix unbound swaks python3 python3-yaml
	python3-dkim python3-authres procps iproute2 ca-certificates lintian
	m4 libwrap0 util-linux sqlite3 postgresql libxml2-utils
	libevent-2.1-7 libdb5.3"

case "$mode" in
build) pkgs=$build_pkgs ;;
test) pkgs="$build_pkgs $test_pkgs" ;;
run) pkgs=$run_pkgs ;;
*) usage ;;
esac

if [ "$(id -u)" -ne 0 ]; then
	echo "setup-debian.sh: must run as root" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive

if [ "$mode" = test ]; then
	# Postfix is installed for its programs only: "No configuration"
	# sets up no system mail instance (and writes no main.cf).  A
	# machine that already runs Postfix keeps its configuration: the
	# answer applies only to a first installation.
	echo "postfix postfix/main_mailer_type select No configuration" |
		debconf-set-selections
fi

apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $pkgs
