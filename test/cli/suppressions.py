# `# forksafe: ignore[...]`, `# noqa: ...` (with globs), bare `# noqa`; other checks' codes do not suppress.
# RUN: %expect_exit 1 %forksafe %s 2>&1 | FileCheck %s --implicit-check-not=warning:
import os
import subprocess

subprocess.run(["a"], preexec_fn=os.setsid)  # forksafe: ignore[forksafe-preexec-fn]
subprocess.run(["b"], preexec_fn=os.setsid)  # forksafe: ignore
subprocess.run(["c"], preexec_fn=os.setsid)  # noqa: forksafe-preexec-fn
subprocess.run(["d"], preexec_fn=os.setsid)  # noqa: E501,forksafe-pre*
subprocess.run(["e"], preexec_fn=os.setsid)  # noqa
subprocess.run(["f"], preexec_fn=os.setsid)  # noqa: E501
# CHECK: suppressions.py:[[@LINE-1]]:34: warning: {{.*}} [forksafe-preexec-fn]
subprocess.run(["g"], preexec_fn=os.setsid)  # forksafe: ignore[forksafe-syntax-error]
# CHECK: suppressions.py:[[@LINE-1]]:34: warning: {{.*}} [forksafe-preexec-fn]
