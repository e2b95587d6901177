import os

from pkg import warm


def main():
    warm.warm_up()
    if os.fork() == 0:
        os._exit(0)


if __name__ == "__main__":
    main()
