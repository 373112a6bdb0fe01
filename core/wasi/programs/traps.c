/*
 * Ends as its argument says, as a faulty program does: "abort" calls
 * abort(), "divide" divides by zero, "wild" reads far past its memory,
 * "deep" recurses until the stack is gone. Linux kills each with a signal.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile int zero = 0;

static int deep(int n) {
  volatile char pad[256];
  pad[0] = (char)n;
  if (n > 1 << 30) return 0; /* never: the stack is gone long before */
  return deep(n + 1) + pad[0];
}

int main(int argc, char **argv) {
  const char *how = argc > 1 ? argv[1] : "";
  fprintf(stderr, "about to %s\n", how);
  if (strcmp(how, "abort") == 0) abort();
  if (strcmp(how, "divide") == 0) return 10 / zero;
  if (strcmp(how, "wild") == 0) return *(volatile int *)(uintptr_t)0xfffffff0u;
  if (strcmp(how, "deep") == 0) return deep(0);
  return 0;
}
