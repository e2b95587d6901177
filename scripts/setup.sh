#!/usr/bin/env bash
# Sets up a fresh Debian bookworm machine for forksafe: installs every dependency (Debian
# packages, the pinned tree-sitter-python grammar from npm) and builds build/ against LLVM 19.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo

# LLVM/Clang 19 (default build) and 14 (Debian's default clang-tidy, the second supported
# version); lit and FileCheck come with llvm-N-tools. clang-19 and its runtimes
# (libclang-rt-19-dev) build the checked build: ASan, UBSan and the libFuzzer harnesses.
packages=(
  cmake ninja-build g++ pkg-config python3 git util-linux pre-commit
  llvm-19-dev libclang-19-dev libclang-common-19-dev clang-tidy-19 llvm-19-tools
  llvm-14-dev libclang-14-dev libclang-common-14-dev clang-tidy-14 llvm-14-tools
  libtree-sitter-dev libtomlplusplus-dev libgtest-dev
  clang-19 libclang-rt-19-dev
  neovim
)
command -v npm >/dev/null 2>&1 || packages+=(npm)

$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${packages[@]}"

# The grammar's generated C sources, exactly as pinned in grammars/package-lock.json.
(cd grammars && npm ci --no-audit --no-fund)
# The SARIF multitool, pinned in test/sarif/package-lock.json: test/cli/sarif-multitool.test
# validates forksafe's SARIF with it (and fails when it is missing).
(cd test/sarif && npm ci --no-audit --no-fund)
# npm 11 skips install scripts: the package's own (chmod u+x of its binary) is done here.
chmod u+x test/sarif/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool

cmake -G Ninja -S . -B build -DFORKSAFE_LLVM_VERSION=19
cmake --build build

# The C example's compile command (clang tooling wants absolute paths, so it is made here).
printf '[{"directory": "%s", "command": "cc -c -pthread server.c", "file": "server.c"}]\n' \
  "$PWD/examples/c" > examples/c/compile_commands.json
