// A unit's cached summary records the files its preprocessing read with their digests: an edit
// of a header alone (lib.h's static inline start_workers now starts a thread) makes the next run
// summarise lib.c again and report main.c's fork; files no unit includes, and a header whose
// bytes are unchanged, keep every entry.
// RUN: rm -rf %t && mkdir -p %t/build %t/.git && cp -r %S/Inputs/header %t/src
// RUN: echo '[{"directory": "%t/src", "file": "main.c", "command": "clang -std=c11 -isystem %S/../Inputs -c main.c"}, {"directory": "%t/src", "file": "lib.c", "command": "clang -std=c11 -isystem %S/../Inputs -c lib.c"}]' > %t/build/compile_commands.json
// RUN: cd %t/src && %forksafe -p %t/build --cache-dir %t/cache . 2>&1 | FileCheck %s --check-prefix=CLEAN
// CLEAN: forksafe: 0 findings
// RUN: %forksafe summarize -p %t/build -o %t/s.json --cache-dir %t/cache 2>&1 | FileCheck %s --check-prefix=ALL
// ALL: 2 translation units, 2 from the cache

// Near misses: a file no unit includes changes, lib.h is touched with the same bytes.
// RUN: echo '// changed' >> %t/src/unrelated.h
// RUN: touch %t/src/lib.h %t/src/lib.c
// RUN: %forksafe summarize -p %t/build -o %t/s.json --cache-dir %t/cache 2>&1 | FileCheck %s --check-prefix=ALL

// Only the header changes.
// RUN: cp %t/src/lib-threaded.h %t/src/lib.h
// RUN: cd %t/src && %expect_exit 1 %forksafe -p %t/build --cache-dir %t/cache . 2>&1 \
// RUN:   | FileCheck %s --implicit-check-not='{{warning|note}}:'
// CHECK:      ./main.c:7:7: warning: fork() while other threads may run; the child calls 'printf', which is not async-signal-safe, before exec: call only async-signal-safe functions before exec*/_exit, or use posix_spawn [forksafe-fork-after-thread]
// CHECK-NEXT: ./main.c:6:3: note: 'setup' called here before the fork
// CHECK-NEXT: {{.*}}/src/lib.c:3:20: note: 'start_workers' called here before the fork
// CHECK-NEXT: {{.*}}/src/lib.h:8:3: note: thread started here
// CHECK-NEXT: ./main.c:5:5: note: in the program whose entry point is 'main'
// CHECK-NEXT: ./main.c:8:5: note: first operation in the child that is not async-signal-safe
// CHECK:      forksafe: 1 finding

// The run above stored lib.c's new summary: both units come from the cache again.
// RUN: %forksafe summarize -p %t/build -o %t/s.json --cache-dir %t/cache 2>&1 | FileCheck %s --check-prefix=ALL

// A header that is gone is a miss: lib.c is summarised again, with an error, and that summary
// is not cached; with the header back, the entry made with it is used again and the finding
// is still there.
// RUN: mv %t/src/lib.h %t/lib.h
// RUN: %forksafe summarize -p %t/build -o %t/s.json --cache-dir %t/cache 2>&1 | FileCheck %s --check-prefix=GONE
// GONE: 2 translation units, 1 from the cache, 0 could not be parsed
// RUN: %forksafe summarize -p %t/build -o %t/s.json --cache-dir %t/cache 2>&1 | FileCheck %s --check-prefix=GONE
// RUN: mv %t/lib.h %t/src/lib.h
// RUN: %forksafe summarize -p %t/build -o %t/s.json --cache-dir %t/cache 2>&1 | FileCheck %s --check-prefix=ALL
// RUN: cd %t/src && %expect_exit 1 %forksafe -p %t/build --cache-dir %t/cache . 2>&1 \
// RUN:   | FileCheck %s --check-prefix=BACK
// BACK: lib.h:8:3: note: thread started here
