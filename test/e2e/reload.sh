#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# reload.sh - SIGHUP re-reads the config, all or nothing.
#
# 1. A changed authserv_id is used by the next message, for the header we
#    add and for the forged ones we remove; the daemon is not restarted.
# 2. A broken file (a bad value on its last line; an unknown key on line
#    3) is logged as "FILE:LINE: ..." and the running config is kept:
#    same process, mail still flows, still under the old id.
# 3. A message in flight when the reload happens keeps the snapshot it
#    started with; the next one gets the new config.
. "$top_srcdir/test/e2e/lib.sh"
sandbox_start

# ar_ids NAME - the authserv-ids of the delivered <NAME@test.example>'s
# A-R fields, top first, space-separated
ar_ids() {
	_f=$(find_delivered "<$1@test.example>")
	[ -n "$_f" ] && ar_list "$_f" | awk '{printf "%s ", $2}'
}
# hup_and_wait PATTERN - SIGHUP, then wait for one more PATTERN in the log
hup_and_wait() {
	_n=$(grep -c "$1" "$SB/mxauth.log")
	kill -HUP "$(mxauth_pid)"
	wait_for "log line '$1'" 10 \
	    sh -c "[ \$(grep -c '$1' '$SB/mxauth.log') -gt $_n ]"
}
pid=$(mxauth_pid)

send_mail before
wait_delivered 1
expect "before the reload: A-R for mx.example ($(ar_ids before))" \
    [ "$(ar_ids before)" = "mx.example " ]

# --- 1. a good new file ----------------------------------------------------
sed -i 's/^authserv_id = .*/authserv_id = mx2.example/' "$SB/mxauth.conf"
hup_and_wait "configuration reloaded" || bad "no 'configuration reloaded' line"
send_mail after \
    --add-header "Authentication-Results: mx2.example; spf=pass (forged)" \
    --add-header "Authentication-Results: mx.example; spf=pass (no longer ours)"
wait_delivered 2
expect "after the reload: ours is for mx2.example, on top; a forged mx2.example A-R is gone, mx.example's is now someone else's and kept ($(ar_ids after))" \
    [ "$(ar_ids after)" = "mx2.example mx.example " ]
expect "the reload did not restart the daemon" [ "$(mxauth_pid)" = "$pid" ]

# --- 2. broken files: FILE:LINE logged, old config kept --------------------
cp "$SB/mxauth.conf" "$SB/mxauth.conf.good"
printf 'log_level = loud\n' >>"$SB/mxauth.conf"
line=$(wc -l <"$SB/mxauth.conf")
hup_and_wait "reload failed" || bad "no 'reload failed' line"
expect "bad value logged with FILE:LINE ($SB/mxauth.conf:$line)" \
    grep -q -F "reload failed, keeping the running configuration: $SB/mxauth.conf:$line: log_level" "$SB/mxauth.log"
sed '3i no_such_key = 1' "$SB/mxauth.conf.good" >"$SB/mxauth.conf"
hup_and_wait "reload failed" || bad "no second 'reload failed' line"
expect "unknown key logged with FILE:LINE ($SB/mxauth.conf:3)" \
    sh -c "grep 'reload failed' '$SB/mxauth.log' | tail -n 1 | grep -q -F '$SB/mxauth.conf:3: '"
expect "daemon still running after the bad reloads, same pid" \
    [ "$(mxauth_pid)" = "$pid" -a -d "/proc/$pid" ]
send_mail kept
wait_delivered 3
expect "mail still flows, under the running config: mx2.example ($(ar_ids kept))" \
    [ "$(ar_ids kept)" = "mx2.example " ]

# --- 3. a message in flight keeps its snapshot -----------------------------
cp "$SB/mxauth.conf.good" "$SB/mxauth.conf"
python3 "$top_srcdir/test/e2e/smtp_client.py" slow $PF_PORT 192.0.2.10 \
    inflight "$SB/go" >"$SB/slow.out" 2>&1 9>&- &
slow=$!
wait_for "message in flight" 10 grep -q PAUSED "$SB/slow.out" ||
    bad "the slow client did not get to DATA"
sed -i 's/^authserv_id = .*/authserv_id = mx3.example/' "$SB/mxauth.conf"
hup_and_wait "configuration reloaded" || bad "no 'configuration reloaded' line"
touch "$SB/go"
wait_pid $slow 70 >/dev/null
send_mail next
wait_delivered 5
expect "the message in flight kept its snapshot: mx2.example ($(ar_ids inflight))" \
    [ "$(ar_ids inflight)" = "mx2.example " ]
expect "the next one uses the new config: mx3.example ($(ar_ids next))" \
    [ "$(ar_ids next)" = "mx3.example " ]
expect "still the same daemon" [ "$(mxauth_pid)" = "$pid" ]

finish
