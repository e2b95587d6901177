// RUN: %clang_tidy -load %forksafe_plugin -checks='-*,forksafe-exit-in-child' %s -- -std=c++17 -isystem %S/Inputs 2>&1 \
// RUN:   | FileCheck %s --check-prefix=CHECK-MESSAGES --implicit-check-not='{{warning|note}}:'
// RUN: grep -v 'CHECK-' %s > %t.cpp
// RUN: %clang_tidy -load %forksafe_plugin -checks='-*,forksafe-exit-in-child' -fix %t.cpp -- -std=c++17 -isystem %S/Inputs > /dev/null 2>&1
// RUN: FileCheck %s --check-prefix=CHECK-FIXES --input-file=%t.cpp

#include <forksafe-system.h>

char *const argv[] = {nullptr};

void after_failed_exec() {
  pid_t pid = fork();
  if (pid == 0) {
    execvp("ls", argv);
    exit(127);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: exit() in a fork child runs the parent's atexit handlers and static destructors and flushes its stdio buffers again: use _exit [forksafe-exit-in-child]
    // CHECK-MESSAGES: :[[@LINE-5]]:15: note: child of this fork()
    // CHECK-FIXES: {{^}}    _exit(127);{{$}}
  }
}

void qualified() {
  if (fork() == 0) {
    std::exit(1);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: exit() in a fork child
    // CHECK-MESSAGES: :[[@LINE-3]]:7: note: child of this fork()
    // CHECK-FIXES: {{^}}    _exit(1);{{$}}
  }
}

// In a helper: reported with the chain, but no fix (the helper has other callers).
void die(int code) {
  exit(code);
}
void helper() {
  switch (fork()) {
  case 0:
    die(2);
    // CHECK-MESSAGES: :[[@LINE-6]]:3: warning: exit() in a fork child
    // CHECK-MESSAGES: :[[@LINE-4]]:11: note: child of this fork()
    // CHECK-MESSAGES: :[[@LINE-3]]:5: note: 'die' called here in the child
    // CHECK-FIXES: {{^}}  exit(code);{{$}}
  default:
    break;
  }
}

// Returning from main in the child is exit() too.
int main() {
  pid_t pid;
  if ((pid = fork()) == 0) {
    return 3;
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: returning from 'main' in a fork child calls exit(), which runs the parent's atexit handlers and static destructors and flushes its stdio buffers again: call _exit instead
    // CHECK-MESSAGES: :[[@LINE-3]]:14: note: child of this fork()
  }
  // The parent may exit normally.
  exit(0);
}

// A daemon: the parent exits and the child goes on as the program; its exit is its own.
void serve();
void daemonize_then_serve() {
  pid_t pid = fork();
  if (pid < 0)
    exit(1);
  if (pid > 0)
    exit(0);
  setsid();
  serve();
  exit(0);
}
void daemon_one_line() {
  if (fork() != 0) exit(0);
  serve();
  exit(0);
}

// Negative cases: _exit and _Exit in the child, exit in the parent.
void fine() {
  pid_t pid = fork();
  if (pid == 0)
    _exit(0);
  if (pid > 0)
    exit(0);
  if (fork() == 0)
    _Exit(1);
}
