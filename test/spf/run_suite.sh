#!/bin/sh
# run_suite.sh - the openspf conformance suites through mxauth's SPF
# module: RFC 7208 (203 tests) and the older RFC 4408 (191 tests).
# Zone files and case lists are generated from the YAML in test/data/spf
# (copies of the published suites, with their LICENSE and SOURCE) into a
# temporary directory; test/spf_suite judges each case.  Prints one
# "LABEL: N passed, M failed" line per suite; fails if any test fails.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
tmp=$(mktemp -d /tmp/mxauth-spf-suite.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
rc=0
for suite in rfc7208 rfc4408; do
	python3 "$top_srcdir/test/spf/gen_suite.py" \
	    "$top_srcdir/test/data/spf/$suite-tests.yml" "$tmp/$suite" || exit 1
	"$top_builddir/test/spf_suite" "spf-$suite" "$tmp/$suite/cases.tsv" ||
	    rc=1
done
exit $rc
