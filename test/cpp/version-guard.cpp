// A plugin loaded into the clang-tidy of another LLVM major must refuse, loudly, instead of
// loading and silently reporting nothing. Each build tests its own plugin in the other
// clang-tidy (19 into 14, 14 into 19).
// REQUIRES: clang-tidy-other
// RUN: %expect_exit 1 %clang_tidy_other -load %forksafe_plugin -checks='-*,forksafe-*' %s -- 2>&1 \
// RUN:   | FileCheck %s -DMAJOR=%llvm_major -DOTHER=%llvm_other_major
// CHECK: error: libforksafe-tidy.so was built for LLVM [[MAJOR]], but this clang-tidy is LLVM [[OTHER]]; a plugin only works in the clang-tidy of its own major version. Use a libforksafe-tidy.so built with -DFORKSAFE_LLVM_VERSION=[[OTHER]] (or run clang-tidy-[[MAJOR]]).
// CHECK-NOT: warning:

// The right clang-tidy loads it and lists the checks.
// RUN: %clang_tidy -load %forksafe_plugin -checks='-*,forksafe-*' --list-checks | FileCheck %s --check-prefix=LIST
// LIST: forksafe-cuda-before-fork
// LIST-NEXT: forksafe-exit-in-child
// LIST-NEXT: forksafe-fork-after-thread
// LIST-NEXT: forksafe-fork-with-lock-held
// LIST-NEXT: forksafe-vfork-child

#include <forksafe-system.h>
void f() {
  if (fork() == 0)
    exit(1);
}
