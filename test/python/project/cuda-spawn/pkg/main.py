from pkg.gpu import init_gpu
from pkg.server import start_server


def main():
    init_gpu()
    start_server()


if __name__ == "__main__":
    main()
