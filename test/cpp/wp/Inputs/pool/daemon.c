// Daemonize: called by main before any thread starts.
#include <forksafe-system.h>

void daemonize(void) {
  pid_t pid = fork();
  if (pid != 0)
    _exit(0);
  setsid();
  printf("daemon\n");
}
