#!/usr/bin/env node
// Debian's Firefox ESR as playwright-core's BiDi Firefox: the executable
// e2e/browser.ts gives playwright-core instead of /usr/bin/firefox-esr.
//
// Why: playwright-core 1.65 speaks a newer WebDriver BiDi than Firefox
// ESR 153 does, in two places our tests meet:
// - it sends emulation.* commands (setMediaFeaturesOverride on every new
//   context; setScreenSettingsOverride and more with a viewport) that
//   Firefox answers "unknown command", and a context then fails to open.
//   None matters to our tests (no color scheme, no screen emulation): the
//   relay turns that answer into an empty success.
// - Firefox's browsingContext.downloadWillBegin and downloadEnd carry no
//   `download` id (and `navigation` null), so playwright-core drops them
//   and a page's download never comes. The relay gives both events one id:
//   a hash of the download's URL, unique for the blob: URLs our pages
//   download.
// Every other message passes as it is. And a crashed tab does not end the
// browser (below).
//
// How: it starts Firefox with the arguments it was given, waits for its
// "WebDriver BiDi listening on ws://..." line, relays connections from a
// port of its own to that one, and prints the same line with its own port,
// which is what playwright-core waits for. Playwright ends the browser by
// killing this process's group, Firefox included.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import { WebSocket, WebSocketServer } from "ws";

const FIREFOX = process.env.OVERBOX_FIREFOX ?? "/usr/bin/firefox-esr";
const LISTENING = /WebDriver BiDi listening on (ws:\/\/[^\s]+)/;

// playwright-core sets MOZ_CRASHREPORTER_SHUTDOWN, which makes Firefox quit
// when a content process crashes; a user's Firefox shows the crashed tab
// and goes on, which is what faults/crash.e2e.ts's crashed tab needs.
const env = { ...process.env };
delete env.MOZ_CRASHREPORTER_SHUTDOWN;
const firefox = spawn(FIREFOX, process.argv.slice(2), {
  stdio: ["ignore", "inherit", "pipe"],
  env,
});
firefox.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
for (const sig of ["SIGTERM", "SIGINT", "SIGHUP"]) {
  process.on(sig, () => firefox.kill(sig));
}

let pending = "";
let relayed = false;
firefox.stderr.on("data", (chunk) => {
  if (relayed) {
    process.stderr.write(chunk);
    return;
  }
  pending += chunk.toString();
  const lines = pending.split("\n");
  pending = lines.pop() ?? "";
  for (const line of lines) {
    const found = LISTENING.exec(line);
    if (!found) {
      process.stderr.write(`${line}\n`);
      continue;
    }
    relayed = true;
    relay(found[1]).then(
      (ours) => process.stderr.write(`${line.replace(found[1], ours)}\n`),
      (e) => {
        process.stderr.write(`firefox-bidi: cannot relay ${found[1]}: ${e}\n`);
        firefox.kill("SIGKILL");
      },
    );
  }
});

/**
 * What the relay sends playwright-core instead of Firefox's `message`, or
 * null to pass it on as it is (see the top of this file).
 */
function translate(message, emulation) {
  if (emulation.delete(message.id) && message.error === "unknown command") {
    return { type: "success", id: message.id, result: {} };
  }
  const method = message.method;
  if (method !== "browsingContext.downloadWillBegin" && method !== "browsingContext.downloadEnd") {
    return null;
  }
  const params = message.params ?? {};
  if (params.download || params.navigation || typeof params.url !== "string") return null;
  const id = `download-${createHash("sha256").update(params.url).digest("hex").slice(0, 32)}`;
  return { ...message, params: { ...params, download: id } };
}

/** Serves a relay to `upstream` (ws://host:port) on a port of our own; resolves with its address. */
function relay(upstream) {
  const server = createServer();
  const sockets = new WebSocketServer({ server });
  sockets.on("connection", (client, request) => {
    const firefoxSide = new WebSocket(upstream + (request.url ?? ""), { perMessageDeflate: false });
    /** Ids of emulation.* commands in flight. */
    const emulation = new Set();
    const queue = [];
    client.on("message", (data, isBinary) => {
      if (!isBinary) {
        try {
          const message = JSON.parse(data.toString());
          if (typeof message.method === "string" && message.method.startsWith("emulation.")) {
            emulation.add(message.id);
          }
        } catch {
          // Not JSON: passed on as it is.
        }
      }
      if (firefoxSide.readyState === WebSocket.OPEN) firefoxSide.send(data, { binary: isBinary });
      else queue.push([data, isBinary]);
    });
    firefoxSide.on("open", () => {
      for (const [data, isBinary] of queue.splice(0)) firefoxSide.send(data, { binary: isBinary });
    });
    firefoxSide.on("message", (data, isBinary) => {
      if (!isBinary) {
        let message;
        try {
          message = JSON.parse(data.toString());
        } catch {
          // Not JSON: passed on as it is.
        }
        const answer = message && translate(message, emulation);
        if (answer) {
          client.send(JSON.stringify(answer));
          return;
        }
      }
      client.send(data, { binary: isBinary });
    });
    const closeBoth = () => {
      client.close();
      firefoxSide.close();
    };
    client.on("close", closeBoth);
    firefoxSide.on("close", closeBoth);
    client.on("error", closeBoth);
    firefoxSide.on("error", closeBoth);
  });
  return new Promise((resolve, reject) => {
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      resolve(`ws://127.0.0.1:${port}`);
    });
  });
}
