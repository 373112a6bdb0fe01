/*
 * A CPU-bound program of about 1 MB of WebAssembly, for the bench's
 * wasi.* figures (bench/node/wasi.ts): 5,120 distinct small functions,
 * each a loop of integer mixing, called in a chain (80 functions of 64
 * calls), ROUNDS times; then a
 * sort of what they made. Prints a checksum and the milliseconds its work
 * took by the monotonic clock (the start of the process not included), so
 * that the same source built natively with clang and built for WASI can
 * be compared.
 *
 * Usage: crunch ROUNDS
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline uint32_t rotl(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }

/* Function N: its own constants, so that the compiler merges none. */
#define F(N)                                                          \
  __attribute__((noinline)) static uint32_t f##N(uint32_t x) {        \
    for (int i = 0; i < 4 + (N) % 5; i++)                             \
      x = rotl(x * (2654435761u + 2u * (N)), 1 + (N) % 31) ^ (x >> 7) ^ (N); \
    return x;                                                         \
  }
#define F4(N) F(N##0) F(N##1) F(N##2) F(N##3)
#define F16(N) F4(N##0) F4(N##1) F4(N##2) F4(N##3)
#define F64(N) F16(N##0) F16(N##1) F16(N##2) F16(N##3)
#define F256(N) F64(N##0) F64(N##1) F64(N##2) F64(N##3)
#define F1024(N) F256(N##0) F256(N##1) F256(N##2) F256(N##3)
F1024(1) F1024(2) F1024(3) F1024(4) F1024(5)

#define C(N) sink = f##N(sink);
#define C4(N) C(N##0) C(N##1) C(N##2) C(N##3)
#define C16(N) C4(N##0) C4(N##1) C4(N##2) C4(N##3)
#define C64(N) C16(N##0) C16(N##1) C16(N##2) C16(N##3)

/* Through a volatile: one statement per call, not one call nested in the next. */
static volatile uint32_t sink;

/* 80 functions of 64 calls each, as a program's functions are: none huge. */
#define CH(N) __attribute__((noinline)) static void ch##N(void) { C64(N) }
#define CH4(N) CH(N##0) CH(N##1) CH(N##2) CH(N##3)
#define CH16(N) CH4(N##0) CH4(N##1) CH4(N##2) CH4(N##3)
CH16(1) CH16(2) CH16(3) CH16(4) CH16(5)

#define K(N) ch##N();
#define K4(N) K(N##0) K(N##1) K(N##2) K(N##3)
#define K16(N) K4(N##0) K4(N##1) K4(N##2) K4(N##3)

static uint32_t chain(uint32_t x) {
  sink = x;
  K16(1) K16(2) K16(3) K16(4) K16(5)
  return sink;
}

static int compare(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  long rounds = argc > 1 ? atol(argv[1]) : 1;
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  enum { N = 1 << 16 };
  static uint32_t made[N];
  uint32_t x = 1;
  for (long r = 0; r < rounds; r++) {
    x = chain(x + (uint32_t)r);
    made[r % N] = x;
  }
  for (int i = 0; i < N; i++) made[i] = made[i] * 31 + (uint32_t)i * 2654435761u;
  qsort(made, N, sizeof made[0], compare);
  uint32_t sum = 0;
  for (int i = 0; i < N; i++) sum = sum * 31 + made[i];
  clock_gettime(CLOCK_MONOTONIC, &b);
  long ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
  printf("checksum %08x, work %ld ms\n", sum, ms);
  return 0;
}
