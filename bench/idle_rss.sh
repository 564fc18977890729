#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# idle_rss.sh - memory of an idle mxauth daemon (target: under 20 MiB).
#
# Starts the built daemon on a loopback port with a throw-away config,
# lets it settle, prints its resident set (VmRSS), peak (VmHWM) and
# thread count from /proc, and stops it.  Run from a build directory:
#   sh ../bench/idle_rss.sh [path/to/mxauth]
set -eu
mxauth=${1:-./mxauth}
dir=$(mktemp -d /tmp/mxauth-rss.XXXXXX)
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
cat >"$dir/mxauth.conf" <<CONF
socket = inet:18891@127.0.0.1
user =
pid_file =
log_target = file:$dir/log
dns_servers = 127.0.0.1:53
CONF
"$mxauth" -f -c "$dir/mxauth.conf" &
pid=$!
sleep 2
kill -0 "$pid" || { echo "mxauth did not start:"; cat "$dir/log"; exit 1; }
rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status")
thr=$(awk '/^Threads/ {print $2}' "/proc/$pid/status")
echo "idle mxauth: VmRSS ${rss} kB, VmHWM ${hwm} kB, ${thr} threads (target < 20480 kB)"
