/**
 * What the core uses of its host: the few APIs that a browser's worker and
 * Node both give, declared here so that core/tsconfig.json needs neither
 * the WebWorker nor the Node library (and so that nothing else of either
 * can creep in). Only the members the core uses are declared; each is as
 * the web platform specifies it, which Node follows.
 */

declare function setTimeout(handler: () => void, ms?: number): unknown;
declare function clearTimeout(handle: ReturnType<typeof setTimeout> | undefined): void;

declare const performance: {
  /** Milliseconds since timeOrigin, monotonic. */
  now(): number;
  readonly timeOrigin: number;
};

declare const console: {
  error(...data: unknown[]): void;
  warn(...data: unknown[]): void;
};

declare const crypto: {
  getRandomValues<T extends Uint8Array>(array: T): T;
  readonly subtle: {
    digest(algorithm: "SHA-256", data: Uint8Array<ArrayBuffer>): Promise<ArrayBuffer>;
  };
};

/** A browser's (absent in Node before version 21). */
declare const navigator: { readonly hardwareConcurrency: number } | undefined;

declare class TextEncoder {
  encode(input?: string): Uint8Array<ArrayBuffer>;
}

declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean });
  decode(input?: ArrayBufferView | ArrayBuffer): string;
}

/** A message channel: the core uses it to yield to the event loop where there is no setImmediate. */
declare class MessageChannel {
  readonly port1: MessagePort;
  readonly port2: MessagePort;
}
declare interface MessagePort {
  onmessage: ((event: unknown) => void) | null;
  postMessage(message: unknown): void;
  close(): void;
}

declare namespace WebAssembly {
  type ImportValue = ExportValue | number | bigint;
  type ExportValue = ((...args: never[]) => unknown) | Global | Memory | Table;
  type ModuleImports = Record<string, ImportValue>;
  type Imports = Record<string, ModuleImports>;
  type Exports = Record<string, ExportValue>;

  interface ModuleImportDescriptor {
    kind: "function" | "global" | "memory" | "table" | "tag";
    module: string;
    name: string;
  }
  interface ModuleExportDescriptor {
    kind: "function" | "global" | "memory" | "table" | "tag";
    name: string;
  }

  class Module {
    constructor(bytes: BufferSource);
    static imports(module: Module): ModuleImportDescriptor[];
    static exports(module: Module): ModuleExportDescriptor[];
  }
  class Instance {
    constructor(module: Module, imports?: Imports);
    readonly exports: Exports;
  }
  class Memory {
    constructor(descriptor: { initial: number; maximum?: number; shared?: boolean });
    readonly buffer: ArrayBuffer;
    grow(delta: number): number;
  }
  class Global {
    constructor(descriptor: { value: string; mutable?: boolean }, value?: unknown);
    value: unknown;
  }
  class Table {
    get(index: number): unknown;
    readonly length: number;
  }
  /** A trap: what a program's abort(), a bad memory access or a division by zero throws. */
  class RuntimeError extends Error {}
  function compile(bytes: BufferSource): Promise<Module>;
}

type BufferSource = ArrayBufferView<ArrayBuffer> | ArrayBuffer;

/** The host's HTTP client: the kernel's gateway passes a container's HTTP requests to it (core/kernel/gateway.ts). */
declare function fetch(
  url: string,
  init: import("./kernel/gateway.ts").FetchInit,
): Promise<import("./kernel/gateway.ts").FetchResponse>;
