// The checks in C: the daemon pattern (the child is what follows `if (pid > 0) _exit(0);`),
// `== -1` error tests, NOLINT.

#include <forksafe-system.h>

static void *worker(void *arg) { return arg; }
static char *const args[] = {0};

int daemonize(void) {
  pthread_t t;
  pthread_create(&t, 0, worker, 0);
  pid_t pid = fork();
  if (pid < 0)
    return -1;
  if (pid > 0)
    _exit(0);
  setsid();
  chdir("/");
  printf("daemon running\n");
  return 0;
}

// An else-if chain: the child goes on after the whole if statement.
void chain(void) {
  pthread_t t;
  pthread_create(&t, 0, worker, 0);
  pid_t pid = fork();
  if (pid < 0)
    perror("fork");
  else if (pid > 0)
    _exit(0);
  close(0);
  malloc(1);
  _exit(0);
}

void run(const char *path) {
  pthread_t t;
  pthread_create(&t, 0, worker, 0);
  pid_t pid;
  if ((pid = fork()) == -1) {
    perror("fork");
  } else if (pid == 0) {
    execv(path, args);
    _exit(127);
  } else {
    printf("started %d\n", pid);
  }
}

void suppressed(void) {
  pthread_t t;
  pthread_create(&t, 0, worker, 0);
  if (fork() == 0) { // NOLINT(forksafe-fork-after-thread)
    puts("child");
    _exit(0);
  }
}
