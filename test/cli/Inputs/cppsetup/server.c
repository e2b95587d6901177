#include "child.h"

int serve(void) {
#ifndef FORKSAFE_TEST_FLAG
  return not_declared_without_the_flag;
#else
  pid_t pid = fork();
  if (pid == 0)
    exit(1);
  return pid;
#endif
}
