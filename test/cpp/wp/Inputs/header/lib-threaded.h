// lib.h after the edit: start_workers now starts a thread.
#include <forksafe-system.h>

static void *work(void *arg) { return arg; }

static inline void start_workers(void) {
  pthread_t t;
  pthread_create(&t, 0, work, 0);
}
