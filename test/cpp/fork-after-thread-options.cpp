// AssumeMultithreaded, StrictExec, AdditionalSafeFunctions, AdditionalThreadStarters, and
// --dump-config showing them.
// RUN: %clang_tidy -load %forksafe_plugin -checks='-*,forksafe-fork-after-thread' %s \
// RUN:   -config="{CheckOptions: [{key: forksafe-fork-after-thread.AssumeMultithreaded, value: true}, {key: forksafe-fork-after-thread.StrictExec, value: true}, {key: forksafe-fork-after-thread.AdditionalSafeFunctions, value: 'log_safe;my_write'}, {key: forksafe-fork-after-thread.AdditionalThreadStarters, value: 'start_workers'}]}" \
// RUN:   -- -std=c++17 -isystem %S/Inputs 2>&1 \
// RUN:   | FileCheck %s --check-prefix=CHECK-MESSAGES --implicit-check-not='{{warning|note}}:'
// RUN: %clang_tidy -load %forksafe_plugin -checks='-*,forksafe-fork-after-thread' %s \
// RUN:   -config="{CheckOptions: [{key: forksafe-fork-after-thread.AdditionalThreadStarters, value: 'start_workers'}]}" \
// RUN:   -- -std=c++17 -isystem %S/Inputs 2>&1 | FileCheck %s --check-prefix=DEFAULT --implicit-check-not='{{warning|note}}:'
// RUN: %clang_tidy -load %forksafe_plugin -checks='-*,forksafe-*' %s \
// RUN:   -config="{CheckOptions: [{key: forksafe-fork-after-thread.StrictExec, value: true}, {key: forksafe-fork-after-thread.AdditionalThreadStarters, value: 'start_workers'}]}" \
// RUN:   --dump-config -- -std=c++17 | %python %S/Inputs/flatten-config.py | FileCheck %s --check-prefix=CONFIG
// CONFIG-DAG: forksafe-fork-after-thread.AdditionalSafeFunctions: ''
// CONFIG-DAG: forksafe-fork-after-thread.AdditionalThreadStarters: start_workers
// CONFIG-DAG: forksafe-fork-after-thread.AssumeMultithreaded: 'false'
// CONFIG-DAG: forksafe-fork-after-thread.StrictExec: 'true'
// CONFIG-DAG: forksafe-fork-with-lock-held.StrictExec: 'false'
// CONFIG-DAG: forksafe-fork-with-lock-held.AdditionalSafeFunctions: ''
// CONFIG-DAG: forksafe-cuda-before-fork.AdditionalInitialisers: ''

#include <forksafe-system.h>

char *const argv[] = {nullptr};
extern "C" void log_safe(const char *);
extern "C" long my_write(int, const void *, unsigned long);
void start_workers(int);

// Single-threaded: flagged only under AssumeMultithreaded.
void assumed() {
  if (fork() == 0) {
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: fork() while other threads may run; the child calls 'printf'
    // CHECK-MESSAGES: :[[@LINE+1]]:5: note: first operation
    printf("x");
    _exit(0);
  }
}

// execvp searches PATH: unsafe under StrictExec only.
void strict() {
  if (fork() == 0) {
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: fork() while other threads may run; the child calls 'execvp'
    // CHECK-MESSAGES: :[[@LINE+2]]:5: note: first operation
    log_safe("about to exec");
    execvp("ls", argv);
    _exit(127);
  }
}

// A user-named thread starter, and user-declared safe functions.
void user_starter() {
  start_workers(4);
  if (fork() == 0) {
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: fork() while other threads may run; the child calls 'puts'
    // CHECK-MESSAGES: :[[@LINE-3]]:3: note: thread started here
    // CHECK-MESSAGES: :[[@LINE+6]]:5: note: first operation
    // DEFAULT: :[[@LINE-4]]:7: warning: fork() while other threads may run; the child calls 'log_safe'
    // DEFAULT: :[[@LINE-6]]:3: note: thread started here
    // DEFAULT: :[[@LINE+1]]:5: note: first operation
    log_safe("child");
    my_write(1, "x", 1);
    puts("done");
    _exit(0);
  }
}
