// A fork wrapper: the pid goes back to the caller, which finds the child.
#include <forksafe-system.h>

pid_t spawn_worker(void) {
  pid_t pid = fork();
  if (pid < 0)
    perror("fork");
  return pid;
}
