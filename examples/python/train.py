"""A training script with the fork bugs forksafe exists to catch."""
import multiprocessing as mp
import os
import subprocess
from concurrent.futures import ProcessPoolExecutor

# Dies on Windows ("cannot find context for 'fork'"); unsafe with threads on macOS.
ctx = mp.get_context("fork")


def square(x):
    return x * x


def preprocess(paths):
    # "Can't pickle local object": lambdas cannot be sent to worker processes.
    with ProcessPoolExecutor() as ex:
        return list(ex.map(lambda p: os.path.getsize(p), paths))


def run_tool():
    # preexec_fn runs Python code between fork and exec: not safe with threads.
    subprocess.run(["true"], preexec_fn=os.setsid)


# Started at import: under spawn every child re-imports this module and starts another pool.
pool = mp.Pool(4)

if __name__ == "__main__":
    print(pool.map(square, range(8)))
    print(preprocess([__file__]))
    run_tool()
