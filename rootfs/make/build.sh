#!/usr/bin/env bash
# GNU make 4.3 for wasm32-wasi, from Debian's make-dfsg source package; see
# README.md of this folder.
#
#   rootfs/make/build.sh SRC_DIR OUT_DIR
#
# OUT_DIR gets make.wasm (and make.plain.wasm, before Asyncify, and
# build.log). The source is copied, patched (patches/*.patch, in order,
# each saying why it exists) and given its configure script by autoreconf,
# as Debian's build does (dh --with autoreconf: the source ships none).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../toolchain.sh"
build_start 2 "$0 SRC_DIR OUT_DIR" "$@"
[ -f "$SRC/src/main.c" ] && [ -f "$SRC/configure.ac" ] && grep -q 'GNU make' "$SRC/configure.ac" ||
	{ echo "build.sh: $SRC does not look like GNU make's source tree" >&2; exit 1; }
for tool in autoreconf automake autopoint; do
	command -v "$tool" >/dev/null || { echo "build.sh: missing tool: $tool" >&2; exit 1; }
done

rm -rf "$WORK"
mkdir -p "$WORK/build"
say "== building the compat layer"
toolchain_setup "$WORK"

say "== applying patches and making configure (autoreconf)"
cp -a "$SRC" "$WORK/src"
SRC="$WORK/src"
for p in "$HERE"/patches/*.patch; do
	echo "-- $p"
	patch -p1 -N --no-backup-if-mismatch -d "$SRC" <"$p"
done
(cd "$SRC" && autoreconf -fi)

say "== configuring make"
cd "$WORK/build"
# --disable-load: no dlopen in WASI. --without-guile: as Debian's `make`
# (not make-guile). -Dbsd_signal=signal: wasi-libc declares bsd_signal but
# has none; the compat layer's signal has its semantics (the handler stays,
# SA_RESTART), as glibc's does. --disable-job-server: the jobserver waits
# for a token in pselect with SIGCHLD unblocked only there, and wasi-libc's
# pselect ignores its signal mask, so -j waited for ever; without it, -jN
# still runs N jobs at once (waiting for them with waitpid), and a
# recursive make runs its own jobs one at a time.
# ac_cv_lib_util_getloadavg=no: as Debian's build.
ac_cv_lib_util_getloadavg=no \
	CC="$CC" CFLAGS="${TARGET_CFLAGS/ $OPT / -O2 } -D_GNU_SOURCE -Dbsd_signal=signal" LDFLAGS="$TARGET_LDFLAGS" \
	"$SRC/configure" --host=wasm32-unknown-wasi --build="$("$SRC/build-aux/config.guess")" \
	--prefix=/usr --disable-nls --without-guile --disable-load --disable-job-server \
	--disable-dependency-tracking

say "== compiling make"
make -j"$(nproc)"

build_finish "$WORK/build/make" "$OUT/make.wasm"
