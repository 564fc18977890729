#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# run_suite.sh - the openspf conformance suites through mxauth's SPF
# module: RFC 7208 (203 tests) and the older RFC 4408 (191 tests).
# Zone files and case lists are generated from the YAML in test/data/spf
# (copies of the published suites, with their LICENSE and SOURCE) into a
# temporary directory; test/spf_suite judges each case.  Prints one
# "spf-LABEL: N passed, M failed" line per suite and the failing tests.
#
# Any RFC 7208 failure fails the run.  The RFC 4408 suite is converted
# with the RFC 7208 one as reference: a 4408 test whose acceptable results
# share nothing with the same-named 7208 test is "superseded" -- reported
# if it fails, never fatal.  Every other 4408 test accepts the RFC 7208
# answer, so its failure is a real bug and fails the run too.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
data="$top_srcdir/test/data/spf"
tmp=$(mktemp -d /tmp/mxauth-spf-suite.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
rc=0
python3 "$top_srcdir/test/spf/gen_suite.py" "$data/rfc7208-tests.yml" \
    "$tmp/rfc7208" || exit 1
python3 "$top_srcdir/test/spf/gen_suite.py" "$data/rfc4408-tests.yml" \
    "$tmp/rfc4408" "$data/rfc7208-tests.yml" || exit 1
for suite in rfc7208 rfc4408; do
	"$top_builddir/test/spf_suite" "spf-$suite" "$tmp/$suite/cases.tsv" ||
	    rc=1
done
exit $rc
