import subprocess

subprocess.Popen(["ls"], preexec_fn=print)
