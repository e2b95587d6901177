from .parallel import run_parallel
