# SPDX-License-Identifier: BSD-2-Clause
# report_pg.sh - the report store's and the report queue's tests
# against a real PostgreSQL server: a private cluster (Debian's
# postgresql package: initdb and pg_ctl) in a temporary directory,
# listening on a unix socket there only (no TCP), stopped and removed
# at the end even on failure; test_report_queue stops and restarts it
# under the writer.  As root the server runs as nobody (PostgreSQL
# refuses root).  Fails -- never skips -- when PostgreSQL is not
# installed.
set -eu

top_builddir=${top_builddir:-.}
test_bin=$top_builddir/test/unit/test_report_store
[ -x "$top_builddir/test/unit/test_report_queue" ] || exit 1
bindir=$(pg_config --bindir 2>/dev/null || true)
if [ ! -x "$bindir/initdb" ]; then
	bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
fi
if [ ! -x "$bindir/initdb" ] || [ ! -x "$bindir/pg_ctl" ]; then
	echo "report_pg.sh: initdb/pg_ctl not found (apt-get install postgresql)" >&2
	exit 1
fi

dir=$(mktemp -d /tmp/mxauth-pg.XXXXXX)
mkdir "$dir/data" "$dir/sock"
as_pg() { "$@"; }
if [ "$(id -u)" -eq 0 ]; then
	chown nobody "$dir/data" "$dir/sock"
	chmod 711 "$dir"
	as_pg() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
fi
stop() {
	as_pg "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop \
	    >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap stop EXIT

if ! as_pg "$bindir/initdb" -D "$dir/data" -U mxauth --auth=trust -E UTF8 \
    --no-sync >"$dir/initdb.log" 2>&1; then
	cat "$dir/initdb.log" >&2
	exit 1
fi
if ! as_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/sock/server.log" -w \
    -o "-c listen_addresses='' -c unix_socket_directories='$dir/sock' -c fsync=off" \
    start >/dev/null; then
	cat "$dir/sock/server.log" >&2
	exit 1
fi

pg_ctl_cmd() {
	if [ "$(id -u)" -eq 0 ]; then
		echo "setpriv --reuid=nobody --regid=nogroup --clear-groups $bindir/pg_ctl"
	else
		echo "$bindir/pg_ctl"
	fi
}
MXAUTH_TEST_PG="postgresql:///postgres?host=$dir/sock&user=mxauth"
export MXAUTH_TEST_PG
"$test_bin"
# the queue's writer with the server stopped mid-stream and started again
MXAUTH_TEST_PG_STOP="$(pg_ctl_cmd) -D $dir/data -m fast -w stop >/dev/null" \
MXAUTH_TEST_PG_START="$(pg_ctl_cmd) -D $dir/data -l $dir/sock/server.log -w -o \"-c listen_addresses='' -c unix_socket_directories='$dir/sock' -c fsync=off\" start >/dev/null" \
    "$top_builddir/test/unit/test_report_queue"
