#!/usr/bin/env bash
# The Debian package, as a user gets it: CPack builds it from build/, apt installs it on this
# machine, and the installed forksafe (not build/) runs on the examples, in the pre-commit hook,
# as the clang-tidy plugin, and links its SARIF to the installed docs. The package is removed
# at the end. Run by scripts/test.sh after the build/ suite; needs root or sudo.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo

rm -f build/forksafe_*.deb
(cd build && cpack -G DEB >/dev/null)
deb=$(ls build/forksafe_*.deb)
echo "package: $deb"
dpkg-deb --field "$deb" Package Version Depends
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "./$deb" >/dev/null
trap '$SUDO env DEBIAN_FRONTEND=noninteractive apt-get remove -y forksafe >/dev/null' EXIT

fail() { echo "package test FAILED: $*" >&2; exit 1; }
work=$(mktemp -d)
trap '$SUDO env DEBIAN_FRONTEND=noninteractive apt-get remove -y forksafe >/dev/null; rm -rf "$work"' EXIT
# Nothing from the build tree: a PATH with the system only.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
[ "$(command -v forksafe)" = /usr/bin/forksafe ] || fail "forksafe is not /usr/bin/forksafe"
forksafe --version

# The examples: the findings they were written to show.
cp -r examples "$work/"
printf '[{"directory": "%s", "command": "cc -c -pthread server.c", "file": "server.c"}]\n' \
  "$work/examples/c" > "$work/examples/c/compile_commands.json"
status=0
(cd "$work" && forksafe examples > out.txt 2> err.txt) || status=$?
[ "$status" = 1 ] || fail "forksafe examples exited $status, expected 1: $(cat "$work/err.txt")"
for want in "examples/c/server.c:26:5: warning: exit() in a fork child" \
            "examples/python/train.py:8:22: warning: start method \"fork\" is hardcoded" \
            "examples/python/train.py:27:1: warning: processes are started when the module is imported"; do
  grep -qF "$want" "$work/out.txt" || fail "missing from the examples' findings: $want"
done
! grep -q "ok.py" "$work/out.txt" || fail "a finding in the safe examples/python/ok.py"

# SARIF links to the installed check pages.
(cd "$work" && forksafe --format=sarif examples/python/train.py > out.sarif 2>/dev/null) || true
grep -q '"helpUri": "file:///usr/share/doc/forksafe/checks/forksafe-preexec-fn.md"' "$work/out.sarif" ||
  fail "SARIF helpUri does not point at the installed docs"
[ -f /usr/share/doc/forksafe/checks/forksafe-preexec-fn.md ] || fail "docs not installed"

# The clang-tidy plugin from the package.
plugin=$(dpkg -L forksafe | grep 'libforksafe-tidy.so$')
llvm=$(sed -n 's/^CMAKE_BUILD_TYPE.*//; s/^FORKSAFE_LLVM_VERSION:STRING=//p' build/CMakeCache.txt)
"clang-tidy-$llvm" -load "$plugin" -checks='-*,forksafe-*' --list-checks | grep -q forksafe-exit-in-child ||
  fail "clang-tidy-$llvm -load $plugin does not list the forksafe checks"

# The pre-commit hook (language: system) against the installed forksafe.
mkdir -p "$work/repo"
cp test/cli/Inputs/two_hazards.py "$work/repo/job.py"
cp test/cli/Inputs/clean.py "$work/repo/ok.py"
(cd "$work/repo" && git init -q . && git add job.py ok.py)
status=0
(cd "$work/repo" && PRE_COMMIT_HOME="$work/pre-commit" pre-commit try-repo "$root" forksafe --all-files \
   --color=never > "$work/hook.txt" 2>&1) || status=$?
[ "$status" = 1 ] || fail "the pre-commit hook exited $status, expected 1: $(cat "$work/hook.txt")"
grep -q "job.py:4:37: warning: .*\[forksafe-preexec-fn\]" "$work/hook.txt" || fail "hook output: $(cat "$work/hook.txt")"
! grep -q "ok.py" "$work/hook.txt" || fail "the hook reported the clean file"
echo "package test: ok"
