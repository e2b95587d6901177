import subprocess

subprocess.run(["true"], start_new_session=True)
