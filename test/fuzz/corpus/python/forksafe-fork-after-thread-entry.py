# The start method the entry point sets, followed through same-file calls.
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


# --- Bad: the process started before set_start_method runs ------------------------------------
def too_early():
    start_threads()
    mp.Process(target=work).start()


if __name__ == "__main__":
    raw_fork()
    too_early()
    mp.set_start_method("spawn")
    main()
