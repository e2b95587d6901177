# RUN: %expect_exit 1 %forksafe --checks='-*,forksafe-start-method-at-import' %s | FileCheck %s --implicit-check-not='warning:' --implicit-check-not='note:'
import multiprocessing
import multiprocessing as mp
import torch.multiprocessing as tmp

# --- Bad: run when the module is imported ------------------------------------------------------
mp.set_start_method("spawn")
# CHECK: :[[@LINE-1]]:1: warning: set_start_method() runs when the module is imported: it changes the start method for every importer, and a spawned child that imports the main module again fails with "context has already been set"; call it once under 'if __name__ == "__main__":' [forksafe-start-method-at-import]

try:
    tmp.set_start_method("spawn", force=True)
# CHECK: :[[@LINE-1]]:5: warning: set_start_method() runs when the module is imported
except RuntimeError:
    pass


def configure():
    multiprocessing.set_start_method("forkserver")


configure()
# CHECK: :[[@LINE-1]]:1: warning: set_start_method() runs when the module is imported
# CHECK-NEXT: :[[@LINE-2]]:1: note: 'configure' called here
# CHECK-NEXT: :[[@LINE-6]]:5: note: set_start_method() called here


# --- Bad: a second call without force=True on one path ----------------------------------------
def setup_twice():
    mp.set_start_method("spawn")
    if True:
        mp.set_start_method("forkserver")
# CHECK: :[[@LINE-1]]:9: warning: set_start_method() is called a second time without force=True: it raises "context has already been set"; set the start method once, or pass force=True [forksafe-start-method-at-import]
# CHECK-NEXT: :[[@LINE-4]]:5: note: start method first set here


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
