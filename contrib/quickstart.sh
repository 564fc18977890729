#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# quickstart.sh - install everything, build, and run the demo or the tests.
#
#   contrib/quickstart.sh demo   install, build, run the sandbox demo
#   contrib/quickstart.sh test   install, build, run the whole test suite:
#                                a -Werror build and an ASan+UBSan build,
#                                each running every unit and e2e test,
#                                then the Debian package test (it
#                                installs and purges the package)
#
# Run as root on Debian 12, from anywhere inside a clone.  Builds go to
# build/ and build-san/ (out of tree).  A skipped test fails the run: the
# suite is only green when everything really ran.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:-}
case "$mode" in
demo|test) ;;
*) echo "usage: $0 demo|test" >&2; exit 2 ;;
esac

# The demo runs the e2e sandbox too: both need the test packages.
sh "$top/contrib/setup-debian.sh" test
cd "$top"
autoreconf -fi >/dev/null 2>&1 || autoreconf -fi

# build DIR CONFIGURE-ARGS... - configure and build out of tree
build() {
	dir=$1; shift
	mkdir -p "$top/$dir"
	(cd "$top/$dir" && "$top/configure" -q "$@" && make -s -j"$(nproc)")
}

# suite DIR - run make check in DIR, print the summary, count results
total_pass=0 total_fail=0 total_skip=0
suite() {
	dir=$1
	rc=0
	(cd "$top/$dir" && make -s -j1 check) || rc=$?
	log="$top/$dir/test-suite.log"
	pass=$(sed -n 's/^# PASS: *//p' "$log" | head -n 1)
	fail=$(sed -n 's/^# FAIL: *//p' "$log" | head -n 1)
	skip=$(sed -n 's/^# SKIP: *//p' "$log" | head -n 1)
	xpass=$(sed -n 's/^# XPASS: *//p' "$log" | head -n 1)
	err=$(sed -n 's/^# ERROR: *//p' "$log" | head -n 1)
	fail=$((${fail:-0} + ${xpass:-0} + ${err:-0}))
	if [ "$rc" -ne 0 ]; then
		sed -n '/^FAIL:\|^ERROR:/,$p' "$log" | head -n 200
	fi
	echo "$dir: ${pass:-0} passed, $fail failed, ${skip:-0} skipped"
	total_pass=$((total_pass + ${pass:-0}))
	total_fail=$((total_fail + fail))
	total_skip=$((total_skip + ${skip:-0}))
}

if [ "$mode" = demo ]; then
	build build
	cd "$top/build" && make -s demo
	exit 0
fi

build build --enable-werror
suite build
build build-san --enable-werror --enable-sanitizers
suite build-san

# The package test (make check-package): configure in throw-away trees,
# then the .deb built, linted, installed, run through the sandbox's
# Postfix and purged.  It counts like a suite; a failure fails the run.
rc=0
log="$top/build/check-package.log"
(cd "$top/build" && make -s check-package) >"$log" 2>&1 || rc=$?
# grep -c exits 1 when it counts nothing: no failure must not end the run
pass=$(grep -c '^PASS: ' "$log" || true)
fail=$(grep -c '^FAIL: ' "$log" || true)
[ "$rc" -ne 0 ] && [ "$fail" -eq 0 ] && fail=1
[ "$rc" -ne 0 ] && grep -B2 -A2 '^FAIL: ' "$log" | head -n 100
echo "package: $pass passed, $fail failed (log: build/check-package.log)"
total_pass=$((total_pass + pass))
total_fail=$((total_fail + fail))

echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" -eq 0 ] && [ "$total_skip" -eq 0 ]
