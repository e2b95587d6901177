// forksafe checks C and C++ files through compile_commands.json: -p DIR, or found upward
// from the file; a file the database does not list gets a command inferred from its nearest
// entry; a file that does not compile is an input error (exit 2) naming its first compile
// error, while the others are still reported; --fix applies the _exit fix-it.
// RUN: rm -rf %t && mkdir -p %t/build %t/src/sub
// RUN: cp %s %t/src/main.cpp
// RUN: echo 'int fork(void); int broken() { fork(); return undeclared_identifier_here; }' > %t/src/broken.cpp
// RUN: echo 'int fork(void); int orphan() { return fork(); }' > %t/src/orphan.cpp
// RUN: echo '[{"directory": "%t/src", "file": "main.cpp", "command": "clang++ -std=c++17 -isystem %S/Inputs -c main.cpp"}, {"directory": "%t/src", "file": "broken.cpp", "command": "clang++ -c broken.cpp"}]' > %t/build/compile_commands.json
// RUN: cd %t/src && %expect_exit 1 %forksafe -p %t/build main.cpp 2>%t/stderr | FileCheck %s
// RUN: cd %t/src && %expect_exit 1 %forksafe --format=json -p %t/build main.cpp | FileCheck %s --check-prefix=JSON
// RUN: cd %t/src && %expect_exit 2 %forksafe -p %t/build main.cpp broken.cpp orphan.cpp 2>&1 | FileCheck %s --check-prefix=ERRORS
// RUN: cp %t/build/compile_commands.json %t/src/compile_commands.json
// RUN: cd %t/src/sub && %expect_exit 1 %forksafe ../main.cpp | FileCheck %s --check-prefix=UPWARD
// RUN: rm %t/src/compile_commands.json
// .clang-tidy's CheckOptions apply: with printf and exit declared safe only exit-in-child remains.
// RUN: echo '{CheckOptions: [{key: forksafe-fork-after-thread.AdditionalSafeFunctions, value: "printf;exit"}]}' > %t/src/.clang-tidy
// RUN: cd %t/src && %expect_exit 1 %forksafe -p %t/build main.cpp | FileCheck %s --check-prefix=DOTFILE --implicit-check-not='{{warning|note}}:'
// DOTFILE: main.cpp:{{[0-9]+}}:5: warning: exit() in a fork child
// DOTFILE: main.cpp:{{[0-9]+}}:15: note: child of this fork()
// RUN: rm %t/src/.clang-tidy
// RUN: cd %t/src && %expect_exit 0 %forksafe -p %t/build --fix --checks='-*,forksafe-exit-in-child' main.cpp
// RUN: FileCheck %s --check-prefix=FIXED --input-file=%t/src/main.cpp

#include <forksafe-system.h>

void *worker(void *);

int main() {
  std::thread t(worker, nullptr);
  pid_t pid = fork();
  // CHECK: main.cpp:[[@LINE-1]]:15: warning: fork() while other threads may run; the child calls 'printf', which is not async-signal-safe, before exec: call only async-signal-safe functions before exec*/_exit, or use posix_spawn [forksafe-fork-after-thread]
  // CHECK-NEXT: main.cpp:[[@LINE-3]]:15: note: thread started here
  // CHECK-NEXT: main.cpp:[[@LINE+6]]:5: note: first operation in the child that is not async-signal-safe
  // CHECK-NEXT: main.cpp:[[@LINE+6]]:5: warning: exit() in a fork child runs the parent's atexit handlers and static destructors and flushes its stdio buffers again: use _exit [forksafe-exit-in-child]
  // CHECK-NEXT: main.cpp:[[@LINE-5]]:15: note: child of this fork()
  // CHECK-NOT: {{warning|note}}:
  // UPWARD: ../main.cpp:[[@LINE-7]]:15: warning: fork() while other threads may run
  if (pid == 0) {
    printf("child\n");
    exit(1);
    // FIXED: {{^}}    _exit(1);{{$}}
  }
  t.join();
}

// JSON: "check": "forksafe-exit-in-child"
// JSON: "fix": {
// JSON: "applicability": "safe"
// JSON: "content": "_exit"
// JSON: "end_column": 9

// ERRORS-DAG: {{^}}broken.cpp: error: does not compile: broken.cpp:1: use of undeclared identifier 'undeclared_identifier_here'{{$}}
// ERRORS-DAG: main.cpp:{{[0-9]+}}:15: warning: fork() while other threads may run
// ERRORS-DAG: forksafe: 2 findings in 3 files; 1 error
// ERRORS-NOT: orphan.cpp{{.*}}error
// ERRORS-NOT: generated
