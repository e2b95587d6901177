from pkg import run_parallel
from pkg.parallel import run_chunks, run_threads


def square(x):
    return x * x


def main():
    def cube(x):
        return x**3

    run_parallel(lambda x: x + 1, [1, 2])
    run_chunks([1, 2], cube)
    run_parallel(square, [1, 2])
    run_threads(lambda x: x + 1, [1, 2])
    run_threads(cube, [1, 2])


if __name__ == "__main__":
    main()
