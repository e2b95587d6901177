// Children that call the error helpers of other units.
#include <forksafe-system.h>

void fatal(const char *why);
void check(int ok);
void usage(void);

int main(int argc, char **argv) {
  if (fork() == 0) {
    if (argc > 2)
      fatal("too many");
    check(argc > 0);
    exit(3);
  }
  if (fork() == 0)
    usage();
  if (fork() == 0) {
    exit(4);
  }
  return 0;
}
