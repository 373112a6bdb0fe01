#!/bin/bash
# Build jq 1.6 (Debian's jq source, its patches applied) with its regular
# expressions from Oniguruma 6.9 (Debian's libonig source) as one
# WebAssembly module, the `jq` of the `tools` image's jq layer, with the
# toolchain every layer shares (../toolchain.sh).
#
#   rootfs/jq/build.sh SRC_DIR OUT_DIR ONIG_SRC_DIR
#
# SRC_DIR       unpacked Debian jq source (`apt-get source jq`); only read.
# OUT_DIR       receives jq.wasm, jq.plain.wasm (before Asyncify) and build.log.
# ONIG_SRC_DIR  unpacked Debian libonig source (`apt-get source libonig`).
#
# Neither source's autotools build is run (they ship no configure script,
# and a cross configure would probe the host): what configure would find
# is written here, each libm function jq wraps probed as configure does.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../toolchain.sh"
build_start 3 "$0 SRC_DIR OUT_DIR ONIG_SRC_DIR" "$@"
ONIG=$(cd "$3" && pwd)/src
[ -f "$SRC/src/jv.c" ] && [ -f "$SRC/src/builtin.jq" ] ||
	{ echo "build.sh: $SRC does not look like a jq source tree" >&2; exit 1; }
[ -f "$ONIG/regexec.c" ] || { echo "build.sh: $ONIG is not Oniguruma's src/" >&2; exit 1; }

rm -rf "$WORK"
mkdir -p "$WORK/onig" "$WORK/jq" "$WORK/include" "$WORK/gen/src"
say "== building the compat layer"
toolchain_setup "$WORK"
# -O2, as Debian's builds of both.
CFLAGS="${TARGET_CFLAGS/ $OPT / -O2 } -D_GNU_SOURCE"

say "== compiling Oniguruma"
# Its configure's answers for wasm32-wasi.
cat >"$WORK/onig/config.h" <<'H'
#define HAVE_ALLOCA 1
#define HAVE_ALLOCA_H 1
#define HAVE_STDINT_H 1
#define HAVE_SYS_TIMES_H 1
#define HAVE_SYS_TIME_H 1
#define HAVE_SYS_TYPES_H 1
#define HAVE_UNISTD_H 1
#define HAVE_INTTYPES_H 1
#define PACKAGE "onig"
#define PACKAGE_VERSION "6.9.8"
#define VERSION "6.9.8"
#define SIZEOF_INT 4
#define SIZEOF_LONG 4
#define SIZEOF_LONG_LONG 8
#define SIZEOF_VOIDP 4
H
# libonig_la_SOURCES of its src/Makefile.am, less the POSIX API jq does not use.
for f in regparse regcomp regexec regenc regerror regext regsyntax regtrav regversion st reggnu \
	unicode unicode_unfold_key unicode_fold1_key unicode_fold2_key unicode_fold3_key \
	ascii utf8 utf16_be utf16_le utf32_be utf32_le euc_jp euc_jp_prop sjis sjis_prop \
	iso8859_1 iso8859_2 iso8859_3 iso8859_4 iso8859_5 iso8859_6 iso8859_7 iso8859_8 iso8859_9 \
	iso8859_10 iso8859_11 iso8859_13 iso8859_14 iso8859_15 iso8859_16 \
	euc_tw euc_kr big5 gb18030 koi8_r cp1251 onig_init; do
	$CC $CFLAGS -I"$WORK/onig" -I"$ONIG" -c "$ONIG/$f.c" -o "$WORK/onig/$f.o"
done
cp "$ONIG/oniguruma.h" "$WORK/include/"

say "== compiling jq"
# What jq's Makefile generates: its builtins in jq as a C string, and the version.
sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$/\\n"/' "$SRC/src/builtin.jq" >"$WORK/gen/src/builtin.inc"
echo '#define JQ_VERSION "1.6"' >"$WORK/gen/src/version.h"
# What its configure finds on Debian, and here: each libm function jq
# wraps (src/libm.h), probed by linking a use of it. gamma, which musl
# lacks, is lgamma, as glibc's is.
HAVES="-DHAVE_LIBONIG=1 -DHAVE_MKSTEMP=1 -DHAVE_ISATTY=1 -DHAVE_STRFTIME=1 -DHAVE_STRPTIME=1 \
 -DHAVE_TIMEGM=1 -DHAVE_GMTIME_R=1 -DHAVE_LOCALTIME_R=1 -DHAVE_GETTIMEOFDAY=1 -DHAVE_MEMMEM=1 \
 -DHAVE_ALLOCA_H=1 -DHAVE_PTHREAD_KEY_CREATE=1 -DHAVE_TM_TM_GMT_OFF=1 -DIEEE_8087=1 \
 -DHAVE_GAMMA=1 -Dgamma=lgamma"
for fn in $(grep -o 'LIBM_D[DA-Z]*(\w*' "$SRC/src/libm.h" | sed 's/.*(//' | sort -u) frexp modf lgamma_r; do
	[ "$fn" = gamma ] && continue
	printf '#include <math.h>\nvoid *volatile p;\nint main(void) { p = (void *)%s; return p != 0; }\n' "$fn" >"$WORK/probe.c"
	if $CC -D_GNU_SOURCE "$WORK/probe.c" -o "$WORK/probe"; then
		HAVES="$HAVES -DHAVE_$(echo "$fn" | tr a-z A-Z)=1"
	else
		say "   (no $fn in wasi-libc: jq's $fn builtin is left out)"
	fi
done
for c in "$SRC"/src/*.c; do
	# inject_errors.c is a test library for LD_PRELOAD.
	[ "$(basename "$c")" = inject_errors.c ] && continue
	$CC $CFLAGS $HAVES -I"$WORK/include" -I"$WORK/gen" -I"$WORK/gen/src" -I"$SRC" -I"$SRC/src" \
		-c "$c" -o "$WORK/jq/$(basename "${c%.c}").o"
done
$CC $CFLAGS "$WORK"/jq/*.o "$WORK"/onig/*.o $TARGET_LDFLAGS -o "$WORK/jq.linked"

build_finish "$WORK/jq.linked" "$OUT/jq.wasm"
