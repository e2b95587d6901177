from tasks import run_all


def main():
    return run_all(range(10))


if __name__ == "__main__":
    main()
