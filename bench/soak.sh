#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# soak.sh - mxauth's memory and descriptors: RSS with IDLE concurrent
# milter connections held open (sessions whose SMTP clients are slow),
# then ROUNDS rounds of MSGS messages each at the milter-protocol level
# (bench/milter_load, 10 connections, a signed 4 KB message that passes
# SPF, DKIM and DMARC), RSS and open descriptors printed after each.
# After warm-up (the first round) both should stay flat: growth there is
# a leak, or a cache that is not bounded.  Last, the same daemon under
# valgrind for 3,000 messages, stopped with SIGTERM: nothing lost.
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
MLOAD_HOOK=$hook bash "$here/milter_load.sh" "$mxauth"

# Whether what grew is a leak: 3,000 messages and 50 idle connections
# through mxauth under valgrind, then SIGTERM; at exit nothing may be
# lost, and what is still allocated must be the process's own state
# (config, caches), not per message.
command -v valgrind >/dev/null || { echo "soak: no valgrind, no leak check"; exit 0; }
vg=$(mktemp -d /tmp/mxauth-soak.XXXXXX)
trap 'rm -rf "$vg"' EXIT
chmod 755 "$vg"
printf '#!/bin/sh\nexec valgrind %s --log-file=%s/vg.%%p.log %s "$@"\n' \
    "--leak-check=full --errors-for-leak-kinds=definite,indirect" \
    "$vg" "$(realpath "$mxauth")" >"$vg/mxauth"
chmod 755 "$vg/mxauth"
export SOAK_VG=$vg
MLOAD_HOOK='
case $SOCK in unix:*) ;; *) exit 0 ;; esac
echo "$MILTER_PID" >"$SOAK_VG/pid"
"$GEN" -f "$MSG" -i 192.0.2.1 -F soak@bench.example -c 10 -n 3000 -I 50 \
    -l valgrind "$SOCK" | grep "^milter_load "
kill -TERM "$MILTER_PID"
for _ in $(seq 120); do
	grep -q "ERROR SUMMARY" "$SOAK_VG/vg.$MILTER_PID.log" 2>/dev/null && break
	sleep 0.5
done
' bash "$here/milter_load.sh" "$vg/mxauth" >/dev/null
log=$vg/vg.$(cat "$vg/pid").log
lost=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$log")
inuse=$(sed -n 's/.*in use at exit: \(.*\)$/\1/p' "$log")
errs=$(sed -n 's/.*ERROR SUMMARY: \([0-9,]*\) errors.*/\1/p' "$log")
echo "soak: valgrind, 3000 messages and 50 idle connections: definitely lost ${lost:-?} bytes, in use at exit $inuse, ${errs:-?} errors"
[ "${lost:-x}" = 0 ] && [ "${errs:-x}" = 0 ]
