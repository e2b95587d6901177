# lit configuration for forksafe. Run through ctest (test/CMakeLists.txt), which points lit at
# the build directory's generated lit.site.cfg.py.
import os
import platform

import lit.formats

config.name = "forksafe"

import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "utils"))
from forksafe_lit_format import ForksafeShTest  # noqa: E402

config.test_format = ForksafeShTest(getattr(config, "sanitized", False))
config.suffixes = [".py", ".c", ".cpp", ".test"]
# Fixture folders and configuration are inputs, not tests.
config.excludes = ["Inputs", "lit.cfg.py", "lit.site.cfg.py", "unit", "utils", "sarif", "fuzz"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.forksafe_obj_root, "test")

# Tests must not depend on the developer's locale, home or tools on PATH.
config.environment["LC_ALL"] = "C.UTF-8"
config.environment["HOME"] = config.test_exec_root
config.environment["PATH"] = os.pathsep.join(
    [config.llvm_tools_dir, config.environment.get("PATH", "/usr/bin:/bin")])

config.substitutions.append(("%{forksafe_bin_dir}", os.path.dirname(config.forksafe_bin)))
config.substitutions.append(("%{env_path}", config.environment["PATH"]))
config.substitutions.append(("%forksafe_plugin", config.forksafe_plugin))
config.substitutions.append(("%forksafe", config.forksafe_bin))
config.substitutions.append(("%clang_tidy", config.clang_tidy))
config.substitutions.append(("%python", config.python_executable))
# `%expect_exit N cmd...` runs cmd and fails unless it exits with exactly N (lit's `not`
# accepts any non-zero status, which cannot tell findings (1) from errors (2)).
config.substitutions.append(("%expect_exit", "%s %s" % (
    config.python_executable, os.path.join(config.test_source_root, "utils", "expect-exit.py"))))
# Runs a command without root's power to read anything (permission tests): root keeps its uid,
# so the build tree stays reachable wherever it is, but loses the capabilities that bypass modes.
if os.geteuid() == 0:
    config.available_features.add("root")
    config.substitutions.append(
        ("%unprivileged", "setpriv --bounding-set=-dac_override,-dac_read_search"))
else:
    config.substitutions.append(("%unprivileged", ""))

config.available_features.add("llvm" + config.llvm_version_major)
if getattr(config, "sanitized", False):
    config.available_features.add("sanitized")
    # Leaks at exit are not bugs of a one-shot program; everything else is.
    config.environment["ASAN_OPTIONS"] = "detect_leaks=0:abort_on_error=0"
    config.environment["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"

# The clang-tidy of the other supported LLVM major, for the plugin's version-guard test.
# Inserted first: %clang_tidy would otherwise eat the front of %clang_tidy_other.
import shutil
_other_major = {"19": "14", "14": "19"}.get(config.llvm_version_major)
_other_tidy = _other_major and shutil.which("clang-tidy-" + _other_major)
if _other_tidy:
    config.substitutions.insert(0, ("%clang_tidy_other", _other_tidy))
    config.substitutions.append(("%llvm_other_major", _other_major))
    config.available_features.add("clang-tidy-other")
config.substitutions.append(("%llvm_major", config.llvm_version_major))

# Neovim (scripts/setup.sh installs Debian's) drives the language server in the editor tests.
if shutil.which("nvim"):
    config.available_features.add("nvim")
