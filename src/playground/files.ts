/**
 * Files between the computer and the container: uploads (a file picker, or
 * files dropped on the terminal) go to the shell's working directory; a
 * download asks for a path, relative to that directory unless absolute.
 */
import type { Terminal } from "@xterm/xterm";
import type { Sandbox } from "../index.ts";
import type { StatusLine } from "./status.ts";
import { $, ask, formatBytes, onVerb, save } from "./ui.ts";

export function wireFiles(box: Sandbox, term: Terminal, status: StatusLine): void {
  const upload = $<HTMLButtonElement>("upload");
  const picker = $<HTMLInputElement>("upload-input");
  upload.addEventListener("click", () => picker.click());
  picker.addEventListener("cancel", () => term.focus());
  picker.addEventListener("change", async () => {
    const files = Array.from(picker.files ?? []);
    picker.value = "";
    await uploadFiles(box, files, status, upload);
    term.focus();
  });

  const zone = $("terminal");
  zone.addEventListener("dragover", (e) => {
    if (!e.dataTransfer?.types.includes("Files")) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = box.info.readOnly ? "none" : "copy";
    zone.classList.add("dropping");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("dropping"));
  zone.addEventListener("drop", async (e) => {
    zone.classList.remove("dropping");
    const files = Array.from(e.dataTransfer?.files ?? []);
    if (files.length === 0) return;
    e.preventDefault();
    if (box.info.readOnly) {
      status.fail("EROFS: a container open read-only takes no uploads");
      return;
    }
    await uploadFiles(box, files, status, upload);
    term.focus();
  });

  const download = $<HTMLButtonElement>("download");
  const path = $<HTMLInputElement>("download-path");
  onVerb(download, term, async () => {
    let cwd: string;
    try {
      cwd = await box.shellCwd();
    } catch (e) {
      status.fail(e);
      return;
    }
    $("download-cwd").textContent = `(absolute, or relative to ${cwd})`;
    if (!(await ask($<HTMLDialogElement>("download-dialog")))) return;
    const target = join(cwd, path.value.trim());
    await status.run(
      `reading ${target}…`,
      async () => {
        const bytes = await box.fs.readFile(target);
        const name = target.split("/").filter(Boolean).pop() ?? "download";
        save(bytes, name);
        return `downloaded ${target} (${formatBytes(bytes.length)}) as ${name}`;
      },
      download,
    );
  });
}

/** Writes `files` into the shell's working directory and says what went where. */
async function uploadFiles(
  box: Sandbox,
  files: File[],
  status: StatusLine,
  button: HTMLButtonElement,
): Promise<void> {
  if (files.length === 0) return;
  await status.run(
    `uploading ${files.length === 1 ? files[0]!.name : `${files.length} files`}…`,
    async () => {
      const cwd = await box.shellCwd();
      let bytes = 0;
      for (const file of files) {
        const data = new Uint8Array(await file.arrayBuffer());
        await box.fs.writeFile(join(cwd, file.name), data);
        bytes += data.length;
      }
      const what =
        files.length === 1
          ? `${files[0]!.name} (${formatBytes(bytes)})`
          : `${files.length} files (${files.map((f) => f.name).join(", ")}; ${formatBytes(bytes)})`;
      return `uploaded ${what} to ${cwd}`;
    },
    button,
  );
}

/** `path` from `cwd`: itself if absolute. The path walk (core/vfs/) resolves "." and "..". */
function join(cwd: string, path: string): string {
  if (path.startsWith("/")) return path;
  return `${cwd.replace(/\/+$/, "")}/${path}`;
}
