/**
 * Programs built elsewhere (rustc, clang with wasi-libc, AssemblyScript,
 * TinyGo, Zig): a WASI preview 1 command module without our Asyncify
 * exports is prepared once, when it is first run, so that the kernel can
 * pause it as it pauses BusyBox (README.md, "Programs built elsewhere"):
 *
 * 1. Its imports are checked: WASI preview 1 functions the kernel gives,
 *    and a memory named env.memory, nothing else. A reactor (`_initialize`
 *    with no `_start`) is refused too. Each refusal is one line naming
 *    what is missing (`Unrunnable`).
 * 2. Every loop gets a countdown: every TICK_EVERY iterations it calls the
 *    import `overbox.tick`, a system call point, so that a loop with no
 *    system calls still lets the kernel deliver Ctrl-C and run the rest.
 * 3. Its memory becomes the import env.memory, so that the kernel gives it
 *    (memory-pool.ts), as it gives BusyBox's.
 * 4. Binaryen's Asyncify, with every import as one that may pause, then
 *    Binaryen's inlining and local clean-ups.
 *
 * Binaryen (the npm package, 14 MB of JavaScript and wasm) is loaded only
 * when a program needs preparing.
 */
import type binaryen from "binaryen";
import { PREVIEW1_FUNCTIONS } from "./preview1.ts";

/** The import every loop calls, each TICK_EVERY iterations. */
export const TICK_IMPORT = { module: "overbox", name: "tick" } as const;
/** Loop iterations between two ticks: a tick costs a call into the kernel. */
const TICK_EVERY = 10_000;
const BUDGET = "overbox_budget";
const TICK = "overbox_tick";

/** Expressions in a function past which Asyncify runs without its own optimizations (see prepare). */
const HUGE_FUNCTION = 50_000;

/**
 * The largest function (in expressions) inlined into its only caller
 * after Asyncify. On the bench's 1 MB program (wasi.*: 5,120 small
 * functions with a loop each, each called from one place) it is what
 * brings its CPU-bound work from 1.5-1.75x native (as slow as the module
 * unprepared: V8 makes each call as it is) to about 1.1x, for 0.4 s more
 * preparing; Binaryen's whole -O2 does no better and takes 7.5 s more.
 * Without a bound (Binaryen's default), everything was inlined into a few
 * functions that V8's optimizing compiler took a second over, which every
 * run of the CLI then waited for as it exited.
 */
const ONE_CALLER_INLINE = 200;

/** Binaryen's passes run after Asyncify: what its instrumentation leaves, tidied within each function. */
const CLEAN_UPS = [
  "simplify-locals-nostructure",
  "vacuum",
  "reorder-locals",
  "coalesce-locals",
  "simplify-locals",
  "vacuum",
  "merge-blocks",
  "remove-unused-brs",
];

/** A module overbox cannot run, and the one line that says why. */
export class Unrunnable extends Error {}

/** Whether `module` was built for overbox (BusyBox): it pauses itself, with Asyncify's exports. */
export function isPausable(module: WebAssembly.Module): boolean {
  return WebAssembly.Module.exports(module).some((e) => e.name === "asyncify_get_state");
}

/**
 * Checks that `module` is a WASI command the kernel can run: throws
 * Unrunnable naming the first import it lacks, or saying it is a reactor.
 */
export function checkCommand(module: WebAssembly.Module): void {
  for (const i of WebAssembly.Module.imports(module)) {
    const name = `${i.module}.${i.name}`;
    if (i.module === "env" && i.name === "memory" && i.kind === "memory") continue;
    if (i.module === "wasi_snapshot_preview1" && i.kind === "function") {
      if (PREVIEW1_FUNCTIONS.has(i.name)) continue;
      throw new Unrunnable(`it imports ${name}, which is not in WASI preview 1`);
    }
    throw new Unrunnable(
      `it imports ${name} (${i.kind}), and overbox gives only WASI preview 1 (wasi_snapshot_preview1)`,
    );
  }
  const exports = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
  if (!exports.has("_start")) {
    throw new Unrunnable(
      exports.has("_initialize")
        ? "it is a WASI reactor (it exports _initialize, not _start): only commands run"
        : "it exports no _start: it is not a WASI command",
    );
  }
}

/** The prepared module's bytes (see the top of this file). `bytes` must have passed checkCommand. */
export async function prepare(bytes: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  const b = (await import("binaryen")).default;
  // What every engine overbox runs in has (Node 20 included): the module
  // prepared must not use more. A module that needs more fails validation.
  const F = b.Features;
  const features =
    F.MutableGlobals |
    F.NontrappingFPToInt |
    F.SignExt |
    F.BulkMemory |
    F.BulkMemoryOpt |
    F.SIMD128 |
    F.Multivalue |
    F.ReferenceTypes |
    F.CallIndirectOverlong;
  let m: Module;
  try {
    m = b.readBinary(bytes);
  } catch (e) {
    throw new Unrunnable(`Binaryen cannot read it: ${String(e)}`);
  }
  try {
    m.setFeatures(features);
    if (!m.validate()) throw new Unrunnable("it uses WebAssembly features overbox cannot prepare");
    const largest = addTicks(b, m);
    if (m.hasMemory()) {
      const memory = m.getMemoryInfo();
      if (!memory.module) m.addMemoryImport("0", "env", "memory", memory.shared);
    }
    // Asyncify with its own optimizations (level 2), then Binaryen's
    // inlining of small functions and its local clean-ups, not its whole
    // -O2 (see ONE_CALLER_INLINE). Asyncify's optimizations take minutes
    // on a huge function (wasm-opt's inlining made one of 444,000
    // expressions of the bench's program): there, none and no inlining,
    // and the clean-ups bring its locals back within what engines compile.
    const huge = largest > HUGE_FUNCTION;
    b.setOptimizeLevel(huge ? 0 : 2);
    b.setShrinkLevel(0);
    m.runPasses(["asyncify"]);
    if (!huge) {
      b.setOneCallerInlineMaxSize(ONE_CALLER_INLINE);
      m.runPasses(["inlining"]);
    }
    m.runPasses(CLEAN_UPS);
    if (!m.validate())
      throw new Unrunnable("Binaryen could not prepare it (the result is invalid)");
    return m.emitBinary() as Uint8Array<ArrayBuffer>;
  } finally {
    m.dispose();
  }
}

type Binaryen = typeof binaryen;
type Module = binaryen.Module;
type ExpressionRef = binaryen.ExpressionRef;
/** binaryen.js has it; its typings lack it. */
interface LoopApi {
  Loop: {
    getBody(loop: ExpressionRef): ExpressionRef;
    setBody(loop: ExpressionRef, body: ExpressionRef): void;
  };
}

/**
 * Step 2: a countdown at the top of every loop, and the tick import it
 * calls. Answers the number of expressions of the largest function.
 */
function addTicks(b: Binaryen, m: Module): number {
  m.addGlobal(BUDGET, b.i32, true, m.i32.const(TICK_EVERY));
  m.addFunctionImport(TICK, TICK_IMPORT.module, TICK_IMPORT.name, b.none, b.none);
  // The operands of each kind of expression a loop can sit in.
  const children = new Map<number, string[]>([
    [b.BlockId, ["children"]],
    [b.IfId, ["condition", "ifTrue", "ifFalse"]],
    [b.LoopId, ["body"]],
    [b.BreakId, ["condition", "value"]],
    [b.SwitchId, ["condition", "value"]],
    [b.CallId, ["operands"]],
    [b.CallIndirectId, ["target", "operands"]],
    [b.LocalSetId, ["value"]],
    [b.GlobalSetId, ["value"]],
    [b.LoadId, ["ptr"]],
    [b.StoreId, ["ptr", "value"]],
    [b.UnaryId, ["value"]],
    [b.BinaryId, ["left", "right"]],
    [b.SelectId, ["ifTrue", "ifFalse", "condition"]],
    [b.DropId, ["value"]],
    [b.ReturnId, ["value"]],
    [b.MemoryGrowId, ["delta"]],
    [b.MemoryCopyId, ["dest", "source", "size"]],
    [b.MemoryFillId, ["dest", "value", "size"]],
    [b.MemoryInitId, ["dest", "offset", "size"]],
    [b.TryId, ["body", "catchBodies"]],
    [b.ThrowId, ["operands"]],
    [b.TupleMakeId, ["operands"]],
    [b.TupleExtractId, ["tuple"]],
  ]);
  const countdown = (body: ExpressionRef) =>
    m.block(
      null,
      [
        m.global.set(BUDGET, m.i32.sub(m.global.get(BUDGET, b.i32), m.i32.const(1))),
        m.if(
          m.i32.eqz(m.global.get(BUDGET, b.i32)),
          m.block(null, [m.global.set(BUDGET, m.i32.const(TICK_EVERY)), m.call(TICK, [], b.none)]),
        ),
        body,
      ],
      b.getExpressionType(body),
    );
  // Iterative: a function's expressions may nest thousands deep.
  const walk = (body: ExpressionRef): number => {
    let size = 0;
    const stack = [body];
    for (let e = stack.pop(); e !== undefined; e = stack.pop()) {
      if (!e) continue;
      size++;
      const id = b.getExpressionId(e);
      const fields = children.get(id);
      if (!fields) continue; // no operands (constants, local.get...), or none that hold loops
      const info = b.getExpressionInfo(e) as unknown as Record<
        string,
        ExpressionRef | ExpressionRef[]
      >;
      for (const field of fields) {
        const v = info[field];
        if (Array.isArray(v)) stack.push(...v);
        else if (v) stack.push(v);
      }
      if (id === b.LoopId) {
        const { Loop } = b as unknown as LoopApi;
        Loop.setBody(e, countdown(Loop.getBody(e)));
      }
    }
    return size;
  };
  let largest = 0;
  for (let i = 0; i < m.getNumFunctions(); i++) {
    const f = b.getFunctionInfo(m.getFunctionByIndex(i));
    if (!f.module) largest = Math.max(largest, walk(f.body));
  }
  return largest;
}
