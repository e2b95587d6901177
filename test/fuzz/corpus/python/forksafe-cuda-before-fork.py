import os
import functools
import multiprocessing as mp
import torch
import cupy
from torch.utils.data import DataLoader
from concurrent.futures import ProcessPoolExecutor

import helpers


def train(rank):
    model = torch.nn.Linear(4, 4).cuda()
    return model


def cpu_only(rank):
    return rank * 2


def calls_train(rank):
    return train(rank)


def forward(model, x):
    return model(x)


# --- Bad: CUDA initialised, then a forked child that uses CUDA -----------------------------
def model_to_cuda():
    model = torch.nn.Linear(4, 4)
    model.cuda()
    p = mp.Process(target=train, args=(0,))
    p.start()


def to_device_then_local_calls():
    device = torch.device("cuda:0")
    x = torch.zeros(3).to(device)
    mp.get_context("fork").Process(target=calls_train, args=(0,)).start()


def tensor_on_device_then_unknown_target():
    x = torch.ones(2, device="cuda")
    ctx = mp.get_context("fork")
    ctx.Process(target=helpers.worker).start()


def cuda_call_then_pool():
    torch.cuda.set_device(0)
    with mp.Pool(2) as pool:
        pool.map(train, range(2))


def cupy_then_fork():
    a = cupy.arange(10)
    os.fork()


def conditional_device():
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = torch.nn.Linear(4, 4).to(device)
    with ProcessPoolExecutor(max_workers=2, mp_context=mp.get_context("fork")) as ex:
        ex.submit(functools.partial(train, 1))
        ex.submit(train, 2)


def setup_cuda():
    torch.cuda.init()


def through_calls():
    setup_cuda()
    mp.Process(target=train, args=(0,)).start()


def model_passed_to_child():
    model = torch.nn.Linear(4, 4).cuda()
    p = mp.Process(target=forward, args=(model, 1))
    p.start()


def tensor_moved_then_passed():
    x = torch.zeros(3)
    x.to("cuda")
    mp.get_context("fork").Process(target=forward, kwargs={"model": print, "x": x}).start()


def processes_joined_in_a_loop():
    model = torch.nn.Linear(4, 4).to("cuda")
    processes = []
    for rank in range(2):
        p = mp.Process(target=forward, args=(model, rank))
        p.start()
        processes.append(p)
    for p in processes:
        p.join()


# --- Good: torch.cuda.is_available() and device_count() do not initialise CUDA ----------------
def only_queries():
    if torch.cuda.is_available() and torch.cuda.device_count() > 1:
        torch.cuda.manual_seed_all(0)
    print(torch.cuda.memory_allocated())
    mp.Process(target=train, args=(0,)).start()


# --- Good: DataLoader workers after .cuda() -------------------------------------------------------
def data_loader_workers():
    model = torch.nn.Linear(4, 4).cuda()
    loader = DataLoader(list(range(8)), num_workers=4)
    for batch in loader:
        model(batch)


# --- Good: a child that does not touch CUDA --------------------------------------------------
def child_without_cuda():
    torch.zeros(3).cuda()
    mp.Process(target=cpu_only, args=(0,)).start()
    cpu_model = torch.nn.Linear(4, 4)
    mp.Process(target=forward, args=(cpu_model, 1)).start()
    with mp.Pool(2) as pool:
        pool.map(cpu_only, range(4))


# --- Good: spawn and forkserver ----------------------------------------------------------------
def spawn_context():
    torch.zeros(3).cuda()
    mp.get_context("spawn").Process(target=train, args=(0,)).start()
    mp.get_context("forkserver").Pool(2).map(train, range(2))


# --- Good: an executor whose workers started before CUDA (at its first submit) ----------------
def executor_started_first():
    ex = ProcessPoolExecutor(max_workers=2)
    ex.submit(train, 0)
    torch.zeros(3).cuda()
    ex.submit(train, 1)


# --- Good: fork before CUDA; a fork that execs ------------------------------------------------
def fork_first():
    mp.Process(target=train, args=(0,)).start()
    torch.zeros(3).cuda()


def fork_and_exec():
    torch.zeros(3).cuda()
    pid = os.fork()
    if pid == 0:
        os.execv("/bin/true", ["true"])


# --- Good: .cuda() and .to() that are not torch's ---------------------------------------------
def cpu_device():
    torch.zeros(3).to("cpu")
    torch.zeros(3, device="cpu")
    mp.Process(target=train, args=(0,)).start()
