// RUN: %clang_tidy -load %forksafe_plugin -checks='-*,forksafe-fork-after-thread' %s -- -std=c++17 -isystem %S/Inputs 2>&1 \
// RUN:   | FileCheck %s --check-prefix=CHECK-MESSAGES --implicit-check-not='{{warning|note}}:'

#include <forksafe-system.h>

void *worker(void *);

// A thread start in the same function, the child calls printf.
void direct() {
  pthread_t t;
  pthread_create(&t, nullptr, worker, nullptr);
  pid_t pid = fork();
  // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: fork() while other threads may run; the child calls 'printf', which is not async-signal-safe, before exec: call only async-signal-safe functions before exec*/_exit, or use posix_spawn [forksafe-fork-after-thread]
  // CHECK-MESSAGES: :[[@LINE-3]]:3: note: thread started here
  // CHECK-MESSAGES: :[[@LINE+2]]:5: note: first operation in the child that is not async-signal-safe
  if (pid == 0) {
    printf("child\n");
    _exit(0);
  }
}

// The story across functions: main starts the pool, later spawn() forks, and the child's
// unsafe call is in a helper.
void start_pool() {
  static pthread_t t;
  pthread_create(&t, nullptr, worker, nullptr);
}
void child_main() {
  char *copy = strdup("x");
  execv(copy, nullptr);
}
void spawn() {
  if (fork() == 0) {
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: fork() while other threads may run; the child calls 'strdup', which is not async-signal-safe, before exec
    // CHECK-MESSAGES: :[[@LINE+10]]:3: note: 'start_pool' called here before the fork
    // CHECK-MESSAGES: :[[@LINE-10]]:3: note: thread started here
    // CHECK-MESSAGES: :[[@LINE+9]]:3: note: 'spawn' called here, leading to the fork
    // CHECK-MESSAGES: :[[@LINE+2]]:5: note: 'child_main' called here in the child
    // CHECK-MESSAGES: :[[@LINE-10]]:16: note: first operation in the child that is not async-signal-safe
    child_main();
    _exit(127);
  }
}
int main() {
  start_pool();
  spawn();
  return 0;
}

// switch (fork()) after a std::thread; the child allocates with new.
void cxx_thread() {
  std::thread t([] {});
  switch (fork()) {
  // CHECK-MESSAGES: :[[@LINE-1]]:11: warning: fork() while other threads may run; the child allocates with 'new' before exec
  // CHECK-MESSAGES: :[[@LINE-3]]:15: note: thread started here
  // CHECK-MESSAGES: :[[@LINE+4]]:14: note: first operation
  case -1:
    break;
  case 0: {
    int *p = new int(1);
    _exit(*p);
  }
  default:
    t.join();
  }
}

// if ((pid = fork()) == 0) after a std::async with the default policy.
int task();
void async_then_fork() {
  auto f = std::async(task);
  pid_t pid;
  if ((pid = fork()) == 0) {
    // CHECK-MESSAGES: :[[@LINE-1]]:14: warning: fork() while other threads may run; the child calls 'puts'
    // CHECK-MESSAGES: :[[@LINE-4]]:12: note: thread started here
    // CHECK-MESSAGES: :[[@LINE+1]]:5: note: first operation
    puts("in child");
    _exit(0);
  }
}

// The else of pid > 0 is the child; the error branch (perror) is not.
void else_branch() {
  std::thread t(worker, nullptr);
  pid_t pid = fork();
  // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: fork() while other threads may run; the child calls 'malloc'
  // CHECK-MESSAGES: :[[@LINE-3]]:15: note: thread started here
  // CHECK-MESSAGES: :[[@LINE+6]]:15: note: first operation
  if (pid < 0) {
    perror("fork");
  } else if (pid > 0) {
    waitpid(pid, nullptr, 0);
  } else {
    void *p = malloc(10);
    _exit(p != nullptr);
  }
}

// A thread started in a loop after the fork runs during the next iteration's fork.
void loop() {
  for (int i = 0; i < 3; ++i) {
    if (fork() == 0) {
      // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: fork() while other threads may run; the child calls 'printf'
      // CHECK-MESSAGES: :[[@LINE+5]]:17: note: thread started here
      // CHECK-MESSAGES: :[[@LINE+1]]:7: note: first operation
      printf("%d\n", i);
      _exit(0);
    }
    std::thread t(worker, nullptr);
    t.detach();
  }
}

// A fork inside a thread's body always runs beside other threads.
void forking_body() {
  if (fork() == 0) {
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: fork() while other threads may run; the child calls 'puts'
    // CHECK-MESSAGES: :[[@LINE+7]]:16: note: 'forking_body', which forks, runs in a thread started here
    // CHECK-MESSAGES: :[[@LINE+1]]:5: note: first operation
    puts("x");
    _exit(0);
  }
}
void run_forking_body() {
  std::jthread t(forking_body);
}

// if (!fork()): the child throws.
int throws() {
  std::thread t(worker, nullptr);
  if (!fork()) {
    // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: fork() while other threads may run; the child throws an exception before exec
    // CHECK-MESSAGES: :[[@LINE-3]]:15: note: thread started here
    // CHECK-MESSAGES: :[[@LINE+1]]:5: note: first operation
    throw 1;
  }
  t.join();
  return 0;
}

// An ignored result: both processes continue; the child runs what follows.
void ignored() {
  std::thread t(worker, nullptr);
  fork();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: fork() while other threads may run; the child calls 'std::thread::join', which is not async-signal-safe, before exec
  // CHECK-MESSAGES: :[[@LINE-3]]:15: note: thread started here
  // CHECK-MESSAGES: :[[@LINE+1]]:3: note: first operation
  t.join();
}

// A fork wrapper: the child is where the wrapper's result is tested.
pid_t xfork() {
  pid_t p = fork();
  if (p < 0)
    abort();
  return p;
}
void uses_wrapper() {
  std::thread t(worker, nullptr);
  if (xfork() == 0) {
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: fork() while other threads may run; the child calls 'printf'
    // CHECK-MESSAGES: :[[@LINE-3]]:15: note: thread started here
    // CHECK-MESSAGES: :[[@LINE-10]]:13: note: fork() called here, its result returned to the caller
    // CHECK-MESSAGES: :[[@LINE+1]]:5: note: first operation
    printf("wrapped\n");
    _exit(0);
  }
  t.join();
}

// Every call of a wrapper is a site of its own.
void wrapper_twice() {
  std::thread t(worker, nullptr);
  if (xfork() == 0) {
    execv("/bin/true", nullptr);
    _exit(1);
  }
  if (xfork() == 0) {
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: fork() while other threads may run; the child calls 'malloc'
    // CHECK-MESSAGES: :[[@LINE-7]]:15: note: thread started here
    // CHECK-MESSAGES: :[[@LINE-28]]:13: note: fork() called here, its result returned to the caller
    // CHECK-MESSAGES: :[[@LINE+1]]:5: note: first operation
    malloc(1);
    _exit(0);
  }
  t.join();
}

// A caller that forks twice, with a thread started between: the second call is the one.
void start_pool();
void spawn_logged() {
  if (fork() == 0) {
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: fork() while other threads may run; the child calls 'puts'
    // CHECK-MESSAGES: :[[@LINE+10]]:3: note: 'start_pool' called here before the fork
    // CHECK-MESSAGES: :[[@LINE-169]]:3: note: thread started here
    // CHECK-MESSAGES: :[[@LINE+9]]:3: note: 'spawn_logged' called here, leading to the fork
    // CHECK-MESSAGES: :[[@LINE+1]]:5: note: first operation
    puts("child");
    _exit(0);
  }
}
void twice() {
  spawn_logged();
  start_pool();
  spawn_logged();
}

// A return in the child leaves the forking function: the child runs its caller's code.
int returns_in_child() {
  std::thread t(worker, nullptr);
  if (fork() == 0) {
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: fork() while other threads may run; the child returns from 'returns_in_child' into the rest of the program before exec
    // CHECK-MESSAGES: :[[@LINE-3]]:15: note: thread started here
    // CHECK-MESSAGES: :[[@LINE+2]]:5: note: first operation
    close(0);
    return 1;
  }
  t.join();
  return 0;
}

// A ternary picks the child's expression.
int child_work();
void ternary() {
  std::thread t(worker, nullptr);
  pid_t pid = fork();
  // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: fork() while other threads may run; the child calls 'child_work', which is defined outside this translation unit and not known to be async-signal-safe, before exec
  // CHECK-MESSAGES: :[[@LINE-3]]:15: note: thread started here
  // CHECK-MESSAGES: :[[@LINE+1]]:22: note: first operation
  int r = pid == 0 ? child_work() : 0;
  t.join();
  if (pid == 0)
    _exit(r);
}

// A fork whose result is stored away cannot be followed: assumed unsafe.
pid_t children[4];
void stored() {
  std::thread t(worker, nullptr);
  children[0] = fork();
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: fork() while other threads may run; its child cannot be followed here (the result of fork() is returned or stored, not tested for 0): make sure the child calls only async-signal-safe functions before exec*/_exit, or use posix_spawn
  // CHECK-MESSAGES: :[[@LINE-3]]:15: note: thread started here
  t.join();
}

// Member functions of the translation unit are followed; a lambda run by std::thread is a
// thread body.
struct Logger {
  void log(const char *m) { puts(m); }
};
void *logging_body(void *) {
  Logger l;
  if (fork() == 0) {
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: fork() while other threads may run; the child calls 'puts'
    // CHECK-MESSAGES: :[[@LINE+15]]:3: note: 'logging_body', which forks, runs in a thread started here
    // CHECK-MESSAGES: :[[@LINE+2]]:5: note: 'Logger::log' called here in the child
    // CHECK-MESSAGES: :[[@LINE-8]]:29: note: first operation
    l.log("x");
    _exit(0);
  }
  return nullptr;
}
void *quiet_body(void *) {
  if (fork() == 0)
    _exit(write(1, "x", 1) < 0);
  return nullptr;
}
void start_bodies() {
  pthread_t a, b;
  pthread_create(&a, nullptr, logging_body, nullptr);
  pthread_create(&b, nullptr, &quiet_body, nullptr);
  std::thread t([] {
    if (fork() == 0) {
      // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: fork() while other threads may run; the child calls 'printf'
      // CHECK-MESSAGES: :[[@LINE-3]]:15: note: 'lambda', which forks, runs in a thread started here
      // CHECK-MESSAGES: :[[@LINE+1]]:7: note: first operation
      printf("x");
      _exit(0);
    }
  });
  t.join();
}
