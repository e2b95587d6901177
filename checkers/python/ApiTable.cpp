//===--- ApiTable.cpp - The one table of Python APIs the rules know ---------===//
#include "python/ApiTable.h"

#include "core/Config.h"

#include <algorithm>

namespace forksafe {
namespace python {

namespace {

constexpr Param None{};
constexpr Param P(int Position, const char *Keyword) { return Param{Position, Keyword}; }
constexpr Param Kw(const char *Keyword) { return Param{-1, Keyword}; }

// Sources are the reference documentation pages (Python: docs.python.org/3/library/<page>;
// PyTorch: pytorch.org/docs/stable/<page>; distilabel: its API reference) or the module
// whose source defines the behaviour.
const ApiEntry BuiltinEntries[] = {
    // --- start methods and contexts ---------------------------------------------------
    {"multiprocessing.get_context", 0, types::Context, P(0, "method"), None, None, None,
     "library/multiprocessing.html#multiprocessing.get_context"},
    {"multiprocessing.context.BaseContext.get_context", 0, types::Context, P(0, "method"), None,
     None, None, "Lib/multiprocessing/context.py: BaseContext.get_context"},
    {"multiprocessing.set_start_method", SetsStartMethod, nullptr, P(0, "method"), None, None,
     None, "library/multiprocessing.html#multiprocessing.set_start_method"},
    {"multiprocessing.context.BaseContext.set_start_method", SetsStartMethod, nullptr,
     P(0, "method"), None, None, None, "Lib/multiprocessing/context.py: DefaultContext"},

    // --- processes ---------------------------------------------------------------------
    {"multiprocessing.Process", PicklesCallable, types::Process, None, P(1, "target"), None, None,
     "library/multiprocessing.html#multiprocessing.Process"},
    {"multiprocessing.process.BaseProcess", PicklesCallable, types::Process, None, P(1, "target"),
     None, None, "Lib/multiprocessing/process.py"},
    {"multiprocessing.context.BaseContext.Process", PicklesCallable, types::Process, None,
     P(1, "target"), None, None, "library/multiprocessing.html#contexts-and-start-methods"},
    {"multiprocessing.Process.start", StartsProcesses, nullptr, None, None, None, None,
     "library/multiprocessing.html#multiprocessing.Process.start"},

    // --- process pools (start their workers when constructed) ---------------------------
    {"multiprocessing.Pool", StartsProcesses | PicklesInitializer, types::ProcessPool,
     Kw("context"), None, P(1, "initializer"), None,
     "library/multiprocessing.html#multiprocessing.pool.Pool"},
    {"multiprocessing.pool.Pool", StartsProcesses | PicklesInitializer, types::ProcessPool,
     Kw("context"), None, P(1, "initializer"), None,
     "library/multiprocessing.html#multiprocessing.pool.Pool"},
    {"multiprocessing.context.BaseContext.Pool", StartsProcesses | PicklesInitializer,
     types::ProcessPool, None, None, P(1, "initializer"), None,
     "library/multiprocessing.html#contexts-and-start-methods"},
    // Pool methods whose first argument is pickled to the workers.
    {"multiprocessing.pool.Pool.apply", PicklesCallable, nullptr, None, P(0, "func"), None, None,
     "library/multiprocessing.html#multiprocessing.pool.Pool.apply"},
    {"multiprocessing.pool.Pool.apply_async", PicklesCallable, nullptr, None, P(0, "func"), None,
     None, "library/multiprocessing.html#multiprocessing.pool.Pool.apply_async"},
    {"multiprocessing.pool.Pool.map", PicklesCallable, nullptr, None, P(0, "func"), None, None,
     "library/multiprocessing.html#multiprocessing.pool.Pool.map"},
    {"multiprocessing.pool.Pool.map_async", PicklesCallable, nullptr, None, P(0, "func"), None,
     None, "library/multiprocessing.html#multiprocessing.pool.Pool.map_async"},
    {"multiprocessing.pool.Pool.imap", PicklesCallable, nullptr, None, P(0, "func"), None, None,
     "library/multiprocessing.html#multiprocessing.pool.Pool.imap"},
    {"multiprocessing.pool.Pool.imap_unordered", PicklesCallable, nullptr, None, P(0, "func"),
     None, None, "library/multiprocessing.html#multiprocessing.pool.Pool.imap_unordered"},
    {"multiprocessing.pool.Pool.starmap", PicklesCallable, nullptr, None, P(0, "func"), None, None,
     "library/multiprocessing.html#multiprocessing.pool.Pool.starmap"},
    {"multiprocessing.pool.Pool.starmap_async", PicklesCallable, nullptr, None, P(0, "func"),
     None, None, "library/multiprocessing.html#multiprocessing.pool.Pool.starmap_async"},

    // --- thread pools: the same API over threads; nothing is pickled ---------------------
    {"multiprocessing.pool.ThreadPool", ThreadBased, types::ThreadPool, None, None, None, None,
     "library/multiprocessing.html#multiprocessing.pool.ThreadPool"},
    {"multiprocessing.dummy.Pool", ThreadBased, types::ThreadPool, None, None, None, None,
     "library/multiprocessing.html#module-multiprocessing.dummy"},
    {"concurrent.futures.ThreadPoolExecutor", ThreadBased, types::ThreadExecutor, None, None, None,
     None, "library/concurrent.futures.html#threadpoolexecutor"},
    {"concurrent.futures.thread.ThreadPoolExecutor", ThreadBased, types::ThreadExecutor, None,
     None, None, None, "Lib/concurrent/futures/thread.py"},

    // --- process pool executors ---------------------------------------------------------
    {"concurrent.futures.ProcessPoolExecutor", StartsProcesses | PicklesInitializer,
     types::ProcessExecutor, P(1, "mp_context"), None, P(2, "initializer"), None,
     "library/concurrent.futures.html#processpoolexecutor"},
    {"concurrent.futures.process.ProcessPoolExecutor", StartsProcesses | PicklesInitializer,
     types::ProcessExecutor, P(1, "mp_context"), None, P(2, "initializer"), None,
     "Lib/concurrent/futures/process.py"},
    {"concurrent.futures.ProcessPoolExecutor.submit", PicklesCallable, nullptr, None,
     P(0, nullptr), None, None, "library/concurrent.futures.html#concurrent.futures.Executor.submit"},
    {"concurrent.futures.ProcessPoolExecutor.map", PicklesCallable, nullptr, None, P(0, "fn"), None,
     None, "library/concurrent.futures.html#concurrent.futures.Executor.map"},

    // --- PyTorch -------------------------------------------------------------------------
    // torch.multiprocessing re-exports multiprocessing (lookup falls back), and adds:
    {"torch.multiprocessing.spawn", StartsProcesses | PicklesCallable, nullptr,
     P(5, "start_method"), P(0, "fn"), None, None,
     "pytorch docs: multiprocessing.html#spawning-subprocesses"},
    {"torch.multiprocessing.start_processes", StartsProcesses | PicklesCallable, nullptr,
     P(5, "start_method"), P(0, "fn"), None, None,
     "torch/multiprocessing/spawn.py: start_processes"},
    {"torch.multiprocessing.spawn.spawn", StartsProcesses | PicklesCallable, nullptr,
     P(5, "start_method"), P(0, "fn"), None, None, "torch/multiprocessing/spawn.py"},
    {"torch.multiprocessing.spawn.start_processes", StartsProcesses | PicklesCallable, nullptr,
     P(5, "start_method"), P(0, "fn"), None, None, "torch/multiprocessing/spawn.py"},
    {"torch.distributed.elastic.multiprocessing.start_processes", StartsProcesses, nullptr,
     Kw("start_method"), None, None, None,
     "pytorch docs: elastic/multiprocessing.html#starting-multiple-workers"},
    // DataLoader starts its workers when iterated, not when made: it only takes a context.
    {"torch.utils.data.DataLoader", 0, nullptr, P(11, "multiprocessing_context"), None, None, None,
     "pytorch docs: data.html#torch.utils.data.DataLoader"},
    {"torch.utils.data.dataloader.DataLoader", 0, nullptr, P(11, "multiprocessing_context"), None,
     None, None, "torch/utils/data/dataloader.py"},

    // --- library entry points that start processes ----------------------------------------
    {"distilabel.pipeline.Pipeline.run", StartsProcesses, nullptr, None, None, None, None,
     "distilabel API reference: pipeline.Pipeline.run (one process per step)"},
    {"distilabel.pipeline.local.Pipeline.run", StartsProcesses, nullptr, None, None, None, None,
     "distilabel/pipeline/local.py"},

    // --- subprocess: preexec_fn ----------------------------------------------------------
    {"subprocess.Popen", RunsPreexecFn, nullptr, None, None, None, P(6, "preexec_fn"),
     "library/subprocess.html#subprocess.Popen"},
    {"subprocess.run", RunsPreexecFn, nullptr, None, None, None, P(6, "preexec_fn"),
     "library/subprocess.html#subprocess.run"},
    {"subprocess.call", RunsPreexecFn, nullptr, None, None, None, P(6, "preexec_fn"),
     "library/subprocess.html#subprocess.call"},
    {"subprocess.check_call", RunsPreexecFn, nullptr, None, None, None, P(6, "preexec_fn"),
     "library/subprocess.html#subprocess.check_call"},
    {"subprocess.check_output", RunsPreexecFn, nullptr, None, None, None, P(6, "preexec_fn"),
     "library/subprocess.html#subprocess.check_output"},
    {"asyncio.create_subprocess_exec", RunsPreexecFn, nullptr, None, None, None, Kw("preexec_fn"),
     "library/asyncio-subprocess.html (keyword arguments go to subprocess.Popen)"},
    {"asyncio.create_subprocess_shell", RunsPreexecFn, nullptr, None, None, None, Kw("preexec_fn"),
     "library/asyncio-subprocess.html (keyword arguments go to subprocess.Popen)"},
    {"asyncio.subprocess.create_subprocess_exec", RunsPreexecFn, nullptr, None, None, None,
     Kw("preexec_fn"), "Lib/asyncio/subprocess.py"},
    {"asyncio.subprocess.create_subprocess_shell", RunsPreexecFn, nullptr, None, None, None,
     Kw("preexec_fn"), "Lib/asyncio/subprocess.py"},
};

llvm::StringRef rootOf(llvm::StringRef Name) { return Name.split('.').first; }

} // namespace

ApiTable::ApiTable() {
  for (const ApiEntry &E : BuiltinEntries) {
    Entries.try_emplace(E.Name, E);
    llvm::StringRef Root = rootOf(E.Name);
    if (std::find(Roots.begin(), Roots.end(), Root) == Roots.end())
      Roots.push_back(Root.str());
  }
}

const ApiTable &ApiTable::builtin() {
  static const ApiTable Table;
  return Table;
}

ApiTable::ApiTable(const Config *Cfg) : ApiTable() {
  if (!Cfg)
    return;
  for (const std::string &Name : Cfg->ProcessStarters) {
    llvm::StringRef N = llvm::StringRef(Name).trim();
    if (N.empty())
      continue;
    OwnedNames.push_back(std::make_unique<std::string>(N.str()));
    ApiEntry E{OwnedNames.back()->c_str(), StartsProcesses, nullptr, None, None, None, None,
               "configuration: extra-process-starters"};
    auto It = Entries.find(N);
    if (It != Entries.end())
      It->second.Flags |= StartsProcesses;
    else
      Entries.try_emplace(N, E);
    llvm::StringRef Root = rootOf(N);
    if (std::find(Roots.begin(), Roots.end(), Root) == Roots.end())
      Roots.push_back(Root.str());
  }
  ThreadStarters = Cfg->ThreadStarters;
  CudaInitializers = Cfg->CudaInitializers;
}

const ApiEntry *ApiTable::lookup(llvm::StringRef Name) const {
  auto It = Entries.find(Name);
  if (It != Entries.end())
    return &It->second;
  llvm::StringRef Rest = Name;
  if (Rest.consume_front("torch.multiprocessing.")) {
    It = Entries.find("multiprocessing." + Rest.str());
    if (It != Entries.end())
      return &It->second;
  }
  return nullptr;
}

} // namespace python
} // namespace forksafe
