#include <forksafe-system.h>

void run_task(void);
static void *work(void *arg) { return arg; }

int main(void) {
  pthread_t t;
  pthread_create(&t, 0, work, 0);
  run_task();
  return 0;
}
