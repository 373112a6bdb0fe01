/**
 * The documentation demo (docs-demo.html): three embeds side by side, each
 * an iframe of embed.html set up by its `data-params`, and a form that
 * runs a command in the last through the postMessage API
 * (src/embed-client.ts). The page allows itself, and only itself, to use
 * the embeds' API: `origins` is its own origin.
 */
import { EmbeddedSandbox } from "./embed-client.ts";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** Points `iframe` at the embed with its parameters, says the URL, and connects to it. */
function embed(iframe: HTMLIFrameElement): EmbeddedSandbox {
  const params = new URLSearchParams(iframe.dataset.params);
  params.set("origins", location.origin);
  iframe.src = `embed.html?${params}`;
  const caption = iframe.nextElementSibling!;
  const readable = [...params].map(([k, v]) => `${k}=${v}`).join("&");
  caption.querySelector(".src")!.textContent = `embed.html?${readable}`;
  const box = new EmbeddedSandbox(iframe);
  const state = caption.querySelector(".state")!;
  box.ready.then(
    (r) => {
      state.textContent = `ready: ${r.container}, image ${r.image}${r.readOnly ? ", read-only" : ""}`;
    },
    (e: unknown) => (state.textContent = `failed: ${e instanceof Error ? e.message : e}`),
  );
  return box;
}

embed($<HTMLIFrameElement>("dark"));
embed($<HTMLIFrameElement>("python"));
const light = embed($<HTMLIFrameElement>("light"));

const button = $<HTMLButtonElement>("run-button");
const result = $("result");
void light.ready.then(() => (button.disabled = false));
$("run").addEventListener("submit", async (e) => {
  e.preventDefault();
  const command = $<HTMLInputElement>("command").value;
  button.disabled = true;
  result.textContent = `$ ${command}\n…`;
  try {
    const r = await light.exec(command);
    result.textContent = `$ ${command}\n${r.stdout}${r.stderr}[exit status ${r.exitCode}]`;
  } catch (err) {
    result.textContent = `$ ${command}\n${err instanceof Error ? err.message : err}`;
  } finally {
    button.disabled = false;
  }
});
