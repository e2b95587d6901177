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
#include "python/Summary.h"

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
  /// When it happened in another module: the story from this file's call or import of it
  /// (Call is then meaningless).
  EffectRef Foreign;
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
  /// The child uses CUDA in another module: the story, after the ChildCudaUse call if any.
  EffectRef ChildCudaForeign;
  /// The fork is in another module (Fork is then this file's call that leads to it).
  ForkRef Foreign;
  /// cuda-before-fork: no CUDA initialisation in the parent is seen, but the child needs it.
  bool NoParentCuda = false;
  bool DataLoader = false; ///< DataLoader workers forked when the loader is iterated
};

/// A second set_start_method() whose first call ran in another module on the same path.
struct SecondStartMethod {
  unsigned Call;
  EffectRef First;
};

class ProjectLink;

class FlowModel {
public:
  /// Link: the rest of the project (null: the file alone). Path names this file in the
  /// summaries the walk exports.
  FlowModel(const SemanticModel &M, const Config *Cfg, ProjectLink *Link = nullptr,
            llvm::StringRef Path = "");
  ~FlowModel();

  /// start-method-at-import: second set_start_method() calls after one in another module.
  const std::vector<SecondStartMethod> &secondStartMethods() const { return SecondSets; }

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
  /// For summarizeModule: prepared, not walked.
  FlowModel(const SemanticModel &M, ProjectLink &Link, llvm::StringRef Path);
  void prepare();
  std::unique_ptr<Resolver> Res;
  std::vector<ForkHazard> AfterThreads, AfterCuda;
  std::vector<SecondStartMethod> SecondSets;
  const SemanticModel &M;
  ProjectLink *Link;
  std::string Path;
  bool Export = false; ///< made by summarizeModule: walk everything, judge nothing
  /// A fork may come from the project: a function of another module this file calls, or an
  /// import (always, for summarizeModule's walk).
  bool ForeignForks = false;
  /// Whether the file imports something of the project with any effect (Link given).
  bool importsEffects() const;
  friend ModuleSummary summarizeModule(const SemanticModel &, llvm::StringRef, const Config *,
                                       ProjectLink &);
  bool ImportsTorch = false;
  mutable llvm::DenseMap<unsigned, bool> CudaCache;
};

/// What importing the module of M does and what calling each of its functions does, with
/// the summaries of the modules it imports (through Link) linked in.
ModuleSummary summarizeModule(const SemanticModel &M, llvm::StringRef Path, const Config *Cfg,
                              ProjectLink &Link);

/// The note at a thread start or threaded library use ("thread started here").
std::string threadStartNote(const SemanticModel &M, const FlowEvent &E);

/// The name a library is known by in messages ("JAX" for jax.numpy.ones).
std::string threadedLibraryName(llvm::StringRef QualifiedName);

class RuleContext;
/// Notes "'setup' called here" at each same-file call of Chain.
void noteCallChain(RuleContext &Ctx, Diagnostic &D, llvm::ArrayRef<unsigned> Chain);
/// The notes of a hazard: the calls to the cause, CauseNote at it, the calls to the fork.
void noteHazard(RuleContext &Ctx, Diagnostic &D, const ForkHazard &H, const std::string &CauseNote);
/// Notes the steps of a story.
void noteStory(RuleContext &Ctx, Diagnostic &D, const Story &S);
/// Reports at the fork of H: in this file, or in the module where the fork is.
Diagnostic &reportAtFork(RuleContext &Ctx, const ForkHazard &H, std::string Message);
/// How the message names the fork: "'os.fork()'", "process started with the ... method".
std::string forkDescription(RuleContext &Ctx, const ForkHazard &H);

} // namespace python
} // namespace forksafe

#endif
