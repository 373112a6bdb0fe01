#!/bin/bash
# Build BusyBox (Debian's 1.35 source) as one WebAssembly module for WASI
# preview 1: busybox.wasm imports from wasi_snapshot_preview1, from overbox
# (the kernel's own calls) and env.invoke_* (setjmp/longjmp), and is
# transformed by Binaryen's Asyncify so that the kernel can pause it in any
# of those calls (the ABI: core/wasi/README.md).
#
#   rootfs/busybox/build.sh SRC_DIR OUT_DIR
#
# SRC_DIR  unpacked Debian busybox 1.35 source (`apt-get source busybox`, with
#          Debian's patches applied).  It is only read: the build happens in a
#          copy, OUT_DIR/work.
# OUT_DIR  receives busybox.wasm, busybox.links, busybox.config, build.log,
#          and busybox.plain.wasm (the module before Asyncify, for reference;
#          not shipped).
#
# Needs: clang-19, lld-19 (wasm-ld-19), llvm-19 (llvm-ar-19, llvm-strip-19),
# libclang-rt-19-dev-wasm32, wasi-libc, make, gcc (for kbuild's host tools),
# and Binaryen's wasm-opt: the npm package binaryen, a devDependency
# (node_modules/.bin/wasm-opt of this repository), or WASM_OPT=/path/to/wasm-opt.
#
# Pieces, all next to this script:
#   patches/*.patch   applied in order to the copy (each says why it exists)
#   config.overrides  applied on top of `make defconfig`
# and ../toolchain.sh: the compiler, its flags, the libc compatibility
# layer (../compat/) and Asyncify, which every layer's programs share.
set -euo pipefail

# The toolchain (overridable, e.g. CLANG=clang-20), and the start every
# layer's build shares (build.log, `say`): ../toolchain.sh.
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../toolchain.sh"
build_start 2 "$0 SRC_DIR OUT_DIR" "$@"
JOBS=${JOBS:-2}
[ -f "$SRC/Makefile" ] && [ -f "$SRC/applets/busybox.mkll" ] ||
	{ echo "build.sh: $SRC does not look like a BusyBox source tree" >&2; exit 1; }

# Reproducibility: fixed locale, time zone and umask (build_start); no
# timestamps.  BusyBox embeds a date only in its banner (AUTOCONF_TIMESTAMP):
# KCONFIG_NOTIMESTAMP empties it and BB_EXTRA_VERSION replaces it ("BusyBox
# v1.35.0 (overbox wasm32-wasi)").  No debug info is generated and
# -ffile-prefix-map drops the build directory, so the module does not depend
# on OUT_DIR either.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1640995200}   # for any tool that looks
export KCONFIG_NOTIMESTAMP=1
BB_EXTRA_VERSION="overbox wasm32-wasi"

say "== copying $SRC to $WORK"
rm -rf "$WORK"
mkdir -p "$WORK"
cp -a "$SRC" "$WORK/busybox"
rm -rf "$WORK/busybox/.pc"   # quilt's bookkeeping, not source
BB="$WORK/busybox"

say "== building the compat layer"
toolchain_setup "$WORK"

say "== applying patches"
for p in "$HERE"/patches/*.patch; do
	[ -e "$p" ] || continue
	echo "-- $p"
	patch -p1 -N --no-backup-if-mismatch -d "$BB" <"$p"
done

# ---- compiler flags -------------------------------------------------------
# The toolchain's flags (../toolchain.sh), and BusyBox's own: its build
# directory dropped from the output, and warnings its code gives clang.
TARGET_CFLAGS="$TARGET_CFLAGS -ffile-prefix-map=$BB/= \
 -Wno-string-plus-int -Wno-constant-logical-operand -Wno-gnu-variable-sized-type-not-at-end"

# ---- configuration --------------------------------------------------------
say "== configuring (defconfig + config.overrides)"
# BusyBox (Debian's platform-linux patch) enables Linux-only applets only if
# the target compiler defines __linux__, which wasm32-wasi does not.  overbox
# presents itself as Linux (uname says so, the compat layer supplies Linux's
# interfaces), so set PLATFORM_LINUX=y by writing the file the Makefile would
# otherwise generate; config.overrides then drops what cannot work.
printf 'config PLATFORM_LINUX\n\tbool\n\tdefault y\n' >"$BB/.platform.in"
MAKEVARS=(
	# kbuild calls $(LD) with gcc-style flags (-nostdlib, -r): give it the
	# clang driver, which runs wasm-ld-19 itself.
	CC="$CC" LD="$CC" AR="$LLVM_AR" NM="$LLVM_NM" STRIP="$LLVM_STRIP"
	HOSTCC=gcc
	EXTRA_CFLAGS="$TARGET_CFLAGS"
	BB_EXTRA_VERSION="$BB_EXTRA_VERSION"
	SKIP_STRIP=y
	V=1
)
make -C "$BB" "${MAKEVARS[@]}" defconfig
overrides="$HERE/config.overrides"
# Each override line replaces whatever defconfig said for that symbol.
while IFS= read -r line; do
	case "$line" in
	"# CONFIG_"*" is not set") sym=${line#\# }; sym=${sym%% is not set} ;;
	CONFIG_*=*) sym=${line%%=*} ;;
	*) continue ;;
	esac
	sed -i -e "/^$sym=/d" -e "/^# $sym is not set\$/d" "$BB/.config"
	echo "$line" >>"$BB/.config"
done <"$overrides"
# `yes` dies of SIGPIPE when oldconfig is done: judge by make's status only.
make -C "$BB" "${MAKEVARS[@]}" oldconfig < <(yes "") >/dev/null
# kconfig silently drops settings whose dependencies are off: check them all.
bad=0
while IFS= read -r line; do
	case "$line" in
	"# CONFIG_"*" is not set")
		sym=${line#\# }; sym=${sym%% is not set}
		if grep -q "^$sym=" "$BB/.config"; then echo "override not applied: $line"; bad=1; fi ;;
	CONFIG_*=*)
		grep -qxF "$line" "$BB/.config" || { echo "override not applied: $line"; bad=1; } ;;
	esac
done <"$overrides"
[ $bad -eq 0 ] || { echo "build.sh: config.overrides did not apply cleanly" >&3; exit 1; }

# ---- build ---------------------------------------------------------------
say "== compiling BusyBox (make -j$JOBS)"
LDFLAGS="$TARGET_LDFLAGS" make -C "$BB" "${MAKEVARS[@]}" -j"$JOBS" busybox busybox.links

# ---- outputs ---------------------------------------------------------------
# Stripped (the unstripped module stays in work/ for debugging) into
# busybox.plain.wasm, then Asyncify (../toolchain.sh).
cp "$BB/busybox.links" "$OUT/busybox.links"
cp "$BB/.config" "$OUT/busybox.config"
say "== Asyncify ($("$WASM_OPT" --version))"
asyncify "$BB/busybox" "$OUT/busybox.wasm"
say "== checking imports/exports"
check_module "$OUT/busybox.wasm" || { echo "build.sh: bad module imports/exports" >&3; exit 1; }

napplets=$(wc -l <"$OUT/busybox.links")
raw=$(stat -c %s "$OUT/busybox.wasm")
gz=$(gzip -9n <"$OUT/busybox.wasm" | wc -c)
sha=$(sha256sum "$OUT/busybox.wasm" | cut -d' ' -f1)
say "== done: $OUT/busybox.wasm"
say "applets: $napplets"
say "size: $raw bytes raw, $gz bytes gzipped (gzip -9n)"
say "before Asyncify: $(stat -c %s "$OUT/busybox.plain.wasm") bytes raw, $(gzip -9n <"$OUT/busybox.plain.wasm" | wc -c) bytes gzipped"
say "sha256: $sha"
