# The start method the entry point sets, followed through same-file calls.
# RUN: %expect_exit 1 %forksafe --checks='-*,forksafe-fork-after-thread' %s | FileCheck %s --implicit-check-not='warning:'
import os
import threading
import multiprocessing as mp


def work():
    pass


def start_threads():
    threading.Thread(target=work, daemon=True).start()


# --- Good: set_start_method("spawn") runs before main() starts the processes --------------------
def main():
    start_threads()
    mp.Process(target=work).start()
    with mp.Pool(2) as pool:
        pool.map(abs, [1])


# --- Bad: os.fork forks whatever the start method is ------------------------------------------
def raw_fork():
    start_threads()
    os.fork()
# CHECK: :[[@LINE-1]]:5: warning: 'os.fork()' while threads may run
# CHECK-NEXT: :[[@LINE-3]]:5: note: 'start_threads' called here
# CHECK-NEXT: :13:5: note: thread started here


# --- Bad: the process started before set_start_method runs ------------------------------------
def too_early():
    start_threads()
    mp.Process(target=work).start()
# CHECK: :[[@LINE-1]]:5: warning: process started with the default start method ("fork" on Linux before Python 3.14) while threads may run
# CHECK-NEXT: :[[@LINE+7]]:5: note: 'too_early' called here
# CHECK-NEXT: :[[@LINE-4]]:5: note: 'start_threads' called here
# CHECK-NEXT: :13:5: note: thread started here


if __name__ == "__main__":
    raw_fork()
    too_early()
    mp.set_start_method("spawn")
    main()
