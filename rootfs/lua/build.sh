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

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../toolchain.sh"
build_start 2 "$0 SRC_DIR OUT_DIR" "$@"
[ -f "$SRC/src/lua.c" ] && [ -f "$SRC/src/luaconf.h" ] ||
	{ echo "build.sh: $SRC does not look like a Lua source tree" >&2; exit 1; }

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

build_finish "$WORK/lua5.4" "$OUT/lua5.4.wasm"
