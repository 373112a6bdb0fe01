/* Sleeps for the milliseconds given and says how long it slept, by the monotonic clock. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
  long ms = argc > 1 ? atol(argv[1]) : 100;
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  usleep(ms * 1000);
  clock_gettime(CLOCK_MONOTONIC, &b);
  long slept = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
  printf("slept %s\n", slept >= ms ? "long enough" : "too little");
  return 0;
}
