// The kernel thread's entry: a worker thread does not inherit the main
// thread's TypeScript loader (tsx), so it registers its own first.
import { register } from "tsx/esm/api";

register();
await import("./kernel-thread.ts");
