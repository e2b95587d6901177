// Error helpers: fatal() always exits, check() only when its test fails.
#include <forksafe-system.h>

void fatal(const char *why) {
  fprintf(stderr, "%s\n", why);
  exit(1);
}

void check(int ok) {
  if (!ok)
    exit(2);
}
