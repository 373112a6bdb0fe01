/* Its arguments, one variable of its environment, and the exit status $EXIT. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  for (int i = 0; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
  const char *greeting = getenv("GREETING");
  printf("GREETING=%s\n", greeting ? greeting : "(unset)");
  const char *status = getenv("EXIT");
  return status ? atoi(status) : 0;
}
