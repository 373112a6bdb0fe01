/* Reads its standard input to the end: lines, bytes, first and last line. */
#include <stdio.h>
#include <string.h>

int main(void) {
  char line[4096], first[4096] = "", last[4096] = "";
  long lines = 0, bytes = 0;
  while (fgets(line, sizeof line, stdin)) {
    if (lines++ == 0) strcpy(first, line);
    strcpy(last, line);
    bytes += strlen(line);
  }
  first[strcspn(first, "\n")] = 0;
  last[strcspn(last, "\n")] = 0;
  printf("%ld lines, %ld bytes, first \"%s\", last \"%s\"\n", lines, bytes, first, last);
  return 0;
}
