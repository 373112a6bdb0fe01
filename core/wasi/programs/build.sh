#!/usr/bin/env bash
# Builds the test programs of core/wasi/programs.test.ts into OUT, none of
# them with Asyncify (overbox prepares them when they first run, as any
# program built elsewhere):
#   OUT/NAME.wasm   each NAME.c with clang-19 and Debian's wasi-libc,
#                   each NAME.rs with Debian's rustc for wasm32-wasi;
#   OUT/native/NAME each NAME.c for this machine, to compare with (not
#                   one that calls WASI itself).
# Run by scripts/setup.ts, which caches OUT on a hash of this folder.
# Usage: build.sh OUT
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# As a user's clang builds them: clang runs a wasm-opt it finds on the PATH
# after linking, and npm puts binaryen's (node_modules/.bin) there.
PATH=$(printf %s "$PATH" | tr ':' '\n' | grep -v node_modules | paste -sd: -)
OUT=$1
mkdir -p "$OUT/native" "$OUT/sysroot/lib"
# Only wasi-libc: without --sysroot, Debian's clang also searches the
# host's /usr/include and picks glibc's headers.
ln -sfn /usr/include/wasm32-wasi "$OUT/sysroot/include"
ln -sfn /usr/lib/wasm32-wasi "$OUT/sysroot/lib/wasm32-wasi"
for c in "$HERE"/*.c; do
	name=$(basename "$c" .c)
	clang-19 --target=wasm32-wasi --sysroot="$OUT/sysroot" -fuse-ld=lld -O2 -Wall -Werror -Wl,--strip-debug \
		-o "$OUT/$name.wasm" "$c"
	# A program of WASI's own calls has no native twin.
	grep -q '<wasi/api.h>' "$c" || clang-19 -O2 -Wall -Werror -o "$OUT/native/$name" "$c"
done
for rs in "$HERE"/*.rs; do
	name=$(basename "$rs" .rs)
	/usr/bin/rustc --edition 2021 --target wasm32-wasi -C opt-level=2 -C strip=debuginfo -o "$OUT/$name.wasm" "$rs"
done
rm -rf "$OUT/sysroot"
