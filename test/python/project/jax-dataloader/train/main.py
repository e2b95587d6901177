from train.loop import train
from train.model import warm_up


def main():
    warm_up()
    train(list(range(64)))


if __name__ == "__main__":
    main()
