/**
 * The container and its image, Docker's verbs: reset (drop the upper
 * layer), commit (the upper layer as a new image), export (the merged tree,
 * or the upper layer, as a tar) and import (a layer tar as a new image).
 */
import type { Terminal } from "@xterm/xterm";
import type { Sandbox } from "../index.ts";
import type { StatusLine } from "./status.ts";
import { $, ask, confirmAction, formatBytes, onVerb, save } from "./ui.ts";

/** Where the verbs report, and what they tell the rest of the page. */
export interface ImageVerbsContext {
  box: Sandbox;
  term: Terminal;
  status: StatusLine;
  /** The image the container runs changed (a commit). */
  onImage(image: string): void;
}

export function wireImageVerbs(context: ImageVerbsContext): void {
  const { box, term, status } = context;
  const name = box.info.container;

  const reset = $<HTMLButtonElement>("reset");
  onVerb(reset, term, async () => {
    const question = `Reset the container ${name}? Every change to its files is lost.`;
    if (!(await confirmAction(question, "Reset"))) return;
    await status.run(
      "resetting…",
      async () => {
        await box.reset();
        // A damaged container saves again: the page opens it anew, every verb back.
        if (box.info.damage.length > 0) location.reload();
        return `reset: ${name} is its image again`;
      },
      reset,
    );
  });

  const commit = $<HTMLButtonElement>("commit");
  const tag = $<HTMLInputElement>("commit-tag");
  onVerb(commit, term, async () => {
    tag.value = "";
    if (!(await ask($<HTMLDialogElement>("commit-dialog")))) return;
    const image = tag.value;
    const done = await status.run(
      `committing ${name} as ${image}…`,
      async () => {
        await box.commit(image);
        return `committed ${name} as the image ${image}, which it now runs`;
      },
      commit,
    );
    if (done) context.onImage(image);
  });

  const exportButton = $<HTMLButtonElement>("export");
  const exportDialog = $<HTMLDialogElement>("export-dialog");
  onVerb(exportButton, term, async () => {
    if (!(await ask(exportDialog))) return;
    const form = exportDialog.querySelector("form")!;
    const layer = new FormData(form).get("what") === "layer";
    await status.run(
      "exporting…",
      async () => {
        const tar = await box.export({ layer });
        const file = layer ? `${name}-layer.tar` : `${name}.tar`;
        save(tar, file, "application/x-tar");
        const what = layer ? "the changes (upper layer)" : "the whole tree";
        return `exported ${what} of ${name} as ${file} (${formatBytes(tar.length)})`;
      },
      exportButton,
    );
  });

  const importButton = $<HTMLButtonElement>("import");
  const file = $<HTMLInputElement>("import-file");
  const importTag = $<HTMLInputElement>("import-tag");
  const from = $<HTMLSelectElement>("import-from");
  // The image name is offered from the file's name: "My Layer.tar" → "my-layer".
  file.addEventListener("change", () => {
    const chosen = file.files?.[0];
    if (!chosen || importTag.value) return;
    importTag.value = chosen.name
      .replace(/\.tar$/i, "")
      .toLowerCase()
      .replace(/[^a-z0-9_.-]+/g, "-")
      .replace(/^[^a-z0-9]+/, "")
      .slice(0, 64);
  });
  onVerb(importButton, term, async () => {
    file.value = "";
    importTag.value = "";
    try {
      from.replaceChildren(...(await box.images()).map((i) => new Option(i, i)));
    } catch (e) {
      status.fail(e);
      return;
    }
    if (!(await ask($<HTMLDialogElement>("import-dialog")))) return;
    const tar = file.files?.[0];
    if (!tar) return;
    const image = importTag.value;
    const base = from.value;
    await status.run(
      `importing ${tar.name}…`,
      async () => {
        await box.import(new Uint8Array(await tar.arrayBuffer()), image, base);
        return `imported ${tar.name} as the image ${image} (on ${base}): choose it in Containers… to make a container of it`;
      },
      importButton,
    );
  });
}
