import multiprocessing
import multiprocessing as mp
import torch.multiprocessing as tmp

# --- Bad: run when the module is imported ------------------------------------------------------
mp.set_start_method("spawn")

try:
    tmp.set_start_method("spawn", force=True)
except RuntimeError:
    pass


def configure():
    multiprocessing.set_start_method("forkserver")


configure()


# --- Bad: a second call without force=True on one path ----------------------------------------
def setup_twice():
    mp.set_start_method("spawn")
    if True:
        mp.set_start_method("forkserver")


# --- Good --------------------------------------------------------------------------------------
def setup_once(use_spawn):
    if use_spawn:
        mp.set_start_method("spawn")
    else:
        mp.set_start_method("forkserver")


def setup_forced():
    mp.set_start_method("spawn")
    mp.set_start_method("forkserver", force=True)


def setup_with_fallback():
    try:
        mp.set_start_method("spawn")
    except RuntimeError:
        mp.set_start_method("spawn", force=True)


class Config:
    def set_start_method(self, method):
        return method


Config().set_start_method("spawn")

if __name__ == "__main__":
    # Guarded, and forced: the module-level call above has already set a method.
    mp.set_start_method("spawn", force=True)
    setup_once(True)
