# Threads the module starts when it is imported still run when its functions are called.
import os
import threading
from concurrent.futures import ThreadPoolExecutor

_executor = ThreadPoolExecutor(max_workers=1)
_executor.submit(print, "warm up")

_joined = threading.Thread(target=print)
_joined.start()
_joined.join()


def daemonize():
    if os.fork() > 0:
        os._exit(0)


if __name__ == "__main__":
    # Only when run as a script: an importer's calls do not see this thread.
    threading.Thread(target=print, daemon=True).start()
