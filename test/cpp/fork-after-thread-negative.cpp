// The traps: none of these may be flagged.
// RUN: %clang_tidy -load %forksafe_plugin -checks='-*,forksafe-*' %s -- -std=c++17 -isystem %S/Inputs 2>&1 \
// RUN:   | FileCheck %s --allow-empty --implicit-check-not='{{warning|note}}:'

#include <forksafe-system.h>

void *worker(void *);
char *const argv[] = {nullptr};

// A child that only execs and _exits (dup2/close are async-signal-safe; execvp is accepted
// by default).
void exec_only() {
  std::thread t(worker, nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(3, 1);
    close(3);
    execvp("ls", argv);
    perror("execvp"); // only runs if exec failed: not before exec
    _exit(127);
  }
  t.join();
}

// A child that only _exits.
void exit_only() {
  std::thread t(worker, nullptr);
  if (fork() == 0)
    _exit(0);
  t.join();
}

// posix_spawn is the way out, not a fork.
void spawn() {
  std::thread t(worker, nullptr);
  pid_t pid;
  posix_spawn(&pid, "/bin/ls", nullptr, nullptr, argv, nullptr);
  t.join();
}

// Single-threaded: the child may call printf.
int single_threaded() {
  pid_t pid = fork();
  if (pid == 0) {
    printf("child\n");
    _exit(0);
  }
  return waitpid(pid, nullptr, 0);
}

// Threads started only after the fork.
void helper_starts_thread() {
  static pthread_t t;
  pthread_create(&t, nullptr, worker, nullptr);
}
void threads_after() {
  pid_t pid = fork();
  if (pid == 0) {
    printf("child\n");
    _exit(0);
  }
  helper_starts_thread();
  std::thread t(worker, nullptr);
  t.join();
}

// switch (fork()) with a safe child.
void switch_fork() {
  std::thread t(worker, nullptr);
  switch (fork()) {
  case -1:
    perror("fork");
    break;
  case 0:
    execv("/bin/true", argv);
    _exit(1);
  default:
    printf("parent\n");
  }
  t.join();
}

// if ((pid = fork()) == 0) with a safe child; the parent's printf is not the child's.
void assign_in_condition() {
  std::thread t(worker, nullptr);
  pid_t pid;
  if ((pid = fork()) == 0) {
    write(1, "c\n", 2);
    _exit(0);
  }
  printf("parent of %d\n", pid);
  t.join();
}

// A fork wrapper whose caller's child only execs.
pid_t checked_fork() {
  pid_t p = fork();
  if (p < 0)
    abort();
  return p;
}
void wrapper_caller() {
  std::thread t(worker, nullptr);
  if (checked_fork() == 0) {
    execv("/bin/true", argv);
    _exit(1);
  }
  printf("parent\n");
  t.join();
}

// _Fork: the forking call is fine, and so is _Fork in a child (it is async-signal-safe).
void underscore_fork() {
  std::thread t(worker, nullptr);
  if (_Fork() == 0) {
    if (_Fork() == 0)
      _exit(0);
    _exit(0);
  }
  t.join();
}

// std::async with an explicit deferred policy runs on the caller's thread.
int task();
void deferred_async() {
  auto f = std::async(std::launch::deferred, task);
  if (fork() == 0) {
    printf("child\n");
    _exit(0);
  }
  f.get();
}

// A thread started in the parent branch only, with no loop back to the fork.
void parent_branch_thread() {
  pid_t pid = fork();
  if (pid > 0) {
    std::thread t(worker, nullptr);
    t.join();
    return;
  }
  printf("child\n");
  _exit(0);
}

// A lambda that forks but is never run in a thread, and whose child is safe anyway.
void lambda_fork() {
  std::thread t(worker, nullptr);
  auto f = [] {
    if (fork() == 0)
      _exit(0);
  };
  f();
  t.join();
}

// std::move is a cast, not a call into the library.
void moves() {
  std::thread t(worker, nullptr);
  int fd = 3;
  if (fork() == 0) {
    int moved = std::move(fd);
    close(moved);
    _exit(0);
  }
  t.join();
}

// CHECK-NOT: {{.}}
