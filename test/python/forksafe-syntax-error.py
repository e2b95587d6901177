# RUN: %expect_exit 1 %forksafe --checks='-*,forksafe-syntax-error' %s | FileCheck %s --implicit-check-not='warning:'
# RUN: %expect_exit 1 %forksafe --checks='-*,forksafe-syntax-error,forksafe-hardcoded-fork-context' %s | FileCheck %s --check-prefix=BOTH
# RUN: printf 'x = 1\n' > %t.ok.py
# RUN: %expect_exit 0 %forksafe --checks='-*,forksafe-syntax-error' %t.ok.py
# RUN: printf 'import subprocess\ndef f(:\n    pass\n' > %t.bad.py
# RUN: %expect_exit 1 %forksafe --checks='-*,forksafe-syntax-error' %t.bad.py | FileCheck %s --check-prefix=DEF
# DEF: bad.py:2:7: warning: syntax error: expected ')'; the rest of the file was analysed as far as it parses [forksafe-syntax-error]
# RUN: printf 'import multiprocessing\nx = [1, 2\n' > %t.eof.py
# RUN: %expect_exit 1 %forksafe --checks='-*,forksafe-syntax-error' %t.eof.py | FileCheck %s --check-prefix=EOF
# EOF: eof.py:2:{{[0-9]+}}: warning: syntax error: {{.*}}[forksafe-syntax-error]
# RUN: printf '' > %t.empty.py
# A file that names nothing any rule looks for is not parsed: its syntax errors are not ours
# to report (spec.md), with or without the other rules enabled.
# RUN: printf 'import os, pty\nempty = (\n' > %t.unconcerned.py
# RUN: %expect_exit 0 %forksafe --checks='-*,forksafe-syntax-error' %t.unconcerned.py
# RUN: %expect_exit 0 %forksafe %t.unconcerned.py
# RUN: %expect_exit 0 %forksafe %t.empty.py
# Words count in code only: a comment or docstring that names multiprocessing starts nothing;
# "fork" in a string names a start method, and counts.
# RUN: printf '"""Uses multiprocessing."""\n# see subprocess\nx = (\n' > %t.docstring.py
# RUN: %expect_exit 0 %forksafe --checks='-*,forksafe-syntax-error' %t.docstring.py
# RUN: printf 'import multiprocessing\nx = (\n' > %t.code.py
# RUN: %expect_exit 1 %forksafe --checks='-*,forksafe-syntax-error' %t.code.py
# RUN: printf 'method = "fork"\nx = (\n' > %t.string.py
# RUN: %expect_exit 1 %forksafe --checks='-*,forksafe-syntax-error' %t.string.py
import multiprocessing as mp

# Only one diagnostic per file, at the first error, though there are two.
def broken(:
# CHECK: :[[@LINE-1]]:12: warning: syntax error: expected ')'; the rest of the file was analysed as far as it parses [forksafe-syntax-error]
# BOTH: :[[@LINE-2]]:12: warning: syntax error: expected ')'
    pass

x = )

# The other rules still run on what parses.
mp.get_context("fork")
# BOTH: :[[@LINE-1]]:16: warning: start method "fork" is hardcoded

# A line inside brackets indented less than its block is valid Python (the grammar's scanner
# trips on it; the analyzer parses such files again with the brackets' lines joined), and
# positions after it still count the file's own lines.
# RUN: %expect_exit 1 %forksafe --checks='-*,forksafe-syntax-error,forksafe-hardcoded-fork-context' %S/Inputs/dedented-continuation.py | FileCheck %s --check-prefix=JOINED --implicit-check-not='warning:'
# JOINED: dedented-continuation.py:11:16: warning: start method "fork" is hardcoded
# A real error inside brackets is still one.
# RUN: printf 'import subprocess\nx = (1,\n  2 3)\n' > %t.inner.py
# RUN: %expect_exit 1 %forksafe --checks='-*,forksafe-syntax-error' %t.inner.py | FileCheck %s --check-prefix=INNER
# INNER: inner.py:3:{{[0-9]+}}: warning: syntax error
