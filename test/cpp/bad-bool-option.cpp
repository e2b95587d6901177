// A boolean option with a value that is not a bool means the default, and clang-tidy says so
// as it does for its own checks' options; good values say nothing.
// RUN: %clang_tidy -load %forksafe_plugin -checks='-*,forksafe-fork-after-thread' %s \
// RUN:   -config="{CheckOptions: [{key: forksafe-fork-after-thread.AssumeMultithreaded, value: maybe}, {key: forksafe-fork-after-thread.StrictExec, value: 'On'}]}" \
// RUN:   -- -std=c++17 2>&1 | FileCheck %s --implicit-check-not=StrictExec
// CHECK: warning: invalid configuration value 'maybe' for option 'forksafe-fork-after-thread.AssumeMultithreaded'; expected a bool [clang-tidy-config]
// RUN: %clang_tidy -load %forksafe_plugin -checks='-*,forksafe-fork-after-thread' %s \
// RUN:   -config="{CheckOptions: [{key: forksafe-fork-after-thread.AssumeMultithreaded, value: 'false'}]}" \
// RUN:   -- -std=c++17 2>&1 | FileCheck %s --allow-empty --check-prefix=GOOD --implicit-check-not=invalid
// GOOD-NOT: expected a bool
int main() { return 0; }
