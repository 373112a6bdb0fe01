/// <reference lib="webworker" />
/**
 * The kernel worker's entry point in the browser: boots a container of the
 * `busybox` image (fetched from /images/) and runs programs on request
 * (worker/protocol.ts).
 */
import { flattenImage, parseManifest } from "./image/image.ts";
import { HttpBlobSource } from "./image/http-source.ts";
import type { RunReply, RunRequest } from "./protocol.ts";
import { ProgramRunner } from "./runner.ts";

const source = new HttpBlobSource("/images");
const booted = (async () => {
  const manifest = parseManifest(await source.manifest("busybox"));
  return { manifest, runner: new ProgramRunner(await flattenImage(source, manifest)) };
})();

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
