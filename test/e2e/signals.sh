#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# signals.sh - reload signals never stop mxauth; SIGTERM stops it at once.
#
# 1. Two SIGHUPs 1 ms apart, then 200 pairs of SIGHUPs 0 to 2 ms apart
#    (libmilter's own signal thread used to take a SIGHUP that arrived
#    during a reload and stop the milter, exit status 0): the daemon is
#    still running, the same process, and serves mail.
# 2. A storm under load: 200 SIGHUPs and 200 SIGUSR1s in a tight loop
#    while messages flow: same process, every message delivered with our
#    Authentication-Results, the configuration reloaded.
# 3. A reload whose config names a FIFO (a file: list, policy_overrides)
#    or /dev/zero is refused with the config's FILE:LINE and the running
#    configuration kept; it does not wedge signal handling.
# 4. SIGTERM with nothing in flight: exit status 0 within 1.5 s (libmilter
#    polls its socket for 5 s before it notices smfi_stop()).
. "$top_srcdir/test/e2e/lib.sh"
sandbox_start

# reloads - how many "configuration reloaded" lines the log has
reloads() { grep -c 'configuration reloaded' "$SB/mxauth.log"; }
# our_ar NAME - the delivered <NAME@test.example> has our A-R
our_ar() {
	_f=$(find_delivered "<$1@test.example>")
	[ -n "$_f" ] && ar_list "$_f" | grep -q ' mx\.example '
}
pid=$(mxauth_pid)

# --- 1. two SIGHUPs 1 ms apart ---------------------------------------------
n=$(reloads)
kill -HUP "$pid"; sleep 0.001; kill -HUP "$pid"
wait_for "a reload" 10 sh -c "[ \$(grep -c 'configuration reloaded' '$SB/mxauth.log') -gt $n ]"
sleep 1
expect "two SIGHUPs 1 ms apart: mxauth still running, same pid" \
    kill -0 "$pid"
python3 - "$pid" <<'PY' >"$SB/pairs.out" 2>&1
import os, signal, sys, time
pid = int(sys.argv[1])
for i in range(200):
    os.kill(pid, signal.SIGHUP)
    time.sleep(0.0003 * (i % 7))
    os.kill(pid, signal.SIGHUP)
    time.sleep(0.01)
print("sent 200 pairs")
PY
sleep 6	# the old code needed 5 s to notice libmilter's stop
expect "200 pairs of SIGHUPs: mxauth still running, same pid ($(cat "$SB/pairs.out"))" \
    kill -0 "$pid"
send_mail twohup
wait_delivered 1
expect "and it still serves: the next message carries our A-R" our_ar twohup

# --- 2. a storm of 400 reload signals under load ---------------------------
n=$(reloads)
senders=
for i in 1 2 3 4 5 6; do send_mail "storm$i" & senders="$senders $!"; done
python3 - "$pid" <<'PY' >"$SB/storm.out" 2>&1
import os, signal, sys, time
pid = int(sys.argv[1])
for i in range(200):
    os.kill(pid, signal.SIGHUP)
    os.kill(pid, signal.SIGUSR1)
print("sent 400 signals")
PY
for p in $senders; do wait_pid "$p" 150; done
expect "400 signals sent ($(cat "$SB/storm.out"))" grep -q 'sent 400' "$SB/storm.out"
wait_for "reloads after the storm" 20 sh -c "[ \$(grep -c 'configuration reloaded' '$SB/mxauth.log') -gt $n ]"
expect "after the storm mxauth is still running, same pid" kill -0 "$pid"
expect "and it reloaded at least once ($(( $(reloads) - n )) reloads)" \
    [ "$(reloads)" -gt "$n" ]
wait_delivered 7 30
missing=
for i in 1 2 3 4 5 6; do our_ar "storm$i" || missing="$missing $i"; done
expect "the 6 messages sent during the storm were delivered with our A-R (missing:${missing:- none})" \
    [ -z "$missing" ]
expect "no stop during the storm" sh -c "! grep -q ': stopping' '$SB/mxauth.log'"

# --- 3. reloads naming a FIFO or /dev/zero ---------------------------------
mkfifo "$SB/fifo"
cp "$SB/mxauth.conf" "$SB/mxauth.conf.good"
# reload_fails WHAT LINE - append LINE to the config, SIGUSR1, expect the
# config's FILE:LINE in the "reload failed" line; then restore the config
reload_fails() {
	_n=$(grep -c 'reload failed' "$SB/mxauth.log")
	cp "$SB/mxauth.conf.good" "$SB/mxauth.conf"
	echo "$2" >>"$SB/mxauth.conf"
	_line=$(wc -l <"$SB/mxauth.conf")
	kill -USR1 "$pid"
	wait_for "reload failed" 5 sh -c "[ \$(grep -c 'reload failed' '$SB/mxauth.log') -gt $_n ]"
	expect "$1: reload refused with FILE:LINE ($SB/mxauth.conf:$_line)" \
	    sh -c "grep 'reload failed' '$SB/mxauth.log' | tail -n 1 | grep -q -F '$SB/mxauth.conf:$_line: '"
}
reload_fails "a FIFO as a trusted_networks list" "trusted_networks = file:$SB/fifo"
reload_fails "a FIFO as policy_overrides" "policy_overrides = file:$SB/fifo"
reload_fails "/dev/zero as a trusted_relays list" "trusted_relays = file:/dev/zero"
cp "$SB/mxauth.conf.good" "$SB/mxauth.conf"
expect "mxauth still running after the refused reloads" kill -0 "$pid"
send_mail afterfifo
wait_delivered 8
expect "mail still flows under the running config" our_ar afterfifo

# --- 4. SIGTERM with nothing in flight --------------------------------------
wait_queue_empty 20
t0=$(date +%s%N)
kill -TERM "$pid"
wait_pid "$pid" 15
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
rm -f "$SB/mxauth.bgpid"
expect "SIGTERM with nothing in flight: exit status 0 (got $rc)" [ $rc -eq 0 ]
expect "and within 1.5 s (took $ms ms)" [ $ms -lt 1500 ]

finish
