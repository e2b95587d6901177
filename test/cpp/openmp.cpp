// OpenMP parallel regions start threads; without -fopenmp the pragma does nothing.
// RUN: %clang_tidy -load %forksafe_plugin -checks='-*,forksafe-fork-after-thread' %s -- -fopenmp -isystem %S/Inputs 2>&1 \
// RUN:   | FileCheck %s --check-prefix=CHECK-MESSAGES --implicit-check-not='{{warning|note}}:'
// RUN: %clang_tidy -load %forksafe_plugin -checks='-*,forksafe-fork-after-thread' %s -- -isystem %S/Inputs 2>&1 \
// RUN:   | FileCheck %s --allow-empty --check-prefix=NOOMP --implicit-check-not='{{warning|note}}:'
// NOOMP-NOT: {{.}}

#include <forksafe-system.h>

void compute(int *v, int n) {
#pragma omp parallel for
  for (int i = 0; i < n; ++i)
    v[i] = i;
  if (fork() == 0) {
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: fork() while other threads may run; the child calls 'printf'
    // CHECK-MESSAGES: :[[@LINE-5]]:1: note: thread started here
    // CHECK-MESSAGES: :[[@LINE+1]]:5: note: first operation
    printf("%d\n", v[0]);
    _exit(0);
  }
}

// A parallel region only after the fork: not flagged even with -fopenmp.
void after(int *v, int n) {
  if (fork() == 0) {
    printf("child\n");
    _exit(0);
  }
#pragma omp parallel for
  for (int i = 0; i < n; ++i)
    v[i] = i;
}
