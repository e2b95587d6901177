"""The same work written safely: forksafe reports nothing here."""
import multiprocessing as mp
import subprocess
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor


def square(x):
    return x * x


def main():
    ctx = mp.get_context("spawn")
    with ctx.Pool(4) as pool:
        print(pool.map(square, range(8)))
    with ProcessPoolExecutor(mp_context=ctx) as ex:
        print(list(ex.map(square, range(4))))
    with ThreadPoolExecutor() as tex:  # threads may run lambdas
        print(list(tex.map(lambda x: x + 1, range(4))))
    subprocess.run(["true"], start_new_session=True)


if __name__ == "__main__":
    main()
