/* A busy loop with no system calls in it: only a signal ends it. */
#include <stdio.h>

int main(void) {
  volatile unsigned long n = 0;
  puts("spinning");
  fflush(stdout);
  for (;;) n++;
}
