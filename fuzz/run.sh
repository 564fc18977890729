#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# run.sh - build every libFuzzer harness fuzz/fuzz_*.c with clang
# (ASan, UBSan without recovery), run each for SECONDS (default 60) from
# the kept corpus fuzz/corpus/NAME/, then merge into that directory, to
# be committed, each new input that reaches an edge the kept ones do not
# (libFuzzer -merge=1, inputs of at most 4096 bytes); MINIMIZE=1
# re-selects the whole corpus instead.  Fuzzing is a search, not a test,
# so this is not part of `make check`; the kept corpus is (replay.sh).
#
#   sh fuzz/run.sh BUILD-DIR [SECONDS [NAME...]]
#
# BUILD-DIR is a configured build directory (its config.h and library
# flags are used).  NAME: fuzz_spf, ...; default every fuzz/fuzz_*.c.
# A finding (crash, sanitizer report, leak, timeout, harness abort)
# makes the exit status 1; its input is kept in the work directory
# printed at the start and the corpus of that target is left as it was.
# Fix it, then add the input to fuzz/corpus/NAME/ as a regression test.
#
# Needs clang and libFuzzer, which contrib/setup-debian.sh does not
# install (large, and only for this script); on Debian 12:
#   apt-get install clang libclang-rt-14-dev
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:?usage: run.sh BUILD-DIR [SECONDS [NAME...]]}" && pwd)
secs=${2:-60}
shift
if [ $# -gt 0 ]; then shift; fi
cc=${CLANG:-clang}
out=$(mktemp -d /tmp/mxauth-fuzz.XXXXXX)
echo "run.sh: work directory $out"

# mkvar NAME - a variable of BUILD-DIR's Makefile (the configured flags)
mkvar() { sed -n "s/^$1 = //p" "$build/Makefile"; }
libs="$(mkvar CRYPTO_LIBS) $(mkvar LDNS_LIBS) $(mkvar IDN2_LIBS) $(mkvar PSL_LIBS) -pthread"
incs="-I$build -I$src/milter $(mkvar LDNS_CFLAGS) $(mkvar CRYPTO_CFLAGS) $(mkvar IDN2_CFLAGS) $(mkvar PSL_CFLAGS)"
san="-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined"

if ! echo 'int LLVMFuzzerTestOneInput(const char *p, long n) { return 0; }' |
    $cc -fsanitize=fuzzer -x c - -o "$out/probe" 2>"$out/probe.err"; then
	cat "$out/probe.err" >&2
	echo "run.sh: $cc cannot link libFuzzer (apt-get install clang libclang-rt-14-dev)" >&2
	exit 2
fi

# The evaluation core, instrumented, as one static library: each
# harness links what it uses, whatever new files the parsers come to
# need.  The front ends (main, mlfi, ctx, milter_server, milter_listen,
# check) are not part of it.
mkdir -p "$out/obj"
for f in "$src"/milter/*.c; do
	case $(basename "$f") in main.c|mlfi.c|ctx.c|milter_server.c|milter_listen.c|check.c)
		continue ;; esac
	$cc $san -fsanitize=fuzzer-no-link -DHAVE_CONFIG_H $incs -c "$f" \
	    -o "$out/obj/$(basename "$f" .c).o"
done
ar rcs "$out/libcore.a" "$out"/obj/*.o

[ $# -gt 0 ] || set -- $(cd "$src/fuzz" && ls fuzz_*.c | sed 's/\.c$//')
found=0
for name in "$@"; do
	corpus="$src/fuzz/corpus/$name"
	mkdir -p "$corpus" "$out/$name.new" "$out/$name.merged"
	$cc $san -fsanitize=fuzzer -DHAVE_CONFIG_H $incs "$src/fuzz/$name.c" \
	    "$out/libcore.a" $libs -o "$out/$name"
	echo "$name: running ${secs}s from $(ls "$corpus" | wc -l) kept inputs"
	if ! "$out/$name" -max_total_time="$secs" -max_len=4096 -timeout=10 \
	    -print_final_stats=1 -artifact_prefix="$out/$name-" \
	    "$out/$name.new" "$corpus" >"$out/$name.log" 2>&1; then
		grep -E '^(==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written)' \
		    "$out/$name.log" >&2 || tail -n 20 "$out/$name.log" >&2
		echo "$name: FINDING; input kept in $out/$name-*, log $out/$name.log" >&2
		found=1
		continue
	fi
	grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)' \
	    "$out/$name.log" || true
	grep -E '(INITED|DONE) +cov' "$out/$name.log" | tail -n 1 || true
	# Edges only (no hit counts) keep the corpus small.  By default a
	# new input is kept only if it reaches an edge the kept ones do
	# not (small diffs); MINIMIZE=1 re-selects the whole corpus.
	if [ "${MINIMIZE:-0}" = 1 ]; then
		"$out/$name" -merge=1 -use_counters=0 -max_len=4096 \
		    "$out/$name.merged" "$corpus" "$out/$name.new" \
		    >"$out/$name.merge.log" 2>&1
		if [ -n "$(ls "$out/$name.merged")" ]; then
			rm -f "$corpus"/*
			cp "$out/$name.merged"/* "$corpus"/
		fi
	else
		"$out/$name" -merge=1 -use_counters=0 -max_len=4096 \
		    "$corpus" "$out/$name.new" >"$out/$name.merge.log" 2>&1
	fi
	echo "$name: kept corpus now $(ls "$corpus" | wc -l) inputs, $(du -sk "$corpus" | cut -f1) KB"
done
exit $found
