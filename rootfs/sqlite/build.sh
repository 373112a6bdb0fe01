#!/bin/bash
# Build SQLite 3.40 (Debian's sqlite3 source, its patches applied) as one
# WebAssembly module, the `sqlite3` command-line shell of the `tools`
# image's SQLite layer, with the toolchain every layer shares
# (../toolchain.sh: our libc compatibility layer, Asyncify).
#
#   rootfs/sqlite/build.sh SRC_DIR OUT_DIR
#
# SRC_DIR  unpacked Debian sqlite3 source (`apt-get source sqlite3`); only read.
# OUT_DIR  receives sqlite3.wasm, sqlite3.plain.wasm (before Asyncify, for
#          reference) and build.log.
#
# The amalgamation (sqlite3.c, shell.c) is made first on this machine, as
# SQLite's own build makes it (host gcc, tclsh), then compiled for wasm32
# with Debian's compile-time options, less what WASI cannot give
# (README.md).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../toolchain.sh"
build_start 2 "$0 SRC_DIR OUT_DIR" "$@"
[ -f "$SRC/src/sqlite.h.in" ] && [ -f "$SRC/main.mk" ] ||
	{ echo "build.sh: $SRC does not look like a SQLite source tree" >&2; exit 1; }
command -v tclsh >/dev/null || { echo "build.sh: missing tool: tclsh" >&2; exit 1; }

say "== making the amalgamation (host gcc, tclsh)"
rm -rf "$WORK"
mkdir -p "$WORK/host"
(cd "$WORK/host" && "$SRC/configure" --disable-tcl --disable-readline && make sqlite3.c shell.c)
# Kept for the python layer, whose sqlite3 module links the same SQLite.
cp "$WORK/host/sqlite3.c" "$WORK/host/sqlite3.h" "$OUT/"

say "== building the compat layer"
toolchain_setup "$WORK"

# Debian's options (debian/rules), less SQLITE_ENABLE_LOAD_EXTENSION (no
# dlopen in WASI) and SQLITE_ENABLE_UNLOCK_NOTIFY (threads), and with
# SQLITE_THREADSAFE=0 (no threads) and SQLITE_OMIT_WAL (WAL's shared
# memory is mmap of a -shm file, which WASI lacks). Math functions, FTS4
# and FTS5 as in the sqlite3 shell Debian ships (they are on by default in
# its configure). -O2 as Debian's.
DEBIAN_OPTIONS="-DSQLITE_SECURE_DELETE -DSQLITE_ENABLE_COLUMN_METADATA \
 -DSQLITE_ENABLE_FTS3 -DSQLITE_ENABLE_FTS3_PARENTHESIS -DSQLITE_ENABLE_RTREE=1 -DSQLITE_SOUNDEX=1 \
 -DSQLITE_OMIT_LOOKASIDE=1 -DSQLITE_ENABLE_DBSTAT_VTAB -DSQLITE_ALLOW_ROWID_IN_VIEW \
 -DSQLITE_ENABLE_UPDATE_DELETE_LIMIT=1 -DSQLITE_ENABLE_JSON1 -DSQLITE_LIKE_DOESNT_MATCH_BLOBS \
 -DSQLITE_ENABLE_FTS3_TOKENIZER=1 -DSQLITE_USE_URI=1 -DSQLITE_MAX_SCHEMA_RETRY=25 \
 -DSQLITE_ENABLE_PREUPDATE_HOOK -DSQLITE_ENABLE_SESSION -DSQLITE_ENABLE_STMTVTAB \
 -DSQLITE_MAX_VARIABLE_NUMBER=250000 -DSQLITE_MAX_DEFAULT_PAGE_SIZE=32768"
OVERBOX_OPTIONS="-DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_LOAD_EXTENSION -DSQLITE_OMIT_WAL \
 -DSQLITE_ENABLE_MATH_FUNCTIONS -DSQLITE_ENABLE_FTS4 -DSQLITE_ENABLE_FTS5 -DHAVE_USLEEP=1"
CFLAGS="${TARGET_CFLAGS/ $OPT / -O2 } -fno-strict-aliasing -D_GNU_SOURCE $DEBIAN_OPTIONS $OVERBOX_OPTIONS"

say "== compiling SQLite"
$CC $CFLAGS -c "$WORK/host/sqlite3.c" -o "$WORK/sqlite3.o"
$CC $CFLAGS -c "$WORK/host/shell.c" -o "$WORK/shell.o"
$CC $CFLAGS "$WORK/sqlite3.o" "$WORK/shell.o" $TARGET_LDFLAGS -o "$WORK/sqlite3"

build_finish "$WORK/sqlite3" "$OUT/sqlite3.wasm"
