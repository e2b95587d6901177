from pkg import warm
from pkg.jobs import run_jobs


def cli():
    return run_jobs([3])


if __name__ == "__main__":
    cli()
