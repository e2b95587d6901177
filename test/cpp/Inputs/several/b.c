#include <forksafe-system.h>

pthread_mutex_t table_lock;

void run_b(void) {
  pthread_mutex_lock(&table_lock);
  pid_t pid = fork();
  if (pid == 0) {
    printf("child\n");
    _exit(0);
  }
  pid_t other = fork(); // NOLINT(forksafe-fork-with-lock-held)
  if (other == 0) {
    printf("child\n");
    _exit(0);
  }
  pthread_mutex_unlock(&table_lock);
}
