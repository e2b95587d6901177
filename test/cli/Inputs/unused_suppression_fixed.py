# forksafe-unused-suppression (off by default, as Ruff's RUF100): suppression comments that
# suppress nothing, name a check that does not run, or name no check. Its fix removes them.
# RUN: %expect_exit 0 %forksafe %s 2>&1 | FileCheck %s --check-prefix=DEFAULT --implicit-check-not=warning:
# DEFAULT: forksafe: 0 findings in 1 file
# RUN: %expect_exit 1 %forksafe --checks=forksafe-unused-suppression,-forksafe-hardcoded-fork-context %s 2>&1 | FileCheck %s --implicit-check-not=warning:
import multiprocessing
import os
import subprocess

subprocess.run(["a"], preexec_fn=os.setsid)  # forksafe: ignore[forksafe-preexec-fn]
subprocess.run(["b"])
# CHECK: unused-suppression.py:[[@LINE-1]]:24: warning: unused suppression in '# forksafe: ignore' (unused: forksafe-preexec-fn) [forksafe-unused-suppression]
subprocess.run(["c"])  # noqa: E501
# CHECK: unused-suppression.py:[[@LINE-1]]:24: warning: unused suppression in '# noqa' (unused: forksafe-preexec-fn) [forksafe-unused-suppression]
subprocess.run(["d"])
# CHECK: unused-suppression.py:[[@LINE-1]]:24: warning: unused suppression: '# forksafe: ignore' suppresses nothing on this line [forksafe-unused-suppression]
subprocess.run(["e"])  # noqa
subprocess.run(["f"])  # noqa: E501
multiprocessing.get_context("fork")
# CHECK: unused-suppression.py:[[@LINE-1]]:38: warning: unused suppression in '# noqa' (non-enabled: forksafe-hardcoded-fork-context) [forksafe-unused-suppression]
subprocess.run(["g"], preexec_fn=os.setsid)  # noqa: forksafe-preexec-fn
# CHECK: unused-suppression.py:[[@LINE-1]]:46: warning: unused suppression in '# noqa' (unused: forksafe-vfork-child) [forksafe-unused-suppression]
subprocess.run(["h"])  # noqa: forksafe-unused-suppression, forksafe-preexec-fn
text = "# forksafe: ignore"

# The fix removes what is unused and keeps the rest; a second run finds nothing.
# RUN: rm -rf %t && mkdir -p %t && cp %s %t/u.py
# RUN: %expect_exit 0 %forksafe --fix --checks=forksafe-unused-suppression,-forksafe-hardcoded-fork-context %t/u.py 2>&1 | FileCheck %s --check-prefix=FIX
# FIX: forksafe: 0 findings (5 fixed) in 1 file
# RUN: diff %S/Inputs/unused_suppression_fixed.py %t/u.py
# RUN: cp %t/u.py %t/again.py
# RUN: %expect_exit 0 %forksafe --fix --checks=forksafe-unused-suppression,-forksafe-hardcoded-fork-context %t/u.py
# RUN: cmp %t/u.py %t/again.py
