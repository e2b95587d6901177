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

    // --- managers: a server process started when made (Manager()) or by .start() -------
    {"multiprocessing.Manager", StartsProcesses, "multiprocessing.managers.SyncManager", None, None,
     None, None, "library/multiprocessing.html#multiprocessing.Manager"},
    {"multiprocessing.context.BaseContext.Manager", StartsProcesses,
     "multiprocessing.managers.SyncManager", None, None, None, None,
     "Lib/multiprocessing/context.py: BaseContext.Manager"},
    // Made but not started: the type is BaseManager's, whose start() starts the process.
    {"multiprocessing.managers.SyncManager", 0, "multiprocessing.managers.BaseManager", None,
     None, None, None, "library/multiprocessing.html#multiprocessing.managers.SyncManager"},
    {"multiprocessing.managers.BaseManager", 0, "multiprocessing.managers.BaseManager", None,
     None, None, None, "library/multiprocessing.html#multiprocessing.managers.BaseManager"},
    {"multiprocessing.managers.BaseManager.start", StartsProcesses, nullptr, None, None, None,
     None, "library/multiprocessing.html#multiprocessing.managers.BaseManager.start"},

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
    // Their worker threads start when the pool is made (Lib/multiprocessing/pool.py).
    {"multiprocessing.pool.ThreadPool", ThreadBased | StartsThreads, types::ThreadPool, None,
     None, None, None, "library/multiprocessing.html#multiprocessing.pool.ThreadPool"},
    {"multiprocessing.dummy.Pool", ThreadBased | StartsThreads, types::ThreadPool, None, None,
     None, None, "library/multiprocessing.html#module-multiprocessing.dummy"},
    {"concurrent.futures.ThreadPoolExecutor", ThreadBased, types::ThreadExecutor, None, None, None,
     None, "library/concurrent.futures.html#threadpoolexecutor"},
    {"concurrent.futures.thread.ThreadPoolExecutor", ThreadBased, types::ThreadExecutor, None,
     None, None, None, "Lib/concurrent/futures/thread.py"},

    // --- process pool executors ---------------------------------------------------------
    // Workers start on demand, at the first submit/map (Lib/concurrent/futures/process.py:
    // submit() calls _adjust_process_count()), not when the executor is made.
    {"concurrent.futures.ProcessPoolExecutor",
     StartsProcesses | StartsOnFirstUse | PicklesInitializer, types::ProcessExecutor,
     P(1, "mp_context"), None, P(2, "initializer"), None,
     "library/concurrent.futures.html#processpoolexecutor"},
    {"concurrent.futures.process.ProcessPoolExecutor",
     StartsProcesses | StartsOnFirstUse | PicklesInitializer, types::ProcessExecutor,
     P(1, "mp_context"), None, P(2, "initializer"), None, "Lib/concurrent/futures/process.py"},
    {"concurrent.futures.ProcessPoolExecutor.submit", PicklesCallable | FirstUseStarts, nullptr,
     None, P(0, nullptr), None, None,
     "library/concurrent.futures.html#concurrent.futures.Executor.submit"},
    {"concurrent.futures.ProcessPoolExecutor.map", PicklesCallable | FirstUseStarts, nullptr, None,
     P(0, "fn"), None, None, "library/concurrent.futures.html#concurrent.futures.Executor.map"},

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
    // torchrun's programmatic launcher: LaunchConfig(start_method="spawn" by default).
    {"torch.distributed.launcher.LaunchConfig", 0, nullptr, Kw("start_method"), None, None, None,
     "torch/distributed/launcher/api.py: LaunchConfig.start_method"},
    {"torch.distributed.launcher.api.LaunchConfig", 0, nullptr, Kw("start_method"), None, None,
     None, "torch/distributed/launcher/api.py: LaunchConfig.start_method"},
    // Lightning's DDP strategies choose how their worker processes start.
    {"lightning.pytorch.strategies.DDPStrategy", 0, nullptr, Kw("start_method"), None, None, None,
     "Lightning docs: api/lightning.pytorch.strategies.DDPStrategy (start_method)"},
    {"lightning.fabric.strategies.DDPStrategy", 0, nullptr, Kw("start_method"), None, None, None,
     "Lightning docs: api/lightning.fabric.strategies.DDPStrategy (start_method)"},
    {"pytorch_lightning.strategies.DDPStrategy", 0, nullptr, Kw("start_method"), None, None, None,
     "Lightning docs: api/pytorch_lightning.strategies.DDPStrategy (start_method)"},
    {"pytorch_lightning.strategies.DDPSpawnStrategy", 0, nullptr, Kw("start_method"), None, None,
     None, "Lightning 1.7 docs: DDPSpawnStrategy(start_method=...), the ddp_fork strategy"},

    // --- library entry points that start processes ----------------------------------------
    {"distilabel.pipeline.Pipeline.run", StartsProcesses, nullptr, None, None, None, None,
     "distilabel API reference: pipeline.Pipeline.run (one process per step)"},
    {"distilabel.pipeline.local.Pipeline.run", StartsProcesses, nullptr, None, None, None, None,
     "distilabel/pipeline/local.py"},

    // --- forks and threads (forksafe-fork-after-thread) ----------------------------------
    {"os.fork", Forks, nullptr, None, None, None, None, "library/os.html#os.fork"},
    {"os.forkpty", Forks, nullptr, None, None, None, None, "library/os.html#os.forkpty"},
    {"pty.fork", Forks, nullptr, None, None, None, None, "library/pty.html#pty.fork"},
    {"threading.Thread", 0, types::Thread, None, None, None, None,
     "library/threading.html#thread-objects"},
    {"threading.Thread.start", StartsThreads, nullptr, None, None, None, None,
     "library/threading.html#threading.Thread.start"},
    {"threading.Timer", 0, types::Timer, None, None, None, None,
     "library/threading.html#timer-objects"},
    {"threading.Timer.start", StartsThreads, nullptr, None, None, None, None,
     "library/threading.html#timer-objects (a Timer is a Thread)"},
    {"_thread.start_new_thread", StartsThreads, nullptr, None, None, None, None,
     "library/_thread.html#thread.start_new_thread"},
    {"_thread.start_new", StartsThreads, nullptr, None, None, None, None,
     "Lib/_thread: deprecated alias of start_new_thread"},
    {"logging.handlers.QueueListener", 0, "logging.handlers.QueueListener", None, None, None,
     None, "library/logging.handlers.html#queuelistener"},
    {"logging.handlers.QueueListener.start", StartsThreads, nullptr, None, None, None, None,
     "library/logging.handlers.html#logging.handlers.QueueListener.start"},
    // An executor starts its threads on demand, when work is first submitted.
    {"concurrent.futures.ThreadPoolExecutor.submit", StartsThreads, nullptr, None, None, None,
     None, "Lib/concurrent/futures/thread.py: submit -> _adjust_thread_count"},
    {"concurrent.futures.ThreadPoolExecutor.map", StartsThreads, nullptr, None, None, None, None,
     "library/concurrent.futures.html#concurrent.futures.Executor.map (submits each call)"},

    // Libraries whose runtime starts threads once used, and never stops them.
    // JAX: initialising a backend starts XLA's thread pools and installs an at-fork warning
    // ("JAX is multithreaded, so this will likely lead to a deadlock"): jax/_src/xla_bridge.py.
    {"jax.*", ThreadedLibrary, nullptr, None, None, None, None, "jax/_src/xla_bridge.py: _at_fork"},
    // Configuration and function transformations do not initialise a backend.
    {"jax.config.*", 0, nullptr, None, None, None, None, "jax docs: jax.config"},
    {"jax.tree_util.*", 0, nullptr, None, None, None, None,
     "jax docs: jax.tree_util (pure Python)"},
    {"jax.tree.*", 0, nullptr, None, None, None, None, "jax docs: jax.tree (pure Python)"},
    {"jax.jit", 0, nullptr, None, None, None, None, "jax docs: jax.jit (compiles when called)"},
    {"jax.grad", 0, nullptr, None, None, None, None, "jax docs: jax.grad (a transformation)"},
    {"jax.value_and_grad", 0, nullptr, None, None, None, None, "jax docs: jax.value_and_grad"},
    {"jax.vmap", 0, nullptr, None, None, None, None, "jax docs: jax.vmap (a transformation)"},
    {"jax.pmap", 0, nullptr, None, None, None, None, "jax docs: jax.pmap (a transformation)"},
    {"jax.checkpoint", 0, nullptr, None, None, None, None, "jax docs: jax.checkpoint"},
    {"jax.custom_jvp", 0, nullptr, None, None, None, None, "jax docs: jax.custom_jvp"},
    {"jax.custom_vjp", 0, nullptr, None, None, None, None, "jax docs: jax.custom_vjp"},
    // TensorFlow: the runtime's intra-op and inter-op thread pools start with the first
    // operation (tf.config.threading sets their sizes, and only before they start).
    {"tensorflow.*", ThreadedLibrary, nullptr, None, None, None, None,
     "tensorflow docs: tf.config.threading"},
    {"tensorflow.config.*", 0, nullptr, None, None, None, None,
     "tensorflow docs: tf.config (set before the runtime is initialised)"},
    {"tensorflow.function", 0, nullptr, None, None, None, None,
     "tensorflow docs: tf.function (traces when called)"},
    // Python-side helpers that do not create the eager context.
    {"tensorflow.get_logger", 0, nullptr, None, None, None, None,
     "tensorflow docs: tf.get_logger (Python logging)"},
    {"tensorflow.io.gfile.*", 0, nullptr, None, None, None, None,
     "tensorflow docs: tf.io.gfile (file system access)"},
    {"tensorflow.random.set_seed", 0, nullptr, None, None, None, None,
     "tensorflow docs: tf.random.set_seed (stored until the context exists)"},
    {"tensorflow.compat.v1.logging.*", 0, nullptr, None, None, None, None,
     "tensorflow docs: tf.compat.v1.logging (Python logging)"},
    // gRPC: its core runs background threads once a channel or server exists; fork is
    // unsupported after that (grpc repository, doc/fork_support.md).
    {"grpc.server", ThreadedLibrary, nullptr, None, None, None, None, "grpc doc/fork_support.md"},
    {"grpc.insecure_channel", ThreadedLibrary, nullptr, None, None, None, None,
     "grpc doc/fork_support.md"},
    {"grpc.secure_channel", ThreadedLibrary, nullptr, None, None, None, None,
     "grpc doc/fork_support.md"},
    {"grpc.aio.server", ThreadedLibrary, nullptr, None, None, None, None,
     "grpc doc/fork_support.md"},
    {"grpc.aio.insecure_channel", ThreadedLibrary, nullptr, None, None, None, None,
     "grpc doc/fork_support.md"},
    {"grpc.aio.secure_channel", ThreadedLibrary, nullptr, None, None, None, None,
     "grpc doc/fork_support.md"},

    // --- CUDA initialisers (forksafe-cuda-before-fork) --------------------------------------
    // PyTorch: "The CUDA runtime does not support the fork start method" (pytorch docs:
    // notes/multiprocessing.html); torch.cuda functions initialise CUDA lazily, on first use.
    {"torch.cuda.*", InitializesCuda, nullptr, None, None, None, None,
     "pytorch docs: notes/multiprocessing.html#cuda-in-multiprocessing"},
    // These query without initialising, or queue the work until CUDA is initialised.
    {"torch.cuda.is_available", 0, nullptr, None, None, None, None,
     "pytorch docs: torch.cuda.is_available (NVML, no initialisation)"},
    {"torch.cuda.device_count", 0, nullptr, None, None, None, None,
     "pytorch docs: torch.cuda.device_count"},
    {"torch.cuda.is_initialized", 0, nullptr, None, None, None, None,
     "pytorch docs: torch.cuda.is_initialized"},
    {"torch.cuda.manual_seed", 0, nullptr, None, None, None, None,
     "torch/cuda/random.py: manual_seed (_lazy_call)"},
    {"torch.cuda.manual_seed_all", 0, nullptr, None, None, None, None,
     "torch/cuda/random.py: manual_seed_all (_lazy_call)"},
    {"torch.cuda.seed", 0, nullptr, None, None, None, None,
     "torch/cuda/random.py: seed (_lazy_call)"},
    {"torch.cuda.seed_all", 0, nullptr, None, None, None, None,
     "torch/cuda/random.py: seed_all (_lazy_call)"},
    {"torch.cuda.empty_cache", 0, nullptr, None, None, None, None,
     "torch/cuda/memory.py: empty_cache (only if initialised)"},
    // Memory statistics read nothing before CUDA is initialised (torch/cuda/memory.py:
    // memory_stats_as_nested_dict returns {} then).
    {"torch.cuda.memory_stats", 0, nullptr, None, None, None, None, "torch/cuda/memory.py"},
    {"torch.cuda.memory_allocated", 0, nullptr, None, None, None, None, "torch/cuda/memory.py"},
    {"torch.cuda.max_memory_allocated", 0, nullptr, None, None, None, None,
     "torch/cuda/memory.py"},
    {"torch.cuda.memory_reserved", 0, nullptr, None, None, None, None, "torch/cuda/memory.py"},
    {"torch.cuda.max_memory_reserved", 0, nullptr, None, None, None, None,
     "torch/cuda/memory.py"},
    {"torch.cuda.nvtx.*", 0, nullptr, None, None, None, None,
     "pytorch docs: torch.cuda.nvtx (NVTX markers, no CUDA context)"},
    {"torch.cuda.amp.*", 0, nullptr, None, None, None, None,
     "pytorch docs: amp (autocast and GradScaler check is_available)"},
    // CuPy initialises the CUDA runtime on first use of the device.
    {"cupy.*", InitializesCuda, nullptr, None, None, None, None,
     "CuPy docs: user_guide/basic (arrays live on the current device)"},
    {"cupy.get_array_module", 0, nullptr, None, None, None, None,
     "CuPy docs: cupy.get_array_module (inspects its arguments)"},

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
    llvm::StringRef Name = E.Name;
    if (Name.consume_back("*"))
      Prefixes.try_emplace(Name, E);
    else
      Entries.try_emplace(Name, E);
    llvm::StringRef Root = rootOf(E.Name);
    if (std::find(Roots.begin(), Roots.end(), Root) == Roots.end())
      Roots.push_back(Root.str());
  }
}

const ApiTable &ApiTable::builtin() {
  static const ApiTable Table;
  return Table;
}

void ApiTable::addConfigured(const std::vector<std::string> &Names, unsigned Flag,
                             const char *Source) {
  for (const std::string &Name : Names) {
    llvm::StringRef N = llvm::StringRef(Name).trim();
    if (N.empty())
      continue;
    OwnedNames.push_back(std::make_unique<std::string>(N.str()));
    ApiEntry E{OwnedNames.back()->c_str(), Flag, nullptr, None, None, None, None, Source};
    auto It = Entries.find(N);
    if (It != Entries.end())
      It->second.Flags |= Flag;
    else
      Entries.try_emplace(N, E);
    llvm::StringRef Root = rootOf(N);
    if (std::find(Roots.begin(), Roots.end(), Root) == Roots.end())
      Roots.push_back(Root.str());
  }
}

ApiTable::ApiTable(const Config *Cfg) : ApiTable() {
  if (!Cfg)
    return;
  addConfigured(Cfg->ProcessStarters, StartsProcesses, "configuration: extend-process-starters");
  addConfigured(Cfg->ThreadStarters, StartsThreads, "configuration: extend-thread-starters");
  addConfigured(Cfg->CudaInitializers, InitializesCuda,
                "configuration: extend-cuda-initializers");
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

void ApiTable::forEach(llvm::function_ref<void(llvm::StringRef Name, const ApiEntry &E)> F) const {
  for (const auto &KV : Entries)
    F(KV.getKey(), KV.getValue());
  for (const auto &KV : Prefixes)
    F(KV.getKey(), KV.getValue());
}

const ApiEntry *ApiTable::lookupWithPrefixes(llvm::StringRef Name) const {
  if (const ApiEntry *E = lookup(Name))
    return E;
  // Longest prefix first: `jax.config.*` is an exception to `jax.*`.
  for (size_t Dot = Name.rfind('.'); Dot != llvm::StringRef::npos; Dot = Name.rfind('.', Dot)) {
    auto It = Prefixes.find(Name.take_front(Dot + 1));
    if (It != Prefixes.end())
      return &It->second;
  }
  return nullptr;
}

} // namespace python
} // namespace forksafe
