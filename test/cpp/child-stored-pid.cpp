// The child as daemons find it when the fork's result is not a plain local: a struct member,
// a location behind a pointer, a flag derived from the pid, a wrapper's result tested by its
// callers. Bad and good side by side; the good ones are the lines without CHECK.
// RUN: %clang_tidy -load %forksafe_plugin -checks='-*,forksafe-fork-after-thread,forksafe-exit-in-child' %s -- -std=c++17 -isystem %S/Inputs 2>&1 \
// RUN:   | FileCheck %s --check-prefix=CHECK-MESSAGES --implicit-check-not='{{warning|note}}:'

#include <forksafe-system.h>

void *worker(void *);
char *const argv[] = {nullptr};
static pthread_t pool;
static void start_pool() { pthread_create(&pool, nullptr, worker, nullptr); }

struct child_info {
  pid_t pid;
  int fd;
};

// c->pid = fork(); if (!c->pid): the child is where the member is tested.
void member_bad(struct child_info *c) {
  start_pool();
  c->pid = fork();
  // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: fork() while other threads may run; the child calls 'printf', which is not async-signal-safe, before exec
  // CHECK-MESSAGES: :[[@LINE-3]]:3: note: 'start_pool' called here before the fork
  // CHECK-MESSAGES: :12:28: note: thread started here
  // CHECK-MESSAGES: :[[@LINE+5]]:5: note: first operation in the child that is not async-signal-safe
  if (c->pid < 0)
    return;
  if (!c->pid) {
    close(c->fd);
    printf("child\n");
    exit(0);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: exit() in a fork child
    // CHECK-MESSAGES: :[[@LINE-12]]:12: note: child of this fork()
  }
}
void member_good(struct child_info *c) {
  start_pool();
  c->pid = fork();
  if (c->pid == 0) {
    close(c->fd);
    execv("/bin/true", argv);
    _exit(127);
  }
}

// The same member of a local struct.
void local_struct_good() {
  start_pool();
  struct child_info info;
  info.pid = fork();
  if (info.pid != 0)
    return;
  execv("/bin/true", argv);
  _exit(127);
}

// *pid = fork(); if (*pid == 0): the pid through a pointer.
int out_param_bad(pid_t *pid) {
  start_pool();
  *pid = fork();
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: fork() while other threads may run; the child calls 'malloc', which is not async-signal-safe, before exec
  // CHECK-MESSAGES: :[[@LINE-3]]:3: note: 'start_pool' called here before the fork
  // CHECK-MESSAGES: :12:28: note: thread started here
  // CHECK-MESSAGES: :[[@LINE+2]]:5: note: first operation
  if (*pid == 0) {
    malloc(16);
    _exit(0);
  }
  return *pid > 0;
}
int out_param_good(pid_t *pid) {
  start_pool();
  *pid = fork();
  if (*pid == 0) {
    execv("/bin/true", argv);
    _exit(127);
  }
  return *pid > 0;
}

// A flag derived from the pid: is_parent = pid > 0; if (!is_parent).
void flag_bad() {
  start_pool();
  pid_t pid = fork();
  // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: fork() while other threads may run; the child calls 'puts', which is not async-signal-safe, before exec
  // CHECK-MESSAGES: :[[@LINE-3]]:3: note: 'start_pool' called here before the fork
  // CHECK-MESSAGES: :12:28: note: thread started here
  // CHECK-MESSAGES: :[[@LINE+3]]:5: note: first operation
  int is_parent = pid > 0;
  if (!is_parent) {
    puts("child");
    _exit(0);
  }
}
void flag_good() {
  start_pool();
  pid_t pid = fork();
  bool in_child;
  in_child = (pid == 0);
  if (in_child) {
    execv("/bin/true", argv);
    _exit(127);
  }
}

// A wrapper that checks for errors and returns the pid: each caller's test finds the child.
static pid_t spawn_worker(void) {
  pid_t pid = fork();
  if (pid == -1) {
    perror("fork");
    return -1;
  }
  return pid;
}
void wrapper_bad() {
  start_pool();
  pid_t p = spawn_worker();
  // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: fork() while other threads may run; the child calls 'printf', which is not async-signal-safe, before exec
  // CHECK-MESSAGES: :[[@LINE-3]]:3: note: 'start_pool' called here before the fork
  // CHECK-MESSAGES: :12:28: note: thread started here
  // CHECK-MESSAGES: :[[@LINE-13]]:15: note: fork() called here, its result returned to the caller
  // CHECK-MESSAGES: :[[@LINE+2]]:5: note: first operation
  if (p == 0) {
    printf("worker\n");
    exit(0);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: exit() in a fork child
    // CHECK-MESSAGES: :[[@LINE-10]]:13: note: child of this fork()
  }
}
void wrapper_good() {
  start_pool();
  if (spawn_worker() == 0) {
    execv("/bin/true", argv);
    _exit(127);
  }
}
