/* Writes lines N down to 1 ("line 000042"): a pipeline's first stage. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 10;
  for (long i = n; i > 0; i--) printf("line %06ld\n", i);
  return 0;
}
