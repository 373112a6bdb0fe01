/* Takes memory a MiB at a time, and touches it, until there is no more. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
  long mib = 0;
  char *last = NULL;
  for (;;) {
    char *p = malloc(1 << 20);
    if (!p) break;
    memset(p, 1, 1 << 20);
    /* A chain through the blocks: the compiler must keep every one. */
    memcpy(p, &last, sizeof last);
    last = p;
    mib++;
  }
  printf("malloc failed after %ld MiB (%d)\n", mib, last ? last[sizeof last] : 0);
  return 1;
}
