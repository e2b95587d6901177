from pkg.threads import start_ticker


def setup():
    start_ticker()
