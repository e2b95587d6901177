// The first pass parses a unit that may fork once for its summary and its checks: its findings
// and its compile errors are those of a unit parsed for the checks alone. A unit is checked
// when its summary may fork (a call of a compiler builtin, which no unit defines, does not
// count) or when its text names one of its AdditionalForkFunctions (which the summaries do
// not know).
// RUN: rm -rf %t && mkdir -p %t/build %t/.git && cp -r %S/Inputs/shared %t/src
// RUN: echo '[{"directory": "%t/src", "file": "main.c", "command": "clang -std=c11 -isystem %S/../Inputs -c main.c"}, {"directory": "%t/src", "file": "child.c", "command": "clang -std=c11 -isystem %S/../Inputs -c child.c"}, {"directory": "%t/src", "file": "nan.c", "command": "clang -std=c11 -isystem %S/../Inputs -c nan.c"}, {"directory": "%t/src", "file": "broken.c", "command": "clang -std=c11 -isystem %S/../Inputs -c broken.c"}]' > %t/build/compile_commands.json
// RUN: cd %t/src && %expect_exit 2 %forksafe --no-cache -p %t/build . 2>&1 \
// RUN:   | FileCheck %s --check-prefix=PLAIN --implicit-check-not='{{warning|note|error}}:'
// PLAIN:      ./broken.c:5:5: warning: exit() in a fork child runs the parent's atexit handlers and static destructors and flushes its stdio buffers again: use _exit [forksafe-exit-in-child]
// PLAIN-NEXT: ./broken.c:4:7: note: child of this fork()
// PLAIN-NEXT: ./broken.c: error: does not compile: ./broken.c:6: use of undeclared identifier 'undeclared_value'
// PLAIN-NEXT: forksafe: 1 finding in 1 file; 1 error; 1 fixable with --fix

// start_child, defined in child.c, is a fork by configuration: main.c (and child.c, which
// names it) are checked.
// RUN: printf 'cpp-options = { "AdditionalForkFunctions" = "::start_child" }\n' > %t/src/.forksafe.toml
// RUN: cd %t/src && %expect_exit 2 %forksafe --no-cache -p %t/build . 2>&1 \
// RUN:   | FileCheck %s --check-prefix=CONFIGURED --implicit-check-not='{{warning|note|error}}:'
// CONFIGURED:      ./broken.c:5:5: warning: exit() in a fork child
// CONFIGURED-NEXT: ./broken.c:4:7: note: child of this fork()
// CONFIGURED-NEXT: ./main.c:8:5: warning: exit() in a fork child
// CONFIGURED-NEXT: ./main.c:7:7: note: child of this fork()
// CONFIGURED-NEXT: ./broken.c: error: does not compile: ./broken.c:6: use of undeclared identifier 'undeclared_value'
// CONFIGURED-NEXT: forksafe: 2 findings in 3 files; 1 error; 2 fixable with --fix

// The same findings with -j 2, and with the summary cache: the run that fills it, then one
// that reads it (no parse is shared then).
// RUN: cd %t/src && %expect_exit 2 %forksafe --no-cache -j 2 -p %t/build . 2>&1 | FileCheck %s --check-prefix=CONFIGURED
// RUN: cd %t/src && %expect_exit 2 %forksafe -p %t/build . 2>&1 | FileCheck %s --check-prefix=CONFIGURED
// RUN: cd %t/src && %expect_exit 2 %forksafe -p %t/build . 2>&1 | FileCheck %s --check-prefix=CONFIGURED
