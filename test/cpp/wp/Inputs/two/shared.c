// Linked into two programs: threaded.c's (threads) and plain.c's (none).
#include <forksafe-system.h>

void run_task(void) {
  if (fork() == 0) {
    printf("task\n");
    _exit(0);
  }
}

void solo_task(void) {
  if (fork() == 0) {
    printf("solo\n");
    _exit(0);
  }
}
