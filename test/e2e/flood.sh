#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# flood.sh - idle connections past the descriptor limit do not stop mxauth.
#
# mxauth runs with a soft descriptor limit of 64.  150 idle TCP
# connections are opened to its milter socket and held for 3 s: mxauth
# keeps running, does not spin on the CPU, and logs the episode once.
# Once they are closed, a message through Postfix gets our
# Authentication-Results again and mxauth logs that it takes connections
# again.  Loopback only; every wait is bounded.
. "$top_srcdir/test/e2e/lib.sh"
sandbox_start

WARN='cannot take more MTA connections'
# cpu_ticks PID - user + system clock ticks the process has used
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# Restart mxauth with `ulimit -Sn 64`.
mxauth_kill
n=$(grep -c ': starting mxauth' "$SB/mxauth.log")
( ulimit -Sn 64 && exec "$MXAUTH" -f -c "$SB/mxauth.conf" ) \
    >>"$SB/mxauth.stderr" 2>&1 9>&- &
pid=$!
echo $pid >"$SB/mxauth.bgpid"
wait_for "mxauth to start" 10 mxauth_started "$n" "$pid" && kill -0 "$pid" ||
    die "mxauth did not start with ulimit -n 64"
expect "mxauth runs with a soft descriptor limit of 64" \
    grep -q '^Max open files *64 ' "/proc/$pid/limits"

send_mail before
wait_delivered 1
expect "a message before the flood is delivered" \
    [ -n "$(find_delivered '<before@test.example>')" ]

ticks0=$(cpu_ticks "$pid")
python3 - "$MILTER_PORT" "$SB/flood" <<'PY' >"$SB/flood.out" 2>&1 &
import os, socket, sys, time
port, flag = int(sys.argv[1]), sys.argv[2]
socks = []
for i in range(150):
    s = socket.socket()
    s.settimeout(2)
    try:
        s.connect(("127.0.0.1", port))
        socks.append(s)
    except OSError as e:
        print("connect %d: %s" % (i, e))
print("opened %d" % len(socks), flush=True)
open(flag, "w").close()
time.sleep(3)
for s in socks:
    s.close()
print("closed", flush=True)
PY
flood=$!
wait_for "the flood to open its connections" 30 test -f "$SB/flood"
sleep 1
expect "during the flood mxauth is running" kill -0 "$pid"
wait_pid $flood 30 >/dev/null
ticks=$(($(cpu_ticks "$pid") - ticks0))
expect "the flood was opened and closed ($(tr '\n' ' ' <"$SB/flood.out"))" \
    grep -q '^closed' "$SB/flood.out"
expect "mxauth did not spin during the flood ($ticks ticks of CPU in ~4 s)" \
    [ "$ticks" -lt 100 ]
expect "after the flood mxauth is still running, same pid" kill -0 "$pid"

sleep 1
send_mail after
wait_delivered 2 30
f=$(find_delivered '<after@test.example>')
expect "a message after the flood is delivered with our A-R" \
    sh -c "[ -n '$f' ] && grep -q '^Authentication-Results: mx.example' '$f'"
expect "the descriptor limit was logged once ($(grep -c "$WARN" "$SB/mxauth.log") times)" \
    [ "$(grep -c "$WARN" "$SB/mxauth.log")" -eq 1 ]
expect "and the end of the episode once" \
    [ "$(grep -c 'taking MTA connections again' "$SB/mxauth.log")" -eq 1 ]

mxauth_stop 15
rc=$?
expect "SIGTERM still stops it, exit status 0 (got $rc)" [ $rc -eq 0 ]

finish
