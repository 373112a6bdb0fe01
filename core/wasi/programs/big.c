/* big write FILE MIB writes MIB MiB of a pattern; big check FILE MIB reads them back and checks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fill(unsigned char *b, long block) {
  for (int i = 0; i < 65536; i++) b[i] = (unsigned char)(block * 31 + i * 7);
}

int main(int argc, char **argv) {
  if (argc != 4) return 2;
  long blocks = atol(argv[3]) * 16;
  static unsigned char want[65536], got[65536];
  int writing = strcmp(argv[1], "write") == 0;
  FILE *f = fopen(argv[2], writing ? "w" : "r");
  if (!f) { perror(argv[2]); return 1; }
  for (long i = 0; i < blocks; i++) {
    fill(want, i);
    if (writing ? fwrite(want, 1, sizeof want, f) != sizeof want
                : fread(got, 1, sizeof got, f) != sizeof got || memcmp(want, got, sizeof got)) {
      printf("block %ld is wrong\n", i);
      return 1;
    }
  }
  if (!writing && fgetc(f) != EOF) { puts("longer than it should be"); return 1; }
  if (fclose(f)) { perror("close"); return 1; }
  printf("%s %ld MiB: ok\n", writing ? "wrote" : "checked", blocks / 16);
  return 0;
}
