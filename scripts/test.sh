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
# The checked build: only the targets its tests need (not the plugin).
cmake -G Ninja -S . -B build-san -DFORKSAFE_LLVM_VERSION=19 -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 -DFORKSAFE_SANITIZE=ON >/dev/null
cmake --build build-san --target forksafe forksafe-cpp forksafe_unittests forksafe_cpp_unittests \
  fuzz_python fuzz_config fuzz_lsp fuzz_cpp
echo "== tests of the checked build (build-san: ASan + UBSan, assertions on, fuzz corpora)"
ctest --test-dir build-san --output-on-failure || status=1
# The Debian package of build/, installed with apt and run as users run it.
echo "== Debian package (build/)"
scripts/test-package.sh || status=1
exit $status
