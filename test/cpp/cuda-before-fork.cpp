// RUN: %clang_tidy -load %forksafe_plugin -checks='-*,forksafe-cuda-before-fork' %s -- -std=c++17 -isystem %S/Inputs 2>&1 \
// RUN:   | FileCheck %s --check-prefix=CHECK-MESSAGES --implicit-check-not='{{warning|note}}:'

#include <forksafe-system.h>

char *const argv[] = {nullptr};

// The child uses CUDA the parent initialised.
void direct() {
  cudaSetDevice(0);
  pid_t pid = fork();
  // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: fork() after CUDA was initialised; the child calls 'cudaMalloc', which is not async-signal-safe, before exec, but a forked child cannot use the parent's CUDA state: exec in the child, use posix_spawn, or fork before initialising CUDA [forksafe-cuda-before-fork]
  // CHECK-MESSAGES: :[[@LINE-3]]:3: note: CUDA initialised here by 'cudaSetDevice'
  // CHECK-MESSAGES: :[[@LINE+3]]:5: note: first operation
  if (pid == 0) {
    void *p;
    cudaMalloc(&p, 16);
    _exit(0);
  }
}

// Initialised in a helper, the fork in another function called later.
void init_gpu() {
  int n;
  cudaGetDeviceCount(&n);
}
void worker_process() {
  if (fork() == 0) {
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: fork() after CUDA was initialised; the child calls 'printf'
    // CHECK-MESSAGES: :[[@LINE+9]]:3: note: 'init_gpu' called here before the fork
    // CHECK-MESSAGES: :[[@LINE-6]]:3: note: CUDA initialised here by 'cudaGetDeviceCount'
    // CHECK-MESSAGES: :[[@LINE+8]]:3: note: 'worker_process' called here, leading to the fork
    // CHECK-MESSAGES: :[[@LINE+1]]:5: note: first operation
    printf("worker\n");
    _exit(0);
  }
}
int main(int argc, char **argv) {
  init_gpu();
  worker_process();
  return 0;
}

// MPI, then a fork whose child returns into the program.
int mpi(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  fork();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: fork() after MPI was initialised; the child returns from 'mpi' into the rest of the program before exec
  // CHECK-MESSAGES: :[[@LINE-3]]:3: note: MPI initialised here by 'MPI_Init'
  // CHECK-MESSAGES: :[[@LINE+1]]:3: note: first operation in the child that is not async-signal-safe
  return 0;
}

// Negative: a child that only execs; error-string queries do not initialise CUDA; CUDA
// initialised only after the fork.
void exec_child() {
  cudaSetDevice(0);
  if (fork() == 0) {
    execv("/bin/worker", argv);
    _exit(127);
  }
}
void no_init(cudaError_t e) {
  const char *s = cudaGetErrorString(e);
  if (fork() == 0) {
    puts(s);
    _exit(0);
  }
}
void init_after() {
  if (fork() == 0) {
    puts("child");
    _exit(0);
  }
  cudaSetDevice(0);
}
