import multiprocessing
import multiprocessing as mp
from multiprocessing import get_context as gc
from multiprocessing import set_start_method
import torch.multiprocessing as tmp
from torch.utils.data import DataLoader
from concurrent.futures import ProcessPoolExecutor
from torch.multiprocessing import *
from lightning.pytorch.strategies import DDPStrategy
from torch.distributed.launcher.api import LaunchConfig

START_METHOD = "fork"
SAFE_METHOD = "spawn"

# --- Bad: "fork" as a literal, through aliases -------------------------------------------
multiprocessing.get_context("fork")
ctx = mp.get_context(method='fork')
gc("fork")
set_start_method("fork", force=True)
tmp.set_start_method("fork")
ex = ProcessPoolExecutor(mp_context=mp.get_context("fork"))
loader = DataLoader([], num_workers=2, multiprocessing_context="fork")
tmp.spawn(print, nprocs=2, start_method="fork")

strategy = DDPStrategy(start_method="fork")
config = LaunchConfig(min_nodes=1, max_nodes=1, nproc_per_node=2, start_method="fork")
spawn(print, start_method="fork")  # through the star import

# --- Bad: a module-level constant, with a note at its definition -----------------------------
mp.get_context(START_METHOD)

def in_a_function():
    return mp.get_context(("fork"))

# --- Good --------------------------------------------------------------------------------
mp.get_context("spawn")
mp.get_context("forkserver")
mp.get_context(SAFE_METHOD)
mp.get_context()
mp.set_start_method("spawn")
print("fork")
label = "fork"
DataLoader([], multiprocessing_context="spawn")
DDPStrategy(start_method="popen")


class Settings:
    """A user class with its own get_context method."""

    def get_context(self, name):
        return name


Settings().get_context("fork")


def get_context(kind):
    return kind


get_context("fork")  # the module's own function, not multiprocessing's


def shadowed(mp):
    return mp.get_context("fork")  # `mp` is a parameter here, not the module

# --- Suppressed --------------------------------------------------------------------------
mp.get_context("fork")  # forksafe: ignore[forksafe-hardcoded-fork-context]
mp.get_context("fork")  # noqa: forksafe-hardcoded-fork-context
