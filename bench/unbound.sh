# SPDX-License-Identifier: BSD-2-Clause
# unbound.sh - sourced by the benchmarks: a private, authoritative-only
# unbound on loopback serving one zone.
#
#   bench_unbound DIR PORT ZONEFILE ZONENAME
#
# Writes DIR/unbound.conf, starts unbound (pid in DIR/pid; the caller's
# trap kills it) and waits a second.  do-not-query-address 0/0: it never
# sends a query anywhere.
bench_unbound() {
	cat >"$1/unbound.conf" <<CONF
server:
  interface: 127.0.0.1
  port: $2
  do-daemonize: no
  username: ""
  chroot: ""
  directory: "$1"
  pidfile: "$1/unbound.pid"
  logfile: "$1/unbound.log"
  use-syslog: no
  access-control: 127.0.0.0/8 allow
  do-ip6: no
  do-not-query-localhost: yes
  do-not-query-address: 0.0.0.0/0
  do-not-query-address: ::/0
  module-config: "iterator"
remote-control:
  control-enable: no
auth-zone:
  name: "$4"
  zonefile: "$3"
  for-downstream: yes
  for-upstream: no
  fallback-enabled: no
CONF
	unbound -c "$1/unbound.conf" &
	echo $! >"$1/pid"
	sleep 1
}
