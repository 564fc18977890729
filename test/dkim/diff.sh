#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# diff.sh - the differential DKIM test (test/dkim/diff.py): generated
# cases through mxauth-check and through dkimpy; any disagreement not in
# diff.py's table of known differences fails.  The cases come from a
# fixed seed; DKIM_DIFF_CASES changes how many (default 320).
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
tmp=$(mktemp -d /tmp/mxauth-dkim-diff.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
/usr/bin/python3 "$top_srcdir/test/dkim/diff.py" "$top_builddir/mxauth-check" "$tmp"
