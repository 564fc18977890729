#!/bin/sh
# run.sh - build the libFuzzer harnesses with clang (ASan+UBSan) and run
# each for SECONDS (default 60).  Not part of `make check`: fuzzing is a
# search, not a test.  Needs a configured build directory for config.h:
#   sh fuzz/run.sh BUILD-DIR [SECONDS]
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: run.sh BUILD-DIR [SECONDS]}
secs=${2:-60}
out=$(mktemp -d /tmp/mxauth-fuzz.XXXXXX)
clang -g -O1 -fsanitize=fuzzer,address,undefined -I"$build" -I"$src/milter" \
    "$src/fuzz/fuzz_dkim.c" "$src"/milter/dkim_sig.c "$src"/milter/dkim_canon.c \
    "$src"/milter/dkim_key.c "$src"/milter/vstr.c "$src"/milter/xmalloc.c \
    -lcrypto -lpthread -o "$out/fuzz_dkim"
echo "fuzz_dkim: running ${secs}s (corpus in $out/corpus)"
mkdir -p "$out/corpus"
"$out/fuzz_dkim" -max_total_time="$secs" -max_len=4096 "$out/corpus" 2>&1 | tail -3
