// Each main is its own program: shared.c is linked into threaded.c's program (a thread starts
// before run_task) and plain.c's (no threads). run_task's fork is reported once, with the
// threaded program's story; solo_task, called only by the program without threads, is not.
// RUN: rm -rf %t && mkdir -p %t/build %t/.git && cp -r %S/Inputs/two %t/src
// RUN: echo '[{"directory": "%t/src", "file": "shared.c", "command": "clang -std=c11 -isystem %S/../Inputs -c shared.c"}, {"directory": "%t/src", "file": "threaded.c", "command": "clang -std=c11 -isystem %S/../Inputs -c threaded.c"}, {"directory": "%t/src", "file": "plain.c", "command": "clang -std=c11 -isystem %S/../Inputs -c plain.c"}]' > %t/build/compile_commands.json
// RUN: cd %t/src && %expect_exit 1 %forksafe -p %t/build . 2>&1 \
// RUN:   | FileCheck %s --implicit-check-not='{{warning|note}}:'

// CHECK:      ./shared.c:5:7: warning: fork() while other threads may run; the child calls 'printf', which is not async-signal-safe, before exec: call only async-signal-safe functions before exec*/_exit, or use posix_spawn [forksafe-fork-after-thread]
// CHECK-NEXT: {{.*}}/src/threaded.c:8:3: note: thread started here
// CHECK-NEXT: {{.*}}/src/threaded.c:9:3: note: 'run_task' called here, leading to the fork
// CHECK-NEXT: {{.*}}/src/threaded.c:6:5: note: in the program whose entry point is 'main'
// CHECK-NEXT: ./shared.c:6:5: note: first operation in the child that is not async-signal-safe
// CHECK-NEXT: forksafe: 1 finding in {{[0-9]+}} file

// Without the threaded program in the database, nothing is reported.
// RUN: echo '[{"directory": "%t/src", "file": "shared.c", "command": "clang -std=c11 -isystem %S/../Inputs -c shared.c"}, {"directory": "%t/src", "file": "plain.c", "command": "clang -std=c11 -isystem %S/../Inputs -c plain.c"}]' > %t/build/compile_commands.json
// RUN: cd %t/src && %expect_exit 0 %forksafe -p %t/build shared.c plain.c
