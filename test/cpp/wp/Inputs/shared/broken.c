#include <forksafe-system.h>

int broken(void) {
  if (fork() == 0)
    exit(1);
  return undeclared_value;
}
