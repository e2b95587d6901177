// `forksafe summarize` writes the whole-program summaries; a plain clang-tidy with the plugin
// reads them through the option SummaryFile and reports what the forksafe program reports.
// A missing or malformed file is a configuration error and the unit is checked on its own.
// RUN: rm -rf %t && mkdir -p %t/build %t/.git && cp -r %S/Inputs/pool %t/src
// RUN: echo '[{"directory": "%t/src", "file": "main.c", "command": "clang -std=c11 -isystem %S/../Inputs -c main.c"}, {"directory": "%t/src", "file": "pool.c", "command": "clang -std=c11 -isystem %S/../Inputs -c pool.c"}, {"directory": "%t/src", "file": "spawn.c", "command": "clang -std=c11 -isystem %S/../Inputs -c spawn.c"}, {"directory": "%t/src", "file": "daemon.c", "command": "clang -std=c11 -isystem %S/../Inputs -c daemon.c"}, {"directory": "%t/src", "file": "util.c", "command": "clang -std=c11 -isystem %S/../Inputs -c util.c"}]' > %t/build/compile_commands.json
// RUN: %forksafe summarize -p %t/build -o %t/summaries.json 2>&1 | FileCheck %s --check-prefix=SUMMARIZE
// SUMMARIZE: forksafe summarize: 5 translation units, 0 from the cache, 0 could not be parsed; written to {{.*}}summaries.json
// RUN: cd %t/src && %clang_tidy -load %forksafe_plugin -checks='-*,forksafe-fork-after-thread' \
// RUN:   -config='{CheckOptions: [{key: SummaryFile, value: %t/summaries.json}]}' -p %t/build main.c spawn.c daemon.c 2>&1 \
// RUN:   | FileCheck %s --implicit-check-not='{{warning|note}}:'
// CHECK:      main.c:12:7: warning: fork() while other threads may run; the child calls 'printf', which is not async-signal-safe, before exec: call only async-signal-safe functions before exec*/_exit, or use posix_spawn [forksafe-fork-after-thread]
// CHECK:      main.c:20:3: note: 'start_pool' called here before the fork
// CHECK:      {{.*}}pool.c:9:5: note: thread started here
// CHECK:      main.c:21:3: note: 'serve' called here, leading to the fork
// CHECK:      main.c:18:5: note: in the program whose entry point is 'main'
// CHECK:      {{.*}}spawn.c:5:15: note: fork() called here in 'spawn_worker', its result returned to the caller
// CHECK:      main.c:13:5: note: 'child_log', defined in another translation unit, called here in the child
// CHECK:      {{.*}}util.c:15:24: note: first operation in the child that is not async-signal-safe
// CHECK:      main.c:22:15: warning: fork() while other threads may run; the child calls 'fprintf'
// CHECK:      main.c:20:3: note: 'start_pool' called here before the fork
// CHECK:      {{.*}}pool.c:9:5: note: thread started here
// CHECK:      main.c:18:5: note: in the program whose entry point is 'main'
// CHECK:      {{.*}}spawn.c:5:15: note: fork() called here in 'spawn_worker', its result returned to the caller
// CHECK:      main.c:24:5: note: 'fatal', defined in another translation unit, called here in the child
// CHECK:      {{.*}}util.c:5:3: note: first operation in the child that is not async-signal-safe

// The option is listed by --dump-config.
// RUN: cd %t/src && %clang_tidy -load %forksafe_plugin -checks='-*,forksafe-fork-after-thread' \
// RUN:   -config='{CheckOptions: [{key: SummaryFile, value: %t/summaries.json}]}' --dump-config main.c -- 2>&1 | FileCheck %s --check-prefix=DUMP
// (clang-tidy 14 writes the value on the line after the key, later ones on the same line.)
// DUMP: forksafe-fork-after-thread.SummaryFile
// DUMP: {{.*}}summaries.json

// RUN: cd %t/src && %clang_tidy -load %forksafe_plugin -checks='-*,forksafe-fork-after-thread' \
// RUN:   -config='{CheckOptions: [{key: SummaryFile, value: %t/missing.json}]}' -p %t/build main.c 2>&1 \
// RUN:   | FileCheck %s --check-prefix=MISSING --implicit-check-not='{{warning|note}}:'
// MISSING: warning: cannot read the summary file '{{.*}}missing.json': {{.*}}; checking each translation unit on its own
// RUN: echo '{"format": 99, "units": []}' > %t/old.json
// RUN: cd %t/src && %clang_tidy -load %forksafe_plugin -checks='-*,forksafe-fork-after-thread' \
// RUN:   -config='{CheckOptions: [{key: SummaryFile, value: %t/old.json}]}' -p %t/build main.c 2>&1 \
// RUN:   | FileCheck %s --check-prefix=OLD --implicit-check-not='{{warning|note}}:'
// OLD: warning: {{.*}}forksafe summary of another format version (expected 2): write it again with this forksafe's 'summarize'; checking each translation unit on its own
// The same for a file with the index line (the wrappers' names read without the rest).
// RUN: printf '{"format":1,"fork_wrappers":["spawn_worker"],\n"units":[\n]}\n' > %t/old-indexed.json
// RUN: cd %t/src && %clang_tidy -load %forksafe_plugin -checks='-*,forksafe-fork-after-thread' \
// RUN:   -config='{CheckOptions: [{key: SummaryFile, value: %t/old-indexed.json}]}' -p %t/build main.c 2>&1 \
// RUN:   | FileCheck %s --check-prefix=OLD --implicit-check-not='{{warning|note}}:'
