#include <forksafe-system.h>

void spawn_worker(void);

int run(void) {
  if (fork() == 0) {
    printf("child\n");
    exit(1);
  }
  return 0;
}
