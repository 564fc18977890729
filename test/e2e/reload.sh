#!/bin/bash
# reload.sh - SIGHUP re-reads the config atomically.
#
# A changed authserv_id is used by the next message; a broken file is
# logged with FILE:LINE and the running config kept (mail still flows,
# still signed with the old id); a message in flight when the reload
# happens keeps the snapshot it started with.
. "$top_srcdir/test/e2e/lib.sh"
sandbox_start

# ar_of NAME - the first Authentication-Results line of a delivered message
ar_of() {
	f=$(find_delivered "$1@test.example")
	message_headers "${f:-/dev/null}" | grep -m1 '^Authentication-Results:'
}
# hup_and_wait PATTERN - SIGHUP, then wait for PATTERN in the log
hup_and_wait() {
	n=$(grep -c "$1" "$SB/mxauth.log")
	kill -HUP "$(mxauth_pid)"
	wait_for "log line '$1'" 10 \
	    sh -c "[ \$(grep -c '$1' '$SB/mxauth.log') -gt $n ]"
}

send_mail before
wait_delivered 1
expect "before reload: A-R uses mx.example" \
    [ "$(ar_of before | cut -d';' -f1)" = "Authentication-Results: mx.example" ]

# 1. a good new file
sed -i 's/^authserv_id = .*/authserv_id = mx2.example/' "$SB/mxauth.conf"
hup_and_wait "configuration reloaded"
pid=$(mxauth_pid)
send_mail after
wait_delivered 2
expect "after reload: A-R uses mx2.example" \
    [ "$(ar_of after | cut -d';' -f1)" = "Authentication-Results: mx2.example" ]
expect "reload did not restart the daemon" [ "$(mxauth_pid)" = "$pid" ] 

# 2. a broken file: logged with FILE:LINE, old config kept
cp "$SB/mxauth.conf" "$SB/mxauth.conf.good"
printf 'log_level = loud\n' >>"$SB/mxauth.conf"
line=$(wc -l <"$SB/mxauth.conf")
hup_and_wait "reload failed"
expect "bad reload logged with FILE:LINE" \
    grep -q "reload failed, keeping the running configuration: $SB/mxauth.conf:$line: log_level = \"loud\"" "$SB/mxauth.log"
expect "daemon still running after a bad reload" mxauth_running
send_mail kept
wait_delivered 3
expect "after bad reload: still mx2.example" \
    [ "$(ar_of kept | cut -d';' -f1)" = "Authentication-Results: mx2.example" ]

# 3. a message in flight keeps its snapshot
cp "$SB/mxauth.conf.good" "$SB/mxauth.conf"
rm -f "$SB/go"
python3 "$top_srcdir/test/e2e/smtp_client.py" slow $PF_PORT 192.0.2.10 inflight \
    "$SB/go" >"$SB/slow.out" 2>&1 &
slow=$!
wait_for "message in flight" 10 grep -q PAUSED "$SB/slow.out"
sed -i 's/^authserv_id = .*/authserv_id = mx3.example/' "$SB/mxauth.conf"
hup_and_wait "configuration reloaded"
touch "$SB/go"
wait $slow
send_mail next
wait_delivered 5
expect "in-flight message kept its snapshot (mx2.example)" \
    [ "$(ar_of inflight | cut -d';' -f1)" = "Authentication-Results: mx2.example" ]
expect "the next message uses the new one (mx3.example)" \
    [ "$(ar_of next | cut -d';' -f1)" = "Authentication-Results: mx3.example" ]

finish
