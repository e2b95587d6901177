// The checks in C: the daemon pattern (the child is what follows `if (pid > 0) _exit(0);`),
// `== -1` error tests, NOLINT.
// RUN: %clang_tidy -load %forksafe_plugin -checks='-*,forksafe-*' %s -- -std=c11 -isystem %S/Inputs 2>&1 \
// RUN:   | FileCheck %s --check-prefix=CHECK-MESSAGES --implicit-check-not='{{warning|note}}:'

#include <forksafe-system.h>

static void *worker(void *arg) { return arg; }
static char *const args[] = {0};

int daemonize(void) {
  pthread_t t;
  pthread_create(&t, 0, worker, 0);
  pid_t pid = fork();
  // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: fork() while other threads may run; the child calls 'printf', which is not async-signal-safe, before exec: call only async-signal-safe functions before exec*/_exit, or use posix_spawn [forksafe-fork-after-thread]
  // CHECK-MESSAGES: :[[@LINE-3]]:3: note: thread started here
  // CHECK-MESSAGES: :[[@LINE+7]]:3: note: first operation
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
  // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: fork() while other threads may run; the child calls 'malloc'
  // CHECK-MESSAGES: :[[@LINE-3]]:3: note: thread started here
  // CHECK-MESSAGES: :[[@LINE+6]]:3: note: first operation
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
