#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static void *work(void *p) { return p; }
int main(void) {
  pthread_t t;
  pthread_create(&t, 0, work, 0);
  pthread_mutex_lock(&m);
  pid_t p = fork();
  if (p == 0) { printf("child\n"); pthread_mutex_lock(&m); _exit(0); }
  pthread_mutex_unlock(&m);
  pid_t v = vfork();
  if (v == 0) { char *a[] = {"x", 0}; execv("/bin/true", a); _exit(1); }
  return 0;
}
