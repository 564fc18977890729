# SPDX-License-Identifier: BSD-2-Clause
# pg_lib.sh - a private PostgreSQL server for the tests (sourced by
# test/report_pg.sh and test/e2e/reports_pg.sh): Debian's postgresql
# package's initdb and pg_ctl, a cluster in a temporary directory, trust
# authentication for the role mxauth, listening on a unix socket in that
# directory and, when asked, on 127.0.0.1 (never another address).  As
# root the server runs as nobody (PostgreSQL refuses root).  Nothing of
# the host's own PostgreSQL (clusters, services, /etc/postgresql) is
# touched.
#
#   pg_setup [PORT]  find the binaries, make the cluster, start it; sets
#                    PG_DIR, PG_BIN, PG_URI (the unix socket, or
#                    127.0.0.1:PORT when PORT is given), and PG_STOP /
#                    PG_START, shell commands that stop (fast) and start
#                    the server again; 1 and a reason on stderr if not
#   pg_psql SQL      run SQL as mxauth; rows on stdout, unaligned, '|'
#   pg_teardown      stop the server (immediate) and remove the cluster
#
# The caller's EXIT trap must call pg_teardown.

# pg_setup [PORT] - the private server, started
pg_setup() {
	PG_BIN=$(pg_config --bindir 2>/dev/null || true)
	if [ ! -x "$PG_BIN/initdb" ]; then
		PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
	fi
	if [ ! -x "$PG_BIN/initdb" ] || [ ! -x "$PG_BIN/pg_ctl" ]; then
		echo "pg_lib.sh: initdb/pg_ctl not found (apt-get install postgresql)" >&2
		return 1
	fi
	PG_DIR=$(mktemp -d /tmp/mxauth-pg.XXXXXX)
	mkdir "$PG_DIR/data" "$PG_DIR/sock"
	_pg_as=
	if [ "$(id -u)" -eq 0 ]; then
		chown nobody "$PG_DIR/data" "$PG_DIR/sock"
		chmod 711 "$PG_DIR"
		_pg_as="setpriv --reuid=nobody --regid=nogroup --clear-groups"
	fi
	if ! $_pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U mxauth \
	    --auth=trust -E UTF8 --no-sync >"$PG_DIR/initdb.log" 2>&1; then
		cat "$PG_DIR/initdb.log" >&2
		return 1
	fi
	_pg_listen="''"
	_pg_port=${1:-5432}	# the unix socket's name has the port too
	[ -n "${1:-}" ] && _pg_listen="'127.0.0.1'"
	_pg_listen="$_pg_listen -c port=$_pg_port"
	_pg_opts="-c listen_addresses=$_pg_listen -c unix_socket_directories='$PG_DIR/sock' -c fsync=off"
	PG_STOP="$_pg_as $PG_BIN/pg_ctl -D $PG_DIR/data -m fast -w stop >/dev/null"
	PG_START="$_pg_as $PG_BIN/pg_ctl -D $PG_DIR/data -l $PG_DIR/sock/server.log -w -o \"$_pg_opts\" start >/dev/null"
	if ! eval "$PG_START"; then
		cat "$PG_DIR/sock/server.log" >&2
		return 1
	fi
	if [ -n "${1:-}" ]; then
		PG_URI="postgresql://mxauth@127.0.0.1:$1/postgres"
	else
		PG_URI="postgresql:///postgres?host=$PG_DIR/sock&user=mxauth"
	fi
	export PG_URI
}

# pg_psql SQL - SQL run as mxauth over the unix socket
pg_psql() {
	psql -X -q -A -t -v ON_ERROR_STOP=1 -h "$PG_DIR/sock" -p "$_pg_port" -U mxauth \
	    -d postgres -c "$1"
}

# pg_teardown - the server stopped at once, the cluster removed
pg_teardown() {
	[ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR" ] || return 0
	$_pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop \
	    >/dev/null 2>&1 || true
	rm -rf "$PG_DIR"
}
