/*
 * File operations and their errors, in the directory it is started in:
 * each line names an operation and its outcome (ok, or the errno's name),
 * the same natively on Linux as under overbox.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *name(int e) {
  switch (e) {
    case ENOENT: return "ENOENT";
    case EEXIST: return "EEXIST";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case ENOTEMPTY: return "ENOTEMPTY";
    case EBADF: return "EBADF";
    case EINVAL: return "EINVAL";
    case EACCES: return "EACCES";
    default: return strerror(e);
  }
}

static void report(const char *what, long r) {
  if (r < 0) printf("%s: %s\n", what, name(errno));
  else printf("%s: ok\n", what);
}

int main(void) {
  report("mkdir d", mkdir("d", 0755));
  report("mkdir d again", mkdir("d", 0755));
  FILE *f = fopen("d/a.txt", "w");
  report("fopen d/a.txt w", f ? 0 : -1);
  fputs("alpha\nbeta\n", f);
  fclose(f);
  report("rename d/a.txt d/b.txt", rename("d/a.txt", "d/b.txt"));
  report("open d/a.txt", open("d/a.txt", O_RDONLY));
  report("open d/b.txt/x", open("d/b.txt/x", O_RDONLY));
  report("open d for writing", open("d", O_WRONLY));
  report("open d/b.txt O_CREAT|O_EXCL", open("d/b.txt", O_WRONLY | O_CREAT | O_EXCL, 0644));
  struct stat st;
  report("stat d/b.txt", stat("d/b.txt", &st));
  printf("size %lld, regular %d\n", (long long)st.st_size, S_ISREG(st.st_mode));
  int fd = open("d/b.txt", O_RDWR | O_APPEND);
  report("open d/b.txt O_APPEND", fd);
  report("write", write(fd, "gamma\n", 6));
  report("lseek to 6", lseek(fd, 6, SEEK_SET));
  char buf[64] = {0};
  report("read", read(fd, buf, sizeof buf - 1));
  printf("read %s", buf);
  report("lseek before 0", lseek(fd, -1, SEEK_SET));
  close(fd);
  report("read a closed fd", read(fd, buf, 1));
  report("symlink b.txt d/link", symlink("b.txt", "d/link"));
  char target[64] = {0};
  report("readlink d/link", readlink("d/link", target, sizeof target - 1));
  printf("link to %s\n", target);
  report("truncate d/b.txt 3", truncate("d/b.txt", 3));
  stat("d/link", &st);
  printf("size through the link %lld\n", (long long)st.st_size);
  report("rmdir d", rmdir("d"));
  report("unlink d", unlink("d"));
  int entries = 0;
  DIR *dir = opendir("d");
  for (struct dirent *e; dir && (e = readdir(dir));) entries += e->d_name[0] != '.';
  if (dir) closedir(dir);
  printf("entries in d: %d\n", entries);
  report("unlink d/link", unlink("d/link"));
  report("unlink d/b.txt", unlink("d/b.txt"));
  report("rmdir d", rmdir("d"));
  report("stat d", stat("d", &st));
  return 0;
}
