# DEF: bad.py:1:7: warning: syntax error: expected ')'; the rest of the file was analysed as far as it parses [forksafe-syntax-error]
# EOF: eof.py:1:{{[0-9]+}}: warning: syntax error: {{.*}}[forksafe-syntax-error]
import multiprocessing as mp

# Only one diagnostic per file, at the first error, though there are two.
def broken(:
# BOTH: :[[@LINE-2]]:12: warning: syntax error: expected ')'
    pass

x = )

# The other rules still run on what parses.
mp.get_context("fork")
# BOTH: :[[@LINE-1]]:16: warning: start method "fork" is hardcoded

# A line inside brackets indented less than its block is valid Python (the grammar's scanner
# trips on it; the analyzer parses such files again with the brackets' lines joined), and
# positions after it still count the file's own lines.
# JOINED: dedented-continuation.py:11:16: warning: start method "fork" is hardcoded
# A real error inside brackets is still one.
# INNER: inner.py:2:{{[0-9]+}}: warning: syntax error
