// The playground page (a first form of it: one command at a time, until the
// terminal and the shell arrive). `window.overbox` is there for the console
// and the browser tests.
import { KernelClient } from "./kernel-client.ts";

declare global {
  interface Window {
    overbox: KernelClient;
  }
}

const client = new KernelClient();
window.overbox = client;

const form = document.querySelector<HTMLFormElement>("#run")!;
const input = document.querySelector<HTMLInputElement>("#command")!;
const output = document.querySelector<HTMLPreElement>("#output")!;

form.addEventListener("submit", async (e) => {
  e.preventDefault();
  // Words split on spaces: there is no shell yet to parse quotes.
  const args = input.value.trim().split(/\s+/).filter(Boolean);
  if (args.length === 0) return;
  output.textContent += `# ${args.join(" ")}\n`;
  const r = await client.run(args);
  output.textContent += r.error ? `overbox: ${r.error}\n` : r.stdout + r.stderr;
  if (r.status !== 0) output.textContent += `[exit ${r.status}]\n`;
  output.scrollTop = output.scrollHeight;
});
