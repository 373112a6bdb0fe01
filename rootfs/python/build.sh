#!/usr/bin/env bash
# CPython 3.11 for wasm32-wasi, from Debian's python3.11 source package,
# with zlib (Debian's zlib source) and SQLite (the amalgamation the sqlite
# layer's build keeps) linked in; see README.md of this folder.
#
#   rootfs/python/build.sh SRC_DIR OUT_DIR ZLIB_SRC_DIR SQLITE_OUT_DIR
#
# OUT_DIR gets root/, the layer's tree: usr/bin/python3.11 and
# usr/lib/python3.11 (the standard library, with its .pyc compiled by the
# host's python3.11, the same version); patches/*.patch are applied to a
# copy of the source, in order (each says why it exists).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../toolchain.sh"
build_start 4 "$0 SRC_DIR OUT_DIR ZLIB_SRC_DIR SQLITE_OUT_DIR" "$@"
ZLIB=$(cd "$3" && pwd)
SQLITE=$(cd "$4" && pwd)
[ -f "$SRC/Python/ceval.c" ] && [ -f "$SRC/Tools/wasm/config.site-wasm32-wasi" ] ||
	{ echo "build.sh: $SRC does not look like a CPython 3.11 source tree" >&2; exit 1; }
[ -f "$ZLIB/inflate.c" ] || { echo "build.sh: $ZLIB is not a zlib source tree" >&2; exit 1; }
[ -f "$SQLITE/sqlite3.c" ] || { echo "build.sh: $SQLITE has no sqlite3.c" >&2; exit 1; }
BUILD_PYTHON=${BUILD_PYTHON:-/usr/bin/python3.11}
"$BUILD_PYTHON" -c 'import sys; assert sys.version_info[:2] == (3, 11)' ||
	{ echo "build.sh: $BUILD_PYTHON is not a Python 3.11" >&2; exit 1; }

rm -rf "$WORK"
mkdir -p "$WORK/deps/include" "$WORK/deps/lib" "$WORK/zlib" "$WORK/build"
say "== building the compat layer"
toolchain_setup "$WORK"
# -Wno-int-conversion: wasi-libc's clockid_t is a pointer, which timemodule.c
# exports as an int (time.CLOCK_REALTIME); both are 32 bits here, so the
# value goes back to clock_gettime unchanged. clang 16+ makes it an error.
CFLAGS="${TARGET_CFLAGS/ $OPT / } -Wno-int-conversion"

say "== compiling zlib"
for f in adler32 compress crc32 deflate gzclose gzlib gzread gzwrite infback inffast inflate inftrees trees uncompr zutil; do
	$CC $CFLAGS -O2 -DHAVE_UNISTD_H -DHAVE_STDARG_H -c "$ZLIB/$f.c" -o "$WORK/zlib/$f.o"
done
"$LLVM_AR" rcsD "$WORK/deps/lib/libz.a" "$WORK"/zlib/*.o
cp "$ZLIB/zlib.h" "$ZLIB/zconf.h" "$WORK/deps/include/"

say "== compiling SQLite"
$CC $CFLAGS -O2 -DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_LOAD_EXTENSION -DSQLITE_OMIT_WAL \
	-DSQLITE_ENABLE_MATH_FUNCTIONS -DSQLITE_ENABLE_FTS5 -DSQLITE_ENABLE_JSON1 -DHAVE_USLEEP=1 \
	-D_GNU_SOURCE -c "$SQLITE/sqlite3.c" -o "$WORK/sqlite3.o"
"$LLVM_AR" rcsD "$WORK/deps/lib/libsqlite3.a" "$WORK/sqlite3.o"
cp "$SQLITE/sqlite3.h" "$WORK/deps/include/"

say "== applying patches (to a copy of the source)"
cp -a "$SRC" "$WORK/src"
SRC="$WORK/src"
for p in "$HERE"/patches/*.patch; do
	echo "-- $p"
	patch -p1 -N --no-backup-if-mismatch -d "$SRC" <"$p"
done

say "== configuring CPython"
cd "$WORK/build"
CONFIG_SITE="$HERE/config.site" OVERBOX_UPSTREAM_SITE="$SRC/Tools/wasm/config.site-wasm32-wasi" \
	PKG_CONFIG=false ac_cv_header_pthread_h=no ac_cv_func_memfd_create=no ac_cv_func_sigaltstack=no \
	OPT="-DNDEBUG -fwrapv -O2" \
	CC="$CC" CFLAGS="$CFLAGS" CPPFLAGS="-I$WORK/deps/include" LDFLAGS="$TARGET_LDFLAGS -L$WORK/deps/lib" \
	ZLIB_CFLAGS="-I$WORK/deps/include" ZLIB_LIBS="-L$WORK/deps/lib -lz" \
	LIBSQLITE3_CFLAGS="-I$WORK/deps/include" LIBSQLITE3_LIBS="-L$WORK/deps/lib -lsqlite3" \
	"$SRC/configure" --host=wasm32-unknown-wasi --build="$("$SRC/config.guess")" \
	--with-build-python="$BUILD_PYTHON" --prefix=/usr --without-ensurepip --disable-test-modules

say "== compiling CPython"
make -j"$(nproc)" python.wasm
make pybuilddir.txt

say "== the standard library"
# What the layer holds (README.md): the interpreter in /usr/bin, and the
# standard library in /usr/lib/python3.11 without its tests, IDLE, Tkinter
# and ensurepip, with its .pyc compiled by the build Python. unchecked-hash:
# a .pyc is used without comparing it with its source's date, which an image
# layer does not keep (every entry is dated by the changelog), and nothing is
# ever written to __pycache__ in a container.
ROOT="$OUT/root"
LIB="$ROOT/usr/lib/python3.11"
rm -rf "$ROOT"
mkdir -p "$ROOT/usr/bin" "$LIB/lib-dynload"
(cd "$SRC/Lib" && tar cf - --exclude=__pycache__ --exclude=test --exclude=tests \
	--exclude=idlelib --exclude=tkinter --exclude=turtledemo --exclude=ensurepip .) | (cd "$LIB" && tar xf -)
# sysconfig's build-time variables, under the name Debian's sysconfig.py
# looks for (_sysconfigdata_{abiflags}_{multiarch}); the build wrote them
# under upstream's, which also has the platform.
cp "$WORK/build/$(cat pybuilddir.txt)"/_sysconfigdata__wasi_wasm32-wasi.py "$LIB/_sysconfigdata__wasm32-wasi.py"
"$BUILD_PYTHON" -m compileall -q -j0 --invalidation-mode unchecked-hash -d /usr/lib/python3.11 "$LIB"
# lib-dynload (empty): Python looks for it to find its exec prefix; every
# extension module is built in.
ln -s python3.11 "$ROOT/usr/bin/python3"
ln -s python3.11 "$ROOT/usr/bin/python"
install -m 0755 "$HERE/pip" "$ROOT/usr/bin/pip3"
ln -s pip3 "$ROOT/usr/bin/pip"

build_finish "$WORK/build/python.wasm" "$OUT/python3.11.wasm"
mv "$OUT/python3.11.wasm" "$ROOT/usr/bin/python3.11"
chmod 0755 "$ROOT/usr/bin/python3.11"
