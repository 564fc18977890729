#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# run.sh - the DMARC conformance suites (test/data/dmarc-stalwart and
# test/data/dmarc-mailauth, each with its SOURCE.txt) through mxauth's
# DMARC code; see test/dmarc/run_suite.py for how cases become zones
# and which assertions apply.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
tmp=$(mktemp -d /tmp/mxauth-dmarc.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
/usr/bin/python3 "$top_srcdir/test/dmarc/run_suite.py" \
    "$top_builddir/test/dmarc_suite" "$top_srcdir/test/data" "$tmp"
