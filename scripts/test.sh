#!/usr/bin/env bash
# Builds forksafe against LLVM 19 (build/) and LLVM 14 (build-14/) and runs every suite of both
# with ctest: lit (C/C++ through the real clang-tidy -load, Python, CLI, LSP, integration) and
# the GoogleTest unit tests; then the Debian package (scripts/test-package.sh). Needs
# scripts/setup.sh to have run once.
set -euo pipefail
cd "$(dirname "$0")/.."

[ -f grammars/node_modules/tree-sitter-python/src/parser.c ] || (cd grammars && npm ci --no-audit --no-fund)
[ -x test/sarif/node_modules/.bin/sarif-multitool ] || (cd test/sarif && npm ci --no-audit --no-fund)
# npm 11 skips install scripts: the package's own (chmod u+x of its binary) is done here.
chmod u+x test/sarif/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool

status=0
for version in 19 14; do
  dir=build; [ "$version" = 19 ] || dir=build-$version
  cmake -G Ninja -S . -B "$dir" -DFORKSAFE_LLVM_VERSION="$version" >/dev/null
  cmake --build "$dir"
  echo "== tests against LLVM $version ($dir)"
  ctest --test-dir "$dir" --output-on-failure || status=1
done
# The Debian package of build/, installed with apt and run as users run it.
echo "== Debian package (build/)"
scripts/test-package.sh || status=1
exit $status
