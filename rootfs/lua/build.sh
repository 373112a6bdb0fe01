#!/bin/bash
# Build Lua 5.4 (Debian's lua5.4 source, its patches applied) as one
# WebAssembly module, the `lua5.4` of the `tools` image's Lua layer, with
# the toolchain every layer's programs share (../toolchain.sh: our libc
# compatibility layer, setjmp/longjmp through the kernel, Asyncify).
#
#   rootfs/lua/build.sh SRC_DIR OUT_DIR
#
# SRC_DIR  unpacked Debian lua5.4 source (`apt-get source lua5.4`); only read.
# OUT_DIR  receives lua5.4.wasm, lua5.4.plain.wasm (before Asyncify, for
#          reference) and build.log.
#
# Lua is built as Debian builds its `lua5.4` binary (LUA_USE_LINUX less
# dlopen: LUA_USE_POSIX), so io.popen, os.execute, os.tmpname and
# io.lines behave as on Linux; C modules cannot be loaded (README.md).
set -euo pipefail

if [ $# -ne 2 ]; then
	echo "usage: $0 SRC_DIR OUT_DIR" >&2
	exit 2
fi
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC=$(cd "$1" && pwd)
mkdir -p "$2"
OUT=$(cd "$2" && pwd)
WORK="$OUT/work"
LOG="$OUT/build.log"
. "$HERE/../toolchain.sh"
[ -f "$SRC/src/lua.c" ] && [ -f "$SRC/src/luaconf.h" ] ||
	{ echo "build.sh: $SRC does not look like a Lua source tree" >&2; exit 1; }

exec 3>&1
exec >"$LOG" 2>&1
say() { echo "$*"; echo "$*" >&3; }
trap 'rc=$?; if [ $rc -ne 0 ]; then echo "build.sh: FAILED (exit $rc); last lines of $LOG:" >&3; tail -n 40 "$LOG" >&3; fi' EXIT
export LC_ALL=C TZ=UTC
umask 022

say "== copying $SRC to $WORK"
rm -rf "$WORK"
mkdir -p "$WORK/obj"
cp -a "$SRC/src" "$WORK/lua"
# Debian's luaconf.h includes the header its build writes with the
# multiarch triplet, where C modules would be looked for.
echo '#define DEB_HOST_MULTIARCH "wasm32-wasi"' >"$WORK/lua/lua5.4-deb-multiarch.h"

say "== building the compat layer"
toolchain_setup "$WORK"
# -O2, as Debian's build: Lua's interpreter loop is its speed.
TARGET_CFLAGS="${TARGET_CFLAGS/ $OPT / -O2 } -D_GNU_SOURCE -DLUA_USE_POSIX -DLUA_COMPAT_5_3 -Wall"

say "== compiling Lua"
for c in "$WORK"/lua/*.c; do
	case $(basename "$c") in luac.c | onelua.c) continue ;; esac
	$CC $TARGET_CFLAGS -c "$c" -o "$WORK/obj/$(basename "${c%.c}").o"
done
$CC $TARGET_CFLAGS "$WORK"/obj/*.o $TARGET_LDFLAGS -o "$WORK/lua5.4"

say "== Asyncify ($("$WASM_OPT" --version))"
asyncify "$WORK/lua5.4" "$OUT/lua5.4.wasm"
say "== checking imports/exports"
check_module "$OUT/lua5.4.wasm" || { echo "build.sh: bad module imports/exports" >&3; exit 1; }
rm -rf "$WORK"
say "== done: $OUT/lua5.4.wasm, $(stat -c %s "$OUT/lua5.4.wasm") bytes"
