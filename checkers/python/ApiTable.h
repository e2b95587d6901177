//===--- ApiTable.h - What the Python rules know about library APIs ---------===//
//
// All knowledge of library APIs lives in the one table in ApiTable.cpp, each entry with its
// source. Names are fully qualified as the semantic model resolves them through imports;
// methods are written `<type>.<method>`, where <type> is the name of what a factory returns
// (`multiprocessing.get_context(...).Pool` is `multiprocessing.context.BaseContext.Pool`).
//
//===----------------------------------------------------------------------===//
#ifndef FORKSAFE_PYTHON_APITABLE_H
#define FORKSAFE_PYTHON_APITABLE_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"

#include <memory>
#include <string>
#include <vector>

namespace forksafe {
struct Config;
namespace python {

/// What a call of the API does, as far as the rules care.
enum ApiFlag : unsigned {
  StartsProcesses = 1u << 0,   ///< calling it starts worker processes
  SetsStartMethod = 1u << 1,   ///< multiprocessing.set_start_method and twins
  RunsPreexecFn = 1u << 2,     ///< accepts preexec_fn, run in the child before exec
  PicklesCallable = 1u << 3,   ///< the callable argument is pickled to a child process
  PicklesInitializer = 1u << 4, ///< the initializer argument is pickled to each worker
  ThreadBased = 1u << 5,       ///< same API as a process pool, but runs threads
  Forks = 1u << 6,             ///< calling it forks the calling process (os.fork)
  StartsThreads = 1u << 7,     ///< calling it starts threads that run until joined
  ThreadedLibrary = 1u << 8,   ///< once called, the library runs threads of its own for good
  InitializesCuda = 1u << 9,   ///< calling it initialises CUDA in the calling process
  /// An executor whose worker processes start at its first submit/map, not when it is made
  /// (with StartsProcesses: the flow rules take the making as the start).
  StartsOnFirstUse = 1u << 10,
  /// A method whose first call starts the workers of a StartsOnFirstUse executor.
  FirstUseStarts = 1u << 11,
};

/// A parameter: its position among positional arguments (-1: keyword-only) and keyword.
struct Param {
  int Position = -1;
  const char *Keyword = nullptr;
  bool present() const { return Position >= 0 || Keyword; }
};

struct ApiEntry {
  const char *Name;            ///< fully qualified name
  unsigned Flags;              ///< ApiFlag bits
  const char *Returns;         ///< type name of the result (for receiver kinds), or null
  Param StartMethod;           ///< the start-method string or context argument
  Param Callable;              ///< the callable sent to workers (PicklesCallable)
  Param Initializer;           ///< the initializer sent to workers (PicklesInitializer)
  Param PreexecFn;             ///< RunsPreexecFn
  const char *Source;          ///< where the behaviour is documented
};

/// Type names the model gives to receivers (what `Returns` names).
namespace types {
inline constexpr const char *Context = "multiprocessing.context.BaseContext";
inline constexpr const char *ProcessPool = "multiprocessing.pool.Pool";
inline constexpr const char *ThreadPool = "multiprocessing.pool.ThreadPool";
inline constexpr const char *Process = "multiprocessing.Process";
inline constexpr const char *ProcessExecutor = "concurrent.futures.ProcessPoolExecutor";
inline constexpr const char *ThreadExecutor = "concurrent.futures.ThreadPoolExecutor";
inline constexpr const char *Thread = "threading.Thread";
inline constexpr const char *Timer = "threading.Timer";
} // namespace types

/// The built-in table plus entries from configuration.
class ApiTable {
public:
  /// The built-in table alone.
  static const ApiTable &builtin();
  /// The built-in table extended with Cfg's extend-process-starters, extend-thread-starters
  /// and extend-cuda-initializers.
  explicit ApiTable(const Config *Cfg);

  /// Looks Name up; `torch.multiprocessing.X` falls back to `multiprocessing.X` (torch
  /// re-exports the standard module).
  const ApiEntry *lookup(llvm::StringRef Name) const;
  /// lookup(), then the entry of the longest `package.*` prefix of Name (the flow rules'
  /// whole-library entries such as `jax.*`; exact entries are their exceptions).
  const ApiEntry *lookupWithPrefixes(llvm::StringRef Name) const;
  /// Calls F with every entry and its name (`jax.` for the prefix entry `jax.*`).
  void forEach(llvm::function_ref<void(llvm::StringRef Name, const ApiEntry &E)> F) const;
  /// Top-level module names whose absence from a file means no API here can be reached.
  llvm::ArrayRef<std::string> rootModules() const { return Roots; }

private:
  ApiTable();
  void addConfigured(const std::vector<std::string> &Names, unsigned Flag, const char *Source);
  llvm::StringMap<ApiEntry> Entries;
  llvm::StringMap<ApiEntry> Prefixes; ///< `jax.*` entries, keyed "jax."
  std::vector<std::unique_ptr<std::string>> OwnedNames;
  std::vector<std::string> Roots;
};

} // namespace python
} // namespace forksafe

#endif
