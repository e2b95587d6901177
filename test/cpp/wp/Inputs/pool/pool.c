// Threads: started in this unit, long before anything forks.
#include <forksafe-system.h>

static void *work(void *arg) { return arg; }

void start_pool(int n) {
  for (int i = 0; i < n; ++i) {
    pthread_t t;
    pthread_create(&t, 0, work, 0);
  }
}
