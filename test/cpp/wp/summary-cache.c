// Summaries are cached by the file's contents, its command and the forksafe version: a second
// run takes every unit from the cache, a changed file is summarised again, a changed command
// too; the forksafe program's first pass shares the cache.
// RUN: rm -rf %t && mkdir -p %t/build %t/.git && cp -r %S/Inputs/two %t/src
// RUN: echo '[{"directory": "%t/src", "file": "shared.c", "command": "clang -std=c11 -isystem %S/../Inputs -c shared.c"}, {"directory": "%t/src", "file": "threaded.c", "command": "clang -std=c11 -isystem %S/../Inputs -c threaded.c"}, {"directory": "%t/src", "file": "plain.c", "command": "clang -std=c11 -isystem %S/../Inputs -c plain.c"}]' > %t/build/compile_commands.json
// RUN: %forksafe summarize -p %t/build -o %t/s.json 2>&1 | FileCheck %s --check-prefix=FIRST
// FIRST: 3 translation units, 0 from the cache
// RUN: find %t/.forksafe_cache/tu-summary -type f | count 3
// RUN: %forksafe summarize -p %t/build -o %t/s.json 2>&1 | FileCheck %s --check-prefix=SECOND
// SECOND: 3 translation units, 3 from the cache
// RUN: echo '// changed' >> %t/src/plain.c
// RUN: %forksafe summarize -p %t/build -o %t/s.json 2>&1 | FileCheck %s --check-prefix=CHANGED
// CHANGED: 3 translation units, 2 from the cache
// RUN: sed -i 's/-std=c11 -isystem/-std=c17 -isystem/g' %t/build/compile_commands.json
// RUN: %forksafe summarize -p %t/build -o %t/s.json 2>&1 | FileCheck %s --check-prefix=COMMAND
// COMMAND: 3 translation units, 0 from the cache
// The forksafe program used the same entries: nothing new is written.
// RUN: cd %t/src && %expect_exit 1 %forksafe -p %t/build . 2>/dev/null
// RUN: find %t/.forksafe_cache/tu-summary -type f | count 7
// --no-cache and --cache-dir.
// RUN: %forksafe summarize -p %t/build -o %t/s.json --no-cache 2>&1 | FileCheck %s --check-prefix=NOCACHE
// NOCACHE: 3 translation units, 0 from the cache
// RUN: %forksafe summarize -p %t/build -o %t/s.json --cache-dir %t/other 2>&1 | FileCheck %s --check-prefix=FIRST
// RUN: find %t/other/tu-summary -type f | count 3
// RUN: %expect_exit 2 %forksafe summarize -o %t/s.json 2>&1 | FileCheck %s --check-prefix=USAGE
// USAGE: forksafe summarize: error: -p BUILD_DIR is required
