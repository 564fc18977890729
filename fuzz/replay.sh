#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# replay.sh - the kept fuzz corpora as a regression test under `make
# check`: every harness in FUZZ_REPLAY (set by Makefile.am; built with the
# normal compiler and fuzz/replay.c as main) runs once over each input of
# fuzz/corpus/NAME/ and prints the count.  A crash, a sanitizer report or
# a harness abort() fails it; so do a harness without a corpus and a
# corpus without a harness (a new fuzz target not wired into Makefile.am).
set -u
: "${top_srcdir:?}" "${top_builddir:?}" "${FUZZ_REPLAY:?}"
fails=0
for prog in $FUZZ_REPLAY; do
	name=$(basename "$prog")
	corpus="$top_srcdir/fuzz/corpus/$name"
	if "$top_builddir/$prog" "$corpus" >"$name.replay.out" 2>&1; then
		echo "PASS: $name: $(sed -n 's/.*: \([0-9]*\) inputs replayed$/\1/p' "$name.replay.out") inputs of fuzz/corpus/$name"
	else
		echo "FAIL: $name over fuzz/corpus/$name:"
		tail -n 30 "$name.replay.out"
		fails=$((fails + 1))
	fi
	rm -f "$name.replay.out"
done
for dir in "$top_srcdir"/fuzz/corpus/*/; do
	name=$(basename "$dir")
	case " $FUZZ_REPLAY " in
	*"/$name "*) ;;
	*) echo "FAIL: fuzz/corpus/$name has no replay harness in Makefile.am"
	   fails=$((fails + 1)) ;;
	esac
done
[ "$fails" -eq 0 ] || { echo "replay: $fails failed"; exit 1; }
exit 0
