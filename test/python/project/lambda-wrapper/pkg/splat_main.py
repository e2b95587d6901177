from pkg.parallel import run_parallel


def main():
    kw = dict(fn=lambda x: x + 1)
    run_parallel(**kw, items=[1, 2])
    run_parallel(fn=print, items=[1])
    run_parallel(items=[1], fn=lambda x: x)


if __name__ == "__main__":
    main()
