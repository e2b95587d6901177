// AdditionalForkFunctions (a global option read by every fork check): project wrappers that
// fork in another translation unit, like redis's redisFork, are forks where they are called.
// RUN: %clang_tidy -load %forksafe_plugin -checks='-*,forksafe-*' %s \
// RUN:   -config="{CheckOptions: [{key: AdditionalForkFunctions, value: 'redisFork'}, {key: forksafe-fork-after-thread.AssumeMultithreaded, value: true}]}" \
// RUN:   -- -std=c++17 -isystem %S/Inputs 2>&1 \
// RUN:   | FileCheck %s --check-prefix=CHECK-MESSAGES --implicit-check-not='{{warning|note}}:'
// RUN: %clang_tidy -load %forksafe_plugin -checks='-*,forksafe-*' %s -- -std=c++17 -isystem %S/Inputs 2>&1 \
// RUN:   | FileCheck %s --allow-empty --check-prefix=NONE --implicit-check-not='{{warning|note}}:'
// NONE-NOT: {{.}}
// RUN: %clang_tidy -load %forksafe_plugin -checks='-*,forksafe-*' %s \
// RUN:   -config="{CheckOptions: [{key: AdditionalForkFunctions, value: 'redisFork'}]}" --dump-config -- \
// RUN:   | %python %S/Inputs/flatten-config.py | FileCheck %s --check-prefix=CONFIG
// CONFIG-DAG: forksafe-fork-after-thread.AdditionalForkFunctions: redisFork
// CONFIG-DAG: forksafe-exit-in-child.AdditionalForkFunctions: redisFork

#include <forksafe-system.h>

int redisFork(int purpose);
void rdbSave(const char *file);

void save() {
  pid_t child;
  if ((child = redisFork(1)) == 0) {
    // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: fork() while other threads may run; the child calls 'rdbSave', which is defined outside this translation unit and not known to be async-signal-safe, before exec
    // CHECK-MESSAGES: :[[@LINE+1]]:5: note: first operation
    rdbSave("dump.rdb");
    exit(0);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: exit() in a fork child
    // CHECK-MESSAGES: :[[@LINE-6]]:16: note: child of this fork()
  }
}
