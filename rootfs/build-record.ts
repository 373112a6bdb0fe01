/**
 * build/busybox-build.json: what the set-up (scripts/setup.ts) built the
 * image from, for the tests that compare with BusyBox's own build (the
 * source tree, build.sh's output). Written by the set-up, read by
 * rootfs/testing.ts; paths relative to the repository.
 */
export interface BuildRecord {
  /** Debian's version of the busybox source package. */
  version: string;
  /** The unpacked source tree (Debian's patches applied). */
  source: string;
  /** build.sh's output directory: busybox.wasm, busybox.config, ... */
  out: string;
}
