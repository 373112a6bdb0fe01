/*
 * WASI preview 1 calls made directly, where WASI says more than POSIX:
 * rights, preopens, flags, times, absolute paths, `..` above a directory
 * fd. Each line names a call
 * and its answer (ok, or the WASI errno's name). Run in a directory it
 * may write, which is fd 3's "/" or below it.
 */
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

static const char *name(__wasi_errno_t e) {
  switch (e) {
    case __WASI_ERRNO_SUCCESS: return "ok";
    case __WASI_ERRNO_BADF: return "BADF";
    case __WASI_ERRNO_INVAL: return "INVAL";
    case __WASI_ERRNO_ISDIR: return "ISDIR";
    case __WASI_ERRNO_NAMETOOLONG: return "NAMETOOLONG";
    case __WASI_ERRNO_NOTCAPABLE: return "NOTCAPABLE";
    case __WASI_ERRNO_PERM: return "PERM";
    case __WASI_ERRNO_NOENT: return "NOENT";
    default: return "other";
  }
}

static void say(const char *what, __wasi_errno_t e) { printf("%s: %s\n", what, name(e)); }

int main(void) {
  const __wasi_fd_t root = 3;
  __wasi_fd_t fd, dir;
  __wasi_fdstat_t st;
  say("fdstat of the preopen", __wasi_fd_fdstat_get(root, &st));
  printf("preopen rights: open %d, readdir %d, fd_write %d, inherits fd_write %d\n",
         !!(st.fs_rights_base & __WASI_RIGHTS_PATH_OPEN), !!(st.fs_rights_base & __WASI_RIGHTS_FD_READDIR),
         !!(st.fs_rights_base & __WASI_RIGHTS_FD_WRITE), !!(st.fs_rights_inheriting & __WASI_RIGHTS_FD_WRITE));
  say("open . with the preopen's rights",
      __wasi_path_open(root, 0, ".", 0, st.fs_rights_base, st.fs_rights_inheriting, 0, &fd));
  say("open . with no rights", __wasi_path_open(root, 0, ".", 0, 0, 0, 0, &fd));
  say("open . as a directory to read and write",
      __wasi_path_open(root, 0, ".", __WASI_OFLAGS_DIRECTORY,
                       __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0, 0, &fd));
  say("open /tmp, an absolute path", __wasi_path_open(root, 0, "/tmp", 0, 0, 0, 0, &fd));

  char none[1];
  say("preopen name into no bytes", __wasi_fd_prestat_dir_name(root, (uint8_t *)none, 0));

  say("make calls.d", __wasi_path_create_directory(root, "tmp/calls.d"));
  __wasi_rights_t preopen = st.fs_rights_base;
  say("open calls.d", __wasi_path_open(root, 0, "tmp/calls.d", __WASI_OFLAGS_DIRECTORY, preopen,
                                       ~0ull, 0, &dir));
  say("seek in a directory", __wasi_fd_seek(dir, 0, __WASI_WHENCE_SET, &(__wasi_filesize_t){0}));
  say("tell in a directory", __wasi_fd_tell(dir, &(__wasi_filesize_t){0}));
  say("allocate in a directory", __wasi_fd_allocate(dir, 0, 1));
  __wasi_filestat_t fst;
  say("make calls.d/sub", __wasi_path_create_directory(dir, "sub"));
  say("stat sub/.. from calls.d", __wasi_path_filestat_get(dir, 0, "sub/..", &fst));
  say("stat sub/../.. from calls.d, above it", __wasi_path_filestat_get(dir, 0, "sub/../..", &fst));
  say("link up to ../ in calls.d", __wasi_path_symlink("../", dir, "up"));
  say("stat up/calls.d from calls.d, above it", __wasi_path_filestat_get(dir, 0, "up/calls.d", &fst));
  say("stat tmp/../.. from the preopen, the root", __wasi_path_filestat_get(root, 0, "tmp/../..", &fst));
  say("unlink up", __wasi_path_unlink_file(dir, "up"));
  say("remove sub", __wasi_path_remove_directory(dir, "sub"));
  say("create f with SYNC", __wasi_path_open(dir, 0, "f", __WASI_OFLAGS_CREAT,
                                            __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE |
                                                __WASI_RIGHTS_FD_SEEK,
                                            0, __WASI_FDFLAGS_SYNC, &fd));
  say("fdstat of f", __wasi_fd_fdstat_get(fd, &st));
  printf("f's flags have SYNC: %d, rights read %d write %d\n", !!(st.fs_flags & __WASI_FDFLAGS_SYNC),
         !!(st.fs_rights_base & __WASI_RIGHTS_FD_READ), !!(st.fs_rights_base & __WASI_RIGHTS_FD_WRITE));
  __wasi_ciovec_t out = {(const uint8_t *)"data", 4};
  size_t n;
  say("write f", __wasi_fd_write(fd, &out, 1, &n));
  say("write nothing to fd 99", __wasi_fd_write(99, &out, 0, &n));
  say("drop f's write right", __wasi_fd_fdstat_set_rights(fd, st.fs_rights_base & ~__WASI_RIGHTS_FD_WRITE, 0));
  say("write f without the right", __wasi_fd_write(fd, &out, 1, &n));
  say("take the right back", __wasi_fd_fdstat_set_rights(fd, st.fs_rights_base, 0));
  say("set f's atime and atime-now", __wasi_fd_filestat_set_times(fd, 1, 0, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW));
  say("close f", __wasi_fd_close(fd));
  say("open f read-only", __wasi_path_open(dir, 0, "f", 0, __WASI_RIGHTS_FD_READ, 0, 0, &fd));
  say("write f read-only", __wasi_fd_write(fd, &out, 1, &n));
  say("close f", __wasi_fd_close(fd));
  say("fdstat of calls.d", __wasi_fd_fdstat_get(dir, &st));
  say("drop calls.d's truncate right", __wasi_fd_fdstat_set_rights(dir, st.fs_rights_base & ~__WASI_RIGHTS_PATH_FILESTAT_SET_SIZE, st.fs_rights_inheriting));
  say("truncate f through calls.d", __wasi_path_open(dir, 0, "f", __WASI_OFLAGS_TRUNC, 0, 0, 0, &fd));
  say("unlink f", __wasi_path_unlink_file(dir, "f"));
  say("remove calls.d", __wasi_path_remove_directory(root, "tmp/calls.d"));
  return 0;
}
