// exit-in-child with the error helpers of other units (Inputs/fatal): fatal() in util.c
// always exits, check() only when its test fails, usage() in usage.c calls fatal() on its
// only path. A call that may exit is a finding and the child goes on after it (on the path
// where it returns); a call that never returns ends the child's path there, and only there:
// the next fork's child is its own, and main's `return 0` is the parent's.
// RUN: rm -rf %t && mkdir -p %t/build %t/.git && cp -r %S/Inputs/fatal %t/src
// RUN: echo '[{"directory": "%t/src", "file": "main.c", "command": "clang -std=c11 -isystem %S/../Inputs -c main.c"}, {"directory": "%t/src", "file": "util.c", "command": "clang -std=c11 -isystem %S/../Inputs -c util.c"}, {"directory": "%t/src", "file": "usage.c", "command": "clang -std=c11 -isystem %S/../Inputs -c usage.c"}]' > %t/build/compile_commands.json
// RUN: cd %t/src && %expect_exit 1 %forksafe -p %t/build --no-cache . 2>&1 \
// RUN:   | FileCheck %s --implicit-check-not='{{warning|note}}:'

// The first child: a conditional fatal(), then check(), then its own exit(3), all judged.
// CHECK:      ./main.c:11:7: warning: exit() in a fork child, reached through 'fatal': {{.*}} [forksafe-exit-in-child]
// CHECK-NEXT: ./main.c:9:7: note: child of this fork()
// CHECK-NEXT: ./main.c:11:7: note: 'fatal', defined in another translation unit, called here
// CHECK-NEXT: {{.*}}/src/util.c:6:3: note: exit() called here
// CHECK-NEXT: ./main.c:12:5: warning: exit() in a fork child, reached through 'check': {{.*}} [forksafe-exit-in-child]
// CHECK-NEXT: ./main.c:9:7: note: child of this fork()
// CHECK-NEXT: ./main.c:12:5: note: 'check', defined in another translation unit, called here
// CHECK-NEXT: {{.*}}/src/util.c:11:5: note: exit() called here
// CHECK-NEXT: ./main.c:13:5: warning: exit() in a fork child runs the parent's atexit handlers {{.*}} [forksafe-exit-in-child]
// CHECK-NEXT: ./main.c:9:7: note: child of this fork()

// The second child ends in usage(), two units away from its exit(): it does not fall out of
// its `if` into the third fork's child or main's return.
// CHECK-NEXT: ./main.c:16:5: warning: exit() in a fork child, reached through 'usage': {{.*}} [forksafe-exit-in-child]
// CHECK-NEXT: ./main.c:15:7: note: child of this fork()
// CHECK-NEXT: ./main.c:16:5: note: 'usage', defined in another translation unit, called here
// CHECK-NEXT: {{.*}}/src/usage.c:4:20: note: 'fatal' called here
// CHECK-NEXT: {{.*}}/src/util.c:6:3: note: exit() called here

// The third child is its own.
// CHECK-NEXT: ./main.c:18:5: warning: exit() in a fork child runs the parent's atexit handlers {{.*}} [forksafe-exit-in-child]
// CHECK-NEXT: ./main.c:17:7: note: child of this fork()
// CHECK-NEXT: forksafe: 5 findings in 1 file

// The same through clang-tidy and the summary file.
// RUN: %forksafe summarize -p %t/build -o %t/summaries.json --no-cache
// RUN: cd %t/src && %clang_tidy -load %forksafe_plugin -checks='-*,forksafe-exit-in-child' \
// RUN:   -config='{CheckOptions: [{key: SummaryFile, value: %t/summaries.json}]}' -p %t/build main.c 2>&1 \
// RUN:   | FileCheck %s --check-prefix=TIDY --implicit-check-not='warning:'
// TIDY: main.c:11:7: warning: exit() in a fork child, reached through 'fatal'
// TIDY: main.c:12:5: warning: exit() in a fork child, reached through 'check'
// TIDY: main.c:13:5: warning: exit() in a fork child runs
// TIDY: main.c:16:5: warning: exit() in a fork child, reached through 'usage'
// TIDY: main.c:15:7: note: child of this fork()
// TIDY: main.c:18:5: warning: exit() in a fork child runs
// TIDY: main.c:17:7: note: child of this fork()
