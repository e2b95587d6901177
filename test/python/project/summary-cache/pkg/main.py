import os

from pkg.helpers import setup


def main():
    setup()
    if os.fork() == 0:
        os._exit(0)


if __name__ == "__main__":
    main()
