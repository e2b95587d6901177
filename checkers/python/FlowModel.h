//===--- FlowModel.h - What runs before each fork, in statement order --------===//
//
// The flow rules (forksafe-fork-after-thread, forksafe-cuda-before-fork) need the order in
// which things happen. FlowModel walks the module's top level and every function body
// statement by statement, through same-file calls, and keeps:
//  - threads that may run: started (Thread/Timer .start(), thread pools, executors with
//    work submitted, threaded libraries such as JAX) and not yet joined (.join(), the end
//    of a `with` block, .shutdown());
//  - whether CUDA may be initialised in this process;
//  - the start method set so far (set_start_method);
// and records, for each fork (os.fork, or a process start that uses fork), the first thread
// and the first CUDA initialisation that precede it on some path.
//
// Functions are summarised once (threads alive at exit, joins, CUDA, start method, and the
// forks inside them whose verdict depends on the caller), so the walk is linear in the file.
// Unknown things are not threads, not forks and not CUDA.
//
//===----------------------------------------------------------------------===//
#ifndef FORKSAFE_PYTHON_FLOWMODEL_H
#define FORKSAFE_PYTHON_FLOWMODEL_H

#include "core/Config.h"
#include "python/SemanticModel.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"

#include <memory>
#include <string>
#include <vector>

namespace forksafe {
namespace python {

/// Something that happened before a fork: a thread start or a CUDA initialisation.
struct FlowEvent {
  enum KindT { Thread, Timer, ThreadPool, Executor, Library, Cuda };
  KindT Kind = Thread;
  unsigned Call = 0; ///< the call that did it (index into SemanticModel::calls())
  /// Same-file calls through which it happened, from the function where the fork is judged.
  llvm::SmallVector<unsigned, 2> Chain;
};

/// A fork that runs after a thread start or a CUDA initialisation.
struct ForkHazard {
  unsigned Fork;      ///< the call that forks (os.fork, p.start(), Pool(...), ...)
  bool OsFork;        ///< os.fork/os.forkpty/pty.fork rather than a process start
  bool DefaultMethod; ///< a process start that forks because fork is the default
  /// Same-file calls that lead to the fork, from where it is judged.
  llvm::SmallVector<unsigned, 2> Chain;
  FlowEvent Cause;        ///< the thread start or the CUDA initialisation
  int ChildCudaUse = -1;  ///< a call in the child's code that uses CUDA; -1 if not known
  Node ChildCudaArgument; ///< a CUDA object of the parent handed to the child, if known
};

class FlowModel {
public:
  FlowModel(const SemanticModel &M, const Config *Cfg);
  ~FlowModel();

  /// Forks while threads may run, one per fork, in source order.
  const std::vector<ForkHazard> &forksAfterThreads() const { return AfterThreads; }
  /// Forks after CUDA was initialised whose child may use CUDA, one per fork.
  const std::vector<ForkHazard> &forksAfterCuda() const { return AfterCuda; }

  /// Whether the call initialises CUDA (the table's initialisers, `.cuda()`, `.to("cuda")`,
  /// torch calls with a CUDA `device=`).
  bool initializesCuda(unsigned Call) const;

private:
  struct Resolver;
  class Walker;
  std::unique_ptr<Resolver> Res;
  std::vector<ForkHazard> AfterThreads, AfterCuda;
  const SemanticModel &M;
  bool ImportsTorch = false;
  mutable llvm::DenseMap<unsigned, bool> CudaCache;
};

/// The name a library is known by in messages ("JAX" for jax.numpy.ones).
std::string threadedLibraryName(llvm::StringRef QualifiedName);

class RuleContext;
/// Notes "'setup' called here" at each same-file call of Chain.
void noteCallChain(RuleContext &Ctx, Diagnostic &D, llvm::ArrayRef<unsigned> Chain);
/// The notes of a hazard: the calls to the cause, CauseNote at it, the calls to the fork.
void noteHazard(RuleContext &Ctx, Diagnostic &D, const ForkHazard &H, const std::string &CauseNote);
/// How the message names the fork: "'os.fork()'", "process started with the ... method".
std::string forkDescription(RuleContext &Ctx, const ForkHazard &H);

} // namespace python
} // namespace forksafe

#endif
