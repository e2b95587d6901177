# RUN: %expect_exit 1 %forksafe --checks='-*,forksafe-preexec-fn' %s | FileCheck %s --implicit-check-not='warning:'
import asyncio
import os
import subprocess
import subprocess as sp
from subprocess import Popen, check_output


def drop_privileges():
    os.setuid(65534)


# --- Bad ------------------------------------------------------------------------------------
subprocess.Popen(["ls"], preexec_fn=os.setsid)
# CHECK: :[[@LINE-1]]:37: warning: preexec_fn runs Python code in the child between fork and exec, which can deadlock when the parent runs threads; use start_new_session, process_group, user, group, extra_groups or umask instead [forksafe-preexec-fn]
sp.run(["ls"], check=True, preexec_fn=drop_privileges)
# CHECK: :[[@LINE-1]]:39: warning: preexec_fn runs Python code
Popen(["ls"], -1, None, None, None, None, drop_privileges)
# CHECK: :[[@LINE-1]]:43: warning: preexec_fn runs Python code
check_output(["id"], preexec_fn=lambda: os.umask(0o077))
# CHECK: :[[@LINE-1]]:33: warning: preexec_fn runs Python code
subprocess.call(["ls"], preexec_fn=(drop_privileges))
# CHECK: :[[@LINE-1]]:37: warning: preexec_fn runs Python code
subprocess.check_call(["ls"], preexec_fn=drop_privileges)
# CHECK: :[[@LINE-1]]:42: warning: preexec_fn runs Python code


async def run_child():
    await asyncio.create_subprocess_exec("ls", preexec_fn=drop_privileges)
# CHECK: :[[@LINE-1]]:59: warning: preexec_fn runs Python code

# --- Good -----------------------------------------------------------------------------------
subprocess.Popen(["ls"], start_new_session=True)
subprocess.Popen(["ls"], preexec_fn=None)
subprocess.run(["ls"], user="nobody", umask=0o077)
subprocess.Popen(["ls"], -1, None, None, None, None, None)


class Launcher:
    def Popen(self, args, preexec_fn=None):
        return args


Launcher().Popen(["ls"], preexec_fn=drop_privileges)  # not subprocess.Popen


def Popen_like(args, preexec_fn=None):
    return args


Popen_like(["ls"], preexec_fn=drop_privileges)

subprocess.Popen(["ls"], preexec_fn=os.setsid)  # forksafe: ignore[forksafe-preexec-fn]
subprocess.Popen(["ls"], preexec_fn=os.setsid)  # noqa: forksafe-preexec-fn
