# The toolchain every layer's program is built with (busybox/build.sh,
# lua/build.sh, ...), sourced by those scripts: clang-19 for wasm32-wasi
# against Debian's wasi-libc, our libc compatibility layer (compat/), and
# Binaryen's Asyncify, so that every program pauses in its system calls as
# the kernel needs (the ABI: core/wasi/README.md; why each flag: README.md
# of this folder).
#
#   . rootfs/toolchain.sh
#   build_start N "USAGE" "$@" # SRC_DIR OUT_DIR (and N-2 more): SRC, OUT,
#                             # WORK; OUT/build.log from then on, `say`
#   toolchain_setup WORK      # sets CC, TARGET_CFLAGS, TARGET_LDFLAGS;
#                             # builds WORK/compat/libovercompat.a
#   asyncify IN OUT.wasm      # IN stripped into OUT.plain.wasm (kept for
#                             # reference, not shipped), then Asyncify and
#                             # -O2 into OUT.wasm
#   check_module OUT.wasm     # its imports and exports are the kernel's ABI
#   build_finish LINKED OUT.wasm # asyncify, check_module, WORK removed
#
# Overridable: CLANG, WASM_LD, LLVM_AR, LLVM_NM, LLVM_STRIP, WASI_INCLUDE,
# WASI_LIB, OPT (-Os), WASM_OPT (the npm package binaryen's wasm-opt).

TOOLCHAIN_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CLANG=${CLANG:-clang-19}
WASM_LD=${WASM_LD:-wasm-ld-19}
LLVM_AR=${LLVM_AR:-llvm-ar-19}
LLVM_NM=${LLVM_NM:-llvm-nm-19}
LLVM_STRIP=${LLVM_STRIP:-llvm-strip-19}
WASI_INCLUDE=${WASI_INCLUDE:-/usr/include/wasm32-wasi}
WASI_LIB=${WASI_LIB:-/usr/lib/wasm32-wasi}
OPT=${OPT:--Os}
WASM_OPT=${WASM_OPT:-$TOOLCHAIN_DIR/../node_modules/.bin/wasm-opt}

# The start of a layer's build.sh: its N arguments (SRC_DIR OUT_DIR, then
# any more), or USAGE and exit 2. Sets SRC and OUT (absolute) and WORK
# (OUT/work). From then on everything goes to OUT/build.log, `say` writes a
# progress line to the terminal too, and a failure shows the log's last
# lines. Locale, time zone and umask are fixed, for reproducible outputs.
build_start() {
	local n=$1 usage=$2
	shift 2
	if [ $# -ne "$n" ]; then
		echo "usage: $usage" >&2
		exit 2
	fi
	SRC=$(cd "$1" && pwd)
	mkdir -p "$2"
	OUT=$(cd "$2" && pwd)
	WORK="$OUT/work"
	LOG="$OUT/build.log"
	exec 3>&1
	exec >"$LOG" 2>&1
	trap 'rc=$?; if [ $rc -ne 0 ]; then echo "build.sh: FAILED (exit $rc); last lines of $LOG:" >&3; tail -n 40 "$LOG" >&3; fi' EXIT
	export LC_ALL=C TZ=UTC
	umask 022
}

say() {
	echo "$*"
	echo "$*" >&3
}

# Checks the tools, makes WORK's private sysroot, builds the compat layer
# into WORK/compat, and sets CC, TARGET_CFLAGS and TARGET_LDFLAGS.
toolchain_setup() {
	local work=$1 tool c
	for tool in "$CLANG" "$WASM_LD" "$LLVM_AR" "$LLVM_NM" "$LLVM_STRIP" "$WASM_OPT" make gcc patch gzip node; do
		command -v "$tool" >/dev/null || { echo "toolchain.sh: missing tool: $tool" >&2; return 1; }
	done
	[ -f "$WASI_INCLUDE/stdio.h" ] && [ -f "$WASI_LIB/libc.a" ] ||
		{ echo "toolchain.sh: wasi-libc not found in $WASI_INCLUDE / $WASI_LIB" >&2; return 1; }

	# Private sysroot: only wasi-libc. Without --sysroot, Debian's clang also
	# searches the host's /usr/include and silently picks glibc headers.
	local sysroot="$work/sysroot"
	rm -rf "$sysroot"
	mkdir -p "$sysroot/lib"
	ln -s "$WASI_INCLUDE" "$sysroot/include"
	ln -s "$WASI_LIB" "$sysroot/lib/wasm32-wasi" # clang looks in $sysroot/lib/wasm32-wasi

	# The compat layer's sources are copied into WORK, whose path the
	# -ffile-prefix-map below drops: the output does not depend on it.
	rm -rf "$work/overbox-compat" "$work/compat"
	cp -a "$TOOLCHAIN_DIR/compat" "$work/overbox-compat"
	mkdir -p "$work/compat"

	# OPT: -Os (BusyBox's own default) rather than -O2: measured on BusyBox
	# (Node 20, medians of 3-7 runs): 979 KB vs 1196 KB raw, 425 KB vs 478 KB
	# gzipped, while sha256sum/md5sum of 64 MiB, gzip/bzip2 of 5 MB, sort -n of
	# 300k lines, awk and an ash loop ran within +-10% of -O2 (the noise level),
	# none consistently slower.  OPT=-O2 builds the other one.
	# -std=gnu11 (after BusyBox's -std=gnu99): wasi-libc's headers need max_align_t.
	# -mllvm -enable-emscripten-sjlj: setjmp/longjmp lowered Emscripten-style,
	# through the kernel's env.invoke_* and a JavaScript exception (runtime in
	# compat/em_sjlj.c), not onto WebAssembly exception handling, which
	# Asyncify cannot unwind through (Binaryen issue 5343).
	# -ffile-prefix-map: no build directory in the output (__FILE__ and friends).
	# --ld-path: the linker is wasm-ld-19 (lld), driven by clang.
	CC="$CLANG --target=wasm32-wasi --sysroot=$sysroot --ld-path=$(command -v "$WASM_LD")"
	TARGET_CFLAGS="-std=gnu11 $OPT -I$work/overbox-compat/include \
 -D_WASI_EMULATED_SIGNAL -D_WASI_EMULATED_PROCESS_CLOCKS -D_WASI_EMULATED_MMAN \
 -mllvm -enable-emscripten-sjlj \
 -ffile-prefix-map=$work/= \
 -Wno-unused-command-line-argument -Wno-ignored-optimization-argument"
	# Link: our compat archive first (it overrides a few libc members: ioctl,
	# fcntl, uname), then wasi-libc's emulation libraries for mmap and process
	# clocks.  1 MiB stack placed first, so an overflow traps instead of
	# silently overwriting static data.
	COMPAT_LIB="$work/compat/libovercompat.a"
	# --wrap: open/openat/mkdir/mkdirat go to compat/kernel.c, which
	# passes the mode on to the kernel (wasi-libc's versions drop it); chdir to
	# compat/process.c, which tells the kernel the new working directory; malloc's
	# sbrk to compat/memory.c, which lets the kernel hold the memory limit;
	# qsort and strtod to compat/fastpath.c (a merge sort, and a fast path for
	# plain decimal numbers: musl's were most of sort -n's time); malloc, free
	# and calloc to compat/malloc.c (a cache of small freed blocks in front of
	# dlmalloc, as glibc's tcache).
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
	TARGET_LDFLAGS="-Wl,--wrap=open,--wrap=openat,--wrap=mkdir,--wrap=mkdirat,--wrap=chdir,--wrap=sbrk,--wrap=qsort,--wrap=strtod,--wrap=malloc,--wrap=free,--wrap=calloc -Wl,$COMPAT_LIB -Wl,-lwasi-emulated-mman -Wl,-lwasi-emulated-process-clocks \
 -Wl,-z,stack-size=1048576 -Wl,--stack-first -Wl,--import-memory,--export-memory -Wl,--undefined=overbox_stdio_buffers \
 -Wl,--export-table -Wl,--export=__stack_pointer,--export=__THREW__,--export=__threwValue \
 -Wl,--export=overbox_asyncify_buffer,--export=overbox_asyncify_buffer_size -O0"

	for c in "$work"/overbox-compat/*.c; do
		$CC $TARGET_CFLAGS -D_GNU_SOURCE -Wall -Werror=implicit-function-declaration \
			-c "$c" -o "$work/compat/$(basename "${c%.c}").o"
	done
	rm -f "$COMPAT_LIB"
	"$LLVM_AR" rcsD "$COMPAT_LIB" "$work"/compat/*.o
}

# IN (a linked module) stripped of its name and custom sections into
# OUT.plain.wasm, then transformed by Asyncify with every import as one
# that may pause, into OUT.wasm.
asyncify() {
	local in=$1 out=$2
	local plain="${out%.wasm}.plain.wasm"
	"$LLVM_STRIP" --strip-all "$in" -o "$plain"
	"$WASM_OPT" "$plain" -o "$out" \
		--enable-bulk-memory --enable-sign-ext --enable-mutable-globals --enable-nontrapping-float-to-int \
		--asyncify --pass-arg='asyncify-imports@wasi_snapshot_preview1.*,overbox.*,env.invoke_*' \
		--zero-filled-memory -O2
}

# The module may import only WASI preview 1, overbox, env.invoke_* and
# env.memory, and must export exactly what the kernel uses.
check_module() {
	node - "$1" <<'EOF'
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
}

# The end of a tool layer's build.sh: the linked module LINKED through
# Asyncify into OUT.wasm, checked, and WORK removed.
build_finish() {
	local linked=$1 out=$2
	say "== Asyncify ($("$WASM_OPT" --version))"
	asyncify "$linked" "$out"
	say "== checking imports/exports"
	check_module "$out" || { echo "build.sh: bad module imports/exports" >&3; exit 1; }
	rm -rf "$WORK"
	say "== done: $out, $(stat -c %s "$out") bytes"
}
