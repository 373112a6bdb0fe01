/// <reference lib="webworker" />
/**
 * The kernel worker's entry point in the browser: opens the container
 * `default` (its upper layer in the IndexedDB database overbox-default) over
 * the `busybox` image (fetched from /images/; committed layers come from the
 * database overbox-images), and runs programs on request
 * (worker/protocol.ts). What programs change survives a reload.
 */
import { Container } from "./container/container.ts";
import { firstOf, loadImage, parseManifest, StoreBlobs } from "./image/image.ts";
import { HttpBlobSource } from "./image/http-source.ts";
import type { RunReply, RunRequest } from "./protocol.ts";
import { Kernel } from "./kernel/kernel.ts";
import { IndexedDbStore } from "./store/indexeddb.ts";
import { holdContainerLock } from "./store/lock.ts";

const source = new HttpBlobSource("/images");
const booted = (async () => {
  const manifest = parseManifest(await source.manifest("busybox"));
  const image = await loadImage(source, manifest);
  const blobs = new StoreBlobs(new IndexedDbStore("overbox-images"));
  const store = IndexedDbStore.forContainer("default");
  await holdContainerLock(store.database);
  const container = await Container.open(store, image, firstOf(blobs, source));
  return { manifest, runner: new Kernel(container.fs) };
})();
// A failed start is answered to each request (below), not thrown at nobody.
booted.catch(() => undefined);

const decoder = new TextDecoder();

self.onmessage = async (e: MessageEvent<RunRequest>) => {
  const { id, args, stdin, cwd } = e.data;
  let reply: RunReply;
  try {
    const { manifest, runner } = await booted;
    const r = await runner.run({
      args,
      stdin,
      cwd: cwd ?? manifest.config.cwd,
      env: manifest.config.env,
    });
    reply = {
      id,
      status: r.status,
      stdout: decoder.decode(r.stdout),
      stderr: decoder.decode(r.stderr),
    };
  } catch (error) {
    reply = { id, status: 127, stdout: "", stderr: "", error: String(error) };
  }
  self.postMessage(reply);
};
