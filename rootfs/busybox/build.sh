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
#   compat/           the libc compatibility layer: compat/include/ holds the
#                     headers wasi-libc lacks, compat/*.c the functions; built
#                     here into libovercompat.a and linked before libc.
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

# Toolchain (overridable, e.g. CLANG=clang-20).
CLANG=${CLANG:-clang-19}
WASM_LD=${WASM_LD:-wasm-ld-19}
LLVM_AR=${LLVM_AR:-llvm-ar-19}
LLVM_NM=${LLVM_NM:-llvm-nm-19}
LLVM_STRIP=${LLVM_STRIP:-llvm-strip-19}
WASI_INCLUDE=${WASI_INCLUDE:-/usr/include/wasm32-wasi}
WASI_LIB=${WASI_LIB:-/usr/lib/wasm32-wasi}
JOBS=${JOBS:-2}
OPT=${OPT:--Os}   # optimisation level; see the note at TARGET_CFLAGS
WASM_OPT=${WASM_OPT:-$HERE/../../node_modules/.bin/wasm-opt}

for tool in "$CLANG" "$WASM_LD" "$LLVM_AR" "$LLVM_NM" "$LLVM_STRIP" "$WASM_OPT" make gcc patch gzip node; do
	command -v "$tool" >/dev/null || { echo "build.sh: missing tool: $tool" >&2; exit 1; }
done
[ -f "$WASI_INCLUDE/stdio.h" ] && [ -f "$WASI_LIB/libc.a" ] ||
	{ echo "build.sh: wasi-libc not found in $WASI_INCLUDE / $WASI_LIB" >&2; exit 1; }
[ -f "$SRC/Makefile" ] && [ -f "$SRC/applets/busybox.mkll" ] ||
	{ echo "build.sh: $SRC does not look like a BusyBox source tree" >&2; exit 1; }

# Everything goes to build.log; the terminal gets short progress lines (fd 3).
exec 3>&1
exec >"$LOG" 2>&1
say() { echo "$*"; echo "$*" >&3; }
trap 'rc=$?; if [ $rc -ne 0 ]; then echo "build.sh: FAILED (exit $rc); last lines of $LOG:" >&3; tail -n 40 "$LOG" >&3; fi' EXIT

# Reproducibility: fixed locale, time zone and umask; no timestamps.  BusyBox
# embeds a date only in its banner (AUTOCONF_TIMESTAMP): KCONFIG_NOTIMESTAMP
# empties it and BB_EXTRA_VERSION replaces it ("BusyBox v1.35.0 (overbox
# wasm32-wasi)").  No debug info is generated and -ffile-prefix-map drops the
# build directory, so the module does not depend on OUT_DIR either.
export LC_ALL=C TZ=UTC
umask 022
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1640995200}   # for any tool that looks
export KCONFIG_NOTIMESTAMP=1
BB_EXTRA_VERSION="overbox wasm32-wasi"

say "== copying $SRC to $WORK"
rm -rf "$WORK"
mkdir -p "$WORK"
cp -a "$SRC" "$WORK/busybox"
rm -rf "$WORK/busybox/.pc"   # quilt's bookkeeping, not source
BB="$WORK/busybox"

# Private sysroot: only wasi-libc.  Without --sysroot, Debian's clang also
# searches the host's /usr/include and silently picks glibc headers.
SYSROOT="$WORK/sysroot"
mkdir -p "$SYSROOT/lib"
ln -s "$WASI_INCLUDE" "$SYSROOT/include"
ln -s "$WASI_LIB" "$SYSROOT/lib/wasm32-wasi"   # clang looks in $SYSROOT/lib/wasm32-wasi

# The compat headers are copied next to the source so that the paths in the
# compile commands are relative and the same on every machine.
cp -a "$HERE/compat" "$BB/overbox-compat"

say "== applying patches"
for p in "$HERE"/patches/*.patch; do
	[ -e "$p" ] || continue
	echo "-- $p"
	patch -p1 -N --no-backup-if-mismatch -d "$BB" <"$p"
done

# ---- compiler flags -------------------------------------------------------
# -Os (BusyBox's own default) rather than -O2: measured on this build
# (Node 20, medians of 3-7 runs): 979 KB vs 1196 KB raw, 425 KB vs 478 KB
# gzipped, while sha256sum/md5sum of 64 MiB, gzip/bzip2 of 5 MB, sort -n of
# 300k lines, awk and an ash loop ran within +-10% of -O2 (the noise level),
# none consistently slower.  OPT=-O2 ./build.sh ... builds the other one.
# -std=gnu11 after BusyBox's -std=gnu99: wasi-libc's headers need max_align_t.
# -mllvm -enable-emscripten-sjlj: setjmp/longjmp lowered Emscripten-style,
# through the kernel's env.invoke_* and a JavaScript exception (runtime in
# compat/em_sjlj.c), not onto WebAssembly exception handling, which
# Asyncify cannot unwind through (Binaryen issue 5343).
# -ffile-prefix-map: no build directory in the output (__FILE__ and friends).
# --ld-path: the linker is wasm-ld-19 (lld), driven by clang.
CC="$CLANG --target=wasm32-wasi --sysroot=$SYSROOT --ld-path=$(command -v "$WASM_LD")"
TARGET_CFLAGS="-std=gnu11 $OPT -Ioverbox-compat/include \
 -D_WASI_EMULATED_SIGNAL -D_WASI_EMULATED_PROCESS_CLOCKS -D_WASI_EMULATED_MMAN \
 -mllvm -enable-emscripten-sjlj \
 -ffile-prefix-map=$BB/= -ffile-prefix-map=$WORK/= \
 -Wno-unused-command-line-argument -Wno-ignored-optimization-argument \
 -Wno-string-plus-int -Wno-constant-logical-operand -Wno-gnu-variable-sized-type-not-at-end"
# Link: our compat archive first (it overrides a few libc members: ioctl,
# fcntl, uname), then wasi-libc's emulation libraries for mmap and process
# clocks.  1 MiB stack placed first, so an overflow traps instead of
# silently overwriting static data.
COMPAT_LIB="$WORK/compat/libovercompat.a"
# --wrap: BusyBox's open/openat/mkdir/mkdirat go to compat/kernel.c, which
# passes the mode on to the kernel (wasi-libc's versions drop it); chdir to
# compat/process.c, which tells the kernel the new working directory; malloc's
# sbrk to compat/memory.c, which lets the kernel hold the memory limit;
# qsort and strtod to compat/fastpath.c (a merge sort, and a fast path for
# plain decimal numbers: musl's were most of sort -n's time).
# --export-table and --export=...: what the kernel's env.invoke_* need (the
# function table, the stack pointer to restore after a longjmp, and the
# addresses of __THREW__ and __threwValue, compat/em_sjlj.c); and the buffer
# a paused program's stack is saved in (compat/asyncify.c).  No
# --allow-undefined: the imports all carry their module in the source
# (overbox.h, and env for what the setjmp lowering declares), and anything
# else left undefined is an error.
# -O0, last on the link line: when the last -O is not -O0, clang runs any
# wasm-opt it finds in PATH on the linked module (npm puts node_modules/.bin
# there), so the output would depend on PATH; wasm-opt runs once, below,
# explicitly.  (clang-19's --no-wasm-opt drops the link step altogether.)
# Nothing is compiled at link time, so -O0 changes nothing else.
# --undefined=overbox_stdio_buffers: compat/stdio.c's constructor (stdio
# buffers bigger than wasi-libc's 1 KiB), which nothing else would pull out
# of the archive.
# --import-memory: the kernel gives each instance its memory, a used one
# when it has one (core/wasi/memory-pool.ts: page faults on a fresh
# memory were most of a fork's cost); --export-memory keeps it an export too.
TARGET_LDFLAGS="-Wl,--wrap=open,--wrap=openat,--wrap=mkdir,--wrap=mkdirat,--wrap=chdir,--wrap=sbrk,--wrap=qsort,--wrap=strtod -Wl,$COMPAT_LIB -Wl,-lwasi-emulated-mman -Wl,-lwasi-emulated-process-clocks \
 -Wl,-z,stack-size=1048576 -Wl,--stack-first -Wl,--import-memory,--export-memory -Wl,--undefined=overbox_stdio_buffers \
 -Wl,--export-table -Wl,--export=__stack_pointer,--export=__THREW__,--export=__threwValue \
 -Wl,--export=overbox_asyncify_buffer,--export=overbox_asyncify_buffer_size -O0"

say "== building the compat layer"
mkdir -p "$WORK/compat"
for c in "$BB"/overbox-compat/*.c; do
	o="$WORK/compat/$(basename "${c%.c}").o"
	(cd "$BB" && $CC $TARGET_CFLAGS -D_GNU_SOURCE -Wall -Werror=implicit-function-declaration \
		-c "overbox-compat/$(basename "$c")" -o "$o")
done
rm -f "$COMPAT_LIB"
"$LLVM_AR" rcsD "$COMPAT_LIB" "$WORK"/compat/*.o

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
# Strip the name section and other custom sections (the unstripped module
# stays in work/ for debugging).
"$LLVM_STRIP" --strip-all "$BB/busybox" -o "$OUT/busybox.plain.wasm"
cp "$BB/busybox.links" "$OUT/busybox.links"
cp "$BB/.config" "$OUT/busybox.config"

# Asyncify: every call into the kernel may pause the program (unwind its
# stack into a buffer, return to the event loop, rewind later), so every
# import is listed; the patterns match "module.name".  wasm-opt may use the
# features the module's target_features section names (clang-19's defaults:
# sign-ext, mutable-globals, multivalue, reference-types) and those enabled
# here; every engine overbox runs on has them all.  -O2 after Asyncify: it
# shrinks what Asyncify adds.  --zero-filled-memory: the imported memory is
# all zero when a program starts (core/wasi/memory-pool.ts), so -O2 may
# drop the zeros of data segments, as it does for a memory of the module's own.
say "== Asyncify ($("$WASM_OPT" --version))"
"$WASM_OPT" "$OUT/busybox.plain.wasm" -o "$OUT/busybox.wasm" \
	--enable-bulk-memory --enable-sign-ext --enable-mutable-globals --enable-nontrapping-float-to-int \
	--asyncify --pass-arg='asyncify-imports@wasi_snapshot_preview1.*,overbox.*,env.invoke_*' \
	--zero-filled-memory -O2

# The module may import only WASI preview 1, overbox, env.invoke_* and env.memory, and
# must export exactly what the kernel uses (core/wasi/README.md).
say "== checking imports/exports"
node - "$OUT/busybox.wasm" <<'EOF' || { echo "build.sh: bad module imports/exports" >&3; exit 1; }
const m = new WebAssembly.Module(require('fs').readFileSync(process.argv[2]));
const imports = WebAssembly.Module.imports(m);
const mods = [...new Set(imports.map(i => i.module))];
const ex = Object.fromEntries(WebAssembly.Module.exports(m).map(e => [e.name, e.kind]));
console.log('imports:', imports.length, 'from', mods.join(', '));
console.log('exports:', JSON.stringify(ex));
const allowed = (i) =>
	(i.kind === 'function' && (i.module === 'wasi_snapshot_preview1' || i.module === 'overbox' ||
		(i.module === 'env' && i.name.startsWith('invoke_')))) ||
	(i.kind === 'memory' && i.module === 'env' && i.name === 'memory');
const bad = imports.filter(i => !allowed(i)).map(i => `${i.module}.${i.name} (${i.kind})`);
if (bad.length) throw new Error(`unexpected imports: ${bad.join(', ')}`);
const want = {
	memory: 'memory', _start: 'function',
	__indirect_function_table: 'table', __stack_pointer: 'global', __THREW__: 'global', __threwValue: 'global',
	overbox_asyncify_buffer: 'global', overbox_asyncify_buffer_size: 'global', overbox_signal: 'function',
	asyncify_start_unwind: 'function', asyncify_stop_unwind: 'function',
	asyncify_start_rewind: 'function', asyncify_stop_rewind: 'function', asyncify_get_state: 'function',
};
const wrong = [...new Set([...Object.keys(want), ...Object.keys(ex)])].filter(n => want[n] !== ex[n]);
if (wrong.length) throw new Error(`unexpected exports: ${wrong.map(n => `${n} (${ex[n] ?? 'missing'})`).join(', ')}`);
EOF

napplets=$(wc -l <"$OUT/busybox.links")
raw=$(stat -c %s "$OUT/busybox.wasm")
gz=$(gzip -9n <"$OUT/busybox.wasm" | wc -c)
sha=$(sha256sum "$OUT/busybox.wasm" | cut -d' ' -f1)
say "== done: $OUT/busybox.wasm"
say "applets: $napplets"
say "size: $raw bytes raw, $gz bytes gzipped (gzip -9n)"
say "before Asyncify: $(stat -c %s "$OUT/busybox.plain.wasm") bytes raw, $(gzip -9n <"$OUT/busybox.plain.wasm" | wc -c) bytes gzipped"
say "sha256: $sha"
