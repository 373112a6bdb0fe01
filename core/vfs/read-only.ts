import { fail } from "../errno.ts";
import {
  measuredStatfs,
  type AttrChanges,
  type DirEntry,
  type Filesystem,
  type FilesystemKind,
  type FileType,
  type FsStats,
  type NewNode,
  type Owner,
  type Stat,
} from "./filesystem.ts";

/**
 * Deny by default: a filesystem that can only be read. Every change answers
 * EROFS; a subclass supplies the reading half.
 */
export abstract class ReadOnlyFilesystem implements Filesystem {
  abstract readonly root: number;
  abstract readonly kind: FilesystemKind;
  abstract stat(ino: number): Stat;
  typeOf(ino: number): FileType {
    return this.stat(ino).type;
  }
  abstract lookup(dir: number, name: string): number;
  abstract readdir(dir: number): DirEntry[];
  abstract read(ino: number, offset: number, length: number): Uint8Array;
  abstract readlink(ino: number): string;

  /** Measured by a walk, as a filesystem that stores files; /proc answers for itself. */
  statfs(_ino: number, disk: number): FsStats {
    return measuredStatfs(this, disk);
  }

  create(_dir: number, _name: string, _node: NewNode): number {
    fail("EROFS");
  }
  mkdir(_dir: number, _name: string, _mode: number, _owner: Owner): number {
    fail("EROFS");
  }
  symlink(_dir: number, _name: string, _target: string, _owner: Owner): number {
    fail("EROFS");
  }
  link(_dir: number, _name: string, _ino: number): void {
    fail("EROFS");
  }
  unlink(_dir: number, _name: string): void {
    fail("EROFS");
  }
  rmdir(_dir: number, _name: string): void {
    fail("EROFS");
  }
  rename(_fromDir: number, _fromName: string, _toDir: number, _toName: string): void {
    fail("EROFS");
  }
  write(_ino: number, _offset: number, _data: Uint8Array): number {
    fail("EROFS");
  }
  truncate(_ino: number, _size: number): void {
    fail("EROFS");
  }
  setattr(_ino: number, _changes: AttrChanges): void {
    fail("EROFS");
  }
  /** Nothing changes, so everything is as durable as it will be. */
  fsync(_ino: number): void {}
  /** Nothing is removed, so there is nothing to keep. */
  retain(_ino: number): void {}
  release(_ino: number): void {}
}
