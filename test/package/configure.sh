#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# configure.sh - what ./configure promises, in throw-away build trees:
#   1. every --enable-X/--with-X that `configure --help` lists is
#      accepted with --enable-option-checking=fatal, and --with-conf=FILE
#      sets the default config file;
#   2. the default config file follows --sysconfdir;
#   3. without cmocka (hidden from pkg-config) mxauth and mxauth-check
#      build, and `make check` fails at once saying cmocka is needed.
# Run by `make check-package` with top_srcdir set; builds in a temporary
# directory, never in the source tree.
set -u
: "${top_srcdir:?}"
fails=0
ok() { echo "PASS: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

tmp=$(mktemp -d /tmp/mxauth-configure.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# 1. Every project option of --help, all at once, fatal option checking.
opts=$("$top_srcdir/configure" --help |
    sed -n '/^Optional Features:/,/^Some influential/p' |
    sed -n 's/^  \(--\(enable\|with\)-[a-z][a-z0-9-]*\).*/\1/p' |
    sort -u)
echo "$opts" | grep -q -x -e '--with-conf' ||
    bad "configure --help lists --with-conf"
args=()
for o in $opts; do
	case "$o" in
	--with-conf) args+=("--with-conf=/opt/mxauth-test/other.conf") ;;
	*) args+=("$o") ;;
	esac
done
mkdir "$tmp/opts"
if (cd "$tmp/opts" && "$top_srcdir/configure" -q \
    --enable-option-checking=fatal "${args[@]}") >"$tmp/opts.out" 2>&1; then
	ok "configure accepts every option its --help lists: ${args[*]}"
else
	bad "configure rejects an option its --help lists: $(tail -n 3 "$tmp/opts.out")"
fi
if (cd "$tmp/opts" && make -s mxauth >/dev/null 2>&1) &&
    "$tmp/opts/mxauth" -n 2>&1 | grep -q -F /opt/mxauth-test/other.conf; then
	ok "--with-conf=FILE is mxauth's default config file"
else
	bad "--with-conf=FILE is not the default config file:" \
	    "$("$tmp/opts/mxauth" -n 2>&1)"
fi

# 2 and 3: --sysconfdir, no cmocka.
cat >"$tmp/pkg-config" <<'SH'
#!/bin/sh
# pkg-config that has never heard of cmocka
for a; do case "$a" in cmocka*) exit 1 ;; esac; done
exec pkg-config "$@"
SH
chmod +x "$tmp/pkg-config"
mkdir "$tmp/nocmocka"
cd "$tmp/nocmocka" || exit 1
if "$top_srcdir/configure" -q --sysconfdir=/opt/mxauth-test/etc \
    PKG_CONFIG="$tmp/pkg-config" >configure.out 2>&1; then
	ok "configure succeeds without cmocka"
	grep -q 'cmocka not found' configure.out &&
	    ok "configure warns that make check will need cmocka" ||
	    bad "no cmocka warning from configure: $(cat configure.out)"
else
	bad "configure fails without cmocka: $(tail -n 3 configure.out)"
fi
if make -s -j2 >make.out 2>&1 && [ -x mxauth ] && [ -x mxauth-check ]; then
	ok "mxauth and mxauth-check build without cmocka"
else
	bad "the build needs cmocka: $(tail -n 5 make.out)"
fi
out=$(./mxauth -n 2>&1)
case "$out" in
/opt/mxauth-test/etc/mxauth.conf:*) ok "--sysconfdir moves the default config file ($out)" ;;
*) bad "--sysconfdir=/opt/mxauth-test/etc: mxauth -n says: $out" ;;
esac
make check >check.out 2>&1
rc=$?
if [ $rc -ne 0 ] && grep -q 'make check needs cmocka' check.out &&
    ! ls test/unit/*.o >/dev/null 2>&1; then
	ok "make check without cmocka fails at once, saying so"
else
	bad "make check without cmocka (status $rc): $(tail -n 5 check.out)"
fi

[ "$fails" -eq 0 ] || { echo "$fails assertion(s) failed"; exit 1; }
exit 0
