// Whole-program mode (the default over a compile database): threads started in pool.c, a fork
// wrapper in spawn.c, main in main.c, the child's helpers in util.c. The fork is judged at the
// wrapper's callers with the cross-file story; daemonize() in daemon.c forks before the first
// thread starts and is not reported; exit() reached through fatal() in util.c is an exit in
// the child.
// RUN: rm -rf %t && mkdir -p %t/build %t/.git && cp -r %S/Inputs/pool %t/src
// RUN: echo '[{"directory": "%t/src", "file": "main.c", "command": "clang -std=c11 -isystem %S/../Inputs -c main.c"}, {"directory": "%t/src", "file": "pool.c", "command": "clang -std=c11 -isystem %S/../Inputs -c pool.c"}, {"directory": "%t/src", "file": "spawn.c", "command": "clang -std=c11 -isystem %S/../Inputs -c spawn.c"}, {"directory": "%t/src", "file": "daemon.c", "command": "clang -std=c11 -isystem %S/../Inputs -c daemon.c"}, {"directory": "%t/src", "file": "util.c", "command": "clang -std=c11 -isystem %S/../Inputs -c util.c"}]' > %t/build/compile_commands.json
// RUN: cd %t/src && %expect_exit 1 %forksafe -p %t/build . 2>&1 \
// RUN:   | FileCheck %s --implicit-check-not='{{warning|note}}:'

// CHECK:      ./main.c:12:7: warning: fork() while other threads may run; the child calls 'printf', which is not async-signal-safe, before exec: call only async-signal-safe functions before exec*/_exit, or use posix_spawn [forksafe-fork-after-thread]
// CHECK-NEXT: ./main.c:20:3: note: 'start_pool' called here before the fork
// CHECK-NEXT: {{.*}}/src/pool.c:9:5: note: thread started here
// CHECK-NEXT: ./main.c:21:3: note: 'serve' called here, leading to the fork
// CHECK-NEXT: ./main.c:18:5: note: in the program whose entry point is 'main'
// CHECK-NEXT: {{.*}}/src/spawn.c:5:15: note: fork() called here in 'spawn_worker', its result returned to the caller
// CHECK-NEXT: ./main.c:13:5: note: 'child_log', defined in another translation unit, called here in the child
// CHECK-NEXT: {{.*}}/src/util.c:15:24: note: first operation in the child that is not async-signal-safe

// exit() after a failed exec, two units away: child_main -> fatal -> exit.
// CHECK-NEXT: ./main.c:14:5: warning: exit() in a fork child, reached through 'child_main': it runs the parent's atexit handlers and static destructors and flushes its stdio buffers again: use _exit [forksafe-exit-in-child]
// CHECK-NEXT: ./main.c:12:7: note: child of this fork()
// CHECK-NEXT: ./main.c:14:5: note: 'child_main', defined in another translation unit, called here
// CHECK-NEXT: {{.*}}/src/util.c:12:3: note: 'fatal' called here
// CHECK-NEXT: {{.*}}/src/util.c:6:3: note: exit() called here

// The second call of the wrapper, in main itself: the thread start precedes it in main.
// CHECK-NEXT: ./main.c:22:15: warning: fork() while other threads may run; the child calls 'fprintf', which is not async-signal-safe, before exec: call only async-signal-safe functions before exec*/_exit, or use posix_spawn [forksafe-fork-after-thread]
// CHECK-NEXT: ./main.c:20:3: note: 'start_pool' called here before the fork
// CHECK-NEXT: {{.*}}/src/pool.c:9:5: note: thread started here
// CHECK-NEXT: ./main.c:18:5: note: in the program whose entry point is 'main'
// CHECK-NEXT: {{.*}}/src/spawn.c:5:15: note: fork() called here in 'spawn_worker', its result returned to the caller
// CHECK-NEXT: ./main.c:24:5: note: 'fatal', defined in another translation unit, called here in the child
// CHECK-NEXT: {{.*}}/src/util.c:5:3: note: first operation in the child that is not async-signal-safe
// CHECK-NEXT: ./main.c:24:5: warning: exit() in a fork child, reached through 'fatal': it runs the parent's atexit handlers and static destructors and flushes its stdio buffers again: use _exit [forksafe-exit-in-child]
// CHECK-NEXT: ./main.c:22:15: note: child of this fork()
// CHECK-NEXT: ./main.c:24:5: note: 'fatal', defined in another translation unit, called here
// CHECK-NEXT: {{.*}}/src/util.c:6:3: note: exit() called here
// CHECK-NEXT: forksafe: 4 findings in {{[0-9]+}} file

// Each unit alone (no whole-program mode: clang-tidy without SummaryFile) sees no thread
// before these forks; the wrapper's fork cannot be followed in spawn.c. The checks' profile
// (printed the same way by every clang-tidy, one table per unit) shows that they ran.
// RUN: cd %t/src && %clang_tidy -load %forksafe_plugin -checks='-*,forksafe-*' --enable-check-profile -p %t/build main.c spawn.c daemon.c 2>&1 \
// RUN:   | FileCheck %s --check-prefix=ALONE --implicit-check-not='{{warning|note}}:'
// ALONE-COUNT-3: clang-tidy checks profiling
// ALONE:         forksafe-fork-after-thread
