# SPDX-License-Identifier: BSD-2-Clause
# assert.sh - sourced by the suites in test/ (report_cli.sh,
# report_maint.sh, report_pg.sh): `expect WHAT CMD [ARGS...]` runs one
# command and prints "ok: WHAT" or "FAIL: WHAT", counting the failures
# in $fails.  One simple command: a condition of several parts is
# computed first (if A && B; then ok=y; else ok=n; fi) and asserted
# with [ $ok = y ]; test/expect_lint.py enforces it.
fails=0
expect() {
	local _what=$1
	shift
	if "$@"; then echo "ok: $_what"; else echo "FAIL: $_what"; fails=$((fails + 1)); fi
}
