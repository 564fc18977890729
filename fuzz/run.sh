#!/bin/sh
# run.sh - build the libFuzzer harnesses (fuzz_dkim: DKIM parsers and
# canonicalization; fuzz_headers: From, A-R, Received, DMARC records;
# fuzz_authres: the A-R and Received-SPF we write, read back)
# with clang (ASan+UBSan) and run each for SECONDS (default 60).  Not
# part of `make check`: fuzzing is a search, not a test.  Needs a configured build directory for config.h:
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
clang -g -O1 -fsanitize=fuzzer,address,undefined -I"$build" -I"$src/milter" \
    "$src/fuzz/fuzz_headers.c" "$src"/milter/hdr_parse.c "$src"/milter/authres.c \
    "$src"/milter/received.c "$src"/milter/dmarc_record.c "$src"/milter/netlist.c \
    "$src"/milter/result.c "$src"/milter/vstr.c "$src"/milter/xmalloc.c \
    -lidn2 -o "$out/fuzz_headers"
clang -g -O1 -fsanitize=fuzzer,address,undefined -I"$build" -I"$src/milter" \
    "$src/fuzz/fuzz_authres.c" "$src"/milter/authres.c "$src"/milter/result.c \
    "$src"/milter/vstr.c "$src"/milter/xmalloc.c -o "$out/fuzz_authres"
for f in fuzz_dkim fuzz_headers fuzz_authres; do
	echo "$f: running ${secs}s (corpus in $out/$f.corpus)"
	mkdir -p "$out/$f.corpus"
	# the seeds kept in the repository, when there are any, are read too
	seeds=; [ -d "$src/fuzz/corpus/$f" ] && seeds="$src/fuzz/corpus/$f"
	"$out/$f" -max_total_time="$secs" -max_len=4096 "$out/$f.corpus" $seeds 2>&1 | tail -2
done
