/**
 * `overbox run -p HOST_PORT:CONTAINER_PORT`: a TCP port of the host that
 * leads to a port of the container, as Docker's -p publishes one. Each
 * connection the host accepts becomes a connection to what listens on the
 * container's port (Network.dial), its bytes passed both ways as they
 * come, with end-of-file and backpressure on each side.
 */
import { createServer, type Server, type Socket as HostSocket } from "node:net";
import type { FarEnd } from "../core/kernel/gateway.ts";
import type { Network } from "../core/kernel/socket.ts";
import { retrying } from "../core/vfs/would-block.ts";

/** A -p value: [ADDRESS:]HOST_PORT:CONTAINER_PORT. */
export interface Published {
  address: string;
  hostPort: number;
  containerPort: number;
}

/** Reads a -p value; null when it is not one (the caller says so). */
export function parsePublish(spec: string): Published | null {
  const m = /^(?:(\[[0-9a-fA-F:.]+\]|[0-9.]+|localhost):)?(\d{1,5}):(\d{1,5})$/.exec(spec);
  if (!m) return null;
  const hostPort = Number(m[2]);
  const containerPort = Number(m[3]);
  if (hostPort < 1 || hostPort > 65535 || containerPort < 1 || containerPort > 65535) return null;
  // Docker's default: every address of the host.
  const address = m[1]?.replace(/^\[|\]$/g, "") ?? "0.0.0.0";
  return { address, hostPort, containerPort };
}

/** Listens on the host's port; fails with a one-line reason (the port taken, say). */
export async function publish(network: Network, p: Published): Promise<Server> {
  const server = createServer((host) => void connect(network, p.containerPort, host));
  await new Promise<void>((resolve, reject) => {
    server.once("error", (e: NodeJS.ErrnoException) =>
      reject(
        new Error(
          e.code === "EADDRINUSE"
            ? `-p ${p.hostPort}:${p.containerPort}: port ${p.hostPort} of the host is in use`
            : `-p ${p.hostPort}:${p.containerPort}: ${e.message}`,
        ),
      ),
    );
    server.listen(p.hostPort, p.address, resolve);
  });
  return server;
}

async function connect(network: Network, port: number, host: HostSocket): Promise<void> {
  let far: FarEnd;
  try {
    far = await retrying(() => network.dial(port));
  } catch {
    // Nothing listens in the container: the host's client sees a reset, as Docker's does.
    host.resetAndDestroy();
    return;
  }
  host.on("error", () => far.close());
  host.on("data", (data: Buffer) => {
    host.pause();
    far.write(new Uint8Array(data)).then(
      () => host.resume(),
      () => host.destroy(),
    );
  });
  host.on("end", () => far.end());
  try {
    for (;;) {
      const data = await far.read(65536);
      if (data.length === 0) break;
      if (!host.write(data)) await new Promise((r) => host.once("drain", r));
    }
    host.end();
  } catch {
    host.destroy();
  } finally {
    far.close();
  }
}
