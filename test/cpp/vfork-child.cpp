// RUN: %clang_tidy -load %forksafe_plugin -checks='-*,forksafe-vfork-child' %s -- -std=c++17 -isystem %S/Inputs 2>&1 \
// RUN:   | FileCheck %s --check-prefix=CHECK-MESSAGES --implicit-check-not='{{warning|note}}:'

#include <forksafe-system.h>

char *const argv[] = {nullptr};
int status;

void bad(int fd) {
  pid_t pid = vfork();
  if (pid == 0) {
    printf("child\n");
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: vfork() child calls 'printf': the child of vfork() shares the parent's memory and stack until it calls exec* or _exit; use posix_spawn, or fork [forksafe-vfork-child]
    // CHECK-MESSAGES: :[[@LINE-4]]:15: note: vfork() called here
    status = 1;
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: vfork() child modifies 'status': the child of vfork()
    // CHECK-MESSAGES: :[[@LINE-7]]:15: note: vfork() called here
    ++fd;
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: vfork() child modifies 'fd'
    // CHECK-MESSAGES: :[[@LINE-10]]:15: note: vfork() called here
    execv("/bin/true", argv);
    perror("exec");
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: vfork() child calls 'perror'
    // CHECK-MESSAGES: :[[@LINE-14]]:15: note: vfork() called here
    _exit(127);
  }
}

int returns(int *out) {
  switch (vfork()) {
  case 0:
    *out = 1;
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: vfork() child stores through '*out'
    // CHECK-MESSAGES: :[[@LINE-4]]:11: note: vfork() called here
    return 0;
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: vfork() child returns from 'returns', whose stack frame the parent still uses
    // CHECK-MESSAGES: :[[@LINE-7]]:11: note: vfork() called here
  default:
    return 1;
  }
}

pid_t wrapper() {
  return vfork();
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: the vfork() child returns from 'wrapper', whose stack frame the parent still uses: the child of vfork()
}

// Negative: exec and _exit only; locals of the child itself; the pid variable.
void good(const char *path) {
  pid_t pid;
  if ((pid = vfork()) == 0) {
    int i = 0;
    i++;
    execv(path, argv);
    _exit(127);
  }
  if (!vfork()) {
    execve(path, argv, nullptr);
    _Exit(errno);
  }
  printf("parent\n");
}
