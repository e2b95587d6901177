// Helpers of the child, in their own unit.
#include <forksafe-system.h>

void fatal(const char *why) {
  fprintf(stderr, "%s\n", why);
  exit(1);
}

void child_main(void) {
  char *const argv[] = {"job", 0};
  execv("/bin/job", argv);
  fatal("exec failed");
}

void child_log(void) { printf("child\n"); }
