import asyncio
import os
import subprocess
import subprocess as sp
from subprocess import Popen, check_output


def drop_privileges():
    os.setuid(65534)


# --- Bad ------------------------------------------------------------------------------------
subprocess.Popen(["ls"], preexec_fn=os.setsid)
sp.run(["ls"], check=True, preexec_fn=drop_privileges)
Popen(["ls"], -1, None, None, None, None, drop_privileges)
check_output(["id"], preexec_fn=lambda: os.umask(0o077))
subprocess.call(["ls"], preexec_fn=(drop_privileges))
subprocess.check_call(["ls"], preexec_fn=drop_privileges)


async def run_child():
    await asyncio.create_subprocess_exec("ls", preexec_fn=drop_privileges)

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
