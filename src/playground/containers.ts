/**
 * The container picker: the containers kept in this browser, each with its
 * image; a new one made from a chosen image; rename and delete. A page
 * runs one container (one worker), so switching is a navigation to
 * `?container=NAME` (`&image=IMAGE` for a new one), which opens it.
 *
 * A container open in a tab cannot be renamed or deleted (EBUSY), with one
 * exception: this tab may rename its own container. The page stores its
 * changes, notes the rename in sessionStorage and goes to the new name; the
 * next page, whose worker is the only one that could open the container,
 * renames it before opening it (finishRename).
 */
import { Sandbox, type ContainerInfo } from "../index.ts";
import { StatusLine } from "./status.ts";
import { $, ask, confirmAction } from "./ui.ts";

/** How long a rename waits for the previous page's worker to let go of the container. */
const RELEASE_WAIT_MS = 3000;
/** sessionStorage's key for a rename of this tab's container, left for the next page. */
const PENDING_RENAME = "overbox.rename";

/** The page's address for container `name` (made from `image` if it is new). */
export function containerUrl(name: string, image?: string): string {
  const query = new URLSearchParams({ container: name });
  if (image) query.set("image", image);
  return `?${query}`;
}

/**
 * Finishes a rename of this tab's container that the previous page asked
 * for, if it was a rename to `container`. Resolves with the container to
 * open: `container`, or the old name if the rename failed (which `status`
 * says), rather than a new empty container.
 */
export async function finishRename(container: string, status: StatusLine): Promise<string> {
  const pending = sessionStorage.getItem(PENDING_RENAME);
  sessionStorage.removeItem(PENDING_RENAME);
  if (!pending) return container;
  const { from, to } = JSON.parse(pending) as { from: string; to: string };
  if (to !== container) return container;
  const done = await status.run(`renaming ${from} to ${to}…`, async () => {
    await renameOnceReleased(from, to);
    return `renamed ${from} to ${to}`;
  });
  if (done) return container;
  history.replaceState(null, "", containerUrl(from));
  return from;
}

export function wireContainerPicker(
  box: Sandbox,
  pageStatus: StatusLine,
  onClose: () => void,
): void {
  const current = box.info.container;
  const dialog = $<HTMLDialogElement>("containers-dialog");
  const list = $("container-list");
  const status = new StatusLine($("containers-status"));
  const nameInput = $<HTMLInputElement>("new-name");
  const imageSelect = $<HTMLSelectElement>("new-image");
  let known: ContainerInfo[] = [];

  /** Goes to another container, once this one's changes are stored. */
  const go = async (url: string) => {
    await box.sync().catch(() => undefined);
    location.href = url;
  };

  const refresh = async () => {
    known = (await Sandbox.containers()).sort((a, b) => a.name.localeCompare(b.name));
    list.replaceChildren(...known.map(row));
  };

  const row = ({ name, image }: ContainerInfo): HTMLLIElement => {
    const li = document.createElement("li");
    const label = document.createElement("span");
    label.className = "name";
    label.textContent = name;
    const about = document.createElement("span");
    about.className = "about";
    const here = box.info.readOnly ? "open read-only in this tab" : "open in this tab";
    about.textContent = name === current ? `image ${image}, ${here}` : `image ${image}`;
    li.append(label, about);
    if (name !== current) {
      const open = document.createElement("a");
      open.href = containerUrl(name);
      open.textContent = "Open";
      open.setAttribute("aria-label", `Open ${name}`);
      open.addEventListener("click", (e) => {
        e.preventDefault();
        void go(open.href);
      });
      li.append(open);
    }
    li.append(
      button("Rename", `Rename ${name}`, () => rename(name)),
      button("Delete", `Delete ${name}`, () => remove(name)),
    );
    return li;
  };

  const rename = async (from: string) => {
    $("rename-title").textContent = `Rename the container ${from}`;
    const input = $<HTMLInputElement>("rename-name");
    input.value = from;
    if (!(await ask($<HTMLDialogElement>("rename-dialog")))) return;
    const to = input.value;
    if (to === from) return;
    if (known.some((c) => c.name === to)) {
      status.fail(`EEXIST: a container ${to} exists already`);
      return;
    }
    if (from === current && !box.info.readOnly) {
      await status.run(`renaming ${from} to ${to}…`, async () => {
        await box.sync();
        sessionStorage.setItem(PENDING_RENAME, JSON.stringify({ from, to }));
        location.href = containerUrl(to);
        return `renaming ${from} to ${to}…`;
      });
      return;
    }
    await status.run(`renaming ${from}…`, async () => {
      await Sandbox.renameContainer(from, to).catch((e) => busy(e, from));
      await refresh();
      return `renamed ${from} to ${to}`;
    });
  };

  const remove = async (name: string) => {
    const question = `Delete the container ${name}? Its files are lost.`;
    if (!(await confirmAction(question, "Delete"))) return;
    await status.run(`deleting ${name}…`, async () => {
      await Sandbox.deleteContainer(name).catch((e) => busy(e, name));
      await refresh();
      return `deleted ${name}`;
    });
  };

  /** EBUSY said in the page's words: which tab has the container. */
  const busy = (e: unknown, name: string): never => {
    if (!String(e).includes("EBUSY")) throw e;
    if (name === current && !box.info.readOnly) {
      throw new Error(`EBUSY: ${name} is open in this tab: switch to another container first`);
    }
    throw new Error(`EBUSY: ${name} is open in another tab: close it there first`);
  };

  $("new-container").addEventListener("submit", (e) => {
    e.preventDefault();
    const name = nameInput.value;
    if (known.some((c) => c.name === name)) {
      status.fail(`EEXIST: a container ${name} exists already`);
      return;
    }
    void status.run(`creating ${name} from ${imageSelect.value}…`, async () => {
      await go(containerUrl(name, imageSelect.value));
      return `opening ${name}…`;
    });
  });

  $("containers").addEventListener("click", async () => {
    try {
      const images = await box.images();
      imageSelect.replaceChildren(...images.map((i) => new Option(i, i)));
      await refresh();
    } catch (e) {
      pageStatus.fail(e);
      return;
    }
    status.say("");
    nameInput.value = "";
    dialog.showModal();
  });
  dialog.addEventListener("close", onClose);
}

/**
 * Renames this tab's container once the previous page's worker has let go
 * of it: the browser releases a worker's lock a moment after it ends.
 */
async function renameOnceReleased(from: string, to: string): Promise<void> {
  const until = Date.now() + RELEASE_WAIT_MS;
  for (;;) {
    try {
      return await Sandbox.renameContainer(from, to);
    } catch (e) {
      if (!String(e).includes("EBUSY") || Date.now() > until) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function button(text: string, label: string, action: () => Promise<void>): HTMLButtonElement {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = text;
  b.setAttribute("aria-label", label);
  b.addEventListener("click", () => void action());
  return b;
}
