from pkg.setup import configure

configure()
