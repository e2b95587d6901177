"""Prints --dump-config's CheckOptions as 'key: value' lines, whichever clang-tidy wrote them:
LLVM 14 writes a list of {key, value} pairs, LLVM 19 a map."""
import re
import sys

text = sys.stdin.read()
sys.stdout.write(re.sub(r"- key: +(\S+)\n +value: +", r"\1: ", text))
