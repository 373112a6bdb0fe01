#!/bin/bash
# The socket test programs (rootfs/socket-programs.test.ts): each NAME.c
# built twice, for overbox with the layers' toolchain (compat/ and
# Asyncify, as BusyBox is: OUT/NAME.wasm) and natively with gcc
# (OUT/native/NAME), so that the test can compare what the two print.
#   build.sh OUT_DIR
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../toolchain.sh"
OUT=$(mkdir -p "$1" && cd "$1" && pwd)
WORK="$OUT/work"
exec 3>&1 >"$OUT/build.log" 2>&1
rm -rf "$WORK"
mkdir -p "$WORK" "$OUT/native"
toolchain_setup "$WORK"
for c in "$HERE"/*.c; do
	name=$(basename "$c" .c)
	$CC $TARGET_CFLAGS -Wall -Werror -c "$c" -o "$WORK/$name.o"
	$CC $TARGET_CFLAGS "$WORK/$name.o" $TARGET_LDFLAGS -o "$WORK/$name"
	asyncify "$WORK/$name" "$OUT/$name.wasm"
	check_module "$OUT/$name.wasm"
	rm -f "$OUT/$name.plain.wasm"
	gcc -O2 -Wall -Werror -o "$OUT/native/$name" "$c"
done
rm -rf "$WORK"
