import multiprocessing

from pkg.setup import configure


def main():
    configure()
    multiprocessing.set_start_method("spawn")
    multiprocessing.set_start_method("forkserver", force=True)


if __name__ == "__main__":
    main()
