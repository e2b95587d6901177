#include <forksafe-system.h>

int run_a() {
  pid_t pid = fork();
  if (pid == 0)
    exit(3);
  if (fork() == 0)
    exit(4); // NOLINT(forksafe-exit-in-child)
  return 0;
}
