import subprocess

subprocess.Popen(["ls"], preexec_fx=print)
