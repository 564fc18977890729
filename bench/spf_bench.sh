#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
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
. "$here/unbound.sh"
bench_unbound "$dir" 5398 "$dir/bench.zone" bench.example.
taskset -c 0 "$bin" --server 127.0.0.1:5398 3
taskset -c 0 "$bin" --zone "$dir/bench.zone" 3
