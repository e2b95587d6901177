// A daemon whose parent leaves main with return: the child goes on as the program, and its
// exits are its own, not the parent's handlers run twice. A parent that returns from another
// function goes on running, so the child's exit there is still a finding.
// RUN: %clang_tidy -load %forksafe_plugin -checks='-*,forksafe-exit-in-child' %s -- -std=c++17 -isystem %S/Inputs 2>&1 \
// RUN:   | FileCheck %s --check-prefix=CHECK-MESSAGES --implicit-check-not='{{warning|note}}:'

#include <forksafe-system.h>

void serve();

void spawn_worker() {
  pid_t pid = fork();
  if (pid > 0)
    return;
  serve();
  exit(0);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: exit() in a fork child
  // CHECK-MESSAGES: :[[@LINE-6]]:15: note: child of this fork()
}

int main(int argc, char **argv) {
  pid_t pid = fork();
  if (pid < 0)
    return 1;
  if (pid > 0)
    return 0;
  setsid();
  if (argc > 2)
    exit(2);
  spawn_worker();
  serve();
  exit(0);
}
