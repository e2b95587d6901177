import os
import subprocess

subprocess.run(["true"], preexec_fn=os.setsid)
subprocess.call(["true"], preexec_fn=lambda: os.nice(5))  # forksafe: ignore[forksafe-preexec-fn]
subprocess.check_call(["true"], preexec_fn=os.setpgrp)
