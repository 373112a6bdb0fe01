import { expose } from "comlink";
import type { HostApi } from "./protocol.ts";
import { SandboxService } from "./sandbox.ts";
import { WorkerShared } from "./worker-shared.ts";

/**
 * The worker's API: it hosts the containers of a page, each a
 * SandboxService served over a MessagePort of its own, sharing a
 * WorkerShared: ten containers of one image hold its files and its
 * compiled programs once. Each keeps its own kernel, filesystem and
 * lock, so nothing of one (a path, an fd, a pid, a signal) reaches
 * another.
 */
export class HostService implements HostApi {
  private readonly shared = new WorkerShared();

  connect(port: MessagePort): void {
    expose(new SandboxService(this.shared), port);
  }
}
