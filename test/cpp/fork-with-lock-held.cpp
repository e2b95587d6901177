// RUN: %clang_tidy -load %forksafe_plugin -checks='-*,forksafe-fork-with-lock-held' %s -- -std=c++17 -isystem %S/Inputs 2>&1 \
// RUN:   | FileCheck %s --check-prefix=CHECK-MESSAGES --implicit-check-not='{{warning|note}}:'

#include <forksafe-system.h>

char *const argv[] = {nullptr};
pthread_mutex_t table_lock;
std::mutex mu;

// pthread_mutex_lock not undone before the fork, and a child that logs.
void c_lock() {
  pthread_mutex_lock(&table_lock);
  pid_t pid = fork();
  // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: fork() while 'table_lock' is locked; the child calls 'printf', which is not async-signal-safe, before exec and inherits the lock held forever: release the lock before fork(), or call only async-signal-safe functions before exec*/_exit in the child [forksafe-fork-with-lock-held]
  // CHECK-MESSAGES: :[[@LINE-3]]:3: note: 'table_lock' locked here and not unlocked before the fork
  // CHECK-MESSAGES: :[[@LINE+2]]:5: note: first operation in the child that is not async-signal-safe
  if (pid == 0) {
    printf("child\n");
    _exit(0);
  }
  pthread_mutex_unlock(&table_lock);
}

// An RAII guard alive at the fork.
void guard() {
  std::lock_guard<std::mutex> g(mu);
  if (fork() == 0) {
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: fork() while 'mu' is locked; the child calls 'malloc'
    // CHECK-MESSAGES: :[[@LINE-3]]:3: note: 'g' ('std::lock_guard') holds 'mu' from here
    // CHECK-MESSAGES: :[[@LINE+1]]:5: note: first operation
    malloc(1);
    _exit(0);
  }
}

// Unlocked on one path only: still held on the other.
void some_path(bool early) {
  mu.lock();
  if (early)
    mu.unlock();
  switch (fork()) {
  // CHECK-MESSAGES: :[[@LINE-1]]:11: warning: fork() while 'mu' is locked; the child calls 'puts'
  // CHECK-MESSAGES: :[[@LINE-5]]:3: note: 'mu' locked here and not unlocked before the fork
  // CHECK-MESSAGES: :[[@LINE+2]]:5: note: first operation
  case 0:
    puts("child");
    _exit(0);
  }
}

// Negative cases.
void released_before() {
  pthread_mutex_lock(&table_lock);
  pthread_mutex_unlock(&table_lock);
  if (fork() == 0) {
    printf("child\n");
    _exit(0);
  }
}
void guard_scope_ended() {
  {
    std::lock_guard<std::mutex> g(mu);
  }
  if (fork() == 0) {
    printf("child\n");
    _exit(0);
  }
}
void unique_unlocked() {
  std::unique_lock<std::mutex> l(mu);
  l.unlock();
  if (fork() == 0) {
    printf("child\n");
    _exit(0);
  }
}
void deferred() {
  std::unique_lock<std::mutex> l(mu, std::defer_lock);
  if (fork() == 0) {
    printf("child\n");
    _exit(0);
  }
}
// Held across a fork whose child only execs: libuv does this on purpose.
void exec_only_child() {
  pthread_rwlock_t *lock = nullptr;
  pthread_rwlock_wrlock(lock);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(3, 0);
    execvp("sh", argv);
    _exit(127);
  }
  pthread_rwlock_unlock(lock);
}
