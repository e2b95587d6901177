// A header: compile databases do not list it; its command is inferred from server.c's.
#include <forksafe-system.h>

static inline int spawn_helper(void) {
  pid_t pid = fork();
  if (pid == 0)
    exit(2);
  return pid;
}
