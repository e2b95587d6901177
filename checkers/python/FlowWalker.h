//===--- FlowWalker.h - The statement-order walk behind FlowModel -------------===//
//
// Internal to the flow walk. One Walker walks one file: its top level as the entry point,
// each function once into a summary (FlowWalker.cpp), and links what functions of other
// modules do into it (FlowProject.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef FORKSAFE_PYTHON_FLOWWALKER_H
#define FORKSAFE_PYTHON_FLOWWALKER_H

#include "python/FlowResolver.h"
#include "python/Project.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

#include <functional>
#include <map>
#include <optional>
#include <set>

namespace forksafe {
namespace python {

class FlowModel::Walker {
public:
  Walker(FlowModel &FM, const SemanticModel &M, const Config *Cfg);

  void run();

private:
  /// The function being walked.
  struct Frame {
    Frame(int Runner, bool IsModule) : Runner(Runner), IsModule(IsModule) {}
    int Runner;    ///< function scope, -1 for the module's top level
    bool IsModule; ///< judged as the program's entry point
    std::vector<State> ReturnStates;
    llvm::SmallVector<std::string, 2> Returned;
    std::vector<PendingFork> Pending;
  };

  const ApiEntry *entryOf(const CallSite &C) const;
  /// Per call site, found once: its table entry (entryOf), and the same-file function it
  /// calls (by name, or a method of an instance of a class of this file; -1 if none).
  struct CallFacts {
    bool Done = false;
    const ApiEntry *Entry = nullptr;
    int Local = -1;
  };
  std::vector<CallFacts> Known;
  void know(unsigned Id);
  const ApiEntry *entryOfCall(unsigned Id) {
    know(Id);
    return Known[Id].Entry;
  }
  int localTarget(unsigned Id) {
    know(Id);
    return Known[Id].Local;
  }
  std::string calleeName(const CallSite &C) const { return R.calleeName(C); }
  std::string keyOf(Node E, unsigned S) const { return R.keyOf(E, S); }
  std::string resultKeyOf(Node Call, unsigned S) const { return R.resultKeyOf(Call, S); }

  /// A call in function F (or its same-file callees) that initialises CUDA; -1 if none.
  int cudaUseIn(int F, unsigned Depth = 0);

  /// An element of an args tuple (or a kwargs dict's value) that is a CUDA object of the
  /// parent: made by a CUDA initialiser (`model = Net().cuda()`), or moved there
  /// (`model.cuda()`, `x.to("cuda")` in the same scope). Null if none is known.
  Node cudaObjectIn(Node Args, unsigned S);

  /// The same-file function (or lambda) a callable expression names; -1 if unknown.
  int localCallable(Node Expr, unsigned S) const;

  int methodOf(int Cls, llvm::StringRef Name) const { return M.methodOf(Cls, Name); }

  /// The call that made the object Expr names (`p` of `p = Process(...)`), or null.
  Node constructorOf(Node Expr, unsigned S) const;

  /// Whether the child of this fork may use CUDA, and where it does when that is known.
  /// The child runs the process target (followed through same-file calls); a target that
  /// cannot be resolved may use CUDA. An os.fork child runs the rest of the program,
  /// unless the forking function execs (a hand-written spawn).
  void childCuda(const CallSite &C, const ApiEntry &E, PendingFork &P);

  //===--- judging ---------------------------------------------------------===//

  /// Records the hazards of P as far as they are decided where it is judged. At an entry
  /// point an unset start method is the default one.
  static std::string forkKey(const PendingFork &P);

  void judge(const PendingFork &P, bool Entry, bool MethodKnownAtEntry);

  void judgeSummaryAtUnknownEntry(unsigned F);

  /// Whether walking function F (entered from elsewhere) now can judge nothing and change
  /// nothing else: none of the calls it runs forks, starts processes or sets the start
  /// method; the functions of this file it calls are summarised already, without forks; those
  /// of other modules of the project have none; and it imports nothing. Such a function's
  /// summary has no forks to judge, and walking it would make no other summary.
  bool inertLeaf(unsigned F);

  /// For each scope, whether it is a function whose summary may hold something: one of the
  /// calls it runs is of the table (a thread, a pool, a process, a start method, a threaded
  /// library) or initialises CUDA, calls a function of another module of the project whose
  /// summary holds something, or calls a function of this file that may; or it imports. The
  /// summary of any other function is empty, and a module's summary need not walk it.
  std::vector<bool> mayHoldEffects();

  //===--- statements -------------------------------------------------------===//

  void walkBlock(Node Block, State &S, Frame &Fr, unsigned Depth, unsigned CallDepth);

  void walkStatement(Node N, State &S, Frame &Fr, unsigned Depth, unsigned CallDepth);

  unsigned scopeOf(Node Stmt, const Frame &Fr) const;

  State mergeAll(const State &In, const std::vector<State> &Arms);

  void callsOf(Node Stmt, State &S, Frame &Fr, unsigned CallDepth);

  void join(llvm::StringRef Key, State &S);

  void call(unsigned Id, State &S, Frame &Fr, unsigned CallDepth);

  //===--- the rest of the project ------------------------------------------===//

  Step stepAt(Node N, std::string Text) const;

  /// How notes name what a call calls: 'setup', 'Server.__init__', 'helpers.start'.
  std::string calledName(const CallSite &C) const;

  /// The summary of the project function a call calls, when it is another module's.
  const FunctionSummary *foreignFunction(const CallSite &C) const;
  const FunctionSummary *foreignCallable(Node Expr, unsigned S) const;
  /// foreignFunction of call Id, remembered.
  const FunctionSummary *foreignFunctionOf(unsigned Id);

  static EffectRef withStep(const Step &First, const EffectRef &E);

  bool forcesStartMethod(const CallSite &C) const;

  /// What calling another module's function does, at the call Id (At: its note): its
  /// forks are judged with this path's threads and CUDA, then what it leaves running.
  void applyForeign(const FunctionSummary &FS, int Id, const Step &At, State &S, Frame &Fr);

  /// An import statement runs the top level of the project modules it names, in order.
  void importModules(Node N, State &S, Frame &Fr);

  /// What storyTo looks for: an event at a call, its note, and the summary field that says
  /// a function of another module reaches it.
  struct Goal {
    /// Whether call Id is the event; Follow: false when the call is a library API whose
    /// own effects the table gives (it is not followed as a call).
    std::function<bool(unsigned Id, bool &Follow)> IsEvent;
    const char *Note;
    int Kind;
    EffectRef FunctionSummary::*Field;
    llvm::DenseMap<int, EffectRef> *Memo;
  };

  /// The story to the first event of G reached by calling F: the event in F, or the calls
  /// on the way through same-file functions and other modules' summaries. Null if none.
  EffectRef storyTo(int F, const Goal &G, unsigned Depth = 0);

  /// A process start reached by calling F (not fork-based: a fork child does not import the
  /// main module again).
  EffectRef startsIn(int F);

  /// set_start_method() (without force=True) reached by calling F.
  EffectRef setsMethodIn(int F);

  /// Where calling F uses CUDA (F as a process target).
  EffectRef cudaStory(int F);

  int localCallee(const CallSite &C) const;

  /// The positional index (self not counted) and name of F's parameter Name; false if F
  /// has none.
  bool parameterOf(int F, llvm::StringRef Name, int &Position) const;

  /// F's parameter named by Arg (an identifier bound as a parameter of F itself).
  bool isParameterOf(int F, Node Arg, int &Position, std::string &Name) const;

  /// F's parameters that it hands to a process API as the callable that API pickles.
  const std::vector<Handoff> &handoffsOf(int F, unsigned Depth = 0);

  /// `for batch in loader` with loader = DataLoader(..., num_workers=N > 0): the workers
  /// are forked here (under the fork method). They never use CUDA themselves.
  void dataLoaderLoop(Node For, State &S, Frame &Fr);

  void fork(unsigned Id, const ApiEntry &E, State &S, Frame &Fr);

  void addPending(Frame &Fr, PendingFork P);

  const Summary &summaryOf(unsigned F, unsigned CallDepth);

  /// SelfKey: what the callee's `self` is called here (`server` for server.stop()), so that
  /// what it keeps in `self.x` the caller joins as `server.x`.
  void applySummary(unsigned F, unsigned Id, const std::string &SelfKey, State &S, Frame &Fr,
                    unsigned CallDepth);

  FlowModel &FM;
  const SemanticModel &M;
  const ApiTable &Api;
  Resolver &R;
  bool DefaultIsFork = true;
  bool FileSetsStartMethod = false;
  llvm::DenseMap<const void *, llvm::SmallVector<unsigned, 4>> CallsByStatement;
  llvm::DenseMap<int, std::vector<unsigned>> CallsByRunner;
  llvm::DenseMap<const void *, unsigned> CallIdOf;
  llvm::DenseMap<const void *, unsigned> ScopeOfDefinition; ///< def/lambda node -> its scope
  /// What has run when a function is called from outside: the module's top level up to
  /// its `if __name__ == "__main__":` block (an importer runs no more of it).
  std::optional<State> ImportState;
  unsigned Rewalks = 0; ///< loop bodies being walked a second time, nested
  std::vector<Summary> Summaries;
  std::vector<std::vector<State>> LoopExits;
  llvm::DenseMap<int, int> CudaUse;
  std::set<std::string> ReportedThreads, ReportedCuda;
  std::map<std::string, ForkHazard> NoParentCuda;
  /// Calls in the walked file that reach CUDA in another module: the story from there.
  llvm::DenseMap<unsigned, EffectRef> ForeignCudaUse;
  llvm::DenseSet<unsigned> SecondSetReported;
  llvm::DenseMap<int, EffectRef> StartsMemo, SetsMemo, CudaStoryMemo;
  llvm::DenseMap<int, std::vector<Handoff>> HandoffMemo;
  llvm::DenseMap<unsigned, const FunctionSummary *> ForeignMemo;

  friend class FlowModel;
  friend ModuleSummary summarizeModule(const SemanticModel &, llvm::StringRef, const Config *,
                                       ProjectLink &);
};

} // namespace python
} // namespace forksafe

#endif
