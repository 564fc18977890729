#!/bin/sh
# spf_bench.sh - SPF evaluations per second, one core, warm cache.
#
# Starts a private unbound on 127.0.0.1:5398 serving bench/bench.zone
# (authoritative only, never queries anything else), runs spf_bench
# against it (the first evaluation fills mxauth's cache; the loop then
# measures evaluator + cache) and against the zone layer, prints both
# figures, and stops unbound.  Run from a build directory after
# `make bench/spf_bench`:   sh ../bench/spf_bench.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=${SPF_BENCH:-./bench/spf_bench}
dir=$(mktemp -d /tmp/mxauth-bench.XXXXXX)
trap 'kill "$(cat "$dir/pid" 2>/dev/null)" 2>/dev/null; rm -rf "$dir"' EXIT
cp "$here/bench.zone" "$dir/"
cat >"$dir/unbound.conf" <<CONF
server:
  interface: 127.0.0.1
  port: 5398
  do-daemonize: no
  username: ""
  chroot: ""
  directory: "$dir"
  pidfile: "$dir/unbound.pid"
  logfile: "$dir/unbound.log"
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
  name: "bench.example."
  zonefile: "$dir/bench.zone"
  for-downstream: yes
  for-upstream: no
  fallback-enabled: no
CONF
unbound -c "$dir/unbound.conf" &
echo $! >"$dir/pid"
sleep 1
taskset -c 0 "$bin" --server 127.0.0.1:5398 3
taskset -c 0 "$bin" --zone "$dir/bench.zone" 3
