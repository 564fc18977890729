#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# run.sh - mxauth's Authentication-Results values, written from hostile
# inputs by test/authres_dump, read back by an independent parser
# (Debian's python3-authres; contrib/setup-debian.sh installs it): see
# test/authres/check.py for what is checked.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
/usr/bin/python3 -c 'import authres' 2>/dev/null || {
	echo "FAIL: python3-authres is not installed (contrib/setup-debian.sh test)"
	exit 1
}
out=$(mktemp /tmp/mxauth-authres.XXXXXX)
trap 'rm -f "$out"' EXIT INT TERM
"$top_builddir/test/authres_dump" >"$out" || exit 1
/usr/bin/python3 "$top_srcdir/test/authres/check.py" <"$out"
