//===--- FlowState.h - What the flow walk knows at a statement ---------------===//
//
// Internal to the flow walk (FlowWalker.cpp, FlowProject.cpp): the state at a statement
// (threads that may run, CUDA, the start method), the forks whose verdict waits for the
// caller, and a same-file function's summary.
//
//===----------------------------------------------------------------------===//
#ifndef FORKSAFE_PYTHON_FLOWSTATE_H
#define FORKSAFE_PYTHON_FLOWSTATE_H

#include "core/StringCompat.h"
#include "python/FlowModel.h"

#include "llvm/ADT/SmallVector.h"

#include <optional>
#include <string>
#include <vector>

namespace forksafe {
namespace python {
namespace flow {

// Bounds that keep the walk linear on adversarial input; real code stays far below them.
constexpr unsigned MaxBlockDepth = 100; // nested compound statements followed
constexpr unsigned MaxCallDepth = 48;   // nested same-file calls summarised
constexpr unsigned MaxFacts = 16;       // threads remembered per state
constexpr unsigned MaxPending = 32;     // forks a summary hands to its callers
constexpr unsigned MaxResolveDepth = 8; // alias chains followed for keys and devices

inline Node parentOf(Node N) { return N ? Node(ts_node_parent(N.raw())) : Node(); }

/// A thread that may run, and the names it can be joined by: the variable or attribute it
/// is held in, and collections it was appended to.
struct ThreadFact {
  FlowEvent Event;
  llvm::SmallVector<std::string, 2> Keys;
  bool sameAs(const ThreadFact &O) const {
    if (bool(Event.Foreign) != bool(O.Event.Foreign) || Event.Chain != O.Event.Chain)
      return false;
    if (Event.Foreign)
      return Event.Foreign == O.Event.Foreign || Event.Foreign->Notes == O.Event.Foreign->Notes;
    return Event.Call == O.Event.Call;
  }
};

struct State {
  std::vector<ThreadFact> Threads;
  std::optional<FlowEvent> Cuda;
  /// Start method set since the entry of the function: "" none, "?" unknown.
  std::string Method;
  /// Keys joined since the entry of the function (they end threads of the caller too).
  llvm::SmallVector<std::string, 4> Joined;
  /// Process executors whose workers have started (their first submit/map ran).
  llvm::SmallVector<std::string, 2> UsedExecutors;
  /// set_start_method() run in another module on this path (its story), or by this file.
  EffectRef ForeignMethodSet;
  bool LocalMethodSet = false;
  bool Dead = false; ///< the path ended (return, raise, break, continue, exit)
};

/// A fork whose verdict may depend on what the callers did before calling.
struct PendingFork {
  unsigned Fork = 0;
  bool OsFork = false;
  std::string Method; ///< "fork", or "" when the default start method applies
  llvm::SmallVector<unsigned, 2> Chain;
  std::vector<ThreadFact> Threads;
  std::optional<FlowEvent> Cuda;
  llvm::SmallVector<std::string, 4> Joined;
  bool ChildMayUseCuda = true;
  int ChildCudaUse = -1;
  Node ChildCudaArgument;
  EffectRef ChildCudaForeign;
  ForkRef Foreign; ///< the fork is in another module; Fork is the call that leads to it
  bool DataLoader = false; ///< DataLoader workers, started when the loader is iterated
};

struct Summary {
  bool Done = false, InProgress = false;
  std::vector<ThreadFact> ExitThreads;
  llvm::SmallVector<std::string, 4> Joined;
  std::optional<FlowEvent> Cuda;
  std::string Method;
  std::vector<PendingFork> Forks;
  llvm::SmallVector<std::string, 2> Returned; ///< keys of `return t`: the caller's result
  EffectRef ForeignMethodSet;
};

void addJoined(llvm::SmallVectorImpl<std::string> &To, llvm::StringRef Key);
bool hasKey(const ThreadFact &T, llvm::ArrayRef<std::string> Keys);
void addThread(std::vector<ThreadFact> &To, ThreadFact T);
/// The states of the arms of a branch joined: a thread that ran before the branch still runs
/// after it only if no arm ended it (a join on one path is taken as the join: joins are
/// matched by name, and precision matters more here); threads started in any arm may run.
State merge(const State &In, llvm::ArrayRef<const State *> Arms);
llvm::SmallVector<unsigned, 2> prefixed(unsigned Call, llvm::ArrayRef<unsigned> Chain);
bool isCollectionAdd(llvm::StringRef Method);
bool isExecName(llvm::StringRef Q);

} // namespace flow
} // namespace python
} // namespace forksafe

#endif
