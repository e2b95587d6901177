// Where the child goes: out of a switch by break, out of its branch, out of its function into
// the caller; past the parent's return; into a function pointer's known target; not past a
// loop that never ends. Bad and good side by side; the good ones are the lines without CHECK.
// RUN: %clang_tidy -load %forksafe_plugin -checks='-*,forksafe-fork-after-thread,forksafe-exit-in-child' %s -- -std=c++17 -isystem %S/Inputs 2>&1 \
// RUN:   | FileCheck %s --check-prefix=CHECK-MESSAGES --implicit-check-not='{{warning|note}}:'

#include <forksafe-system.h>

extern "C" int pause(void);
void *worker(void *);
char *const argv[] = {nullptr};
static pthread_t pool;
static void start_pool() { pthread_create(&pool, nullptr, worker, nullptr); }

// switch (fork()) { case 0: break; }: the child's code follows the switch.
void switch_break_bad() {
  start_pool();
  switch (fork()) {
  // CHECK-MESSAGES: :[[@LINE-1]]:11: warning: fork() while other threads may run; the child calls 'printf', which is not async-signal-safe, before exec
  // CHECK-MESSAGES: :[[@LINE-3]]:3: note: 'start_pool' called here before the fork
  // CHECK-MESSAGES: :13:28: note: thread started here
  // CHECK-MESSAGES: :[[@LINE+10]]:3: note: first operation
  case -1:
    perror("fork");
    return;
  case 0:
    break;
  default:
    puts("parent");
    return;
  }
  printf("child\n");
  _exit(0);
}
void switch_break_good() {
  start_pool();
  switch (fork()) {
  case -1:
    return;
  case 0:
    break;
  default:
    puts("parent");
    return;
  }
  execv("/bin/true", argv);
  _exit(127);
}

// case 0: exec, then exit after the failed exec: exit-in-child flags the exit; the child only
// execs, so fork-after-thread does not flag the fork.
void exec_in_case() {
  start_pool();
  switch (fork()) {
  case 0:
    execvp("ls", argv);
    exit(127);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: exit() in a fork child
    // CHECK-MESSAGES: :[[@LINE-5]]:11: note: child of this fork()
  case -1:
    perror("fork");
    break;
  default:
    break;
  }
}

// The child falls out of its branch, returns from its function and goes on in the caller.
static void spawn_helper() {
  pid_t pid = fork();
  // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: fork() while other threads may run; the child calls 'printf', which is not async-signal-safe, before exec
  // CHECK-MESSAGES: :[[@LINE+10]]:3: note: 'start_pool' called here before the fork
  // CHECK-MESSAGES: :13:28: note: thread started here
  // CHECK-MESSAGES: :[[@LINE+9]]:3: note: 'spawn_helper' called here, leading to the fork
  // CHECK-MESSAGES: :[[@LINE+8]]:3: note: the child returns from 'spawn_helper' here
  // CHECK-MESSAGES: :[[@LINE+8]]:3: note: first operation
  if (pid == 0) {
    setsid();
  }
}
void falls_out_caller() {
  start_pool();
  spawn_helper();
  printf("both processes print this\n");
  _exit(0);
}

// A wrapper whose child sets up, falls out of its branch and returns the pid (0) to the
// caller, which tests it (redisFork).
static pid_t prepared_fork(int fd) {
  pid_t childpid;
  if ((childpid = fork()) == 0) {
    close(fd);
  } else {
    printf("forked %d\n", childpid);
  }
  return childpid;
}
void prepared_bad() {
  start_pool();
  if (prepared_fork(3) == 0) {
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: fork() while other threads may run; the child calls 'puts', which is not async-signal-safe, before exec
    // CHECK-MESSAGES: :[[@LINE-3]]:3: note: 'start_pool' called here before the fork
    // CHECK-MESSAGES: :13:28: note: thread started here
    // CHECK-MESSAGES: :[[@LINE-13]]:19: note: fork() called here, its result returned to the caller
    // CHECK-MESSAGES: :[[@LINE+1]]:5: note: first operation
    puts("saving");
    exit(0);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: exit() in a fork child
    // CHECK-MESSAGES: :[[@LINE-9]]:7: note: child of this fork()
  }
}
void prepared_good() {
  start_pool();
  pid_t p;
  if ((p = prepared_fork(4)) == 0) {
    execv("/bin/true", argv);
    _exit(127);
  }
}

// if (pid) { ...; return pid; }: the parent's return; the child's code follows.
pid_t parent_returns_bad(int fd) {
  start_pool();
  pid_t pid = fork();
  // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: fork() while other threads may run; the child calls 'printf', which is not async-signal-safe, before exec
  // CHECK-MESSAGES: :[[@LINE-3]]:3: note: 'start_pool' called here before the fork
  // CHECK-MESSAGES: :13:28: note: thread started here
  // CHECK-MESSAGES: :[[@LINE+8]]:3: note: first operation
  if (pid < 0)
    return -1;
  if (pid) {
    close(fd);
    return pid;
  }
  dup2(fd, 1);
  printf("in the child\n");
  _exit(0);
}
pid_t parent_returns_good(int fd) {
  start_pool();
  pid_t pid = fork();
  if (pid < 0)
    return -1;
  if (pid) {
    close(fd);
    return pid;
  }
  dup2(fd, 1);
  execv("/bin/true", argv);
  _exit(127);
}

// Code after a loop that never ends is unreachable: no exit in the child.
void loop_forever() {
  if (fork() == 0) {
    for (;;)
      pause();
    exit(0);
  }
  while (fork() == 0) {
    while (1) {
      if (pause() < 0)
        continue;
    }
    exit(0);
  }
}
// A loop left by break is not such a loop.
void loop_with_break() {
  if (fork() == 0) {
    for (;;) {
      if (pause() < 0)
        break;
    }
    exit(1);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: exit() in a fork child
    // CHECK-MESSAGES: :[[@LINE-7]]:7: note: child of this fork()
  }
}

// Calls through a function pointer whose targets the translation unit shows are followed.
static void child_main() {
  puts("child main");
  _exit(0);
}
static void exec_main() {
  execv("/bin/true", argv);
  _exit(127);
}
static void (*child_entry)() = child_main;
struct child_ops {
  void (*run)();
};
static struct child_ops exec_ops = {exec_main};
void pointer_bad() {
  start_pool();
  if (fork() == 0) {
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: fork() while other threads may run; the child calls 'puts', which is not async-signal-safe, before exec
    // CHECK-MESSAGES: :[[@LINE-3]]:3: note: 'start_pool' called here before the fork
    // CHECK-MESSAGES: :13:28: note: thread started here
    // CHECK-MESSAGES: :[[@LINE+2]]:5: note: 'child_main' called here in the child
    // CHECK-MESSAGES: :[[@LINE-19]]:3: note: first operation
    child_entry();
  }
}
void pointer_good() {
  start_pool();
  if (fork() == 0)
    exec_ops.run();
}
// A pointer from a parameter is not known: the indirect call itself is the unsafe operation.
void pointer_unknown(void (*entry)()) {
  start_pool();
  if (fork() == 0) {
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: fork() while other threads may run; the child makes an indirect call before exec
    // CHECK-MESSAGES: :[[@LINE-3]]:3: note: 'start_pool' called here before the fork
    // CHECK-MESSAGES: :13:28: note: thread started here
    // CHECK-MESSAGES: :[[@LINE+1]]:5: note: first operation
    entry();
    _exit(0);
  }
}
