#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# soak.sh - mxauth's memory and descriptors: RSS with IDLE concurrent
# milter connections held open (sessions whose SMTP clients are slow),
# then ROUNDS rounds of MSGS messages each at the milter-protocol level
# (bench/milter_load, 10 connections, a signed 4 KB message that passes
# SPF, DKIM and DMARC), RSS and open descriptors printed after each.
# After warm-up (the first round) both should stay flat: growth there is
# a leak, or a cache that is not bounded.
#
# Not part of `make check` or `make bench` (1,000,000 messages by default,
# a few minutes): `make soak` from a build directory, as root.  It runs in
# bench/milter_load.sh's private namespace (MLOAD_HOOK).
#   MILTER_LOAD=./bench/milter_load bash ../bench/soak.sh [./mxauth] [ROUNDS] [MSGS] [IDLE]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
mxauth=${1:-./mxauth}
export SOAK_ROUNDS=${2:-10} SOAK_MSGS=${3:-100000} SOAK_IDLE=${4:-500}

# Runs inside milter_load.sh, with SOCK, MILTER_PID, GEN and MSG set.
hook='
set -e
case $SOCK in unix:*) ;; *) exit 0 ;; esac	# the unix socket is enough
run() { "$GEN" -f "$MSG" -i 192.0.2.1 -F soak@bench.example -p "$MILTER_PID" -l soak "$@" "$SOCK"; }
ulimit -n 4096
echo "soak: $SOAK_IDLE idle connections"
run -c 10 -n 1000 -I "$SOAK_IDLE" | grep -E "^milter_load_idle|^milter_load "
echo "soak: $SOAK_ROUNDS rounds of $SOAK_MSGS messages, 10 connections"
r=1; first=""; last=""
while [ "$r" -le "$SOAK_ROUNDS" ]; do
	line=$(run -c 10 -n "$SOAK_MSGS" | grep "^milter_load ")
	rss=${line##*milter_rss_kb=}; rss=${rss%% *}
	fds=${line##*milter_fds=}
	err=${line##*error=}; err=${err%% *}
	acc=${line##*accept=}; acc=${acc%% *}
	echo "round $r: messages=$SOAK_MSGS accept=$acc error=$err rss_kb=$rss fds=$fds"
	[ "$r" -eq 1 ] && first="$rss $fds"
	last="$rss $fds"
	r=$((r + 1))
done
set -- $first; rss1=$1 fds1=$2
set -- $last; rssn=$1 fdsn=$2
echo "soak: after warm-up (round 1) rss ${rss1} kB -> ${rssn} kB ($((rssn - rss1)) kB over $(( (SOAK_ROUNDS - 1) * SOAK_MSGS )) messages), fds ${fds1} -> ${fdsn}"
'
MLOAD_HOOK=$hook exec bash "$here/milter_load.sh" "$mxauth"
